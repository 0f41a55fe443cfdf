package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/openeo-tf/terraform-provider-openeo/internal/pyrepr"
)

// Method is an authentication method of a [Config].
type Method string

// Authentication methods.
const (
	// MethodNone sends no Authorization header.
	MethodNone Method = "none"
	// MethodBasic logs in at GET /credentials/basic; the bearer is
	// "basic//<token>" and is never renewed.
	MethodBasic Method = "basic"
	// MethodOIDC is the Python client's authenticate_oidc: a stored
	// refresh token, otherwise (only if interaction is allowed) the device
	// flow. Its switch to client credentials by the environment is the
	// caller's (internal/settings resolves it to MethodClientCredentials).
	MethodOIDC Method = "oidc"
	// MethodClientCredentials is the OAuth client credentials grant.
	MethodClientCredentials Method = "client_credentials"
	// MethodPassword is the resource owner password credentials grant.
	MethodPassword Method = "password"
	// MethodRefreshToken uses a given or stored refresh token.
	MethodRefreshToken Method = "refresh_token"
	// MethodDeviceCode is the device authorization grant (RFC 8628); it needs
	// a person and therefore [OIDCSettings.AllowInteraction].
	MethodDeviceCode Method = "device_code"
	// MethodAccessToken passes an OIDC access token through (no discovery,
	// no renewal).
	MethodAccessToken Method = "access_token"
	// MethodBearer passes a complete bearer string through unchanged.
	MethodBearer Method = "bearer"
)

// Methods lists every method, in documentation order.
var Methods = []Method{MethodNone, MethodBasic, MethodOIDC, MethodClientCredentials, MethodPassword,
	MethodRefreshToken, MethodDeviceCode, MethodAccessToken, MethodBearer, MethodTokenExchange, MethodExec}

// ParseMethod returns the Method named s (case-insensitive); "" is MethodNone.
func ParseMethod(s string) (Method, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return MethodNone, nil
	}
	for _, m := range Methods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown authentication method %q", s)
}

// Token is an access token for an openEO back-end. Printing a Token with
// the fmt package never shows the access token, bearer, refresh token or
// id token.
type Token struct {
	// Bearer is the complete openEO bearer, sent as "Authorization: Bearer
	// <Bearer>": "basic//…", "oidc/<provider>/…", a plain JWT or a raw
	// bearer.
	Bearer string
	// AccessToken is the bare access token.
	AccessToken string
	// TokenType is the token_type of the token response ("Bearer").
	TokenType string
	// Method is how this token was obtained (for renewed tokens the
	// renewing grant, e.g. MethodRefreshToken).
	Method Method
	// ProviderID, Issuer (as listed by the back-end) and ClientID identify
	// the OIDC provider and client; empty for basic and bearer tokens.
	ProviderID string
	Issuer     string
	ClientID   string
	// Expiry is when the access token expires; zero when unknown.
	Expiry time.Time
	// Scope is the granted scope, when the token response had one.
	Scope string
	// RefreshExpiry is when the refresh token that came with the token
	// expires, as the token response tells (see RefreshTokenExpiry); zero
	// when unknown or without a refresh token.
	RefreshExpiry time.Time
	// RefreshStored: the refresh token that came with the token is the
	// RefreshTokenStore entry of the login (read from it, written to it
	// or rotated in it), so a later run uses it again.
	RefreshStored bool

	refreshToken string
	idToken      string
	obtained     time.Time
}

// RefreshToken returns the refresh token that came with the token (or the
// one used to obtain it), if any.
func (t *Token) RefreshToken() string { return t.refreshToken }

// IDToken returns the OpenID Connect id token, if the response had one.
func (t *Token) IDToken() string { return t.idToken }

// Obtained returns when the token was received.
func (t *Token) Obtained() time.Time { return t.obtained }

