package providerdata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/devicestatus"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// DeviceEvent is what the device code flow shows to a person.
type DeviceEvent = flows.DeviceEvent

// Interaction decides, when a session is built, whether the device code flow
// may run and where its instructions go. ok false means no person can be
// reached: the oidc method then fails with the openeo-auth hint.
type Interaction func() (display func(DeviceEvent), ok bool)

// FlowsOptions configure the real sessions.
type FlowsOptions struct {
	// Version is the provider version, for the User-Agent.
	Version string
	// Getenv is the process environment; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient sends the requests; nil means a default client.
	HTTPClient *http.Client
	// Interaction; nil means the controlling terminal (see terminalLine),
	// whose status line also ends when a login fails.
	Interaction Interaction
	// Logger receives the flows log messages (never secrets); nil discards.
	Logger flows.Logger
	// OnToken, when set, sees every token a session hands out (the
	// acceptance tests' leak scans look for them in state and logs).
	OnToken func(*flows.Token)
}

// newSession builds the session of a provider instance from its merged
// settings, on internal/flows and internal/authfiles. It sends no request.
func newSession(ctx context.Context, o FlowsOptions, s Settings) (*Session, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := authfiles.GetenvEnv(getenv)
	fopts := authfiles.Options{Env: env, CreatedBy: "terraform-provider-openeo " + o.Version}
	ac, err := authfiles.OpenAuthConfig(s.AuthConfigPath, fopts)
	if err != nil {
		return nil, fmt.Errorf("opening auth-config.json: %w", err)
	}
	rt, err := authfiles.OpenRefreshTokens(s.RefreshTokenStorePath, fopts)
	if err != nil {
		return nil, fmt.Errorf("opening refresh-tokens.json: %w", err)
	}
	cfg := flows.Config{
		BackendURL: s.URL,
		Method:     s.Method,
		Basic:      flows.BasicCredentials{Username: s.Basic.Username, Password: s.Basic.Password},
		OIDC: flows.OIDCSettings{
			ClientID:          s.OIDC.ClientID,
			ClientSecret:      s.OIDC.ClientSecret,
			Username:          s.OIDC.Username,
			Password:          s.OIDC.Password,
			RefreshToken:      s.OIDC.RefreshToken,
			AccessToken:       s.OIDC.AccessToken,
			Scopes:            s.OIDC.Scopes,
			StoreRefreshToken: s.OIDC.StoreRefreshToken,
			MaxPollTime:       s.OIDC.MaxPollTime,
			Keyless:           s.OIDC.Keyless,
		},
		Bearer:        s.BearerToken,
		AuthConfig:    ac,
		RefreshTokens: rt,
		HTTP: flows.HTTPOptions{
			Client:     o.HTTPClient,
			Timeout:    s.RequestTimeout,
			MaxRetries: s.MaxRetries,
			UserAgent:  flows.UserAgent(o.Version),
			Logger:     o.Logger,
		},
	}
	if s.MaxRetries == 0 {
		cfg.HTTP.MaxRetries = -1 // flows: 0 means its default, negative disables
	}
	if s.CACertFile != "" {
		if cfg.HTTP.RootCAs, err = flows.LoadCertPool(s.CACertFile); err != nil {
			return nil, fmt.Errorf("ca_cert_file: %w", err)
		}
	}
	// An explicit provider_id must be listed by the back-end (error
	// otherwise); one from the environment is used only when it is
	// listed, as in the Python client.
	switch s.Sources[settings.OIDCProviderID] {
	case settings.SourceAttribute:
		cfg.OIDC.ProviderID = s.OIDC.ProviderID
	case settings.SourceEnv:
		cfg.OIDC.FallbackProviderID = s.OIDC.ProviderID
	}
	if s.Sources[settings.OIDCClientID] == settings.SourceEnv {
		cfg.OIDC.ClientSource = flows.ClientFromEnvironment
	}
	var endDisplay func()
	switch s.Method {
	case flows.MethodOIDC, flows.MethodDeviceCode:
		if o.Interaction == nil {
			if line, ok := terminalLine(); ok {
				cfg.OIDC.AllowInteraction = true
				cfg.OIDC.Display = line.Event
				endDisplay = line.Close
			}
		} else if display, ok := o.Interaction(); ok && display != nil {
			cfg.OIDC.AllowInteraction = true
			cfg.OIDC.Display = display
		}
	}
	sess, err := flows.NewSession(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Session{s: sess, settings: s, refreshTokensPath: rt.Path(), refreshTokens: rt, endDisplay: endDisplay, onToken: o.OnToken}, nil
}

// terminalLine is the device flow display when no Interaction is given: it
// allows the device code flow when the controlling terminal can be opened
// and TF_IN_AUTOMATION is unset, and writes to the terminal, not to
// Terraform's output: the instructions once, then one status line redrawn
// in place (the one openeo-auth shows on stderr).
func terminalLine() (*devicestatus.Line, bool) {
	if os.Getenv("TF_IN_AUTOMATION") != "" {
		return nil, false
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return nil, false
	}
	return devicestatus.New(tty, devicestatus.Options{Terminal: true,
		Intro: "\nopenEO (terraform-provider-openeo): log in to continue."}), true
}

// Session is what data sources, ephemeral resources and resources use: the
// *flows.Session of one provider instance, whose token is obtained once and
// shared, with the provider's checks and the errors that name its files.
type Session struct {
	s                 *flows.Session
	settings          Settings
	refreshTokensPath string
	refreshTokens     *authfiles.RefreshTokens
	// endDisplay ends the device flow's status line (nil without one).
	endDisplay func()
	onToken    func(*flows.Token)

	noticeMu sync.Mutex
	noticed  bool                // a notice was made (at most one per instance)
	notice   *RefreshTokenNotice // made and not yet returned
}

// checkRefreshExpiry makes the instance's refresh token notice when t's
// refresh token is the stored one and expires within the window (see
// [flows.RefreshExpiryStatus]) or has expired.
func (f *Session) checkRefreshExpiry(t *flows.Token) {
	if t == nil || !t.RefreshStored {
		return
	}
	f.noteExpiry(t.RefreshExpiry, flows.NormalizeURL(t.Issuer), t.ProviderID, t.ClientID)
}

// checkExpiredStore makes the notice for a login that failed with the
// stored refresh token when the store says that the token has expired: the
// warning then tells why.
func (f *Session) checkExpiredStore(err error) {
	var re *flows.RefreshTokenError
	if !errors.As(err, &re) || !re.Stored || f.refreshTokens == nil {
		return
	}
	e, ok, rerr := f.refreshTokens.Entry(re.Issuer, re.ClientID)
	if rerr != nil || !ok || !e.ExpiresAt.Before(time.Now()) {
		return
	}
	f.noteExpiry(e.ExpiresAt, re.Issuer, re.ProviderID, re.ClientID)
}

// noteExpiry makes the notice of a stored refresh token of the login of
// issuer (normalised) and clientID that expires at expiresAt, once per
// provider instance.
func (f *Session) noteExpiry(expiresAt time.Time, issuer, providerID, clientID string) {
	st := flows.RefreshExpiryStatus(expiresAt, time.Now(), f.settings.OIDC.RefreshTokenWarning)
	if st == flows.RefreshNotExpiring {
		return
	}
	f.noticeMu.Lock()
	defer f.noticeMu.Unlock()
	if f.noticed {
		return
	}
	f.noticed = true
	f.notice = &RefreshTokenNotice{Expired: st == flows.RefreshExpired, ExpiresAt: expiresAt.UTC(),
		Issuer: issuer, ProviderID: providerID, ClientID: clientID, StorePath: f.refreshTokensPath}
}

// RefreshTokenNotice returns, once per provider instance, the stored
// refresh token of a login that expires within the provider's
// oidc.refresh_token_warning window or has expired; ok is false when there
// is none (or it was returned before).
func (f *Session) RefreshTokenNotice() (RefreshTokenNotice, bool) {
	f.noticeMu.Lock()
	defer f.noticeMu.Unlock()
	if f.notice == nil {
		return RefreshTokenNotice{}, false
	}
	n := *f.notice
	f.notice = nil
	return n, true
}

func (f *Session) Token(ctx context.Context) (*flows.Token, error) {
	if f.settings.Method == flows.MethodBasic && !f.settings.AllowInsecureBasicAuth {
		// The configured URL was checked in Configure; version discovery
		// may still lead to another root.
		root, err := f.s.Root(ctx)
		if err != nil {
			return nil, err
		}
		if err := CheckBasicTransport(root); err != nil {
			return nil, &ConfigError{
				Summary: "Insecure Basic Authentication",
				Detail: fmt.Sprintf("The back-end's API root %s (found by version discovery) uses plain http:// to a "+
					"host that is not loopback, so basic authentication would send the password unencrypted. Use an "+
					"https:// back-end, or set allow_insecure_basic_auth = true in the provider block if you accept this risk.", root),
			}
		}
	}
	t, err := f.s.Token(ctx)
	if err == nil {
		f.checkRefreshExpiry(t)
	} else {
		f.checkExpiredStore(err)
	}
	if err != nil && f.endDisplay != nil && ctx.Err() == nil {
		// A device flow that failed (denied, expired, an error answer)
		// ends its status line; one that others still wait for goes on.
		f.endDisplay()
	}
	if errors.Is(err, flows.ErrNoAuthentication) {
		return nil, &ConfigError{
			Summary: "No Authentication Method",
			Detail: "This needs a token, but the provider's auth method is \"none\". Set auth_method (or " +
				settings.EnvAuthMethod + ") and the credentials it needs in the provider block.",
		}
	}
	if err == nil && f.onToken != nil {
		f.onToken(t)
	}
	return t, f.withStore(err)
}

// Account is GET /me, after the token (so that a login problem is reported
// as such).
func (f *Session) Account(ctx context.Context) (*flows.Account, error) {
	if _, err := f.Token(ctx); err != nil {
		return nil, err
	}
	a, err := f.s.Account(ctx)
	return a, f.withStore(err)
}

func (f *Session) Capabilities(ctx context.Context) (*flows.Capabilities, error) {
	c, err := f.s.Capabilities(ctx)
	return c, f.withStore(err)
}

func (f *Session) Providers(ctx context.Context) ([]flows.Provider, error) {
	return f.s.Providers(ctx)
}

// withStore names the session's refresh-token file in errors about a
// refresh token or a missing one.
func (f *Session) withStore(err error) error {
	if err == nil {
		return nil
	}
	var interactive *flows.NeedsInteractiveLoginError
	var refresh *flows.RefreshTokenError
	if errors.As(err, &interactive) || errors.As(err, &refresh) {
		return &StoreError{Err: err, Path: f.refreshTokensPath}
	}
	return err
}

// StoreError names the refresh-token file (Path) an error of a login (Err)
// is about: one about a refresh token, or about a missing one.
type StoreError struct {
	Err  error
	Path string
}

func (e *StoreError) Error() string { return e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }
