package flows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Environment variables read by a [Session] (through [Config.Getenv]).
const (
	EnvAuthMethod       = "OPENEO_AUTH_METHOD"
	EnvAuthProviderID   = "OPENEO_AUTH_PROVIDER_ID"
	EnvAuthClientID     = "OPENEO_AUTH_CLIENT_ID"
	EnvAuthClientSecret = "OPENEO_AUTH_CLIENT_SECRET"
)

// BasicCredentials are HTTP Basic credentials for GET /credentials/basic.
// When Username is empty, both values come from the [AuthConfigReader].
type BasicCredentials struct {
	Username string
	Password string
}

// OIDCSettings are the OpenID Connect inputs of a [Config]. Which fields
// matter depends on the [Method].
type OIDCSettings struct {
	// ProviderID selects the provider; empty applies the Python client's
	// rules (see [SelectProvider]).
	ProviderID string
	// ClientID and ClientSecret select the client; an empty ClientID applies
	// the rules of [SelectClient].
	ClientID     string
	ClientSecret string
	// Username and Password are for MethodPassword.
	Username string
	Password string
	// RefreshToken is for MethodRefreshToken and MethodOIDC; empty means
	// the RefreshTokenStore entry for (issuer, client id).
	RefreshToken string
	// AccessToken is for MethodAccessToken.
	AccessToken string
	// Scopes are requested in addition to the provider's (not a Python
	// client feature).
	Scopes []string
	// StoreRefreshToken writes the refresh token of a new login (device
	// flow, password, a given RefreshToken) to Config.RefreshTokens. A
	// refresh token read from the store is always refreshed under the
	// store's lock and its rotations written back, whatever this says (see
	// [RefreshTokenStore.RotateRefreshToken]).
	StoreRefreshToken bool
	// MaxPollTime bounds the device flow (default 300 s).
	MaxPollTime time.Duration
	// PollInterval overrides the provider's device polling interval.
	PollInterval time.Duration
	// UsePKCE forces PKCE on or off for the device flow; nil auto-detects
	// (see [GuessDevicePKCE]).
	UsePKCE *bool
	// AllowInteraction permits the device flow, which needs a person.
	// Without it, the device flow is never started and a
	// *NeedsInteractiveLoginError is returned instead.
	AllowInteraction bool
	// Display shows device-flow instructions and progress; required when
	// AllowInteraction is set.
	Display func(DeviceEvent)
}

// Config describes how to authenticate against one openEO back-end.
type Config struct {
	// BackendURL is the back-end as the user wrote it; "https://" is added
	// when there is no scheme. It is also the auth-config.json key.
	BackendURL string
	// Method is the authentication method; empty means MethodNone.
	Method Method
	Basic  BasicCredentials
	OIDC   OIDCSettings
	// Bearer is the complete bearer for MethodBearer.
	Bearer string
	// AuthConfig and RefreshTokens are the Python client's files; both may
	// be nil.
	AuthConfig    AuthConfigReader
	RefreshTokens RefreshTokenStore
	// Getenv reads environment variables; nil means os.Getenv. An empty
	// value counts as unset.
	Getenv func(string) string
	HTTP   HTTPOptions
	// RenewBefore renews a token this long before it expires. Zero means
	// 10% of the token's lifetime, at most DefaultRenewBefore (30 s).
	RenewBefore time.Duration
}

// ErrNoAuthentication is returned by [Session.Token] for MethodNone.
var ErrNoAuthentication = errors.New("no authentication method configured")

// Session authenticates against one openEO back-end and sends requests to
// it. It is safe for concurrent use; all network work is lazy and cached.
type Session struct {
	cfg        Config
	backendURL string
	client     *Client
	getenv     func(string) string
	src        *cachingSource // nil for MethodNone

	root      lazy[string]
	caps      lazy[*Capabilities]
	authCaps  lazy[*Capabilities]
	providers lazy[[]Provider]

	mdMu sync.Mutex
	md   map[string]*lazy[*ProviderMetadata]

	mu           sync.Mutex
	refreshToken string // current refresh token (rotations adopted)
	// stored: refreshToken is the RefreshTokenStore entry of the login, so
	// refreshes run under the store's lock and rotations are written back.
	stored bool
	// spent is a refresh token that was sent without an answer coming
	// back; it is never sent again.
	spent string
}

// lazy caches the first successful result of a computation; failures are
// retried on the next call.
type lazy[T any] struct {
	mu   sync.Mutex
	done bool
	v    T
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return l.v, nil
	}
	v, err := f()
	if err == nil {
		l.v, l.done = v, true
	}
	return v, err
}

