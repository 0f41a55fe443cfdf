package providerdata

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Token is the bearer of one provider instance, as data sources show it.
type Token struct {
	// Bearer is what follows "Bearer " in the Authorization header, e.g.
	// "oidc/egi/eyJ..." or "basic//abc".
	Bearer string
	// AccessToken is the raw access token without the openEO prefix.
	AccessToken string
	// Method is the openEO bearer method: "basic", "oidc" or "bearer".
	Method string
	// ProviderID is the OIDC provider id ("" for basic).
	ProviderID string
	// ExpiresAt is zero when the expiry is unknown.
	ExpiresAt time.Time
}

// AuthorizationHeader is the value of the Authorization header.
func (t Token) AuthorizationHeader() string { return "Bearer " + t.Bearer }

// Account is GET /me.
type Account struct {
	UserID      string
	Name        string
	DefaultPlan string
	// Storage is nil when the back-end reports no storage limit.
	Storage *Storage
	// Budget is nil when no budget applies.
	Budget *float64
	Links  []Link
}

// Storage is the storage part of GET /me, in bytes.
type Storage struct {
	Free  int64
	Quota int64
}

// Link is an openEO link object.
type Link struct {
	Href  string
	Rel   string
	Type  string
	Title string
}

// Capabilities is the part of GET / that concerns authentication.
type Capabilities struct {
	// URL is the API root after version discovery.
	URL            string
	APIVersion     string
	BackendVersion string
	ID             string
	Title          string
	// Endpoints lists every "METHOD /path" the back-end announces.
	Endpoints []string
	// ConformsTo lists the conformance classes.
	ConformsTo         []string
	BasicSupported     bool
	OIDCSupported      bool
	MeSupported        bool
	JWTBearerSupported bool
}

// OIDCProvider is one entry of GET /credentials/oidc.
type OIDCProvider struct {
	ID                      string
	Issuer                  string
	Title                   string
	Description             string
	Scopes                  []string
	DefaultClients          []DefaultClient
	AuthorizationParameters map[string]string
}

// DefaultClient is a default client a back-end lists for a provider.
type DefaultClient struct {
	ID           string
	GrantTypes   []string
	RedirectURLs []string
}

// Session is what data sources and ephemeral resources use. One Session
// exists per provider instance; its Token is obtained once and shared.
type Session interface {
	Token(ctx context.Context) (Token, error)
	Account(ctx context.Context) (Account, error)
	Capabilities(ctx context.Context) (Capabilities, error)
	Providers(ctx context.Context) ([]OIDCProvider, error)
}

// SessionFactory builds the Session of a provider instance from its merged
// settings. It must be cheap (no network).
type SessionFactory func(ctx context.Context, s Settings) (Session, error)

// Client is the value Configure hands to data sources, ephemeral resources
// and resources: the merged settings of one provider instance and its lazily
// built session.
type Client struct {
	settings Settings
	factory  SessionFactory

	once sync.Once
	sess Session
	err  error
}

// New returns the Client of one provider instance.
func New(s Settings, factory SessionFactory) *Client {
	return &Client{settings: s, factory: factory}
}

// Settings returns the merged settings of the provider instance.
func (c *Client) Settings() Settings { return c.settings }

// NotReadyError says that provider values were unknown at configure time.
type NotReadyError struct {
	Fields []string
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("the provider value(s) %s are not known yet", quoteList(e.Fields))
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
func (c *Client) Session(ctx context.Context) (Session, error) {
	if c.settings.IsUnknown() {
		return nil, &NotReadyError{Fields: append([]string(nil), c.settings.Unknown...)}
	}
	c.once.Do(func() {
		if err := c.settings.Check(); err != nil {
			c.err = err
			return
		}
		if c.factory == nil {
			c.err = fmt.Errorf("no session factory configured")
			return
		}
		c.sess, c.err = c.factory(ctx, c.settings)
	})
	return c.sess, c.err
}

// Check reports settings that cannot work, before any request is sent.
func (s Settings) Check() error {
	if s.URL == "" {
		return &ConfigError{
			Summary: "Missing openEO Back-End URL",
			Detail: "The provider has no back-end URL. Set url in the provider block, the environment variable " +
				EnvBackendURL + ", or connection.default_backend in the openEO client config file.",
		}
	}
	switch s.Method {
	case MethodPassword:
		var missing []string
		if s.OIDC.Username == "" {
			missing = append(missing, "oidc.username (or "+EnvAuthUsername+")")
		}
		if s.OIDC.Password == "" {
			missing = append(missing, "oidc.password (or "+EnvAuthPassword+")")
		}
		if len(missing) > 0 {
			return &ConfigError{
				Summary: "Missing OIDC Username or Password",
				Detail: "auth_method \"password\" needs a user name and a password. Set " + strings.Join(missing, " and ") +
					" in the provider block.",
			}
		}
	case MethodAccessToken:
		if s.OIDC.AccessToken == "" {
			return &ConfigError{
				Summary: "Missing OIDC Access Token",
				Detail:  "auth_method \"access_token\" needs oidc.access_token. Set it in the provider block's oidc block.",
			}
		}
	case MethodBearer:
		if s.BearerToken == "" {
			return &ConfigError{
				Summary: "Missing Bearer Token",
				Detail:  "auth_method \"bearer\" needs bearer_token. Set it in the provider block.",
			}
		}
	}
	return nil
}

func quoteList(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

// MaskLog returns ctx in which every tflog message and field value hides
// each secret in every form a server may echo it (see [flows.SecretForms]):
// the one log-masking helper of the provider, its data sources and its
// resources.
func MaskLog(ctx context.Context, secrets ...string) context.Context {
	forms := flows.SecretForms(secrets...)
	if len(forms) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, forms...)
	return tflog.MaskMessageStrings(ctx, forms...)
}
