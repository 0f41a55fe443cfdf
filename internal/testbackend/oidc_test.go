package testbackend

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

var userIDPattern = regexp.MustCompile(`^[\w\-\.~]+$`)

// oidcBackend starts a back-end whose provider "testidp" is the test IdP. The back-end
// introspects with a fresh confidential client of its own, so the test can count its calls.
func oidcBackend(t *testing.T, cfg Config) (*testrig.OpenIDProvider, *Server, testrig.Client) {
	t.Helper()
	idp := testrig.IdP(t)
	intro := idp.RegisterClient(t, testrig.ClientSpec{Name: "introspector", GrantTypes: []string{}})
	p := ProviderFor("testidp", idp.Issuer())
	p.IntrospectionClientID, p.IntrospectionClientSecret = intro.ID, intro.Secret
	cfg.Providers = append([]Provider{p}, cfg.Providers...)
	return idp, Start(t, cfg), intro
}

func TestMeWithOIDCTokens(t *testing.T) {
	t.Parallel()
	idp, s, intro := oidcBackend(t, Config{})
	me := s.APIURL() + "/me"
	c := idp.RegisterClient(t, testrig.ClientSpec{Name: "cc user@x", GrantTypes: []string{testrig.GrantClientCredentials, testrig.GrantPassword, testrig.GrantRefreshToken}})

	// client credentials: no subject, user_id is the (sanitised) client id
	cc := idp.ClientCredentialsToken(t, c, "openid")
	a := get(t, me, "Bearer oidc/testidp/"+cc.AccessToken)
	if a.status != 200 {
		t.Fatalf("client credentials /me: %d %s", a.status, a.raw)
	}
	uid, _ := a.body["user_id"].(string)
	if !userIDPattern.MatchString(uid) || uid != c.ID {
		t.Errorf("user_id %q (client %q)", uid, c.ID)
	}
	info := as[map[string]any](t, a.body["info"])
	if info["auth_method"] != "oidc" || info["oidc_provider"] != "testidp" || info["client_id"] != c.ID {
		t.Errorf("info %v", info)
	}

	// password: alice, with name and email from userinfo
	pw := idp.PasswordToken(t, c, testrig.Alice, "openid email profile offline_access")
	a = get(t, me, "Bearer oidc/testidp/"+pw.AccessToken)
	if a.status != 200 || a.body["user_id"] != "alice" || a.body["name"] != testrig.Alice.FullName || a.body["email"] != testrig.Alice.Email {
		t.Fatalf("password /me: %d %s", a.status, a.raw)
	}
	// the back-end validated both by introspection with its own client
	if n := idp.Stats(t, intro.ID).IntrospectionRequests; n != 2 {
		t.Errorf("introspection requests %d, want 2", n)
	}

	// refresh token, ID token and garbage are not access tokens
	wantError(t, get(t, me, "Bearer oidc/testidp/"+pw.RefreshToken), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer oidc/testidp/"+pw.IDToken), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer oidc/testidp/garbage"), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer oidc/other/"+pw.AccessToken), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer "+pw.AccessToken), 403, CodeAuthenticationSchemeInvalid) // JWT knob off

	// revoked at the IdP: refused at once (no cache by default)
	idp.Revoke(t, c, cc.AccessToken)
	wantError(t, get(t, me, "Bearer oidc/testidp/"+cc.AccessToken), 403, CodeTokenInvalid)
	s.SetTokenInvalidStatus(401)
	wantError(t, get(t, me, "Bearer oidc/testidp/"+cc.AccessToken), 401, CodeTokenInvalid)
}

func TestOIDCTokenExpiredAtIdP(t *testing.T) {
	t.Parallel()
	idp, s, _ := oidcBackend(t, Config{})
	c := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}, AccessTokenTTL: 1})
	tok := idp.ClientCredentialsToken(t, c, "")
	bearer := "Bearer oidc/testidp/" + tok.AccessToken
	if a := get(t, s.APIURL()+"/me", bearer); a.status != 200 {
		t.Fatalf("fresh token: %d %s", a.status, a.raw)
	}
	time.Sleep(1100 * time.Millisecond)
	wantError(t, get(t, s.APIURL()+"/me", bearer), 403, CodeTokenInvalid)
	// a new token works again; the client-credentials renewer path of a client
	if a := get(t, s.APIURL()+"/me", "Bearer oidc/testidp/"+idp.ClientCredentialsToken(t, c, "").AccessToken); a.status != 200 {
		t.Errorf("new token: %d", a.status)
	}
}

