package providerdata

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// RefreshTokenNotice describes a stored refresh token close to its expiry
// (never the token itself): the login it belongs to and when it expires.
type RefreshTokenNotice struct {
	// Expired: ExpiresAt has passed; else it is within the window.
	Expired    bool
	ExpiresAt  time.Time
	Issuer     string
	ProviderID string
	ClientID   string
	// StorePath is the refresh-tokens.json file that holds it.
	StorePath string
}

// Client is the value Configure hands to data sources, ephemeral resources
// and resources: the merged settings of one provider instance and its lazily
// built session.
type Client struct {
	settings Settings
	opts     FlowsOptions

	once sync.Once
	sess *Session
	err  error

	maskOnce sync.Once
	masks    []string
}

// New returns the Client of one provider instance, whose session is built
// with o on first use.
func New(s Settings, o FlowsOptions) *Client {
	return &Client{settings: s, opts: o}
}

// Settings returns the merged settings of the provider instance.
func (c *Client) Settings() Settings { return c.settings }

// MaskLog masks the secrets of the provider instance in the log of ctx. Their
// forms are computed once per instance: data sources mask them on every read.
func (c *Client) MaskLog(ctx context.Context) context.Context {
	c.maskOnce.Do(func() { c.masks = flows.SecretForms(c.settings.Secrets()...) })
	return maskForms(ctx, c.masks)
}

// NotReadyError says that provider values were unknown at configure time.
type NotReadyError struct {
	Fields []string
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("the provider value(s) %s are not known yet", e.FieldList())
}

// FieldList is the unknown attribute paths, each in backquotes, separated
// by commas.
func (e *NotReadyError) FieldList() string {
	q := make([]string, len(e.Fields))
	for i, s := range e.Fields {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

// ConfigError is a missing or inconsistent merged setting, found when the
// session is first needed.
type ConfigError struct {
	Summary string
	Detail  string
}

func (e *ConfigError) Error() string { return e.Summary + ": " + e.Detail }

// Session returns the provider instance's session, building it on first use.
// It fails with *NotReadyError while provider values are unknown and with
// *ConfigError when the merged settings cannot work.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	if c.settings.IsUnknown() {
		return nil, &NotReadyError{Fields: append([]string(nil), c.settings.Unknown...)}
	}
	c.once.Do(func() {
		if err := c.settings.Check(); err != nil {
			c.err = err
			return
		}
		c.sess, c.err = newSession(ctx, c.opts, c.settings)
	})
	return c.sess, c.err
}

// Check reports settings that cannot work, before any request is sent.
func (s Settings) Check() error {
	if s.URL == "" {
		return &ConfigError{
			Summary: "Missing openEO Back-End URL",
			Detail: "The provider has no back-end URL. Set url in the provider block, the environment variable " +
				settings.EnvBackendURL + ", or connection.default_backend in the openEO client config file.",
		}
	}
	switch s.Method {
	case flows.MethodPassword:
		var missing []string
		if s.OIDC.Username == "" {
			missing = append(missing, "oidc.username (or "+settings.EnvAuthUsername+")")
		}
		if s.OIDC.Password == "" {
			missing = append(missing, "oidc.password (or "+settings.EnvAuthPassword+")")
		}
		if len(missing) > 0 {
			return &ConfigError{
				Summary: "Missing OIDC Username or Password",
				Detail: "auth_method \"password\" needs a user name and a password. Set " + strings.Join(missing, " and ") +
					" in the provider block.",
			}
		}
	case flows.MethodAccessToken:
		if s.OIDC.AccessToken == "" {
			return &ConfigError{
				Summary: "Missing OIDC Access Token",
				Detail:  "auth_method \"access_token\" needs oidc.access_token. Set it in the provider block's oidc block.",
			}
		}
	case flows.MethodBearer:
		if s.BearerToken == "" {
			return &ConfigError{
				Summary: "Missing Bearer Token",
				Detail:  "auth_method \"bearer\" needs bearer_token. Set it in the provider block.",
			}
		}
	}
	return nil
}

// MaskLog returns ctx in which every tflog message and field value hides
// each secret in every form a server may echo it (see [flows.SecretForms]):
// the one log-masking helper of the provider, its data sources and its
// resources.
func MaskLog(ctx context.Context, secrets ...string) context.Context {
	return maskForms(ctx, flows.SecretForms(secrets...))
}

// maskForms adds forms, the forms of secrets (flows.SecretForms), to the
// tflog masks of ctx.
func maskForms(ctx context.Context, forms []string) context.Context {
	if len(forms) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, forms...)
	return tflog.MaskMessageStrings(ctx, forms...)
}