// NewSession checks cfg and returns a Session. It does no network I/O.
func NewSession(ctx context.Context, cfg Config) (*Session, error) {
	_ = ctx
	if cfg.Method == "" {
		cfg.Method = MethodNone
	}
	if _, err := ParseMethod(string(cfg.Method)); err != nil {
		return nil, err
	}
	s := &Session{
		cfg:        cfg,
		backendURL: NormalizeBackendURL(cfg.BackendURL),
		client:     NewClient(cfg.HTTP),
		getenv:     cfg.Getenv,
		md:         map[string]*lazy[*ProviderMetadata]{},
	}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if err := checkURL(s.backendURL); err != nil {
		return nil, err
	}
	o := cfg.OIDC
	switch cfg.Method {
	case MethodBearer:
		if strings.TrimSpace(cfg.Bearer) == "" {
			return nil, errors.New("method bearer needs a bearer token")
		}
	case MethodAccessToken:
		if o.AccessToken == "" {
			return nil, errors.New("method access_token needs an access token")
		}
	case MethodPassword:
		if o.Username == "" || o.Password == "" {
			return nil, errors.New("method password needs a username and a password")
		}
	case MethodRefreshToken:
		if o.RefreshToken == "" && cfg.RefreshTokens == nil {
			return nil, kindErrorf(ErrNoRefreshToken, "No refresh token given or found")
		}
	}
	if o.StoreRefreshToken && cfg.RefreshTokens == nil {
		return nil, errors.New("StoreRefreshToken needs a RefreshTokenStore")
	}
	if o.AllowInteraction && o.Display == nil {
		return nil, errors.New("AllowInteraction needs a Display callback for the device flow")
	}
	s.refreshToken = o.RefreshToken
	if cfg.Method != MethodNone {
		s.src = &cachingSource{acquire: s.acquire, renewBefore: cfg.RenewBefore, log: s.client.log}
	}
	return s, nil
}

// BackendURL returns the normalised back-end URL (the auth-config key).
func (s *Session) BackendURL() string { return s.backendURL }

// Client returns the session's HTTP client.
func (s *Session) Client() *Client { return s.client }

// Root returns the API root found by well-known version discovery.
func (s *Session) Root(ctx context.Context) (string, error) {
	return s.root.get(func() (string, error) { return s.client.ResolveRoot(ctx, s.backendURL) })
}

// Capabilities returns the back-end's capabilities. Like the Python
// client, which refetches them after login, the document is fetched with
// the bearer once the session holds a valid token (Capabilities itself
// never triggers a login); each variant is cached.
func (s *Session) Capabilities(ctx context.Context) (*Capabilities, error) {
	if s.src != nil {
		if tok := s.src.peek(); tok != nil {
			return s.authCaps.get(func() (*Capabilities, error) {
				body, err := s.getAuthed(ctx, "/")
				if err != nil {
					return nil, err
				}
				return s.parseCaps(ctx, body)
			})
		}
	}
	return s.publicCaps(ctx)
}

func (s *Session) publicCaps(ctx context.Context) (*Capabilities, error) {
	return s.caps.get(func() (*Capabilities, error) {
		root, err := s.Root(ctx)
		if err != nil {
			return nil, err
		}
		return s.client.Capabilities(ctx, root, "")
	})
}

func (s *Session) parseCaps(ctx context.Context, body []byte) (*Capabilities, error) {
	root, err := s.Root(ctx)
	if err != nil {
		return nil, err
	}
	c, err := ParseCapabilities(body)
	if err != nil {
		return nil, err
	}
	c.Root = root
	return c, nil
}

// Providers returns the OIDC providers listed by the back-end (cached).
func (s *Session) Providers(ctx context.Context) ([]Provider, error) {
	return s.providers.get(func() ([]Provider, error) {
		root, err := s.Root(ctx)
		if err != nil {
			return nil, err
		}
		return s.client.OIDCProviders(ctx, root)
	})
}

// ProviderMetadata returns the discovery document of an issuer (cached per
// issuer).
func (s *Session) ProviderMetadata(ctx context.Context, issuer string) (*ProviderMetadata, error) {
	s.mdMu.Lock()
	l := s.md[issuer]
	if l == nil {
		l = &lazy[*ProviderMetadata]{}
		s.md[issuer] = l
	}
	s.mdMu.Unlock()
	return l.get(func() (*ProviderMetadata, error) { return s.client.Discover(ctx, issuer) })
}

// Token returns a valid token, logging in or renewing when needed. 50
// concurrent callers cause a single login.
func (s *Session) Token(ctx context.Context) (*Token, error) {
	if s.src == nil {
		return nil, ErrNoAuthentication
	}
	return s.src.Token(ctx)
}

// Account fetches GET /me (with reactive renewal).
func (s *Session) Account(ctx context.Context) (*Account, error) {
	body, err := s.getAuthed(ctx, "/me")
	if err != nil {
		return nil, err
	}
	a, err := ParseAccount(body)
	if err != nil {
		root, _ := s.Root(ctx) // known: getAuthed resolved it
		return nil, fmt.Errorf("GET %s: %w", logURL(joinURL(root, "/me")), err)
	}
	return a, nil
}

// NewRequest builds a request for an endpoint below the API root, e.g.
// NewRequest(ctx, "GET", "/jobs", nil).
func (s *Session) NewRequest(ctx context.Context, method, endpoint string, body io.Reader) (*http.Request, error) {
	root, err := s.Root(ctx)
	if err != nil {
		return nil, err
	}
	return http.NewRequestWithContext(ctx, method, joinURL(root, endpoint), body)
}

// getAuthed GETs an endpoint below the root through Do and returns the
// body of a 200 response.
func (s *Session) getAuthed(ctx context.Context, endpoint string) ([]byte, error) {
	req, err := s.NewRequest(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, attempts, err := s.do(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := s.client.readBody(ctx, resp, maxBody+1, http.MethodGet, req.URL.String(), attempts, s.client.timeout)
	if err != nil {
		return nil, err
	}
	if len(body) > maxBody {
		return nil, errTooLarge(http.MethodGet, req.URL.String())
	}
	if resp.StatusCode != http.StatusOK {
		return nil, withRequest(parseErrorResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body, s.secrets()),
			http.MethodGet, req.URL.String(), attempts)
	}
	return body, nil
}

// secrets lists the secret values the session knows, to scrub them from
// error messages.
func (s *Session) secrets() []string {
	c := s.cfg
	out := []string{c.Bearer, c.Basic.Password, BasicAuthSecret(c.Basic.Username, c.Basic.Password),
		c.OIDC.ClientSecret, c.OIDC.Password, c.OIDC.RefreshToken, c.OIDC.AccessToken}
	s.mu.Lock()
	out = append(out, s.refreshToken)
	s.mu.Unlock()
	if s.src != nil {
		if t := s.src.peek(); t != nil {
			out = append(out, t.Bearer, t.AccessToken, t.refreshToken)
		}
	}
	return out
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// Do sends an openEO request. The bearer is attached only when the URL is
// inside the API root, and it is dropped on redirects that leave the root.
// Idempotent requests are retried on 429/502/503/504 and connection errors.
// When the back-end answers 401 or 403 with the code TokenInvalid and the
// method can renew its token, the token is renewed once (shared with
// concurrent callers) and the request is sent once more. A body without
// GetBody is read into memory so that it can be resent.
//
// Do replaces any Authorization header of req. The per-attempt timeout of
// [HTTPOptions.Timeout] also covers reading the response body. Like
// http.Client.Do, Do returns a response for any HTTP status; the caller
// closes its body (use [ParseErrorResponse] for non-2xx statuses).
func (s *Session) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	resp, _, err := s.do(ctx, req)
	return resp, err
}

// do is Do that also returns the number of attempts of the final send.
func (s *Session) do(ctx context.Context, req *http.Request) (*http.Response, int, error) {
	if req.URL == nil || !req.URL.IsAbs() {
		return nil, 0, errors.New("Session.Do needs an absolute URL (see Session.NewRequest)")
	}
	root, err := s.Root(ctx)
	if err != nil {
		return nil, 0, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, 0, err
		}
		req = req.Clone(ctx)
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	var tok *Token
	if s.src != nil && InsideRoot(root, req.URL.String()) {
		if tok, err = s.src.Token(ctx); err != nil {
			return nil, 0, err
		}
	}
	send := func(t *Token) (*http.Response, int, error) {
		r := &request{template: req, root: root, retry: idempotent(req.Method)}
		if t != nil {
			r.auth = bearerHeader(t.Bearer)
			r.secrets = []string{t.AccessToken, t.Bearer}
		}
		return s.client.send(ctx, r)
	}
	resp, attempts, err := send(tok)
	if err != nil || tok == nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
		return resp, attempts, err
	}
	// Peek at the error body without losing it for the caller.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if !isTokenInvalid(ParseErrorResponse(resp.StatusCode, resp.Header.Get("Content-Type"), head)) {
		return resp, attempts, nil
	}
	reason := fmt.Sprintf("OIDC access token expired (%d TokenInvalid)", resp.StatusCode)
	tok2, rerr := s.src.rejected(ctx, tok.Bearer)
	var refreshErr *RefreshTokenError
	if errors.As(rerr, &refreshErr) {
		// The refresh token itself failed: that, not the back-end's
		// rejection of the expired token, is what to report.
		_ = resp.Body.Close()
		return nil, attempts, rerr
	}
	if rerr != nil {
		if !errors.Is(rerr, errCannotRenew) {
			s.client.log(ctx, LevelError, "Failed to obtain new access token", map[string]any{
				"method": string(s.cfg.Method), "reason": reason, "error": rerr.Error(),
			})
		}
		return resp, attempts, nil
	}
	s.client.log(ctx, LevelInfo, "Obtained new access token", map[string]any{
		"grant": string(tok2.Method), "reason": reason,
	})
	_ = resp.Body.Close()
	return send(tok2)
}

