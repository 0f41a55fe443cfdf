package providerdata

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// Settings is the configuration of one provider instance after merging
// explicit attributes, environment variables and the client config file
// (explicit attribute > environment > files, decided per field). Values that
// live in auth-config.json or refresh-tokens.json are not copied here: the
// session reads those files itself, as the last fallback.
type Settings struct {
	URL       string
	URLSource settings.Source
	// URLDetail names the env var or file the URL came from (no value).
	URLDetail string
	// SchemeAssumed is true when the URL was given without a scheme and
	// "https://" was put in front (as the Python client does).
	SchemeAssumed bool

	Method       flows.Method
	MethodSource settings.Source
	// MethodDetail names the env var, file key or attributes the method came from.
	MethodDetail string

	Basic BasicSettings
	OIDC  OIDCSettings

	BearerToken string

	AuthConfigPath        string
	RefreshTokenStorePath string
	ClientConfigPath      string

	RequestTimeout time.Duration
	MaxRetries     int

	AllowInsecureBasicAuth bool

	// CACertFile is a PEM file of certificate authorities trusted in
	// addition to the system's roots; empty: the system's roots only.
	CACertFile string

	// ProviderVersion is the version of the provider binary (not a
	// configuration value), e.g. for metadata.created_by of the files the
	// resources write.
	ProviderVersion string

	// Unknown lists the attribute paths whose values were unknown when the
	// provider was configured (e.g. `oidc.client_secret`). While it is not
	// empty, nothing that needs the back-end can run.
	Unknown []string

	// FileSecrets are the secrets found in auth-config.json and
	// refresh-tokens.json when the provider was configured (see
	// [LoadFileSecrets]): they are masked like configured ones.
	FileSecrets []string

	// Sources records where each merged field came from, keyed by attribute
	// path (e.g. "basic.username" -> settings.SourceEnv). Used by messages and tests.
	Sources map[string]settings.Source
}

// BasicSettings are the merged values of the basic block.
type BasicSettings struct {
	Username string
	Password string
}

// OIDCSettings are the merged values of the oidc block.
type OIDCSettings struct {
	ProviderID        string
	ClientID          string
	ClientSecret      string
	Username          string
	Password          string
	RefreshToken      string
	AccessToken       string
	Scopes            []string
	StoreRefreshToken bool
	MaxPollTime       time.Duration
	// RefreshTokenWarning is the window before a stored refresh token's
	// expiry in which the provider warns; zero: no warning.
	RefreshTokenWarning time.Duration
	// Keyless are the token exchange, client assertion and exec helper
	// settings (resolved by internal/settings, the environment included).
	Keyless flows.KeylessSettings
}

// Secrets returns every secret value held by the settings (non-empty only),
// longest first, so that callers can mask them in logs and messages: the
// configured ones, the base64 of the basic "user:password" an Authorization
// header carries, and those read from the auth files ([Settings.FileSecrets]).
func (s Settings) Secrets() []string {
	var out []string
	for _, v := range append([]string{
		s.Basic.Password, flows.BasicAuthSecret(s.Basic.Username, s.Basic.Password), s.OIDC.ClientSecret, s.OIDC.Password,
		s.OIDC.RefreshToken, s.OIDC.AccessToken, s.BearerToken,
	}, append(s.OIDC.Keyless.Secrets(), s.FileSecrets...)...) {
		if v != "" {
			out = append(out, v)
		}
	}
	sortLongestFirst(out)
	return out
}

// CreatedBy is the metadata.created_by value of files this provider
// instance creates: "terraform-provider-openeo <version>".
func (s Settings) CreatedBy() string {
	if s.ProviderVersion == "" {
		return "terraform-provider-openeo"
	}
	return "terraform-provider-openeo " + s.ProviderVersion
}

// IsUnknown reports whether some provider value was unknown at configure time.
func (s Settings) IsUnknown() bool { return len(s.Unknown) > 0 }

func sortLongestFirst(v []string) {
	sort.SliceStable(v, func(i, j int) bool { return len(v[i]) > len(v[j]) })
}

// CheckBasicTransport returns an error when rawURL is plain http:// to a host
// that is not loopback: basic authentication would send the password in clear.
func CheckBasicTransport(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("the back-end URL cannot be parsed: %w", err)
	}
	if !strings.EqualFold(u.Scheme, "http") || IsLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("plain http:// to the non-loopback host %q would send the password unencrypted", u.Hostname())
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP
// literal. Other names, "*.localhost" included, are not trusted: Go resolves
// them through DNS, which may answer with any address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
