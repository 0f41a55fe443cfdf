package providerdata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestCheckBasicTransport(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://openeo.example": true, "http://127.0.0.1:8080": true, "http://localhost": true,
		"http://[::1]:1": true, "http://openeo.example": false, "HTTP://10.0.0.1": false,
		// *.localhost names go through DNS: they could point anywhere.
		"http://api.localhost": false, "http://evil.example.localhost:8080": false, "http://LOCALHOST:1": true,
		"http://127.1.2.3": true, "http://localhost.": false,
	} {
		if err := CheckBasicTransport(u); (err == nil) != ok {
			t.Errorf("%s: err = %v", u, err)
		}
	}
}

func TestSettingsCheck(t *testing.T) {
	for _, tc := range []struct {
		s    Settings
		want string
	}{
		{Settings{}, "Missing openEO Back-End URL"},
		{Settings{URL: "https://x", Method: MethodPassword, OIDC: OIDCSettings{Username: "u"}}, "oidc.password (or OPENEO_AUTH_PASSWORD)"},
		{Settings{URL: "https://x", Method: MethodAccessToken}, "oidc.access_token"},
		{Settings{URL: "https://x", Method: MethodBearer}, "bearer_token"},
		{Settings{URL: "https://x", Method: MethodBasic}, ""},
	} {
		err := tc.s.Check()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.s, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.s, err, tc.want)
		}
	}
}

func TestClientBuildsOneSession(t *testing.T) {
	var built atomic.Int32
	c := New(Settings{URL: "https://x", Method: MethodNone}, func(context.Context, Settings) (Session, error) {
		built.Add(1)
		return nil, nil
	})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Session(t.Context()) }()
	}
	wg.Wait()
	if built.Load() != 1 {
		t.Errorf("built %d sessions", built.Load())
	}
	// Unknown values: no session at all.
	c = New(Settings{URL: "https://x", Unknown: []string{"url"}}, func(context.Context, Settings) (Session, error) {
		t.Fatal("factory called")
		return nil, nil
	})
	var nr *NotReadyError
	if _, err := c.Session(t.Context()); !errors.As(err, &nr) || nr.Fields[0] != "url" {
		t.Errorf("got %v", err)
	}
}

func TestExplain(t *testing.T) {
	s := Settings{URL: "https://b.example", Method: MethodClientCredentials, OIDC: OIDCSettings{ClientSecret: "s3cr3t-value"},
		Sources: map[string]Source{}, MaxRetries: 1}
	for _, tc := range []struct {
		err     error
		summary string
		detail  string
	}{
		{&NotReadyError{Fields: []string{"url"}}, "Provider Configuration Not Yet Known", "`url`"},
		{&flows.NeedsInteractiveLoginError{BackendURL: "https://b.example", Reason: "no refresh token"},
			"Interactive OIDC Login Required", "`openeo-auth oidc-auth https://b.example`"},
		{&flows.OIDCError{Op: "retrieve access token", Endpoint: "https://idp/token", Status: 401, Code: "invalid_client",
			Description: "bad secret s3cr3t-value"}, "OIDC Client Authentication Failed", "<redacted>"},
		{&flows.TransportError{Method: "GET", URL: "https://b.example/", Err: errors.New("refused")}, "openEO Back-End Unreachable", "request_timeout"},
		{&flows.ClientError{Message: "No client_id found.", Kind: flows.ErrNoClientID}, "Missing OIDC Client", "OPENEO_AUTH_CLIENT_ID"},
		{&flows.APIError{Status: 500, Code: "Internal", Message: "boom"}, "openEO Back-End Error", "[500] Internal: boom"},
		// Error answers name the request; one summary per kind of answer.
		{&flows.APIError{Status: 500, Code: "Internal", Message: "boom", ID: "r-7", Method: "GET", Endpoint: "https://b.example/openeo/1.2/me", Attempts: 1},
			"openEO Back-End Error", "GET https://b.example/openeo/1.2/me answered [500] Internal: boom (ref: r-7). The back-end or a proxy"},
		{&flows.PlainError{Status: 502, Body: "502 Bad Gateway nginx", Method: "GET", Endpoint: "https://b.example/openeo/1.2/credentials/oidc", Attempts: 4},
			"openEO Back-End Error", "Cannot do it: GET https://b.example/openeo/1.2/credentials/oidc answered [502] Bad Gateway: 502 Bad Gateway nginx (after 4 attempts). "},
		{&flows.APIError{Status: 429, Code: "TooManyRequests", Message: "slow down", Method: "GET", Endpoint: "https://b.example/openeo/1.2/me", Attempts: 2},
			"openEO Back-End Busy", "GET https://b.example/openeo/1.2/me answered [429] TooManyRequests: slow down (after 2 attempts). The back-end limits"},
		{&flows.PlainError{Status: 429, Method: "GET", Endpoint: "https://b.example/openeo/1.2/me", Attempts: 2},
			"openEO Back-End Busy", "raise max_retries (now 1)"},
		{&flows.PlainError{Status: 404, Body: "Not Found", Method: "GET", Endpoint: "https://b.example/openeo/1.2/credentials/oidc", Attempts: 1},
			"openEO Back-End Error", "GET https://b.example/openeo/1.2/credentials/oidc answered [404] Not Found: Not Found. Check the back-end URL"},
		{fmt.Errorf("wrapped: %w", &flows.TransportError{Method: "GET", URL: "https://b.example/openeo/1.2/credentials/oidc", Attempts: 1, Status: 200, Err: io.ErrUnexpectedEOF}),
			"openEO Back-End Answer Incomplete", "GET https://b.example/openeo/1.2/credentials/oidc: reading the body of the [200] response: unexpected EOF. The answer broke off"},
		{&flows.TransportError{Method: "GET", URL: "https://b.example/openeo/1.2/me", Attempts: 1, Status: 200, Err: io.ErrUnexpectedEOF},
			"openEO Back-End Answer Incomplete", "GET https://b.example/openeo/1.2/me: reading"},
	} {
		p := Explain(tc.err, s, "do it")
		if p.Summary != tc.summary || !strings.Contains(p.Detail, tc.detail) || strings.Contains(p.Detail, "s3cr3t-value") {
			t.Errorf("%T: got %q / %q", tc.err, p.Summary, p.Detail)
		}
		if !strings.HasSuffix(strings.TrimSpace(p.Detail), ".") && !strings.HasSuffix(strings.TrimSpace(p.Detail), ")") {
			t.Errorf("%T: the detail is not a full sentence: %q", tc.err, p.Detail)
		}
	}
	// Basic credentials refused: the request is named too.
	s.Method = MethodBasic
	p := Explain(&flows.APIError{Status: 403, Code: "CredentialsInvalid", Message: "Credentials are not correct.",
		Method: "GET", Endpoint: "https://b.example/openeo/1.2/credentials/basic", Attempts: 1}, s, "do it")
	if p.Summary != "Basic Authentication Failed" ||
		!strings.Contains(p.Detail, "(GET https://b.example/openeo/1.2/credentials/basic answered [403] CredentialsInvalid: Credentials are not correct.). Check the user name") {
		t.Errorf("basic: got %q / %q", p.Summary, p.Detail)
	}
}

