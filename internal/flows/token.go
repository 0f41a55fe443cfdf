package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
	// MethodOIDC is the Python client's authenticate_oidc: client
	// credentials when OPENEO_AUTH_METHOD=client_credentials, otherwise a
	// stored refresh token, otherwise (only if interaction is allowed) the
	// device flow.
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
	MethodRefreshToken, MethodDeviceCode, MethodAccessToken, MethodBearer}

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

// ParseTokenResponse parses a successful token endpoint response. It
// requires access_token and token_type "bearer" (any case); expires_in may be
// a number or a numeric string. Errors match [ErrInvalidTokenResponse] and
// never contain the body, which holds secrets.
func ParseTokenResponse(data []byte) (*Token, error) {
	var r struct {
		AccessToken  any `json:"access_token"`
		TokenType    any `json:"token_type"`
		RefreshToken any `json:"refresh_token"`
		IDToken      any `json:"id_token"`
		ExpiresIn    any `json:"expires_in"`
		Scope        any `json:"scope"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &kindError{text: fmt.Sprintf("token response is not a JSON object (%d bytes)", len(data)), kind: ErrInvalidTokenResponse}
	}
	at, _ := r.AccessToken.(string)
	if at == "" {
		return nil, &kindError{text: "token response has no access_token", kind: ErrInvalidTokenResponse}
	}
	tt, _ := r.TokenType.(string)
	if !strings.EqualFold(tt, "bearer") {
		// The Python client's message, verbatim.
		return nil, &kindError{text: "Unsupported token_type=" + pyRepr(r.TokenType), kind: ErrInvalidTokenResponse}
	}
	now := time.Now()
	t := &Token{AccessToken: at, TokenType: tt, obtained: now}
	t.refreshToken, _ = r.RefreshToken.(string)
	t.idToken, _ = r.IDToken.(string)
	t.Scope, _ = r.Scope.(string)
	if secs, ok := seconds(r.ExpiresIn); ok && secs > 0 {
		t.Expiry = now.Add(time.Duration(secs * float64(time.Second)))
	} else if _, exp, ok := jwtClaims(at); ok && !exp.IsZero() {
		t.Expiry = exp
	}
	return t, nil
}

// pyRepr renders a decoded JSON scalar roughly like Python's repr, short.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + truncate(x, 40) + "'"
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
var secretFormKeys = []string{"client_secret", "password", "refresh_token", "code_verifier", "device_code", "token"}

// postForm is the one helper that POSTs a form to an OIDC endpoint (token,
// device authorization and revocation). It returns the response whatever its status;
// transport failures become *OIDCError.
func (c *Client) postForm(ctx context.Context, op, endpoint string, form url.Values) (*response, error) {
	return c.postFormTimeout(ctx, op, endpoint, form, 0)
}

// postFormTimeout is postForm with a per-attempt timeout (see
// request.timeout; 0: the client's).
func (c *Client) postFormTimeout(ctx context.Context, op, endpoint string, form url.Values, timeout time.Duration) (*response, error) {
	return c.postFormRequest(ctx, op, endpoint, form, timeout, false)
}

// postFormRequest is postFormTimeout; oneTime restricts the retries of a
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

// authenticate adds the client authentication of the Python client to a
// form: client_id, and client_secret when the client has one
// (client_secret_post; never an HTTP Basic header).
func (g *GrantConfig) authenticate(form url.Values) {
	form.Set("client_id", g.ClientID)
	if g.ClientSecret != "" {
		form.Set("client_secret", g.ClientSecret)
	}
}

// tokenRequest POSTs a token request with client authentication as form
// fields (see authenticate) and parses the response. oneTime: the grant
// spends a one-time credential and is never sent twice (see
// request.oneTime).
func (c *Client) tokenRequest(ctx context.Context, g *GrantConfig, form url.Values, oneTime bool) (*Token, error) {
	g.authenticate(form)
	endpoint := g.Metadata.TokenEndpoint
	resp, err := c.postFormRequest(ctx, opToken, endpoint, form, 0, oneTime)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, parseOIDCError(opToken, endpoint, resp.status, resp.header.Get("Content-Type"), resp.body, resp.secrets)
	}
	t, err := ParseTokenResponse(resp.body)
	if err != nil {
		return nil, &OIDCError{Op: opToken, Endpoint: endpoint, Status: resp.status, Err: err}
	}
	c.logToken(ctx, g, form.Get("grant_type"), t, nil)
	return t, nil
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
// grant_type, client_id, client_secret (when set) and scope.
func (c *Client) ClientCredentialsGrant(ctx context.Context, g *GrantConfig, scope string) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	t, err := c.tokenRequest(ctx, g, form, false)
	if err != nil {
		return nil, err
	}
	return g.finish(t, MethodClientCredentials), nil
}

// PasswordGrant runs the resource owner password credentials grant: form
// fields grant_type, client_id, client_secret (when set), scope, username
// and password.
func (c *Client) PasswordGrant(ctx context.Context, g *GrantConfig, scope, username, password string) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"password"}, "scope": {scope}, "username": {username}, "password": {password}}
	t, err := c.tokenRequest(ctx, g, form, false)
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
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	t, err := c.tokenRequest(ctx, g, form, true)
	if err != nil {
		return nil, err
	}
	if t.refreshToken == "" {
		t.refreshToken = refreshToken
	}
	return g.finish(t, MethodRefreshToken), nil
}