// ExpiresWithin reports whether the token expires within d of now. A token
// without a known expiry never does.
func (t *Token) ExpiresWithin(now time.Time, d time.Duration) bool {
	return !t.Expiry.IsZero() && !now.Add(d).Before(t.Expiry)
}

// String describes the token without secrets.
func (t Token) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Token{Method: %s", t.Method)
	if t.ProviderID != "" {
		fmt.Fprintf(&b, ", ProviderID: %s", t.ProviderID)
	}
	if t.ClientID != "" {
		fmt.Fprintf(&b, ", ClientID: %s", t.ClientID)
	}
	if t.Issuer != "" {
		fmt.Fprintf(&b, ", Issuer: %s", t.Issuer)
	}
	b.WriteString(", Bearer: <redacted>")
	if !t.Expiry.IsZero() {
		fmt.Fprintf(&b, ", Expiry: %s", t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.Scope != "" {
		fmt.Fprintf(&b, ", Scope: %q", t.Scope)
	}
	if t.refreshToken != "" {
		b.WriteString(", RefreshToken: <redacted>")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v does not reveal secrets either.
func (t Token) GoString() string { return t.String() }

// Format implements fmt.Formatter so that every verb prints the redacted form.
func (t Token) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, t.String()) }

// ParseTokenResponse reads a successful token endpoint answer the way the
// grants do: golang.org/x/oauth2 parses it, then [tokenFrom] checks it. It
// requires access_token and token_type "bearer" (any case); expires_in may
// be a number or a numeric string. Errors match [ErrInvalidTokenResponse]
// and never contain the body, which holds secrets.
func ParseTokenResponse(data []byte) (*Token, error) {
	answer := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		_ = req.Body.Close()
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(data)), Request: req}, nil
	})
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: answer})
	cfg := clientcredentials.Config{TokenURL: "http://token.invalid/", AuthStyle: oauth2.AuthStyleInParams}
	ot, err := cfg.Token(ctx)
	if err != nil {
		return nil, badTokenResponse(data)
	}
	return tokenFrom(ot)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// tokenFrom turns a token x/oauth2 read into a Token: token_type must be
// bearer (any case); id_token, scope and expires_in come from its extra
// fields (expires_in as a number or numeric string; without it, the exp
// claim of a JWT access token).
func tokenFrom(ot *oauth2.Token) (*Token, error) {
	if !strings.EqualFold(ot.TokenType, "bearer") {
		// The Python client's message, verbatim.
		return nil, &kindError{text: "Unsupported token_type=" + pyRepr(ot.Extra("token_type")), kind: ErrInvalidTokenResponse}
	}
	now := time.Now()
	t := &Token{AccessToken: ot.AccessToken, TokenType: ot.TokenType, refreshToken: ot.RefreshToken, obtained: now}
	t.idToken, _ = ot.Extra("id_token").(string)
	t.Scope, _ = ot.Extra("scope").(string)
	t.RefreshExpiry = RefreshTokenExpiry(ot.RefreshToken, ot.Extra("refresh_expires_in"), now)
	if secs, ok := seconds(ot.Extra("expires_in")); ok && secs > 0 {
		t.Expiry = now.Add(time.Duration(secs * float64(time.Second)))
	} else if _, exp, ok := jwtClaims(ot.AccessToken); ok && !exp.IsZero() {
		t.Expiry = exp
	}
	return t, nil
}

// badTokenResponse says why x/oauth2 could not read a 2xx token answer,
// without quoting it.
func badTokenResponse(body []byte) error {
	bad := func(text string) error { return &kindError{text: text, kind: ErrInvalidTokenResponse} }
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return bad(fmt.Sprintf("token response is not a JSON object (%d bytes)", len(body)))
	}
	if at, _ := obj["access_token"].(string); at == "" {
		return bad("token response has no access_token")
	}
	if tt, ok := obj["token_type"].(string); !ok || !strings.EqualFold(tt, "bearer") {
		return bad("Unsupported token_type=" + pyRepr(obj["token_type"]))
	}
	return bad("token response has a malformed field (refresh_token must be a string, expires_in a whole number)")
}