func (s *Session) env(name string) string { return strings.TrimSpace(s.getenv(name)) }

// acquire logs in with the configured method and returns the token and
// how to renew it (nil: no renewal).
func (s *Session) acquire(ctx context.Context) (*Token, renewFunc, error) {
	switch s.cfg.Method {
	case MethodBasic:
		t, err := s.basic(ctx)
		return t, nil, err
	case MethodBearer:
		b := ParseBearer(s.cfg.Bearer)
		bearer := b.String()
		return &Token{Bearer: bearer, AccessToken: b.Token, TokenType: "Bearer", Method: MethodBearer,
			ProviderID: b.ProviderID, Expiry: b.Expiry, obtained: time.Now()}, nil, nil
	case MethodAccessToken:
		t, err := s.accessToken(ctx)
		return t, nil, err
	case MethodClientCredentials:
		return s.clientCredentials(ctx)
	case MethodPassword:
		return s.password(ctx)
	case MethodRefreshToken:
		g, err := s.grantConfig(ctx, s.clientSelection(MethodRefreshToken))
		if err != nil {
			return nil, nil, err
		}
		rt, fromStore, err := s.initialRefreshToken(g)
		if err != nil {
			return nil, nil, err
		}
		if rt == "" {
			return nil, nil, kindErrorf(ErrNoRefreshToken, "No refresh token given or found")
		}
		return s.refreshLogin(ctx, g, rt, fromStore)
	case MethodDeviceCode:
		g, err := s.grantConfig(ctx, s.clientSelection(MethodDeviceCode))
		if err != nil {
			return nil, nil, err
		}
		return s.device(ctx, g, s.cfg.OIDC.StoreRefreshToken, nil)
	case MethodOIDC:
		return s.dynamic(ctx)
	}
	return nil, nil, fmt.Errorf("method %q cannot produce a token", s.cfg.Method)
}

func (s *Session) basic(ctx context.Context) (*Token, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.SupportsEndpoint(http.MethodGet, "/credentials/basic") {
		return nil, kindErrorf(ErrBasicUnsupported, "This openEO back-end does not support basic authentication.")
	}
	user, pass := s.cfg.Basic.Username, s.cfg.Basic.Password
	if user == "" {
		pass = ""
		if s.cfg.AuthConfig != nil {
			u, p, found, err := s.cfg.AuthConfig.BasicCredentials(s.backendURL)
			if err != nil {
				return nil, fmt.Errorf("reading basic credentials from auth-config: %w", err)
			}
			if found {
				user, pass = u, p
			}
		}
		if user == "" {
			return nil, kindErrorf(ErrNoCredentials, "No username/password given or found.")
		}
	}
	at, err := s.client.BasicAccessToken(ctx, caps, user, pass)
	if err != nil {
		return nil, err
	}
	return &Token{Bearer: BasicBearer(at), AccessToken: at, TokenType: "Bearer", Method: MethodBasic, obtained: time.Now()}, nil
}

