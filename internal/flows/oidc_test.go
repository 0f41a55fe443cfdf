package flows

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestScopeString(t *testing.T) {
	tests := []struct {
		name      string
		backend   []string
		supported []string
		refresh   bool
		extra     []string
		want      string
	}{
		// Cases of the Python client's test_provider_info_scopes and
		// test_provider_info_get_scopes_string_refresh_token_offline_access.
		{"no scopes_supported keeps only openid", []string{"openid", "email", "df"}, nil, false, nil, "openid"},
		{"backend scopes none", nil, nil, false, nil, "openid"},
		{"custom scope supported", []string{"df"}, []string{"openid", "df"}, false, nil, "df openid"},
		{"unsupported backend scope dropped", []string{"openid", "email", "df"}, []string{"openid", "df"}, false, nil, "df openid"},
		{"offline_access when wanted and supported", nil, []string{"openid", "offline_access"}, true, nil, "offline_access openid"},
		{"offline_access not wanted", nil, []string{"openid", "offline_access"}, false, nil, "openid"},
		{"offline_access wanted but unsupported", nil, []string{"openid"}, true, nil, "openid"},
		{"offline_access wanted, no scopes_supported", nil, nil, true, nil, "openid"},
		{"sorted", []string{"zeta", "email", "alpha"}, []string{"openid", "email", "alpha", "zeta", "offline_access"}, true, nil, "alpha email offline_access openid zeta"},
		{"empty scopes_supported list", []string{"email"}, []string{}, true, nil, ""},
		{"extra scopes added after intersection", []string{"email"}, []string{"openid"}, false, []string{"custom", " "}, "custom openid"},
		{"duplicates collapse", []string{"openid", "openid"}, []string{"openid"}, false, []string{"openid"}, "openid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ScopeString(tt.backend, tt.supported, tt.refresh, tt.extra...); got != tt.want {
				t.Errorf("ScopeString = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSelectProviderTable(t *testing.T) {
	providers := []Provider{{ID: "oidc1"}, {ID: "oidc2"}, {ID: "oidc3"}, {ID: "oidc4"}}
	// The table of §2.2 (test_authenticate_oidc_*_multiple_provider_resolution).
	tests := []struct {
		arg, env string
		config   []string
		want     string
	}{
		{"", "", nil, "oidc1"},
		{"oidc2", "", nil, "oidc2"},
		{"", "oidc2", nil, "oidc2"},
		{"", "", []string{"oidc2"}, "oidc2"},
		{"oidc2", "oidc3", []string{"oidc4"}, "oidc2"},
		{"", "oidc3", []string{"oidc4"}, "oidc3"},
		// More rules: an env id that is not listed is ignored; several
		// config ids among the listed ones mean "first"; config ids that
		// are not listed do not count.
		{"", "nope", []string{"oidc4"}, "oidc4"},
		{"", "", []string{"oidc2", "oidc3"}, "oidc1"},
		{"", "", []string{"gone", "oidc3"}, "oidc3"},
		{"", "", []string{"oidc3", "oidc3"}, "oidc3"},
	}
	for _, tt := range tests {
		p, reason, err := SelectProvider(providers, ProviderSelection{ProviderID: tt.arg, FallbackProviderID: tt.env, ConfiguredIDs: tt.config})
		if err != nil || p.ID != tt.want {
			t.Errorf("arg=%q env=%q config=%v: got %q (%s), %v; want %q", tt.arg, tt.env, tt.config, p.ID, reason, err, tt.want)
		}
	}
	single := []Provider{{ID: "only"}}
	if p, _, _ := SelectProvider(single, ProviderSelection{FallbackProviderID: "other", ConfiguredIDs: []string{"x"}}); p.ID != "only" {
		t.Errorf("single provider: got %q", p.ID)
	}
}

func TestSelectProviderErrors(t *testing.T) {
	_, _, err := SelectProvider([]Provider{{ID: "a"}, {ID: "b"}}, ProviderSelection{ProviderID: "x"})
	if err == nil || err.Error() != "Requested OIDC provider 'x' not available. Should be one of ['a', 'b']." {
		t.Errorf("err = %v", err)
	}
	_, _, err = SelectProvider(nil, ProviderSelection{})
	if err == nil || err.Error() != "Backend lists no OIDC providers." {
		t.Errorf("err = %v", err)
	}
}

func TestSelectClient(t *testing.T) {
	p := Provider{ID: "egi", DefaultClients: []DefaultClient{
		{ID: "implicit-only", GrantTypes: []string{"implicit"}},
		{ID: "", GrantTypes: []string{GrantDeviceCode, GrantRefreshToken}},
		{ID: "no-grants"},
		{ID: "pkce-device", GrantTypes: []string{GrantDeviceCodePKCE, "bogus-grant"}},
		{ID: "full", GrantTypes: []string{GrantRefreshToken, GrantDeviceCodePKCE}},
	}}
	tests := []struct {
		name       string
		sel        ClientSelection
		wantID     string
		wantSecret string
		wantSource ClientSource
		wantErr    string
	}{
		{"argument wins", ClientSelection{ClientID: "arg", ClientSecret: "s", ConfiguredID: "cfg", ConfiguredFound: true, Grants: GrantsDevice},
			"arg", "s", ClientFromArgument, ""},
		{"env source kept", ClientSelection{ClientID: "env", ClientSecret: "s", ExplicitSource: ClientFromEnvironment}, "env", "s", ClientFromEnvironment, ""},
		{"auth-config replaces secret", ClientSelection{ClientSecret: "arg-secret", ConfiguredID: "cfg", ConfiguredSecret: "cfg-secret", ConfiguredFound: true},
			"cfg", "cfg-secret", ClientFromAuthConfig, ""},
		{"auth-config null client id is absent", ClientSelection{ConfiguredFound: true, Grants: GrantsDevice}, "pkce-device", "", ClientFromDefaultClient, ""},
		{"device: first matching default client", ClientSelection{Grants: GrantsDevice}, "pkce-device", "", ClientFromDefaultClient, ""},
		{"refresh+device (issue #530)", ClientSelection{Grants: GrantsRefreshAndDevice}, "full", "", ClientFromDefaultClient, ""},
		{"refresh only", ClientSelection{Grants: GrantsRefresh}, "full", "", ClientFromDefaultClient, ""},
		{"client credentials never uses default clients", ClientSelection{BackendURL: "https://oeo.test/"}, "", "", "",
			"No client_id found. Tried: no client_id given; no client for provider 'egi' in auth-config.json for 'https://oeo.test'; this method does not use the back-end's default clients."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := SelectClient(p, tt.sel)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.ID != tt.wantID || c.Secret != tt.wantSecret || c.Source != tt.wantSource {
				t.Errorf("got %+v, %v", c, err)
			}
		})
	}
	// The error names what was looked at.
	_, err := SelectClient(Provider{ID: "p", DefaultClients: []DefaultClient{{ID: "dev", GrantTypes: []string{GrantDeviceCodePKCE}}}},
		ClientSelection{Grants: GrantsRefreshAndDevice, BackendURL: "https://oeo.test"})
	if err == nil || !strings.HasPrefix(err.Error(), "No client_id found.") ||
		!strings.Contains(err.Error(), "'dev' ['urn:ietf:params:oauth:grant-type:device_code+pkce']") ||
		!strings.Contains(err.Error(), "refresh_token and (device_code or device_code+pkce)") {
		t.Errorf("err = %v", err)
	}
	_, err = SelectClient(Provider{ID: "p"}, ClientSelection{Grants: GrantsDevice})
	if err == nil || !strings.Contains(err.Error(), "provider 'p' lists no default clients") {
		t.Errorf("err = %v", err)
	}
}

func TestGuessDevicePKCE(t *testing.T) {
	p := Provider{DefaultClients: []DefaultClient{
		{ID: "pkce", GrantTypes: []string{GrantDeviceCodePKCE}},
		{ID: "plain", GrantTypes: []string{GrantDeviceCode}},
	}}
	tests := []struct {
		id, secret string
		want       bool
	}{
		{"pkce", "", true},
		{"pkce", "secret", false}, // a secret means no PKCE
		{"plain", "", false},
		{"unknown", "", false},
	}
	for _, tt := range tests {
		if got := GuessDevicePKCE(p, tt.id, tt.secret); got != tt.want {
			t.Errorf("GuessDevicePKCE(%q, %q) = %v", tt.id, tt.secret, got)
		}
	}
}

func TestPKCE(t *testing.T) {
	a, b := NewPKCE(), NewPKCE()
	sum := sha256.Sum256([]byte(a.Verifier))
	// RFC 7636 §4.1 and §4.2: 43 to 128 unreserved characters; the
	// challenge is the base64url SHA-256 of the verifier, without padding.
	if n := len(a.Verifier); n < 43 || n > 128 || a.Verifier == b.Verifier || a.Method != "S256" ||
		a.Challenge != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("bad PKCE %+v", a)
	}
	for _, c := range a.Verifier {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", c) {
			t.Errorf("verifier has %q", c)
		}
	}
}