// pyRepr renders a decoded JSON scalar roughly like Python's repr, short.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return pyrepr.String(truncate(x, 40))
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "<" + fmt.Sprintf("%T", v) + ">"
}

// seconds reads a JSON number or numeric string of seconds (bounded to ten
// years so that durations cannot overflow).
func seconds(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int64: // a form-encoded answer (x/oauth2's Token.Extra)
		f = float64(x)
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return math.Min(f, 10*365*24*3600), true
}

// GrantConfig is what an OIDC grant needs: the provider as listed by the
// back-end, its discovery document and the client. It plays the role of
// oauth2.Config.
type GrantConfig struct {
	Provider     Provider
	Metadata     *ProviderMetadata
	ClientID     string
	ClientSecret string
	// PlainJWT makes the resulting tokens' Bearer the plain access token
	// (the back-end conforms to the openEO JWT class).
	PlainJWT bool
	// Selection explains how a [Session] chose the provider and the client;
	// zero in a GrantConfig built by hand. Grants do not read it.
	Selection Selection
}

// Selection explains the provider and client choice of a [Session], for
// messages such as openeo-auth's "Using client ID 'x' (from auth-config)".
type Selection struct {
	// ProviderReason is the rule of [SelectProvider] that chose the provider.
	ProviderReason ProviderReason
	// ClientSource is where [SelectClient] found the client.
	ClientSource ClientSource
	// ReplacedClientID is the client of the auth-config.json entry that a
	// client from the environment replaced ("" when none did). The
	// entry's secret is never used with another client.
	ReplacedClientID string
}

func (g *GrantConfig) check() error {
	if g == nil || g.Metadata == nil || g.Metadata.TokenEndpoint == "" {
		return errors.New("flows: GrantConfig needs provider metadata with a token_endpoint")
	}
	if g.ClientID == "" {
		return kindErrorf(ErrNoClientID, "No client_id found.")
	}
	return nil
}

// finish fills the fields every OIDC token carries.
func (g *GrantConfig) finish(t *Token, m Method) *Token {
	t.Method = m
	t.ProviderID = g.Provider.ID
	t.Issuer = g.Provider.Issuer
	t.ClientID = g.ClientID
	t.Bearer = BuildBearer(g.Provider.ID, t.AccessToken, g.PlainJWT)
	return t
}

// secretFormKeys are form fields whose values are scrubbed from errors.
var secretFormKeys = []string{"client_secret", "password", "refresh_token", "code_verifier", "device_code", "token",
	"subject_token", "actor_token", "client_assertion"}

// postForm is the one helper that POSTs a form to an OIDC endpoint (token,
// device authorization and revocation). It returns the response whatever
// its status; transport failures become *OIDCError.
func (c *Client) postForm(ctx context.Context, op, endpoint string, form url.Values) (*response, error) {
	return c.postFormRequest(ctx, op, endpoint, form, 0, false)
}

// postFormRequest is postForm with a per-attempt timeout (see
// request.timeout; 0: the client's); oneTime restricts the retries of a
// form that spends a one-time credential (see request.oneTime).
func (c *Client) postFormRequest(ctx context.Context, op, endpoint string, form url.Values, timeout time.Duration,
	oneTime bool) (*response, error) {
	var secrets []string
	for _, k := range secretFormKeys {
		if v := form.Get(k); v != "" {
			secrets = append(secrets, v)
		}
	}
	if err := checkURL(endpoint); err != nil {
		return nil, &OIDCError{Op: op, Endpoint: endpoint, Err: err}
	}
	resp, err := c.fetch(ctx, &request{
		method:      http.MethodPost,
		url:         endpoint,
		body:        []byte(form.Encode()),
		contentType: "application/x-www-form-urlencoded",
		retry:       true,
		noRedirect:  true,
		oneTime:     oneTime,
		secrets:     secrets,
		timeout:     timeout,
	})
	if err != nil {
		return nil, &OIDCError{Op: op, Endpoint: endpoint, Err: err}
	}
	if resp.status != http.StatusOK {
		resp.body = scrubBytes(resp.body, secrets)
	}
	return resp, nil
}

