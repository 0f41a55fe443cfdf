package flows

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseTokenResponse(t *testing.T) {
	tok, err := ParseTokenResponse([]byte(`{"access_token":"AT","token_type":"bearer","expires_in":"120","refresh_token":"RT","id_token":"IT","scope":"openid"}`))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "AT" || tok.RefreshToken() != "RT" || tok.IDToken() != "IT" || tok.Scope != "openid" {
		t.Errorf("token = %#v", tok)
	}
	if d := time.Until(tok.Expiry); d < 115*time.Second || d > 121*time.Second {
		t.Errorf("expiry in %v", d)
	}
	jwt := testJWT(`{"iss":"i","exp":1900000000}`)
	tok, _ = ParseTokenResponse([]byte(`{"access_token":"` + jwt + `","token_type":"Bearer"}`))
	if !tok.Expiry.Equal(time.Unix(1900000000, 0)) {
		t.Errorf("JWT exp not used without expires_in: %v", tok.Expiry)
	}
	tok, _ = ParseTokenResponse([]byte(`{"access_token":"x","token_type":"BEARER","expires_in":0}`))
	if !tok.Expiry.IsZero() {
		t.Error("expires_in 0 must mean unknown expiry")
	}
	bad := []struct{ body, want string }{
		{`{"access_token":"SECRET","token_type":"mac"}`, "Unsupported token_type='mac'"},
		{`{"access_token":"SECRET"}`, "Unsupported token_type=None"},
		{`{"token_type":"Bearer"}`, "token response has no access_token"},
		{`access_token=SECRET&token_type=bearer`, "token response is not a JSON object"},
		{`{"access_token":5,"token_type":"Bearer"}`, "no access_token"},
	}
	for _, b := range bad {
		_, err := ParseTokenResponse([]byte(b.body))
		if err == nil || !strings.Contains(err.Error(), b.want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: err = %v", b.body, err)
		}
	}
}

func grantConfigFor(f *fakeIdP, secret string) *GrantConfig {
	return &GrantConfig{
		Provider: Provider{ID: "p", Issuer: f.srv.URL},
		Metadata: &ProviderMetadata{TokenEndpoint: f.srv.URL + "/token", DeviceAuthorizationEndpoint: f.srv.URL + "/device"},
		ClientID: "cid", ClientSecret: secret,
	}
}