func TestParseProviderMetadata(t *testing.T) {
	md, err := ParseProviderMetadata([]byte(`{"issuer":"https://i","token_endpoint":"https://i/t","scopes_supported":["openid","email"]}`))
	if err != nil || md.TokenEndpoint != "https://i/t" || len(md.ScopesSupported) != 2 {
		t.Fatalf("%+v %v", md, err)
	}
	md, _ = ParseProviderMetadata([]byte(`{"token_endpoint":"https://i/t"}`))
	if md.ScopesSupported != nil {
		t.Error("missing scopes_supported must stay nil")
	}
	md, _ = ParseProviderMetadata([]byte(`{"token_endpoint":"https://i/t","scopes_supported":[]}`))
	if md.ScopesSupported == nil || len(md.ScopesSupported) != 0 {
		t.Error("empty scopes_supported must be an empty list")
	}
	if _, err := ParseProviderMetadata([]byte(`{"issuer":"https://i"}`)); err == nil || !strings.Contains(err.Error(), "no token_endpoint") {
		t.Errorf("err = %v", err)
	}
	if _, err := ParseProviderMetadata([]byte(`<html>`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("err = %v", err)
	}
	if got := DiscoveryURL("https://aai.egi.eu/oidc/"); got != "https://aai.egi.eu/oidc/.well-known/openid-configuration" {
		t.Errorf("DiscoveryURL = %q", got)
	}
}