// TestOIDCAuthCommand: the command named in the errors of the oidc methods
// stores the refresh token of exactly the provider and client (and in the
// files) that this provider instance uses.
func TestOIDCAuthCommand(t *testing.T) {
	cfgHome := t.TempDir()
	t.Setenv("OPENEO_CONFIG_HOME", cfgHome)
	dir := t.TempDir()
	const be = "https://b.example"
	for _, tc := range []struct {
		name     string
		s        Settings
		selected string
		want     string
	}{
		{"nothing set", Settings{}, "egi", "openeo-auth oidc-auth https://b.example"},
		{"client from the environment", Settings{OIDC: OIDCSettings{ClientID: "ci-client", ClientSecret: "env-secret"},
			Sources: map[string]Source{"oidc.client_id": SourceEnv, "oidc.client_secret": SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example --client-id ci-client"},
		{"attributes", Settings{OIDC: OIDCSettings{ProviderID: "egi", ClientID: "my client", ClientSecret: "s3cr3t"},
			Sources: map[string]Source{"oidc.provider_id": SourceAttribute, "oidc.client_id": SourceAttribute,
				"oidc.client_secret": SourceAttribute}}, "egi",
			"openeo-auth oidc-auth https://b.example --provider-id egi --client-id 'my client' --client-secret-stdin"},
		{"listed provider from the environment", Settings{OIDC: OIDCSettings{ProviderID: "egi"},
			Sources: map[string]Source{"oidc.provider_id": SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example --provider-id egi"},
		{"unlisted provider from the environment (ignored, as by the provider)", Settings{OIDC: OIDCSettings{ProviderID: "nope"},
			Sources: map[string]Source{"oidc.provider_id": SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example"},
		{"default files", Settings{AuthConfigPath: cfgHome, RefreshTokenStorePath: cfgHome + "/refresh-tokens.json"}, "",
			"openeo-auth oidc-auth https://b.example"},
		{"other files", Settings{AuthConfigPath: dir + "/it's.json", RefreshTokenStorePath: dir}, "",
			"openeo-auth oidc-auth https://b.example --auth-config '" + dir + "/it'\\''s.json' --refresh-tokens " + dir + "/refresh-tokens.json"},
	} {
		if got := tc.s.OIDCAuthCommand(be, tc.selected); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}

	// The errors name it.
	s := Settings{URL: be, Method: MethodOIDC, OIDC: OIDCSettings{ClientID: "ci-client"},
		Sources: map[string]Source{"oidc.client_id": SourceEnv}, RefreshTokenStorePath: dir}
	want := "`openeo-auth oidc-auth https://b.example --client-id ci-client --refresh-tokens " + dir + "/refresh-tokens.json`"
	for _, err := range []error{
		&flows.NeedsInteractiveLoginError{BackendURL: be, ProviderID: "egi", ClientID: "ci-client", Reason: "no refresh token"},
		&flows.OIDCError{Op: "retrieve access token", Code: "invalid_grant"},
		&flows.ClientError{Message: "No refresh token given or found", Kind: flows.ErrNoRefreshToken},
	} {
		if p := Explain(err, s, "do it"); !strings.Contains(p.Detail, want) {
			t.Errorf("%T: %s", err, p.Detail)
		}
	}
}
