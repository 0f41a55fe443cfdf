package testrig

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSkipWithoutIssuer(t *testing.T) {
	t.Setenv(EnvIssuer, "")
	ran := false
	t.Run("inner", func(t *testing.T) {
		IdP(t)
		ran = true
	})
	if ran {
		t.Fatal("IdP did not skip without " + EnvIssuer)
	}
	if !strings.Contains(SkipMessage(), "scripts/rig.sh start") {
		t.Errorf("skip message does not say how to start the rig: %q", SkipMessage())
	}
}

// fakeTB records Fatalf instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = format; panic(f) }

func TestFailsWhenIssuerSetButDown(t *testing.T) {
	t.Setenv(EnvIssuer, "http://127.0.0.1:1") // nothing listens on port 1
	f := &fakeTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(f) {
				panic(r)
			}
		}()
		IdP(f)
	}()
	if f.failed == "" || !strings.Contains(f.failed, "does not answer") {
		t.Fatalf("IdP did not fail for a dead issuer (got %q)", f.failed)
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	if !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("issuer %q is not on 127.0.0.1", p.Issuer())
	}
	ep := p.Endpoints()
	for name, v := range map[string]string{"token": ep.Token, "device": ep.DeviceAuthorization, "userinfo": ep.Userinfo,
		"introspection": ep.Introspection, "registration": ep.Registration, "jwks": ep.JWKS} {
		if !strings.HasPrefix(v, p.Issuer()+"/") {
			t.Errorf("%s endpoint %q not under the issuer", name, v)
		}
	}
}

func TestClientCredentialsFormAuth(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantClientCredentials}})
	if c.ID == "" || c.Secret == "" || c.Public {
		t.Fatalf("bad client %+v", c)
	}
	tok := p.ClientCredentialsToken(t, c, "openid")
	if !strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn != 3600 || tok.RefreshToken != "" {
		t.Errorf("token %+v", tok)
	}
	s := p.Stats(t, c.ID)
	if s.TokenRequests != 1 || s.ByGrant["client_credentials"] != 1 || s.ByAuth[AuthClientSecretPost] != 1 || s.ByStatus["200"] != 1 {
		t.Errorf("stats %+v", s)
	}
	// Introspection by the back-end client works for client-credentials tokens (no sub).
	in := p.Introspect(t, tok.AccessToken)
	if in["active"] != true || in["client_id"] != c.ID || in["sub"] != nil {
		t.Errorf("introspection %v", in)
	}
	// userinfo refuses client-credentials tokens
	if st, _ := p.Userinfo(t, tok.AccessToken); st == http.StatusOK {
		t.Errorf("userinfo accepted a client credentials token")
	}
	// wrong secret
	ctx := t.Context()
	_, err := p.RequestToken(ctx, Client{ID: c.ID, Secret: "wrong"}.AuthForm(url.Values{"grant_type": {GrantClientCredentials}}))
	if ErrorCode(err) != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
	// HTTP Basic client auth is accepted too, and counted apart
	req, _ := http.NewRequest(http.MethodPost, p.Endpoints().Token, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, c.Secret)
	resp, err := p.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("basic auth: HTTP %d", resp.StatusCode)
	}
	if s := p.Stats(t, c.ID); s.TokenRequests != 3 || s.ByAuth[AuthClientSecretBasic] != 1 || s.ByStatus["401"] != 1 {
		t.Errorf("stats %+v (failed requests count too)", s)
	}
}