const opToken = "retrieve access token at"

// authenticate adds the client authentication of the Python client to the
// forms x/oauth2 does not send (device authorization, revocation):
// client_id, and client_secret when the client has one (client_secret_post,
// as AuthStyleInParams does for token requests; never an HTTP Basic header).
func (g *GrantConfig) authenticate(form url.Values) {
	form.Set("client_id", g.ClientID)
	if g.ClientSecret != "" {
		form.Set("client_secret", g.ClientSecret)
	}
}

// oauthTransport sends the requests of x/oauth2 through a Client, so that
// they get its timeouts, retries, redirect refusal, bounded reads and
// scrubbing; it binds them to ctx.
type oauthTransport struct {
	c        *Client
	ctx      context.Context
	endpoint string
	oneTime  bool
	timeout  time.Duration
	resp     *response // the final answer, once there is one
}

func (t *oauthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	resp, err := t.c.postFormRequest(t.ctx, opToken, t.endpoint, form, t.timeout, t.oneTime)
	if err != nil {
		return nil, err
	}
	t.resp = resp
	header := resp.header.Clone()
	if ct := header.Get("Content-Type"); strings.HasPrefix(ct, "text/plain") && json.Valid(resp.body) {
		header.Set("Content-Type", "application/json") // x/oauth2 reads text/plain as a form
	}
	return &http.Response{StatusCode: resp.status, Status: fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)),
		Header: header, Body: io.NopCloser(bytes.NewReader(resp.body)), Request: req}, nil
}

// tokenRequest runs one token request through x/oauth2 (form, client
// authentication as form fields, answer and error parsing) over c, and
// turns its result into a Token or an *OIDCError. oneTime: the grant spends
// a one-time credential and is never sent twice (see request.oneTime);
// timeout: see request.timeout.
func (c *Client) tokenRequest(ctx context.Context, g *GrantConfig, grantType string, oneTime bool, timeout time.Duration,
	run func(ctx context.Context) (*oauth2.Token, error)) (*Token, error) {
	endpoint := g.Metadata.TokenEndpoint
	if err := checkURL(endpoint); err != nil {
		return nil, &OIDCError{Op: opToken, Endpoint: endpoint, Err: err}
	}
	tr := &oauthTransport{c: c, ctx: ctx, endpoint: endpoint, oneTime: oneTime, timeout: timeout}
	ot, err := run(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: tr}))
	if err != nil {
		return nil, tr.oidcError(err)
	}
	t, err := tokenFrom(ot)
	if err != nil {
		return nil, &OIDCError{Op: opToken, Endpoint: endpoint, Status: tr.resp.status, Err: err}
	}
	c.logToken(ctx, g, grantType, t, nil)
	return t, nil
}

// oidcError maps an error of x/oauth2 onto an *OIDCError: transport
// failures as the Client reported them, an OAuth error (an
// *oauth2.RetrieveError, from a JSON or form-encoded body) with its code
// and description, any other answer with an excerpt of its body. Server
// text is scrubbed and cleaned as in parseErrorResponse.
func (t *oauthTransport) oidcError(err error) error {
	var oe *OIDCError
	if errors.As(err, &oe) {
		return oe
	}
	if t.resp == nil {
		return &OIDCError{Op: opToken, Endpoint: t.endpoint, Err: err}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) || t.resp.status < 200 || t.resp.status > 299 {
		var code, description string
		if re != nil {
			code, description = re.ErrorCode, re.ErrorDescription
		}
		r := t.resp
		return answerError(opToken, t.endpoint, r.status, r.header.Get("Content-Type"), r.body, r.secrets, code, description)
	}
	return &OIDCError{Op: opToken, Endpoint: t.endpoint, Status: t.resp.status, Err: badTokenResponse(t.resp.body)}
}

