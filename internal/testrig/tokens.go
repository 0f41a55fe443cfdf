package testrig

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Token is a token endpoint answer.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
	// RefreshExpiresIn is Keycloak's "refresh_expires_in" (clients registered with
	// ClientSpec.RefreshExpiresIn); 0 when absent.
	RefreshExpiresIn int `json:"refresh_expires_in"`
}

// TokenError is an OAuth error answer (or any non-200 answer) of the token or device endpoint.
type TokenError struct {
	Status      int
	Code        string // the "error" field, e.g. invalid_grant, authorization_pending
	Description string
	Body        string
}

func (e *TokenError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("HTTP %d: %s: %s", e.Status, e.Code, e.Description)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

// ErrorCode returns the OAuth "error" code of err when it is a *TokenError, else "".
func ErrorCode(err error) string {
	var te *TokenError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// AuthForm adds the client's credentials as form fields (client_secret_post, like the openEO
// Python client): client_id always, client_secret when the client has one.
func (c Client) AuthForm(form url.Values) url.Values {
	if form == nil {
		form = url.Values{}
	}
	form.Set("client_id", c.ID)
	if c.Secret != "" {
		form.Set("client_secret", c.Secret)
	}
	return form
}

func (p *OpenIDProvider) postForm(ctx context.Context, endpoint string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		te := &TokenError{Status: resp.StatusCode, Body: string(raw)}
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(raw, &e) == nil {
			te.Code, te.Description = e.Error, e.Description
		}
		return te
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil // e.g. revocation answers 200 with an empty body
	}
	return json.Unmarshal(raw, out)
}

// RequestToken posts form to the token endpoint as is (add client credentials with
// Client.AuthForm). A non-200 answer gives a *TokenError.
func (p *OpenIDProvider) RequestToken(ctx context.Context, form url.Values) (Token, error) {
	var tok Token
	err := p.postForm(ctx, p.endpoints.Token, form, &tok)
	return tok, err
}

func (p *OpenIDProvider) mustToken(t testing.TB, what string, form url.Values) Token {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	tok, err := p.RequestToken(ctx, form)
	if err != nil {
		t.Fatalf("testrig: %s grant: %v", what, err)
	}
	if tok.AccessToken == "" {
		t.Fatalf("testrig: %s grant: no access token", what)
	}
	return tok
}

// ClientCredentialsToken runs the client credentials grant (form auth). scope may be empty.
func (p *OpenIDProvider) ClientCredentialsToken(t testing.TB, c Client, scope string) Token {
	t.Helper()
	form := c.AuthForm(url.Values{"grant_type": {GrantClientCredentials}})
	if scope != "" {
		form.Set("scope", scope)
	}
	return p.mustToken(t, "client credentials", form)
}

// PasswordToken runs the password grant for u. Ask for "openid offline_access" to get a refresh
// token as well.
func (p *OpenIDProvider) PasswordToken(t testing.TB, c Client, u User, scope string) Token {
	t.Helper()
	form := c.AuthForm(url.Values{"grant_type": {GrantPassword}, "username": {u.Name}, "password": {u.Password}})
	if scope != "" {
		form.Set("scope", scope)
	}
	return p.mustToken(t, "password", form)
}

// RefreshToken runs the refresh token grant.
func (p *OpenIDProvider) RefreshToken(t testing.TB, c Client, refreshToken string) Token {
	t.Helper()
	form := c.AuthForm(url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {refreshToken}})
	return p.mustToken(t, "refresh token", form)
}

// DeviceAuthorization is the answer of the device authorization endpoint (RFC 8628).
type DeviceAuthorization struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}

// StartDevice posts a device authorization request for client c. A non-empty codeChallenge is
// sent with method S256 (see PKCEChallenge). The client authenticates with form fields: the IdP,
// like most, requires a confidential client to authenticate here too (the openEO Python client sends
// only client_id and scope, so with this IdP its device flow works with public clients only).
func (p *OpenIDProvider) StartDevice(ctx context.Context, c Client, scope, codeChallenge string) (DeviceAuthorization, error) {
	form := c.AuthForm(nil)
	if scope != "" {
		form.Set("scope", scope)
	}
	if codeChallenge != "" {
		form.Set("code_challenge", codeChallenge)
		form.Set("code_challenge_method", "S256")
	}
	var da DeviceAuthorization
	err := p.postForm(ctx, p.endpoints.DeviceAuthorization, form, &da)
	return da, err
}