func TestPasswordRefreshRotationUserinfo(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantPassword, GrantRefreshToken}})
	tok := p.PasswordToken(t, c, Alice, "openid email offline_access")
	if tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("no refresh or id token: %+v", tok)
	}
	noOffline := p.PasswordToken(t, c, Bob, "openid")
	if noOffline.RefreshToken != "" {
		t.Errorf("refresh token without offline_access")
	}
	st, ui := p.Userinfo(t, tok.AccessToken)
	if st != http.StatusOK || ui["sub"] != "alice" || ui["email"] != Alice.Email {
		t.Errorf("userinfo %d %v", st, ui)
	}
	in := p.Introspect(t, tok.AccessToken)
	if in["active"] != true || in["sub"] != "alice" || in["client_id"] != c.ID {
		t.Errorf("introspection %v", in)
	}
	nt := p.RefreshToken(t, c, tok.RefreshToken)
	if nt.AccessToken == "" || nt.AccessToken == tok.AccessToken {
		t.Errorf("refresh gave no new access token")
	}
	// wrong password
	_, err := p.RequestToken(t.Context(), c.AuthForm(url.Values{"grant_type": {GrantPassword},
		"username": {"alice"}, "password": {"nope"}, "scope": {"openid"}}))
	if ErrorCode(err) != "invalid_grant" {
		t.Errorf("wrong password: %v", err)
	}
	s := p.Stats(t, c.ID)
	if s.TokenRequests != 4 || s.ByGrant["password"] != 3 || s.ByGrant["refresh_token"] != 1 || s.ByStatus["400"] != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestDeviceFlowPKCEAndPublicRefreshRotation(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{Public: true})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	verifier := strings.Repeat("abcdefgh", 8)
	da, err := p.StartDevice(ctx, c, "openid email offline_access", PKCEChallenge(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if da.Interval != 1 || da.UserCode == "" || !strings.HasPrefix(da.VerificationURI, p.Issuer()) {
		t.Errorf("device answer %+v", da)
	}
	if _, err := p.PollDevice(ctx, c, da.DeviceCode, verifier); ErrorCode(err) != "authorization_pending" {
		t.Fatalf("before approval: %v", err)
	}
	if err := p.ApproveDevice(ctx, da.UserCode, Alice.Name, Alice.Password); err != nil {
		t.Fatal(err)
	}
	tok, err := p.PollDevice(ctx, c, da.DeviceCode, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.IDToken == "" {
		t.Fatalf("token %+v", tok)
	}
	if in := p.Introspect(t, tok.AccessToken); in["sub"] != "alice" {
		t.Errorf("introspection %v", in)
	}
	// public client: refresh rotates the refresh token, the old one stops working
	nt := p.RefreshToken(t, c, tok.RefreshToken)
	if nt.RefreshToken == "" || nt.RefreshToken == tok.RefreshToken {
		t.Errorf("refresh token not rotated")
	}
	if _, err := p.RequestToken(ctx, c.AuthForm(url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {tok.RefreshToken}})); ErrorCode(err) != "invalid_grant" {
		t.Errorf("old refresh token after rotation: %v", err)
	}
	// the device code is single-use (and its reuse revokes the grant, like auth code reuse)
	if _, err := p.PollDevice(ctx, c, da.DeviceCode, verifier); ErrorCode(err) != "invalid_grant" {
		t.Errorf("second use of the device code: %v", err)
	}
	// unknown user code; a code already approved; a wrong password
	if err := p.ApproveDevice(ctx, "XXXX-XXXX", Alice.Name, Alice.Password); err == nil {
		t.Errorf("unknown user code approved")
	}
	if err := p.ApproveDevice(ctx, da.UserCode, Alice.Name, Alice.Password); err == nil {
		t.Errorf("used user code approved again")
	}
	da2, err := p.StartDevice(ctx, c, "openid", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ApproveDevice(ctx, da2.UserCode, Alice.Name, "wrong"); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("approval with a wrong password: %v", err)
	}
	if _, err := p.PollDevice(ctx, c, da2.DeviceCode, ""); ErrorCode(err) != "authorization_pending" {
		t.Errorf("after a failed login: %v", err)
	}
	s := p.Stats(t, c.ID)
	// One device flow with PKCE (verified once: the grant that issued tokens), one without.
	if s.DeviceRequests != 2 || s.ByGrant["device_code"] != 4 || s.ByAuth[AuthNone] != 6 ||
		s.DevicePKCE != 1 || s.DevicePKCEVerified != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestDeviceFlowWrongVerifier(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{Public: true})
	ctx := t.Context()
	verifier := strings.Repeat("v", 50)
	for _, tc := range []struct{ name, verifier string }{{"wrong", strings.Repeat("w", 50)}, {"missing", ""}} {
		da, err := p.StartDevice(ctx, c, "openid", PKCEChallenge(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.ApproveDevice(ctx, da.UserCode, Bob.Name, Bob.Password); err != nil {
			t.Fatal(err)
		}
		if _, err := p.PollDevice(ctx, c, da.DeviceCode, tc.verifier); ErrorCode(err) != "invalid_grant" {
			t.Errorf("%s verifier: %v", tc.name, err)
		}
	}
	// challenges recorded, none verified
	if s := p.Stats(t, c.ID); s.DevicePKCE != 2 || s.DevicePKCEVerified != 0 {
		t.Errorf("stats %+v", s)
	}
	// plain challenge method is refused
	form := url.Values{"client_id": {c.ID}, "scope": {"openid"}, "code_challenge": {"x"}, "code_challenge_method": {"plain"}}
	var da DeviceAuthorization
	if err := p.postForm(ctx, p.Endpoints().DeviceAuthorization, form, &da); ErrorCode(err) != "invalid_request" {
		t.Errorf("plain PKCE: %v", err)
	}
}

func TestDeviceFlowConfidentialWithoutPKCE(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantDeviceCode}})
	p.SetDeviceInterval(t, c.ID, 0)
	ctx := t.Context()
	da, err := p.StartDevice(ctx, c, "openid", "")
	if err != nil {
		t.Fatal(err)
	}
	if da.Interval != 0 {
		t.Errorf("interval %d, want field omitted", da.Interval)
	}
	if err := p.ApproveDevice(ctx, da.UserCode, Bob.Name, Bob.Password); err != nil {
		t.Fatal(err)
	}
	tok, err := p.PollDevice(ctx, c, da.DeviceCode, "")
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" {
		t.Errorf("refresh token without offline_access / refresh grant")
	}
	if s := p.Stats(t, c.ID); s.ByAuth[AuthClientSecretPost] != 1 || s.DevicePKCE != 0 || s.DevicePKCEVerified != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestFailAndDelayKnobs(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantClientCredentials}})
	ctx := t.Context()
	form := c.AuthForm(url.Values{"grant_type": {GrantClientCredentials}})
	p.FailNext(t, c.ID, http.StatusServiceUnavailable, 2)
	for i := range 2 {
		_, err := p.RequestToken(ctx, form)
		var te *TokenError
		if !errors.As(err, &te) || te.Status != 503 || te.Code != "temporarily_unavailable" {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if _, err := p.RequestToken(ctx, form); err != nil {
		t.Fatalf("after the injected failures: %v", err)
	}
	p.InjectFault(t, c.ID, Fault{Status: 429, RetryAfter: "7", Body: "slow down", ContentType: "text/plain"})
	resp, err := p.HTTPClient().PostForm(p.Endpoints().Token, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("fault answer %d %v", resp.StatusCode, resp.Header)
	}
	p.DelayNext(t, c.ID, 600*time.Millisecond, 1)
	start := time.Now()
	if _, err := p.RequestToken(ctx, form); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 550*time.Millisecond {
		t.Errorf("delay knob: answered after %v", d)
	}
	p.FailNext(t, c.ID, 500, 5)
	p.ClearFaults(t, c.ID)
	if _, err := p.RequestToken(ctx, form); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
	// device endpoint fault
	pub := p.RegisterClient(t, ClientSpec{Public: true})
	p.InjectFault(t, pub.ID, Fault{Endpoint: "device", Status: 502})
	if _, err := p.StartDevice(ctx, pub, "openid", ""); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("device fault: %v", err)
	}
	s := p.Stats(t, c.ID)
	if s.TokenRequests != 6 || s.ByStatus["503"] != 2 || s.ByStatus["429"] != 1 || s.ByStatus["200"] != 3 {
		t.Errorf("stats %+v", s)
	}
	p.ResetStats(t, c.ID)
	if n := p.TokenRequests(t, c.ID); n != 0 {
		t.Errorf("after reset: %d", n)
	}
}