// Provider selects the provider the session's OIDC methods use, with the
// rules of [SelectProvider]: the configured ProviderID,
// OPENEO_AUTH_PROVIDER_ID (when listed), the only listed provider, the only
// listed one of the back-end's providers in auth-config.json (read only when
// needed), the first listed provider. reason says which rule applied.
func (s *Session) Provider(ctx context.Context) (p Provider, reason ProviderReason, err error) {
	providers, err := s.Providers(ctx)
	if err != nil {
		return Provider{}, "", err
	}
	sel := ProviderSelection{ProviderID: s.cfg.OIDC.ProviderID, EnvProviderID: s.env(EnvAuthProviderID)}
	envListed := false
	for _, p := range providers {
		envListed = envListed || (sel.EnvProviderID != "" && p.ID == sel.EnvProviderID)
	}
	if sel.ProviderID == "" && !envListed && len(providers) > 1 && s.cfg.AuthConfig != nil {
		ids, err := s.cfg.AuthConfig.OIDCProviderIDs(s.backendURL)
		if err != nil {
			return Provider{}, "", fmt.Errorf("reading OIDC providers from auth-config: %w", err)
		}
		sel.ConfiguredIDs = ids
	}
	p, reason, err = SelectProvider(providers, sel)
	if err != nil {
		return Provider{}, "", err
	}
	s.client.log(ctx, LevelDebug, "selected OIDC provider", map[string]any{"provider_id": p.ID, "issuer": p.Issuer, "reason": string(reason)})
	return p, reason, nil
}

// grantConfig resolves provider, discovery document and client.
func (s *Session) grantConfig(ctx context.Context, sel ClientSelection) (*GrantConfig, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	p, reason, err := s.Provider(ctx)
	if err != nil {
		return nil, err
	}
	md, err := s.ProviderMetadata(ctx, p.Issuer)
	if err != nil {
		return nil, err
	}
	sel.BackendURL = s.backendURL
	if sel.ClientID == "" && s.cfg.AuthConfig != nil {
		id, secret, found, err := s.cfg.AuthConfig.OIDCClient(s.backendURL, p.ID)
		if err != nil {
			return nil, fmt.Errorf("reading OIDC client from auth-config: %w", err)
		}
		sel.ConfiguredID, sel.ConfiguredSecret, sel.ConfiguredFound = id, secret, found
	}
	choice, err := SelectClient(p, sel)
	if err != nil {
		return nil, err
	}
	s.client.log(ctx, LevelDebug, "selected OIDC client", map[string]any{"client_id": choice.ID, "source": string(choice.Source), "provider_id": p.ID})
	return &GrantConfig{Provider: p, Metadata: md, ClientID: choice.ID, ClientSecret: choice.Secret, PlainJWT: caps.SupportsJWTBearer(),
		Selection: Selection{ProviderReason: reason, ClientSource: choice.Source}}, nil
}

func (s *Session) scope(g *GrantConfig, wantRefresh bool) string {
	return ScopeString(g.Provider.Scopes, g.Metadata.ScopesSupported, wantRefresh, s.cfg.OIDC.Scopes...)
}

func (s *Session) accessToken(ctx context.Context) (*Token, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	p, _, err := s.Provider(ctx)
	if err != nil {
		return nil, err
	}
	at := s.cfg.OIDC.AccessToken
	_, exp, _ := jwtClaims(at)
	return &Token{Bearer: BuildBearer(p.ID, at, caps.SupportsJWTBearer()), AccessToken: at, TokenType: "Bearer",
		Method: MethodAccessToken, ProviderID: p.ID, Issuer: p.Issuer, Expiry: exp, obtained: time.Now()}, nil
}

