package flows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
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
	// FallbackProviderID is used when ProviderID is empty and the back-end
	// lists it, and ignored otherwise (the Python client's rule for a
	// provider id from the environment).
	FallbackProviderID string
	// ClientID and ClientSecret are the client, one credential resolved by
	// the caller (the secret belongs to this id); an empty ClientID applies
	// the rules of [SelectClient] (auth-config.json, default clients).
	ClientID     string
	ClientSecret string
	// ClientSource says where ClientID came from; empty means an argument.
	ClientSource ClientSource
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
	// Keyless are the settings of MethodTokenExchange and MethodExec, and
	// the client assertion of MethodClientCredentials.
	Keyless KeylessSettings
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
	HTTP          HTTPOptions
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
		md:         map[string]*lazy[*ProviderMetadata]{},
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
	case MethodExec:
		if o.Keyless.Exec == nil || o.Keyless.Exec.Command == "" {
			return nil, clientErrorf("The exec authentication method needs an exec block with the command of a credential helper.")
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
	out = append(out, c.OIDC.Keyless.Secrets()...)
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
	case MethodTokenExchange, MethodExec:
		return s.keylessLogin(ctx, s.cfg.Method)
	}
	return nil, nil, fmt.Errorf("method %q cannot produce a token", s.cfg.Method)
}
