package flows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

func TestRigRefreshTokenExpiry(t *testing.T) {
	idp := testrig.IdP(t)
	// Keycloak-style: refresh_expires_in in the answer of the password and refresh grants.
	c := idp.RegisterClient(t, testrig.ClientSpec{RefreshTokenTTL: 600, RefreshExpiresIn: true})
	tok := idp.PasswordToken(t, c, testrig.Alice, "openid offline_access")
	if tok.RefreshToken == "" || tok.RefreshExpiresIn < 1 || tok.RefreshExpiresIn > 600 {
		t.Fatalf("refresh_expires_in %d", tok.RefreshExpiresIn)
	}
	obtained := time.Unix(1_800_000_000, 0)
	if got := flows.RefreshTokenExpiry(tok.RefreshToken, float64(tok.RefreshExpiresIn), obtained); !got.Equal(obtained.Add(time.Duration(tok.RefreshExpiresIn) * time.Second)) {
		t.Errorf("expiry %s", got)
	}
	if got := flows.RefreshTokenExpiry(tok.RefreshToken, "600", obtained); !got.Equal(obtained.Add(600 * time.Second)) {
		t.Errorf("numeric string: %s", got)
	}
	refreshed := idp.RefreshToken(t, c, tok.RefreshToken)
	if refreshed.RefreshExpiresIn < 1 {
		t.Errorf("refresh grant answer without refresh_expires_in: %+v", refreshed.RefreshExpiresIn)
	}
	// Other clients get no such field; an opaque refresh token then has no known expiry.
	plain := idp.RegisterClient(t, testrig.ClientSpec{})
	tok = idp.PasswordToken(t, plain, testrig.Alice, "openid offline_access")
	if tok.RefreshExpiresIn != 0 || !flows.RefreshTokenExpiry(tok.RefreshToken, nil, obtained).IsZero() {
		t.Errorf("refresh_expires_in %d", tok.RefreshExpiresIn)
	}
	// A JWT refresh token (Keycloak's are): its exp, also when refresh_expires_in is 0 (offline tokens).
	jwt := testrig.CI(t).Mint(t, testrig.MintSpec{Sub: "alice", Aud: idp.Issuer(), TTL: 900})
	got := flows.RefreshTokenExpiry(jwt, float64(0), obtained)
	if got.IsZero() || got.Before(time.Now()) {
		t.Errorf("JWT refresh token expiry %s", got)
	}
	if !flows.RefreshTokenExpiry("", float64(600), obtained).IsZero() {
		t.Error("no refresh token, no expiry")
	}
}

func TestRefreshExpiryStatus(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	for _, c := range []struct {
		name      string
		expiresAt time.Time
		window    time.Duration
		want      flows.RefreshExpiryState
	}{
		{"unknown expiry", time.Time{}, week, flows.RefreshNotExpiring},
		{"outside the window", now.Add(week + time.Second), week, flows.RefreshNotExpiring},
		{"at the window's end", now.Add(week), week, flows.RefreshExpiresSoon},
		{"within the window", now.Add(time.Hour), week, flows.RefreshExpiresSoon},
		{"one second left", now.Add(time.Second), week, flows.RefreshExpiresSoon},
		{"expires now", now, week, flows.RefreshExpired},
		{"expired", now.Add(-time.Hour), week, flows.RefreshExpired},
		{"window off, soon", now.Add(time.Hour), 0, flows.RefreshNotExpiring},
		{"window off, expired", now.Add(-time.Hour), 0, flows.RefreshNotExpiring},
		{"negative window", now.Add(time.Hour), -time.Hour, flows.RefreshNotExpiring},
	} {
		if got := flows.RefreshExpiryStatus(c.expiresAt, now, c.window); got != c.want {
			t.Errorf("%s: RefreshExpiryStatus(%v, %v, %v) = %d, want %d", c.name, c.expiresAt, now, c.window, got, c.want)
		}
	}
}