// clientCredentials: client from the configuration, else from
// OPENEO_AUTH_CLIENT_ID and OPENEO_AUTH_CLIENT_SECRET (both needed), else
// from auth-config; never a default client. Renewal repeats the grant.
func (s *Session) clientCredentials(ctx context.Context) (*Token, renewFunc, error) {
	g, err := s.grantConfig(ctx, s.clientSelection(MethodClientCredentials))
	if err != nil {
		return nil, nil, err
	}
	grant := func(ctx context.Context, _ *Token) (*Token, error) {
		return s.client.ClientCredentialsGrant(ctx, g, s.scope(g, false))
	}
	t, err := grant(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	return t, grant, nil
}

// password: resource owner password grant; renewal repeats the grant.
func (s *Session) password(ctx context.Context) (*Token, renewFunc, error) {
	g, err := s.grantConfig(ctx, s.clientSelection(MethodPassword))
	if err != nil {
		return nil, nil, err
	}
	o := s.cfg.OIDC
	t, err := s.client.PasswordGrant(ctx, g, s.scope(g, o.StoreRefreshToken), o.Username, o.Password)
	if err != nil {
		return nil, nil, err
	}
	if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	renew := func(ctx context.Context, _ *Token) (*Token, error) {
		return s.client.PasswordGrant(ctx, g, s.scope(g, false), o.Username, o.Password)
	}
	return t, renew, nil
}

// initialRefreshToken is the configured refresh token or the stored one
// for (issuer, client id); fromStore tells which.
func (s *Session) initialRefreshToken(g *GrantConfig) (rt string, fromStore bool, err error) {
	if rt := s.cfg.OIDC.RefreshToken; rt != "" {
		return rt, false, nil
	}
	if s.cfg.RefreshTokens == nil {
		return "", false, nil
	}
	rt, found, err := s.cfg.RefreshTokens.RefreshToken(normalizeIssuer(g.Provider.Issuer), g.ClientID)
	if err != nil {
		return "", false, fmt.Errorf("reading refresh token store: %w", err)
	}
	if !found {
		return "", false, nil
	}
	return rt, true, nil
}

func normalizeIssuer(issuer string) string {
	if n := strings.TrimRight(issuer, "/"); n != "" {
		return n
	}
	return "/"
}

// refreshLogin logs in with a refresh token; renewal uses the current
// refresh token (rotations adopted). A token from the store is refreshed
// through the store (see refreshGrant) and stays store-backed; a given one
// is stored only with StoreRefreshToken.
func (s *Session) refreshLogin(ctx context.Context, g *GrantConfig, rt string, fromStore bool) (*Token, renewFunc, error) {
	t, err := s.refreshGrant(ctx, g, rt, fromStore)
	if err != nil {
		return nil, nil, err
	}
	if fromStore {
		s.mu.Lock()
		s.refreshToken, s.stored = t.refreshToken, true
		s.mu.Unlock()
	} else if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	return t, s.refreshRenewer(g), nil
}

// refreshGrant runs the refresh token grant with rt. With fromStore it runs
// under the store's cross-process lock (RotateRefreshToken): the entry is
// read again, a token another process stored meanwhile (it rotated rt) is
// used instead of rt, and the rotated token is written back before the lock
// is released, so that no two processes ever present the same refresh
// token. An entry removed meanwhile is not created again (unless
// StoreRefreshToken). The lock is held only for the grant.
func (s *Session) refreshGrant(ctx context.Context, g *GrantConfig, rt string, fromStore bool) (*Token, error) {
	if !fromStore {
		return s.sendRefresh(ctx, g, rt, false)
	}
	issuer := normalizeIssuer(g.Provider.Issuer)
	var t *Token
	err := s.cfg.RefreshTokens.RotateRefreshToken(ctx, issuer, g.ClientID, func(ctx context.Context, current string) (string, error) {
		use := rt
		if current != "" && current != rt {
			use = current
			s.client.log(ctx, LevelDebug, "using the refresh token stored meanwhile by another process",
				map[string]any{"issuer": issuer, "client_id": g.ClientID})
		}
		tok, err := s.sendRefresh(ctx, g, use, true)
		if err != nil {
			return "", err
		}
		t = tok
		if current == "" && !s.cfg.OIDC.StoreRefreshToken {
			return "", nil
		}
		return tok.refreshToken, nil
	})
	if err != nil {
		if t == nil {
			return nil, err
		}
		// The grant succeeded, but the rotated token could not be written:
		// the token is used, and the error is logged.
		s.client.log(ctx, LevelError, "could not store the rotated refresh token", map[string]any{
			"issuer": issuer, "client_id": g.ClientID, "error": err.Error()})
	}
	return t, nil
}

// sendRefresh sends the refresh token grant once (see
// Client.RefreshTokenGrant for its retries) and turns failures about the
// refresh token into *RefreshTokenError. A token whose grant got no answer
// is never sent again by this session.
func (s *Session) sendRefresh(ctx context.Context, g *GrantConfig, rt string, stored bool) (*Token, error) {
	fail := func(f RefreshFailure, err error) error {
		return &RefreshTokenError{Failure: f, Issuer: normalizeIssuer(g.Provider.Issuer), ProviderID: g.Provider.ID,
			ClientID: g.ClientID, Stored: stored, Err: err}
	}
	s.mu.Lock()
	spent := rt != "" && rt == s.spent
	s.mu.Unlock()
	if spent {
		return nil, fail(RefreshAnswerLost, &OIDCError{Op: opToken, Endpoint: g.Metadata.TokenEndpoint,
			Err: errors.New("an earlier refresh with this refresh token got no answer")})
	}
	t, err := s.client.RefreshTokenGrant(ctx, g, rt)
	if err == nil {
		return t, nil
	}
	f := refreshFailure(err)
	if f == "" {
		return nil, err
	}
	if f == RefreshAnswerLost {
		s.mu.Lock()
		s.spent = rt
		s.mu.Unlock()
	}
	return nil, fail(f, err)
}

// afterLogin remembers the refresh token and stores it when asked to (also
// when it is the one that was used, as the Python client does).
func (s *Session) afterLogin(ctx context.Context, g *GrantConfig, t *Token) error {
	s.mu.Lock()
	if t.refreshToken != "" {
		s.refreshToken = t.refreshToken
	}
	s.mu.Unlock()
	if !s.cfg.OIDC.StoreRefreshToken {
		return nil
	}
	if t.refreshToken == "" {
		s.client.log(ctx, LevelWarn, "No OIDC refresh token to store.", map[string]any{"issuer": g.Provider.Issuer, "client_id": g.ClientID})
		return nil
	}
	issuer := normalizeIssuer(g.Provider.Issuer)
	s.client.log(ctx, LevelInfo, fmt.Sprintf("Storing refresh token for issuer '%s' (client '%s')", issuer, g.ClientID), nil)
	if err := s.cfg.RefreshTokens.SetRefreshToken(issuer, g.ClientID, t.refreshToken); err != nil {
		return fmt.Errorf("storing refresh token: %w", err)
	}
	s.mu.Lock()
	s.stored = true
	s.mu.Unlock()
	return nil
}

// refreshRenewer renews with the refresh grant. A refresh token rotated by
// the provider replaces the old one in memory and, when the login's token
// is store-backed, in the store (under its lock, see refreshGrant; the
// Python client keeps the original one).
func (s *Session) refreshRenewer(g *GrantConfig) renewFunc {
	return func(ctx context.Context, _ *Token) (*Token, error) {
		s.mu.Lock()
		rt, stored := s.refreshToken, s.stored
		s.mu.Unlock()
		t, err := s.refreshGrant(ctx, g, rt, stored)
		if err != nil {
			return nil, err
		}
		if t.refreshToken != rt {
			s.mu.Lock()
			s.refreshToken = t.refreshToken
			s.mu.Unlock()
			s.client.log(ctx, LevelDebug, "adopted rotated refresh token", map[string]any{"issuer": g.Provider.Issuer, "client_id": g.ClientID})
		}
		return t, nil
	}
}

// device runs the device flow (only with AllowInteraction). Renewal uses
// the refresh grant when the provider returned a refresh token.
func (s *Session) device(ctx context.Context, g *GrantConfig, wantRefresh bool, cause error) (*Token, renewFunc, error) {
	o := s.cfg.OIDC
	if !o.AllowInteraction {
		reason := "the device flow needs a person and interaction is not allowed"
		if cause != nil {
			reason = "the refresh token was not accepted and interaction is not allowed"
		}
		return nil, nil, &NeedsInteractiveLoginError{BackendURL: s.backendURL, ProviderID: g.Provider.ID,
			ClientID: g.ClientID, Issuer: g.Provider.Issuer, Reason: reason, Err: cause}
	}
	usePKCE := GuessDevicePKCE(g.Provider, g.ClientID, g.ClientSecret)
	if o.UsePKCE != nil {
		usePKCE = *o.UsePKCE
	}
	var pkce *PKCE
	if usePKCE {
		var err error
		if pkce, err = NewPKCE(); err != nil {
			return nil, nil, err
		}
	}
	scope := s.scope(g, wantRefresh)
	s.client.log(ctx, LevelInfo, "starting OIDC device flow", map[string]any{
		"provider_id": g.Provider.ID, "client_id": g.ClientID, "scope": scope, "pkce": usePKCE, "client_secret": g.ClientSecret != "",
	})
	da, err := s.client.DeviceAuthorize(ctx, g, scope, pkce)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.client.PollDeviceToken(ctx, g, da, PollOptions{Interval: o.PollInterval, MaxPollTime: o.MaxPollTime, Display: o.Display})
	if err != nil {
		return nil, nil, err
	}
	if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	if t.refreshToken == "" {
		return t, nil, nil
	}
	return t, s.refreshRenewer(g), nil
}

// dynamic is the Python client's authenticate_oidc.
func (s *Session) dynamic(ctx context.Context) (*Token, renewFunc, error) {
	switch m := s.env(EnvAuthMethod); m {
	case "":
	case string(MethodClientCredentials):
		return s.clientCredentials(ctx)
	default:
		return nil, nil, clientErrorf("Unhandled auth method %s", m)
	}
	g, err := s.grantConfig(ctx, s.clientSelection(MethodOIDC))
	if err != nil {
		return nil, nil, err
	}
	rt, fromStore, err := s.initialRefreshToken(g)
	if err != nil {
		return nil, nil, err
	}
	var cause error
	if rt != "" {
		t, renew, err := s.refreshLogin(ctx, g, rt, fromStore)
		if err == nil {
			s.client.log(ctx, LevelInfo, "Authenticated using refresh token.", map[string]any{"provider_id": g.Provider.ID, "client_id": g.ClientID})
			return t, renew, nil
		}
		s.client.log(ctx, LevelInfo, "Failed to authenticate with refresh token, falling back to the device flow if allowed",
			map[string]any{"error": err.Error(), "provider_id": g.Provider.ID, "client_id": g.ClientID})
		cause = err
	} else if !s.cfg.OIDC.AllowInteraction {
		return nil, nil, &NeedsInteractiveLoginError{BackendURL: s.backendURL, ProviderID: g.Provider.ID, ClientID: g.ClientID,
			Issuer: g.Provider.Issuer, Reason: fmt.Sprintf("no refresh token stored for issuer '%s' and client '%s'", normalizeIssuer(g.Provider.Issuer), g.ClientID)}
	}
	t, renew, err := s.device(ctx, g, true, cause)
	if err == nil {
		s.client.log(ctx, LevelInfo, "Authenticated using device code flow.", map[string]any{"provider_id": g.Provider.ID, "client_id": g.ClientID})
	}
	return t, renew, err
}

// effectiveMethod is the configured method, with MethodOIDC turned into
// MethodClientCredentials by OPENEO_AUTH_METHOD=client_credentials.
func (s *Session) effectiveMethod() Method {
	if s.cfg.Method == MethodOIDC && s.env(EnvAuthMethod) == string(MethodClientCredentials) {
		return MethodClientCredentials
	}
	return s.cfg.Method
}

// clientSelection is the client input of a method: the configured client,
// for client credentials the OPENEO_AUTH_CLIENT_ID/SECRET pair (both
// needed), and the method's default-client grant check.
func (s *Session) clientSelection(m Method) ClientSelection {
	o := s.cfg.OIDC
	sel := ClientSelection{ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	switch m {
	case MethodOIDC:
		sel.Grants = GrantsRefreshAndDevice
	case MethodDeviceCode:
		sel.Grants = GrantsDevice
	case MethodRefreshToken:
		sel.Grants = GrantsRefresh
	case MethodClientCredentials:
		if sel.ClientID == "" {
			if id, secret := s.env(EnvAuthClientID), s.getenv(EnvAuthClientSecret); id != "" && secret != "" {
				sel.ClientID, sel.ClientSecret, sel.ExplicitSource = id, secret, ClientFromEnvironment
			}
		}
	}
	return sel
}

// DeviceLogin runs the device flow now, also when a refresh token is
// stored, and makes its token the session's current token (renewed with its
// refresh token, if any). It serves `openeo-auth oidc-auth`. The method must
// be MethodOIDC (the client of authenticate_oidc; offline_access is
// requested like in its device fallback) or MethodDeviceCode, and
// [OIDCSettings.AllowInteraction] must be set. With
// [OIDCSettings.StoreRefreshToken] the refresh token is stored; a provider
// that returns none is only logged, so check [Token.RefreshToken].
func (s *Session) DeviceLogin(ctx context.Context) (*Token, error) {
	var wantRefresh bool
	switch m := s.effectiveMethod(); m {
	case MethodOIDC:
		wantRefresh = true
	case MethodDeviceCode:
		wantRefresh = s.cfg.OIDC.StoreRefreshToken
	default:
		return nil, fmt.Errorf("method %s has no device flow", m)
	}
	g, err := s.grantConfig(ctx, s.clientSelection(s.cfg.Method))
	if err != nil {
		return nil, err
	}
	t, renew, err := s.device(ctx, g, wantRefresh, nil)
	if err != nil {
		return nil, err
	}
	s.src.set(t, renew)
	return t, nil
}

// GrantConfig resolves the provider, its discovery document and the
// client the configured method would use, without obtaining a token.
// [GrantConfig.Selection] says why they were chosen.
func (s *Session) GrantConfig(ctx context.Context) (*GrantConfig, error) {
	switch m := s.effectiveMethod(); m {
	case MethodOIDC, MethodDeviceCode, MethodRefreshToken, MethodClientCredentials, MethodPassword:
		return s.grantConfig(ctx, s.clientSelection(m))
	}
	return nil, fmt.Errorf("method %s does not use an OIDC client", s.cfg.Method)
}