// oauth2Config is g as an x/oauth2 configuration: client authentication as
// form fields (client_secret_post), like the Python client.
func (g *GrantConfig) oauth2Config(scope string) *oauth2.Config {
	return &oauth2.Config{ClientID: g.ClientID, ClientSecret: g.ClientSecret, Scopes: strings.Fields(scope),
		Endpoint: oauth2.Endpoint{TokenURL: g.Metadata.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
}

// clientCredentialsConfig is g as an x/oauth2 client credentials
// configuration. params are sent as they are; they may replace grant_type,
// which serves grants x/oauth2 has no method for (one device-flow poll).
func (g *GrantConfig) clientCredentialsConfig(scope string, params url.Values) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: g.ClientID, ClientSecret: g.ClientSecret, TokenURL: g.Metadata.TokenEndpoint,
		Scopes: strings.Fields(scope), EndpointParams: params, AuthStyle: oauth2.AuthStyleInParams}
}

// logToken logs a token obtained at g's token endpoint (never the token).
func (c *Client) logToken(ctx context.Context, g *GrantConfig, grantType string, t *Token, extra map[string]any) {
	fields := map[string]any{
		"grant_type": grantType, "client_id": g.ClientID, "token_endpoint": logURL(g.Metadata.TokenEndpoint),
		"expires_in_s": expiresIn(t), "scope": t.Scope, "refresh_token_returned": t.refreshToken != "",
	}
	for k, v := range extra {
		fields[k] = v
	}
	c.log(ctx, LevelDebug, "obtained OIDC token", fields)
}

func expiresIn(t *Token) int64 {
	if t.Expiry.IsZero() {
		return -1
	}
	return int64(t.Expiry.Sub(t.obtained).Seconds())
}

// ClientCredentialsGrant runs the client credentials grant: form fields
// grant_type, client_id, client_secret (when set) and scope (when not
// empty).
func (c *Client) ClientCredentialsGrant(ctx context.Context, g *GrantConfig, scope string) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	t, err := c.tokenRequest(ctx, g, "client_credentials", false, 0, g.clientCredentialsConfig(scope, nil).Token)
	if err != nil {
		return nil, err
	}
	return g.finish(t, MethodClientCredentials), nil
}

// PasswordGrant runs the resource owner password credentials grant: form
// fields grant_type, client_id, client_secret (when set), scope (when not
// empty), username and password.
func (c *Client) PasswordGrant(ctx context.Context, g *GrantConfig, scope, username, password string) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	t, err := c.tokenRequest(ctx, g, "password", false, 0, func(ctx context.Context) (*oauth2.Token, error) {
		return g.oauth2Config(scope).PasswordCredentialsToken(ctx, username, password)
	})
	if err != nil {
		return nil, err
	}
	return g.finish(t, MethodPassword), nil
}

// RefreshTokenGrant runs the refresh token grant: form fields grant_type,
// client_id, client_secret (when set) and refresh_token, and no scope. When
// the response has no refresh token, the token keeps the one that was
// used.
//
// The grant is never sent twice: identity providers that rotate refresh
// tokens spend the token with the first request and revoke the whole login
// when it is presented again. It is retried only when it cannot have
// reached the identity provider (DNS failure, connection refused) or the
// provider answered 429 or 503. A request that may have reached it but got
// no complete answer fails with a [*TransportError].
func (c *Client) RefreshTokenGrant(ctx context.Context, g *GrantConfig, refreshToken string) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	if refreshToken == "" {
		return nil, kindErrorf(ErrNoRefreshToken, "No refresh token given or found")
	}
	t, err := c.tokenRequest(ctx, g, "refresh_token", true, 0, func(ctx context.Context) (*oauth2.Token, error) {
		return g.oauth2Config("").TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	})
	if err != nil {
		return nil, err
	}
	return g.finish(t, MethodRefreshToken), nil
}