func TestOIDCMaxTokenAgeAndExpireTokens(t *testing.T) {
	t.Parallel()
	idp, s, _ := oidcBackend(t, Config{OIDCMaxTokenAge: 400 * time.Millisecond, TokenInvalidStatus: 401})
	c := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantPassword}})
	tok := idp.PasswordToken(t, c, testrig.Bob, "openid")
	bearer := "Bearer oidc/testidp/" + tok.AccessToken
	if a := get(t, s.APIURL()+"/me", bearer); a.status != 200 || a.body["user_id"] != "bob" {
		t.Fatalf("fresh token: %d %s", a.status, a.raw)
	}
	time.Sleep(500 * time.Millisecond)
	wantError(t, get(t, s.APIURL()+"/me", bearer), 401, CodeTokenInvalid)
	if idp.Introspect(t, tok.AccessToken)["active"] != true {
		t.Fatal("the IdP should still accept the token")
	}
	s.SetOIDCMaxTokenAge(0)
	if a := get(t, s.APIURL()+"/me", bearer); a.status != 200 {
		t.Errorf("max age off: %d", a.status)
	}
	s.ExpireTokens()
	wantError(t, get(t, s.APIURL()+"/me", bearer), 401, CodeTokenInvalid)
	fresh := idp.PasswordToken(t, c, testrig.Bob, "openid")
	if a := get(t, s.APIURL()+"/me", "Bearer oidc/testidp/"+fresh.AccessToken); a.status != 200 {
		t.Errorf("new token after ExpireTokens: %d", a.status)
	}
}

func TestIntrospectionCache(t *testing.T) {
	t.Parallel()
	idp, s, intro := oidcBackend(t, Config{IntrospectionCacheTTL: time.Minute})
	c := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	bearer := "Bearer oidc/testidp/" + idp.ClientCredentialsToken(t, c, "").AccessToken
	for range 3 {
		if a := get(t, s.APIURL()+"/me", bearer); a.status != 200 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
	}
	if n := idp.Stats(t, intro.ID).IntrospectionRequests; n != 1 {
		t.Errorf("introspection requests with cache: %d, want 1", n)
	}
	s.SetIntrospectionCacheTTL(0)
	for range 2 {
		get(t, s.APIURL()+"/me", bearer)
	}
	if n := idp.Stats(t, intro.ID).IntrospectionRequests; n != 3 {
		t.Errorf("introspection requests without cache: %d, want 3", n)
	}
	// the cache never outlives the token
	short := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}, AccessTokenTTL: 1})
	s.SetIntrospectionCacheTTL(time.Minute)
	sb := "Bearer oidc/testidp/" + idp.ClientCredentialsToken(t, short, "").AccessToken
	if a := get(t, s.APIURL()+"/me", sb); a.status != 200 {
		t.Fatalf("%d", a.status)
	}
	time.Sleep(1100 * time.Millisecond)
	wantError(t, get(t, s.APIURL()+"/me", sb), 403, CodeTokenInvalid)
}

func fakeJWT(iss string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"iss":"`+iss+`","sub":"x"}`)) + ".sig"
}

func TestJWTConformancePlainBearer(t *testing.T) {
	t.Parallel()
	idp, s, _ := oidcBackend(t, Config{JWTConformance: true})
	me := s.APIURL() + "/me"
	c := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantPassword}})
	tok := idp.PasswordToken(t, c, testrig.Alice, "openid")
	// opaque plain bearer, single provider: introspected there
	a := get(t, me, "Bearer "+tok.AccessToken)
	if a.status != 200 || a.body["user_id"] != "alice" || as[map[string]any](t, a.body["info"])["plain_bearer"] != true {
		t.Fatalf("plain bearer: %d %s", a.status, a.raw)
	}
	// the legacy prefix still works
	if a := get(t, me, "Bearer oidc/testidp/"+tok.AccessToken); a.status != 200 {
		t.Errorf("prefixed bearer: %d", a.status)
	}
	// a JWT is matched by iss; an ID token is not an access token
	wantError(t, get(t, me, "Bearer "+tok.IDToken), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer "+fakeJWT("http://elsewhere.example")), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer "+fakeJWT(idp.Issuer())), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer not.a-jwt.!!"), 403, CodeTokenInvalid)
	// two providers: an opaque plain token is ambiguous
	s.SetProviders([]Provider{ProviderFor("testidp", idp.Issuer()), ProviderFor("other", "http://127.0.0.1:9")})
	a = get(t, me, "Bearer "+tok.AccessToken)
	wantError(t, a, 403, CodeTokenInvalid)
	if !strings.Contains(as[string](t, a.body["message"]), "ambiguous") {
		t.Errorf("message %v", a.body["message"])
	}
	// knob off again: plain bearers are an unknown scheme
	s.SetJWTConformance(false)
	wantError(t, get(t, me, "Bearer "+tok.AccessToken), 403, CodeAuthenticationSchemeInvalid)
}

func TestFaultsWithOIDC(t *testing.T) {
	t.Parallel()
	idp, s, _ := oidcBackend(t, Config{})
	c := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	bearer := "Bearer oidc/testidp/" + idp.ClientCredentialsToken(t, c, "").AccessToken
	s.InjectFault(Fault{Path: "/me", Status: 401, Code: CodeTokenInvalid, Message: "expired"})
	wantError(t, get(t, s.APIURL()+"/me", bearer), 401, CodeTokenInvalid)
	if a := get(t, s.APIURL()+"/me", bearer); a.status != 200 {
		t.Errorf("after the fault: %d", a.status)
	}
	if s.Count("/me") != 2 {
		t.Errorf("count %d", s.Count("/me"))
	}
}