func TestAccessTokenTTL(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	// by registration metadata
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantClientCredentials, GrantPassword}, AccessTokenTTL: 1})
	tok := p.ClientCredentialsToken(t, c, "")
	if tok.ExpiresIn != 1 {
		t.Errorf("expires_in %d, want 1", tok.ExpiresIn)
	}
	// by the runtime knob
	p.SetAccessTokenTTL(t, c.ID, 2)
	pw := p.PasswordToken(t, c, Alice, "openid")
	if pw.ExpiresIn != 2 {
		t.Errorf("password expires_in %d, want 2", pw.ExpiresIn)
	}
	if p.Introspect(t, pw.AccessToken)["active"] != true {
		t.Fatal("fresh token not active")
	}
	time.Sleep(2100 * time.Millisecond)
	if in := p.Introspect(t, tok.AccessToken); in["active"] != false {
		t.Errorf("expired client credentials token still active: %v", in)
	}
	if in := p.Introspect(t, pw.AccessToken); in["active"] != false {
		t.Errorf("expired password token still active: %v", in)
	}
	if st, _ := p.Userinfo(t, pw.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("userinfo with an expired token: %d", st)
	}
}

func TestStaticClients(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	tok := p.ClientCredentialsToken(t, StaticClient, "openid")
	if in := p.Introspect(t, tok.AccessToken); in["client_id"] != StaticClient.ID {
		t.Errorf("introspection %v", in)
	}
	pw := p.PasswordToken(t, StaticClient, Bob, "openid offline_access")
	if pw.RefreshToken == "" {
		t.Errorf("static client: no refresh token")
	}
	ctx := t.Context()
	da, err := p.StartDevice(ctx, PublicClient, "openid offline_access", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ApproveDevice(ctx, da.UserCode, Bob.Name, Bob.Password); err != nil {
		t.Fatal(err)
	}
	dt, err := p.PollDevice(ctx, PublicClient, da.DeviceCode, "")
	if err != nil || dt.RefreshToken == "" {
		t.Fatalf("public static client device flow: %v %+v", err, dt)
	}
	// The back-end client has no grants.
	var te *TokenError
	if _, err := p.RequestToken(ctx, BackendClient.AuthForm(url.Values{"grant_type": {GrantClientCredentials}})); !errors.As(err, &te) || te.Status != 400 {
		t.Errorf("backend client grant: %v", err)
	}
}

// TestRefreshRotationReuseRevokesLogin: with rotation on, every refresh
// returns a new refresh token; presenting a spent one is refused and revokes
// the whole login (the newest refresh token and the access tokens too), as
// Keycloak does. The IdP counts the reuse. With rotation off, the token
// stays the same and may be presented again.
func TestRefreshRotationReuseRevokesLogin(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	c := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantPassword, GrantRefreshToken}})
	p.RotateRefreshTokens(t, c.ID, true)
	login := p.PasswordToken(t, c, Alice, "openid offline_access")
	next := p.RefreshToken(t, c, login.RefreshToken)
	if next.RefreshToken == "" || next.RefreshToken == login.RefreshToken {
		t.Fatalf("refresh did not rotate the refresh token")
	}
	if s := p.Stats(t, c.ID); s.RefreshTokenReuse != 0 {
		t.Errorf("reuse counted without reuse: %+v", s)
	}
	refresh := func(rt string) error {
		_, err := p.RequestToken(t.Context(), c.AuthForm(url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}}))
		return err
	}
	if err := refresh(login.RefreshToken); ErrorCode(err) != "invalid_grant" {
		t.Fatalf("spent refresh token: %v, want invalid_grant", err)
	}
	if err := refresh(next.RefreshToken); ErrorCode(err) != "invalid_grant" {
		t.Errorf("newest refresh token after reuse: %v, want invalid_grant (login revoked)", err)
	}
	if in := p.Introspect(t, next.AccessToken); in["active"] != false {
		t.Errorf("access token after reuse: %v, want inactive", in)
	}
	if s := p.Stats(t, c.ID); s.RefreshTokenReuse != 1 {
		t.Errorf("refresh_token_reuse %d, want 1", s.RefreshTokenReuse)
	}

	p.RotateRefreshTokens(t, c.ID, false)
	login = p.PasswordToken(t, c, Bob, "openid offline_access")
	for range 2 {
		if tok := p.RefreshToken(t, c, login.RefreshToken); tok.RefreshToken != login.RefreshToken {
			t.Errorf("rotation off: refresh token changed")
		}
	}
}