// TestRigRefreshStored: a token's RefreshStored and RefreshExpiry tell
// whether its refresh token is the store's entry (read from it or written
// to it) and when it expires, as the IdP's refresh_expires_in says.
func TestRigRefreshStored(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{RefreshTokenTTL: 600, RefreshExpiresIn: true})
	ctx := ctxT(t)
	oidc := func(o flows.OIDCSettings) flows.OIDCSettings {
		o.ClientID, o.ClientSecret, o.Scopes = c.ID, c.Secret, []string{"offline_access"}
		return o
	}
	within := func(tok *flows.Token) bool {
		left := time.Until(tok.RefreshExpiry)
		return left > 0 && left <= 600*time.Second
	}

	// From the store: stored, with the expiry of the refresh grant's answer.
	store := newMemStore()
	_ = store.SetRefreshToken(idp.Issuer(), c.ID, idp.PasswordToken(t, c, testrig.Alice, "openid offline_access").RefreshToken, time.Time{})
	tok, err := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken, RefreshTokens: store,
		OIDC: oidc(flows.OIDCSettings{})}).Token(ctx)
	if err != nil || !tok.RefreshStored || !within(tok) {
		t.Fatalf("refresh token from the store: %v, token %v", err, describe(tok))
	}

	// A given refresh token that is not stored, and a password login without
	// store_refresh_token: the expiry is known, but nothing was stored.
	for name, cfg := range map[string]flows.Config{
		"given refresh token": {Method: flows.MethodRefreshToken, RefreshTokens: newMemStore(),
			OIDC: oidc(flows.OIDCSettings{RefreshToken: idp.PasswordToken(t, c, testrig.Alice, "openid offline_access").RefreshToken})},
		"password": {Method: flows.MethodPassword, RefreshTokens: newMemStore(),
			OIDC: oidc(flows.OIDCSettings{Username: testrig.Alice.Name, Password: testrig.Alice.Password})},
	} {
		cfg.BackendURL = be.URL()
		tok, err := session(t, cfg).Token(ctx)
		if err != nil || tok.RefreshStored || !within(tok) {
			t.Errorf("%s: %v, token %v", name, err, describe(tok))
		}
	}

	// A password login with store_refresh_token: stored.
	tok, err = session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodPassword, RefreshTokens: newMemStore(),
		OIDC: oidc(flows.OIDCSettings{Username: testrig.Alice.Name, Password: testrig.Alice.Password, StoreRefreshToken: true})}).Token(ctx)
	if err != nil || !tok.RefreshStored || !within(tok) {
		t.Errorf("password with store_refresh_token: %v, token %v", err, describe(tok))
	}
}

// describe shows what TestRigRefreshStored checks of tok (no secrets).
func describe(tok *flows.Token) string {
	if tok == nil {
		return "none"
	}
	return fmt.Sprintf("%v, RefreshStored %v, RefreshExpiry %v", tok, tok.RefreshStored, tok.RefreshExpiry)
}

// TestRigRefreshKeepsStoredExpiry: an identity provider that neither
// rotates the stored refresh token nor says when it expires leaves the
// stored expiry in force: the token carries it (for the expiry warning), and
// nothing is written.
func TestRigRefreshKeepsStoredExpiry(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{}) // no rotation, no refresh_expires_in
	store := newMemStore()
	rt := idp.PasswordToken(t, c, testrig.Alice, "openid offline_access").RefreshToken
	expires := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	if err := store.SetRefreshToken(flows.NormalizeURL(idp.Issuer()), c.ID, rt, expires); err != nil {
		t.Fatal(err)
	}
	tok, err := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken, RefreshTokens: store,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}}).Token(ctxT(t))
	if err != nil || !tok.RefreshStored || !tok.RefreshExpiry.Equal(expires) {
		t.Fatalf("%v, token %v: want the stored expiry %v", err, describe(tok), expires)
	}
	if store.sets != 1 {
		t.Errorf("the store was written %d times after the first set: the kept token must not be written again", store.sets-1)
	}
}
