package flows

// Fuzz targets for every parser that reads data from the network, and for
// bearer strings. Seed corpora live in testdata/fuzz/<target>/; run one with
// e.g. `go test -run '^$' -fuzz FuzzParseTokenResponse ./internal/flows/`.

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseCapabilities(f *testing.F) {
	f.Add([]byte(`{"api_version":"1.2.0","endpoints":[{"path":"/me","methods":["GET"]}],"conformsTo":["https://api.openeo.org/1.3.0/authentication/jwt"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCapabilities(data)
		if err != nil {
			return
		}
		_ = c.SupportsEndpoint("GET", "/credentials/basic")
		_ = c.SupportsJWTBearer()
		for _, e := range c.Endpoints {
			if len(e.Methods) > 0 && !c.SupportsEndpoint(e.Methods[0], e.Path) {
				t.Fatalf("listed endpoint %v not supported", e)
			}
		}
	})
}

func FuzzParseProviders(f *testing.F) {
	f.Add([]byte(`{"providers":[{"id":"egi","issuer":"https://aai.egi.eu/oidc","title":"EGI","scopes":["openid"],"default_clients":[{"id":"c","grant_types":["refresh_token"]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseProviders(data)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.ID == "" || p.Issuer == "" || p.Title == "" {
				t.Fatalf("incomplete provider %+v", p)
			}
			_, _ = SelectClient(p, ClientSelection{Grants: GrantsRefreshAndDevice})
			_ = GuessDevicePKCE(p, "c", "")
		}
		p, _, err := SelectProvider(ps, ProviderSelection{ConfiguredIDs: []string{ps[len(ps)-1].ID}})
		if err != nil || p.ID == "" {
			t.Fatalf("SelectProvider: %v", err)
		}
	})
}

func FuzzParseProviderMetadata(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://i","token_endpoint":"https://i/token","scopes_supported":["openid","offline_access"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseProviderMetadata(data)
		if err != nil {
			return
		}
		if md.TokenEndpoint == "" {
			t.Fatal("accepted without token_endpoint")
		}
		s := ScopeString([]string{"openid", "email"}, md.ScopesSupported, true)
		if strings.Contains(s, "  ") || strings.HasPrefix(s, " ") {
			t.Fatalf("scope string %q", s)
		}
	})
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(`{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT","scope":"openid"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := ParseTokenResponse(data)
		if err != nil {
			// The error must not echo the body (it holds secrets): bound its length.
			if utf8.RuneCountInString(err.Error()) > 100 {
				t.Fatalf("long error %q", err)
			}
			return
		}
		if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
			t.Fatalf("accepted %+v", tok)
		}
		if tok.RefreshToken() != "" && strings.Contains(tok.String(), tok.RefreshToken()) && len(tok.RefreshToken()) > 12 {
			t.Fatal("String reveals the refresh token")
		}
	})
}

func FuzzParseErrorResponse(f *testing.F) {
	f.Add(403, "application/json", []byte(`{"code":"TokenInvalid","message":"expired","id":"x"}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		err := ParseErrorResponse(status, contentType, body)
		msg := err.Error()
		if msg == "" {
			t.Fatal("empty message")
		}
		var pe *PlainError
		if errors.As(err, &pe) {
			if !utf8.ValidString(pe.Body) || utf8.RuneCountInString(pe.Body) > maxExcerpt+1 {
				t.Fatalf("bad excerpt %q", pe.Body)
			}
		}
		oe := parseOIDCError(opToken, "https://idp/token", status, contentType, body, nil)
		if !utf8.ValidString(oe.Body) || utf8.RuneCountInString(oe.Body) > maxExcerpt+1 ||
			utf8.RuneCountInString(oe.Code) > maxExcerpt+1 || utf8.RuneCountInString(oe.Description) > maxExcerpt+1 {
			t.Fatalf("unbounded OIDC error %+v", oe)
		}
	})
}

func FuzzParseWellKnown(f *testing.F) {
	f.Add([]byte(`{"versions":[{"url":"https://oeo/v1","api_version":"1.2.0"},{"url":"https://oeo/v2","api_version":"2.0.0-beta","production":false}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		wk, err := ParseWellKnown(data)
		if err != nil {
			return
		}
		v, ok := wk.Select()
		if !ok {
			return
		}
		if c, okc := CompareVersions(v.APIVersion, "1.0.0"); !okc || c < 0 || v.URL == "" {
			t.Fatalf("selected %+v", v)
		}
		for _, o := range wk.Versions {
			if c, okc := CompareVersions(o.APIVersion, v.APIVersion); okc && c > 0 && o.URL != "" && (o.Production == nil || *o.Production) &&
				(v.Production == nil || *v.Production) {
				t.Fatalf("%+v is newer than selected %+v", o, v)
			}
		}
	})
}

func FuzzParseBearer(f *testing.F) {
	f.Add("oidc/egi/eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kiLCJleHAiOjE5MDAwMDAwMDB9.c2ln")
	f.Fuzz(func(t *testing.T, s string) {
		b := ParseBearer(s)
		trimmed := strings.TrimSpace(s)
		if len(trimmed) >= 7 && strings.EqualFold(trimmed[:7], "bearer ") {
			return
		}
		if got := b.String(); got != trimmed {
			t.Fatalf("round trip %q -> %q (%+v)", s, got, b)
		}
		if b.Format == BearerLegacy {
			if b.Method == "oidc" && OIDCBearer(b.ProviderID, b.Token) != trimmed {
				t.Fatal("OIDCBearer mismatch")
			}
			if b.Method == "basic" && b.ProviderID == "" && BasicBearer(b.Token) != trimmed {
				t.Fatal("BasicBearer mismatch")
			}
		}
	})
}
