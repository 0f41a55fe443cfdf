package flows

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

func testJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestBuildBearer(t *testing.T) {
	if got := BasicBearer("b34ba2bdf9ac9ee1"); got != "basic//b34ba2bdf9ac9ee1" {
		t.Errorf("BasicBearer = %q", got)
	}
	if got := OIDCBearer("ms", "TOKEN"); got != "oidc/ms/TOKEN" {
		t.Errorf("OIDCBearer = %q", got)
	}
	if got := BuildBearer("egi", "TOKEN", false); got != "oidc/egi/TOKEN" {
		t.Errorf("BuildBearer legacy = %q", got)
	}
	jwt := testJWT(`{"iss":"https://idp.test","exp":1900000000}`)
	if got := BuildBearer("egi", jwt, true); got != jwt {
		t.Errorf("BuildBearer jwt = %q, want the plain JWT", got)
	}
	// API 1.3 back-end, but a token it cannot find the issuer of: the
	// legacy form, which names the provider.
	for name, at := range map[string]string{
		"opaque token":  "TOKEN",
		"JWT, no iss":   testJWT(`{"sub":"alice","exp":1900000000}`),
		"JWT, iss null": testJWT(`{"iss":null}`),
		"JWT, iss \"\"": testJWT(`{"iss":""}`),
	} {
		if got := BuildBearer("egi", at, true); got != "oidc/egi/"+at {
			t.Errorf("BuildBearer(%s) = %q, want oidc/egi/<token>", name, got)
		}
	}
	if got := BuildBearer("egi", jwt, false); got != "oidc/egi/"+jwt {
		t.Errorf("BuildBearer(JWT, API < 1.3) = %q", got)
	}
}

func TestParseBearer(t *testing.T) {
	jwt := testJWT(`{"iss":"https://idp.test","exp":1900000000}`)
	tests := []struct {
		in   string
		want Bearer
	}{
		{"basic//b34ba2bdf9ac9ee1", Bearer{Format: BearerLegacy, Method: "basic", Token: "b34ba2bdf9ac9ee1"}},
		{"oidc/egi/abc/def==", Bearer{Format: BearerLegacy, Method: "oidc", ProviderID: "egi", Token: "abc/def=="}},
		{"Bearer oidc/ms/TOKEN", Bearer{Format: BearerLegacy, Method: "oidc", ProviderID: "ms", Token: "TOKEN"}},
		{"custom/foo/b666r", Bearer{Format: BearerLegacy, Method: "custom", ProviderID: "foo", Token: "b666r"}},
		{"oidc/egi/" + jwt, Bearer{Format: BearerLegacy, Method: "oidc", ProviderID: "egi", Token: jwt, Issuer: "https://idp.test", Expiry: time.Unix(1900000000, 0)}},
		{jwt, Bearer{Format: BearerJWT, Token: jwt, Issuer: "https://idp.test", Expiry: time.Unix(1900000000, 0)}},
		{"opaque-token", Bearer{Format: BearerRaw, Token: "opaque-token"}},
		{"ABC/def/ghi", Bearer{Format: BearerRaw, Token: "ABC/def/ghi"}}, // upper-case: not a method name
		{"oidc/egi/", Bearer{Format: BearerRaw, Token: "oidc/egi/"}},
		{"a.b.c", Bearer{Format: BearerRaw, Token: "a.b.c"}},
	}
	for _, tt := range tests {
		got := ParseBearer(tt.in)
		if !got.Expiry.Equal(tt.want.Expiry) {
			t.Errorf("ParseBearer(%q).Expiry = %v, want %v", tt.in, got.Expiry, tt.want.Expiry)
		}
		got.Expiry, tt.want.Expiry = time.Time{}, time.Time{}
		if got != tt.want {
			t.Errorf("ParseBearer(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, s := range []string{"basic//x", "oidc/p/t/t", jwt, "raw"} {
		if got := ParseBearer(s).String(); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
}

func TestTokenRedaction(t *testing.T) {
	tok := &Token{Bearer: "oidc/p/SECRET-AT", AccessToken: "SECRET-AT", Method: MethodRefreshToken, ProviderID: "p",
		ClientID: "c", refreshToken: "SECRET-RT", idToken: "SECRET-ID", Expiry: time.Unix(1900000000, 0)}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{tok, *tok, []any{tok}} {
			out := fmt.Sprintf(format, v)
			for _, secret := range []string{"SECRET-AT", "SECRET-RT", "SECRET-ID"} {
				if strings.Contains(out, secret) {
					t.Errorf("Sprintf(%s) = %s reveals %s", format, out, secret)
				}
			}
		}
	}
	if tok.RefreshToken() != "SECRET-RT" || tok.IDToken() != "SECRET-ID" {
		t.Error("accessors")
	}
}

func TestReadJWTClaims(t *testing.T) {
	for name, tc := range map[string]struct {
		tok  string
		want JWTClaims
		ok   bool
	}{
		"aud string": {testJWT(`{"iss":"https://ci.test","sub":"repo:o/r:ref:refs/heads/main","aud":"https://idp.test","exp":1900000000}`),
			JWTClaims{Issuer: "https://ci.test", Subject: "repo:o/r:ref:refs/heads/main", Audience: []string{"https://idp.test"}, Expiry: time.Unix(1900000000, 0)}, true},
		"aud list":   {testJWT(`{"sub":"s","aud":["a",7,"b"]}`), JWTClaims{Subject: "s", Audience: []string{"a", "b"}}, true},
		"no claims":  {testJWT(`{}`), JWTClaims{}, true},
		"opaque":     {"TOKEN", JWTClaims{}, false},
		"bad base64": {"a.b!.c", JWTClaims{}, false},
	} {
		got, ok := ReadJWTClaims(tc.tok)
		if ok != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) || !got.Expiry.Equal(tc.want.Expiry) {
			t.Errorf("%s: ReadJWTClaims = %+v, %v; want %+v, %v", name, got, ok, tc.want, tc.ok)
		}
	}
}