// PollDevice asks the token endpoint once for the device flow's tokens. Before approval the error
// code is authorization_pending. A non-empty verifier is sent as code_verifier; the client secret
// (if any) is sent as a form field.
func (p *OpenIDProvider) PollDevice(ctx context.Context, c Client, deviceCode, verifier string) (Token, error) {
	form := c.AuthForm(url.Values{"grant_type": {GrantDeviceCode}, "device_code": {deviceCode}})
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return p.RequestToken(ctx, form)
}

// PKCEChallenge is the S256 code challenge of verifier.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var xsrfRE = regexp.MustCompile(`name="xsrf" value="([^"]+)"`)

// ApproveDevice plays the user of a device flow without a browser: it opens the verification page
// for userCode, confirms the code, and logs in as user with password (consent is granted
// automatically). It returns an error when any step fails, e.g. for a wrong password or an
// unknown or expired user code. A code whose login failed stays "in flight" at the IdP and cannot
// be confirmed again. It does not use testing.TB, so it may run in a goroutine.
func (p *OpenIDProvider) ApproveDevice(ctx context.Context, userCode, user, password string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	get := func(u string) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, "", err
		}
		return readAll(c.Do(req))
	}
	post := func(u string, form url.Values) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return readAll(c.Do(req))
	}
	verify := p.issuer + "/device"
	resp, body, err := get(verify + "?user_code=" + url.QueryEscape(userCode))
	if err != nil {
		return fmt.Errorf("approve device: verification page: %w", err)
	}
	m := xsrfRE.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("approve device: verification page: HTTP %d without xsrf field", resp.StatusCode)
	}
	// Confirming the code redirects to the login interaction (/interaction/<uid>).
	resp, body, err = post(verify, url.Values{"xsrf": {m[1]}, "user_code": {userCode}, "confirm": {"yes"}})
	if err != nil {
		return fmt.Errorf("approve device: confirm: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/interaction/") {
		// An unknown, expired or already confirmed (in flight, approved, denied) code re-renders the form.
		return fmt.Errorf("approve device: confirm: user code %q not accepted (unknown, expired or already used; HTTP %d at %s): %s",
			userCode, resp.StatusCode, resp.Request.URL.Path, pageText(body))
	}
	resp, body, err = post(resp.Request.URL.String(), url.Values{"login": {user}, "password": {password}})
	if err != nil {
		return fmt.Errorf("approve device: login: %w", err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("approve device: login as %q rejected", user)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sign-in Success") {
		return fmt.Errorf("approve device: not approved (HTTP %d): %s", resp.StatusCode, pageText(body))
	}
	return nil
}

func readAll(resp *http.Response, err error) (*http.Response, string, error) {
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(b), err
}

var tagRE = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]+>`)

// pageText is a short text excerpt of an HTML page, for error messages.
func pageText(html string) string {
	s := strings.Join(strings.Fields(tagRE.ReplaceAllString(html, " ")), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Introspect asks the IdP about token as the back-end client (openeo-backend) and returns the
// introspection answer ({"active": false} for unknown or expired tokens).
func (p *OpenIDProvider) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	return p.IntrospectAs(t, BackendClient, token)
}

// Revoke revokes token (an access or refresh token) at the IdP, authenticating as c.
func (p *OpenIDProvider) Revoke(t testing.TB, c Client, token string) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	var out map[string]any
	err := p.postForm(ctx, p.endpoints.Revocation, c.AuthForm(url.Values{"token": {token}}), &out)
	if err != nil {
		t.Fatalf("testrig: revocation: %v", err)
	}
}

// IntrospectAs asks the IdP about token as client c (any confidential client may introspect any
// token), so that Stats(c.ID).IntrospectionRequests counts the calls.
func (p *OpenIDProvider) IntrospectAs(t testing.TB, c Client, token string) map[string]any {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	out := map[string]any{}
	if err := p.postForm(ctx, p.endpoints.Introspection, c.AuthForm(url.Values{"token": {token}}), &out); err != nil {
		t.Fatalf("testrig: introspection: %v", err)
	}
	return out
}

// Userinfo calls the userinfo endpoint with accessToken and returns the HTTP status and the
// decoded JSON body (nil when the body is not JSON).
func (p *OpenIDProvider) Userinfo(t testing.TB, accessToken string) (int, map[string]any) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.endpoints.Userinfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, body, err := readAll(p.client.Do(req))
	if err != nil {
		t.Fatalf("testrig: userinfo: %v", err)
	}
	var out map[string]any
	if json.Unmarshal([]byte(body), &out) != nil {
		out = nil
	}
	return resp.StatusCode, out
}