func formKeys(v url.Values) []string {
	var keys []string
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestGrantFormFields(t *testing.T) {
	f := newFakeIdP(t)
	c := NewClient(fastHTTP())
	ctx := t.Context()
	withSecret := grantConfigFor(f, "cs")
	public := grantConfigFor(f, "")

	if _, err := c.ClientCredentialsGrant(ctx, withSecret, "openid"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PasswordGrant(ctx, withSecret, "openid email", "john", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefreshTokenGrant(ctx, withSecret, "rt-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefreshTokenGrant(ctx, public, "rt-2"); err != nil {
		t.Fatal(err)
	}
	forms := f.tokenForms()
	want := []struct {
		keys  []string
		grant string
	}{
		{[]string{"client_id", "client_secret", "grant_type", "scope"}, "client_credentials"},
		{[]string{"client_id", "client_secret", "grant_type", "password", "scope", "username"}, "password"},
		{[]string{"client_id", "client_secret", "grant_type", "refresh_token"}, "refresh_token"}, // no scope
		{[]string{"client_id", "grant_type", "refresh_token"}, "refresh_token"},                  // no secret when unset
	}
	for i, w := range want {
		if got := formKeys(forms[i]); !slices.Equal(got, w.keys) || forms[i].Get("grant_type") != w.grant {
			t.Errorf("request %d: keys %v grant %q; want %v %q", i, got, forms[i].Get("grant_type"), w.keys, w.grant)
		}
	}
	if forms[1].Get("username") != "john" || forms[1].Get("password") != "pw" || forms[1].Get("scope") != "openid email" {
		t.Errorf("password form %v", forms[1])
	}
}

func TestGrantResultFields(t *testing.T) {
	f := newFakeIdP(t)
	f.setToken(func(form url.Values) (int, any) {
		if form.Get("grant_type") == "refresh_token" {
			return 200, map[string]any{"access_token": "AT2", "token_type": "Bearer"} // no new refresh token
		}
		return 200, map[string]any{"access_token": testJWT(`{"iss":"` + f.srv.URL + `"}`), "token_type": "Bearer", "refresh_token": "RT1"}
	})
	c := NewClient(fastHTTP())
	g := grantConfigFor(f, "")
	tok, err := c.RefreshTokenGrant(t.Context(), g, "RT0")
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken() != "RT0" || tok.Bearer != "oidc/p/AT2" || tok.Method != MethodRefreshToken ||
		tok.ProviderID != "p" || tok.Issuer != f.srv.URL || tok.ClientID != "cid" {
		t.Errorf("token = %v (rt %q, bearer %q)", tok, tok.RefreshToken(), tok.Bearer)
	}
	g.PlainJWT = true
	tok, _ = c.PasswordGrant(t.Context(), g, "openid", "u", "p")
	if tok.Bearer != tok.AccessToken || !strings.HasPrefix(tok.Bearer, "eyJ") || tok.RefreshToken() != "RT1" {
		t.Errorf("plain JWT bearer = %q", tok.Bearer)
	}
	if _, err := c.RefreshTokenGrant(t.Context(), g, ""); err == nil || err.Error() != "No refresh token given or found" {
		t.Errorf("err = %v", err)
	}
}

func TestTokenEndpointRetries(t *testing.T) {
	f := newFakeIdP(t)
	var mu sync.Mutex
	n := 0
	f.setToken(func(url.Values) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n <= 2 {
			return 503, "busy"
		}
		return 200, map[string]any{"access_token": "AT", "token_type": "Bearer"}
	})
	c := NewClient(fastHTTP())
	if _, err := c.ClientCredentialsGrant(t.Context(), grantConfigFor(f, "cs"), "openid"); err != nil {
		t.Fatal(err)
	}
	if len(f.tokenForms()) != 3 {
		t.Errorf("%d token requests, want 3", len(f.tokenForms()))
	}
}

func TestDeviceFlowPKCE(t *testing.T) {
	f := newFakeIdP(t)
	var mu sync.Mutex
	polls := 0
	f.setToken(func(form url.Values) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		polls++
		switch polls {
		case 1:
			return 400, map[string]any{"error": "authorization_pending"}
		case 2:
			return 400, map[string]any{"error": "slow_down"}
		}
		return 200, map[string]any{"access_token": "AT", "token_type": "Bearer", "refresh_token": "RT"}
	})
	c := NewClient(fastHTTP())
	g := grantConfigFor(f, "") // a public client: exactly the Python client's fields
	g.Provider.AuthorizationParameters = map[string]string{"prompt": "login", "client_id": "override-attempt"}
	pkce := NewPKCE()
	ctx := t.Context()
	da, err := c.DeviceAuthorize(ctx, g, "openid offline_access", pkce)
	if err != nil {
		t.Fatal(err)
	}
	if !da.UsesPKCE() || da.Instructions() != "Visit "+f.srv.URL+"/activate and enter user code 'ABCD-EFGH' to authenticate." {
		t.Errorf("instructions %q", da.Instructions())
	}
	var events []DeviceStatus
	tok, err := c.PollDeviceToken(ctx, g, da, PollOptions{Interval: 10 * time.Millisecond, SlowDownStep: 10 * time.Millisecond,
		Display: func(e DeviceEvent) { events = append(events, e.Status) }})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Method != MethodDeviceCode || tok.RefreshToken() != "RT" || tok.Bearer != "oidc/p/AT" {
		t.Errorf("token %v", tok)
	}
	dev := f.devices[0]
	if got := formKeys(dev); !slices.Equal(got, []string{"client_id", "code_challenge", "code_challenge_method", "prompt", "scope"}) {
		t.Errorf("device request keys %v", got)
	}
	if dev.Get("client_id") != "cid" || dev.Get("code_challenge") != pkce.Challenge || dev.Get("code_challenge_method") != "S256" || dev.Get("prompt") != "login" {
		t.Errorf("device request %v", dev)
	}
	for _, form := range f.tokenForms() {
		if got := formKeys(form); !slices.Equal(got, []string{"client_id", "code_verifier", "device_code", "grant_type"}) ||
			form.Get("code_verifier") != pkce.Verifier || form.Get("grant_type") != GrantDeviceCode {
			t.Errorf("poll form %v", form)
		}
	}
	want := []DeviceStatus{DevicePending, DevicePolling, DevicePending, DevicePolling, DeviceSlowDown, DevicePolling, DeviceAuthorized}
	if !slices.Equal(events, want) {
		t.Errorf("events %v\nwant   %v", events, want)
	}
}

func TestDeviceFlowWithoutPKCE(t *testing.T) {
	f := newFakeIdP(t)
	f.device = func(url.Values) (int, any) {
		return 200, map[string]any{"device_code": "dc", "user_code": "UC", "verification_url": "https://google/device",
			"verification_uri_complete": "https://google/device?code=UC"}
	}
	f.setToken(func(url.Values) (int, any) { return 200, map[string]any{"access_token": "AT", "token_type": "Bearer"} })
	c := NewClient(fastHTTP())
	ctx := t.Context()
	for _, secret := range []string{"cs", ""} {
		g := grantConfigFor(f, secret)
		da, err := c.DeviceAuthorize(ctx, g, "openid", nil)
		if err != nil {
			t.Fatal(err)
		}
		if da.VerificationURI != "https://google/device" || da.Interval != 5*time.Second ||
			da.Instructions() != "Visit https://google/device?code=UC to authenticate." {
			t.Errorf("device authorization %+v", da)
		}
		var ev DeviceEvent
		if _, err := c.PollDeviceToken(ctx, g, da, PollOptions{Interval: time.Millisecond, Display: func(e DeviceEvent) { ev = e }}); err != nil {
			t.Fatal(err)
		}
		if ev.VerificationURIComplete != "https://google/device?code=UC" || ev.UserCode != "UC" || ev.Status != DeviceAuthorized {
			t.Errorf("event %+v", ev)
		}
	}
	forms := f.tokenForms()
	if got := formKeys(forms[0]); !slices.Equal(got, []string{"client_id", "client_secret", "device_code", "grant_type"}) {
		t.Errorf("poll with secret: %v", got)
	}
	if got := formKeys(forms[1]); !slices.Equal(got, []string{"client_id", "device_code", "grant_type"}) {
		t.Errorf("public poll: %v", got)
	}
	// The confidential client authenticates at the device authorization
	// endpoint (not in the Python client); the public one sends exactly
	// client_id and scope, like the Python client.
	if got := formKeys(f.devices[0]); !slices.Equal(got, []string{"client_id", "client_secret", "scope"}) ||
		f.devices[0].Get("client_secret") != "cs" {
		t.Errorf("confidential device request %v", f.devices[0])
	}
	if got := formKeys(f.devices[1]); !slices.Equal(got, []string{"client_id", "scope"}) {
		t.Errorf("public device request keys %v, want exactly client_id and scope", got)
	}
}

// TestDeviceFlowConfidentialPKCE: a confidential client that uses PKCE
// sends its secret in the device request and in every poll, next to the
// PKCE fields (the Python client sends it in neither).
func TestDeviceFlowConfidentialPKCE(t *testing.T) {
	f := newFakeIdP(t)
	f.setToken(func(url.Values) (int, any) { return 200, map[string]any{"access_token": "AT", "token_type": "Bearer"} })
	c := NewClient(fastHTTP())
	g := grantConfigFor(f, "cs")
	pkce := NewPKCE()
	da, err := c.DeviceAuthorize(t.Context(), g, "openid", pkce)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PollDeviceToken(t.Context(), g, da, PollOptions{Interval: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := formKeys(f.devices[0]); !slices.Equal(got, []string{"client_id", "client_secret", "code_challenge", "code_challenge_method", "scope"}) {
		t.Errorf("device request keys %v", got)
	}
	poll := f.tokenForms()[0]
	if got := formKeys(poll); !slices.Equal(got, []string{"client_id", "client_secret", "code_verifier", "device_code", "grant_type"}) ||
		poll.Get("client_secret") != "cs" || poll.Get("code_verifier") != pkce.Verifier {
		t.Errorf("poll form %v", poll)
	}
}

func TestRevokeToken(t *testing.T) {
	f := newFakeIdP(t)
	c := NewClient(fastHTTP())
	ctx := t.Context()
	g := grantConfigFor(f, "cs")
	g.Metadata.RevocationEndpoint = f.srv.URL + "/revoke"
	if err := c.RevokeToken(ctx, g, "rt-secret-1", TokenTypeHintRefreshToken); err != nil {
		t.Fatal(err)
	}
	pub := grantConfigFor(f, "")
	pub.Metadata.RevocationEndpoint = g.Metadata.RevocationEndpoint
	if err := c.RevokeToken(ctx, pub, "at-secret-2", ""); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		keys  []string
		token string
	}{
		{[]string{"client_id", "client_secret", "token", "token_type_hint"}, "rt-secret-1"},
		{[]string{"client_id", "token"}, "at-secret-2"},
	}
	for i, w := range want {
		form := f.revokes[i]
		if got := formKeys(form); !slices.Equal(got, w.keys) || form.Get("token") != w.token || form.Get("client_id") != "cid" {
			t.Errorf("revocation %d: %v", i, form)
		}
	}
	if f.revokes[0].Get("token_type_hint") != "refresh_token" || f.revokes[0].Get("client_secret") != "cs" {
		t.Errorf("revocation form %v", f.revokes[0])
	}

	// An OAuth error: *OIDCError, without the token (even when echoed).
	f.revoke = func(form url.Values) (int, any) {
		return 401, map[string]any{"error": "invalid_client", "error_description": "bad token " + form.Get("token")}
	}
	err := c.RevokeToken(ctx, g, "rt-secret-3", TokenTypeHintRefreshToken)
	var oe *OIDCError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || oe.Status != 401 || strings.Contains(err.Error(), "rt-secret-3") ||
		!strings.HasPrefix(err.Error(), "Failed to revoke token at '"+f.srv.URL+"/revoke': [401] invalid_client") {
		t.Errorf("err = %v", err)
	}
	// 503 is retried.
	var mu sync.Mutex
	n := 0
	f.revoke = func(url.Values) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 1 {
			return 503, "busy"
		}
		return 200, map[string]any{}
	}
	if err := c.RevokeToken(ctx, g, "rt-4", ""); err != nil || n != 2 {
		t.Errorf("err = %v after %d requests", err, n)
	}
	// No revocation endpoint, no client, no token.
	g.Metadata.RevocationEndpoint = ""
	err = c.RevokeToken(ctx, g, "rt-5", "")
	var ce *ClientError
	if !errors.Is(err, ErrRevocationUnsupported) || !errors.As(err, &ce) || !strings.Contains(err.Error(), f.srv.URL) {
		t.Errorf("err = %v", err)
	}
	pub.ClientID = ""
	if err := c.RevokeToken(ctx, pub, "rt-6", ""); err == nil || err.Error() != "No client_id found." {
		t.Errorf("err = %v", err)
	}
	if err := c.RevokeToken(ctx, g, "", ""); err == nil {
		t.Error("empty token accepted")
	}
	if len(f.revokes) != 5 {
		t.Errorf("%d revocation requests, want 5", len(f.revokes))
	}
}

func TestDeviceFlowErrors(t *testing.T) {
	f := newFakeIdP(t)
	c := NewClient(fastHTTP())
	ctx := t.Context()
	g := grantConfigFor(f, "")
	// Timeout with the Python client's message.
	f.setToken(func(url.Values) (int, any) { return 400, map[string]any{"error": "authorization_pending"} })
	da, err := c.DeviceAuthorize(ctx, g, "openid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var last DeviceStatus
	_, err = c.PollDeviceToken(ctx, g, da, PollOptions{Interval: 20 * time.Millisecond, MaxPollTime: 150 * time.Millisecond,
		Display: func(e DeviceEvent) { last = e.Status }})
	var te *DeviceTimeoutError
	if !errors.As(err, &te) || err.Error() != "Timeout (0.1s) while polling for access token." || last != DeviceTimedOut {
		t.Errorf("err = %v, last status %q", err, last)
	}
	if (&DeviceTimeoutError{MaxPollTime: DefaultMaxPollTime}).Error() != "Timeout (300.0s) while polling for access token." {
		t.Error("default timeout message")
	}
	// Any other error stops at once.
	f.setToken(func(url.Values) (int, any) {
		return 400, map[string]any{"error": "access_denied", "error_description": "user said no"}
	})
	da, _ = c.DeviceAuthorize(ctx, g, "openid", nil)
	_, err = c.PollDeviceToken(ctx, g, da, PollOptions{Interval: time.Millisecond})
	var oe *OIDCError
	if !errors.As(err, &oe) || oe.Code != "access_denied" || strings.Contains(err.Error(), "dev-code-123") {
		t.Errorf("err = %v", err)
	}
	// Device endpoint failure.
	f.device = func(url.Values) (int, any) { return 400, map[string]any{"error": "invalid_client"} }
	_, err = c.DeviceAuthorize(ctx, g, "openid", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to get verification URL and user code from '"+f.srv.URL+"/device': [400] invalid_client") {
		t.Errorf("err = %v", err)
	}
	// No device endpoint.
	g.Metadata.DeviceAuthorizationEndpoint = ""
	if _, err = c.DeviceAuthorize(ctx, g, "openid", nil); err == nil || !strings.Contains(err.Error(), "No support for device authorization grant") {
		t.Errorf("err = %v", err)
	}
	// Context cancellation while waiting.
	g = grantConfigFor(f, "")
	f.device = nil
	f.setToken(func(url.Values) (int, any) { return 400, map[string]any{"error": "authorization_pending"} })
	da, _ = c.DeviceAuthorize(ctx, g, "openid", nil)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.PollDeviceToken(cctx, g, da, PollOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

func TestParseDeviceAuthorization(t *testing.T) {
	for _, body := range []string{`{}`, `{"device_code":"d"}`, `{"device_code":"d","user_code":"u"}`, `[]`} {
		if _, err := ParseDeviceAuthorization([]byte(body)); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
	d, err := ParseDeviceAuthorization([]byte(`{"device_code":"d","user_code":"u","verification_uri":"v","interval":"2","expires_in":60}`))
	if err != nil || d.Interval != 2*time.Second || d.ExpiresAt.IsZero() {
		t.Errorf("%+v %v", d, err)
	}
}

// TestDevicePollTimeout: each device-flow poll has its own timeout, 5 s by
// default like the Python client's, never longer than the client's
// per-attempt timeout.
func TestDevicePollTimeout(t *testing.T) {
	for _, tc := range []struct {
		client, option, want time.Duration
	}{
		{30 * time.Second, 0, 5 * time.Second},
		{0, 0, 5 * time.Second}, // client default 30 s
		{2 * time.Second, 0, 2 * time.Second},
		{30 * time.Second, 10 * time.Second, 10 * time.Second},
		{2 * time.Second, 10 * time.Second, 2 * time.Second},
	} {
		c := NewClient(HTTPOptions{Timeout: tc.client})
		if got := c.pollTimeout(PollOptions{RequestTimeout: tc.option}); got != tc.want {
			t.Errorf("client %s, option %s: poll timeout %s, want %s", tc.client, tc.option, got, tc.want)
		}
	}

	// A poll the identity provider does not answer in time fails after the
	// poll timeout, not the client's.
	f := newFakeIdP(t)
	f.setToken(func(url.Values) (int, any) {
		time.Sleep(time.Second)
		return 400, map[string]any{"error": "authorization_pending"}
	})
	for _, tc := range []struct {
		opts    HTTPOptions
		poll    PollOptions
		message string
	}{
		{HTTPOptions{Timeout: 30 * time.Second, MaxRetries: -1}, PollOptions{Interval: time.Millisecond, RequestTimeout: 200 * time.Millisecond}, "timed out after 200ms"},
		{HTTPOptions{Timeout: 150 * time.Millisecond, MaxRetries: -1}, PollOptions{Interval: time.Millisecond}, "timed out after 150ms"},
	} {
		c := NewClient(tc.opts)
		g := grantConfigFor(f, "")
		da, err := c.DeviceAuthorize(t.Context(), g, "openid", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PollDeviceToken(t.Context(), g, da, tc.poll)
		if err == nil || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%+v: err = %v, want %q", tc.poll, err, tc.message)
		}
	}
}

// TestTokenAnswerEncodings: the token endpoint's answers are read by
// x/oauth2, in JSON and in form encoding, and its OAuth errors keep the
// package's classification and scrubbing.
func TestTokenAnswerEncodings(t *testing.T) {
	var mu sync.Mutex
	var status int
	var contentType, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	answer := func(st int, ct, b string) {
		mu.Lock()
		status, contentType, body = st, ct, b
		mu.Unlock()
	}
	c := NewClient(fastHTTP())
	g := &GrantConfig{Provider: Provider{ID: "p", Issuer: srv.URL}, Metadata: &ProviderMetadata{TokenEndpoint: srv.URL + "/token"}, ClientID: "cid"}
	const rt = "rt-secret-value"

	answer(400, "application/x-www-form-urlencoded", "error=invalid_grant&error_description=refresh+token+"+rt+"+was+revoked")
	_, err := c.RefreshTokenGrant(t.Context(), g, rt)
	var oe *OIDCError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || refreshFailure(err) != RefreshRefused ||
		strings.Contains(err.Error(), rt) || !strings.Contains(err.Error(), "[400] invalid_grant: refresh token") {
		t.Errorf("form-encoded OAuth error: %v", err)
	}

	answer(200, "application/json", `{"error":"access_denied","error_description":"denied"}`)
	if _, err = c.ClientCredentialsGrant(t.Context(), g, "openid"); !errors.As(err, &oe) || oe.Status != 200 || oe.Code != "access_denied" {
		t.Errorf("OAuth error in a 200 answer: %v", err)
	}

	answer(200, "application/x-www-form-urlencoded", "access_token=AT-form&token_type=bearer&expires_in=60&scope=openid")
	tok, err := c.ClientCredentialsGrant(t.Context(), g, "openid")
	if err != nil || tok.AccessToken != "AT-form" || tok.Scope != "openid" || time.Until(tok.Expiry) > time.Minute || tok.Expiry.IsZero() {
		t.Errorf("form-encoded token: %v %v", tok, err)
	}

	answer(200, "text/plain; charset=utf-8", `{"access_token":"AT-text","token_type":"Bearer","id_token":"IT"}`)
	if tok, err = c.ClientCredentialsGrant(t.Context(), g, "openid"); err != nil || tok.AccessToken != "AT-text" || tok.IDToken() != "IT" {
		t.Errorf("JSON token sent as text/plain: %v %v", tok, err)
	}
}
