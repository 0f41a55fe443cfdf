package datasources

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// TestExplainErrorKinds: the errors of flows are told apart by their kinds
// (errors.Is / errors.As), never by words in their messages; each kind has
// its own summary and a detail that names the request and the fix.
func TestExplainErrorKinds(t *testing.T) {
	s := pd.Settings{URL: "https://b.example", Method: flows.MethodClientCredentials, Sources: map[string]settings.Source{}, MaxRetries: 1}
	const oidcList = "https://b.example/openeo/1.2/credentials/oidc"
	const discovery = "https://idp.example/.well-known/openid-configuration"

	_, noProviders := flows.ParseProviders([]byte(`{"providers": []}`))
	var ce *flows.ClientError
	if !errors.As(noProviders, &ce) {
		t.Fatalf("ParseProviders: %T", noProviders)
	}
	ce.Endpoint = oidcList // as flows.Client.OIDCProviders sets it
	_, _, notListed := flows.SelectProvider([]flows.Provider{{ID: "egi"}, {ID: "google"}}, flows.ProviderSelection{ProviderID: "nope"})
	_, noClient := flows.SelectClient(flows.Provider{ID: "egi"}, flows.ClientSelection{BackendURL: "https://b.example"})
	_, noEndpoint := flows.ParseProviderMetadata([]byte(`{"issuer": "https://idp.example"}`))
	_, notJSON := flows.ParseProviderMetadata([]byte(`<html>`))
	_, badToken := flows.ParseTokenResponse([]byte(`<html>`))

	for _, tc := range []struct {
		name    string
		err     error
		summary string
		detail  string
	}{
		{"no providers", noProviders, "No OIDC Providers Listed",
			"Cannot do it: Backend lists no OIDC providers. GET " + oidcList + " lists no usable OIDC provider (none with an id " +
				"and an issuer), so no OIDC auth method can work with this back-end. Use auth_method = \"basic\" if the back-end " +
				"supports it, or ask the back-end's operator to list an OIDC provider; check GET " + oidcList + " again afterwards."},
		{"no providers, request unknown", &flows.ClientError{Message: "Backend lists no OIDC providers.", Kind: flows.ErrNoOIDCProviders},
			"No OIDC Providers Listed", "check GET /credentials/oidc of https://b.example again afterwards."},
		{"provider not listed", notListed, "OIDC Provider Not Available",
			"Cannot do it: Requested OIDC provider 'nope' not available. Should be one of ['egi', 'google']. Set " +
				"oidc.provider_id (or OPENEO_AUTH_PROVIDER_ID) to one of these ids"},
		{"no client", noClient, "Missing OIDC Client", "Set oidc.client_id (and oidc.client_secret"},
		{"no refresh token", &flows.ClientError{Message: "No refresh token given or found", Kind: flows.ErrNoRefreshToken},
			"Missing Refresh Token", "Set oidc.refresh_token, or run `openeo-auth oidc-auth https://b.example` to store one."},
		{"no basic credentials", &flows.ClientError{Message: "No username/password given or found.", Kind: flows.ErrNoCredentials},
			"Missing Basic Credentials", "or store them for https://b.example in auth-config.json."},
		{"basic unsupported", &flows.ClientError{Message: "This openEO back-end does not support basic authentication.",
			Kind: flows.ErrBasicUnsupported}, "Basic Authentication Not Supported", "Use an OIDC auth method"},
		{"discovery without token_endpoint", fmt.Errorf("wrapped: %w",
			&flows.OIDCError{Op: "obtain OIDC discovery document from", Endpoint: discovery, Err: noEndpoint}),
			"OIDC Discovery Document Incomplete",
			"Cannot do it: Failed to obtain OIDC discovery document from '" + discovery + "': discovery document has no " +
				"token_endpoint. The identity provider answered GET " + discovery + ", but its discovery document has no " +
				"token_endpoint, which every OIDC login needs. Check that the issuer URL the back-end lists"},
		{"discovery not JSON", &flows.OIDCError{Op: "obtain OIDC discovery document from", Endpoint: discovery, Err: notJSON},
			"OIDC Discovery Document Invalid", "GET " + discovery + " answered with something other than an OIDC discovery document"},
		{"token response not JSON", &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token",
			Status: 200, Err: badToken}, "OIDC Token Response Invalid",
			"Failed to retrieve access token at 'https://idp.example/token': [200] OK: token response is not a JSON object " +
				"(6 bytes). The identity provider's token endpoint (https://idp.example/token) answered, but not with an OAuth token response."},
		{"token exchange refused", fmt.Errorf("wrapped: %w", &flows.TokenExchangeError{Source: "file '/var/run/token'",
			Fix: "The identity provider did not accept the subject token: check its audience.",
			Err: &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token", Status: 400,
				Code: "invalid_grant", Description: "subject token has expired"}}), "Token Exchange Refused",
			"Cannot do it: the identity provider refused the token exchange with the subject token from file '/var/run/token' " +
				"(Failed to retrieve access token at 'https://idp.example/token': [400] invalid_grant: subject token has expired). " +
				"The identity provider did not accept the subject token: check its audience."},
		{"subject token unusable", &flows.ClientError{Message: "subject_token_file '/t' is empty: it must hold the subject token.",
			Kind: flows.ErrSubjectToken}, "Subject Token Unusable",
			"Cannot do it: subject_token_file '/t' is empty: it must hold the subject token."},
		// Words in a message no longer decide the summary.
		{"unclassified message mentioning a provider", &flows.ClientError{Message: "The provider said no."},
			"openEO Authentication Failed", "Cannot do it: The provider said no. Check the provider configuration."},
		{"unclassified message mentioning a refresh token and a username", &flows.ClientError{Message: "no username, no refresh token, no client_id"},
			"openEO Authentication Failed", "Check the provider configuration."},
		{"classified message without the usual words", &flows.ClientError{Message: "Nothing to log in with.", Kind: flows.ErrNoClientID},
			"Missing OIDC Client", "Cannot do it: Nothing to log in with. Set oidc.client_id"},
		{"OIDC error that is not about the discovery document", &flows.OIDCError{Op: "obtain OIDC discovery document from",
			Endpoint: discovery, Err: errors.New("token_endpoint went away")}, "OIDC Request Failed", "Check that the identity provider is reachable"},
	} {
		p := explain(tc.err, s, "do it")
		if p.Summary != tc.summary || !strings.Contains(p.Detail, tc.detail) {
			t.Errorf("%s:\n got %q / %q\nwant %q / ...%q...", tc.name, p.Summary, p.Detail, tc.summary, tc.detail)
		}
		if !strings.HasSuffix(p.Detail, ".") {
			t.Errorf("%s: the detail is not a full sentence: %q", tc.name, p.Detail)
		}
	}
}

// TestExplainHidesURLUserInfo: a back-end URL (or a URL in an error) with
// user info, query or fragment reaches no diagnostic with them.
func TestExplainHidesURLUserInfo(t *testing.T) {
	const pw = "url-pw-9876"
	s := pd.Settings{URL: "https://alice:" + pw + "@b.example/openeo?key=" + pw, Method: flows.MethodRefreshToken,
		Sources: map[string]settings.Source{}, MaxRetries: 1}
	for _, err := range []error{
		&flows.NeedsInteractiveLoginError{Reason: "no refresh token"},
		&flows.NeedsInteractiveLoginError{BackendURL: s.URL, Reason: "no refresh token"},
		&flows.ClientError{Message: "No username/password given or found.", Kind: flows.ErrNoCredentials},
		&flows.ClientError{Message: "No refresh token given or found", Kind: flows.ErrNoRefreshToken},
		&flows.ClientError{Message: "Backend lists no OIDC providers.", Kind: flows.ErrNoOIDCProviders},
		&flows.ClientError{Message: "Backend lists no OIDC providers.", Kind: flows.ErrNoOIDCProviders,
			Endpoint: "https://alice:" + pw + "@b.example/openeo/credentials/oidc"},
		&flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://alice:" + pw + "@idp.example/token", Status: 400, Code: "invalid_grant"},
		&flows.OIDCError{Op: "obtain OIDC discovery document from", Endpoint: "https://alice:" + pw + "@idp.example/.well-known/openid-configuration",
			Err: flows.ErrMissingTokenEndpoint},
		// An error of another package that quotes the URL as it is.
		fmt.Errorf("cannot reach %s", s.URL),
	} {
		p := explain(err, s, "do it")
		text := p.Summary + "\n" + p.Detail
		if strings.Contains(text, pw) || strings.Contains(text, "alice:") {
			t.Errorf("%T: the diagnostic shows the URL's user info: %s", err, text)
		}
		if !strings.Contains(text, "b.example/openeo") && !strings.Contains(text, "https://idp.example/") {
			t.Errorf("%T: the diagnostic lost the URL: %s", err, text)
		}
	}
}

// TestExplainRefreshToken: a refused stored refresh token (dex's
// invalid_request as well as invalid_grant), or one whose refresh got no
// answer, names the file, the entry and the exact openeo-auth command, with
// no doubled period after the identity provider's own sentence; a refused
// refresh without a person at a terminal is explained the same way.
func TestExplainRefreshToken(t *testing.T) {
	s := pd.Settings{URL: "https://b.example", Method: flows.MethodOIDC, OIDC: pd.OIDCSettings{ClientID: "cli"},
		Sources: map[string]settings.Source{"oidc.client_id": settings.SourceAttribute}}
	dex := &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token", Status: 400,
		Code: "invalid_request", Description: "Refresh token is invalid or has already been claimed by another client."}
	refused := &flows.RefreshTokenError{Failure: flows.RefreshRefused, Issuer: "https://idp.example", ProviderID: "egi",
		ClientID: "cli", Stored: true, Err: dex}
	cmd := "`openeo-auth oidc-auth https://b.example --client-id cli`"
	for _, err := range []error{
		&pd.StoreError{Err: refused, Path: "/home/u/.local/share/openeo-python-client/refresh-tokens.json"},
		&pd.StoreError{Err: &flows.NeedsInteractiveLoginError{BackendURL: s.URL, Reason: "the refresh token was not accepted", Err: refused},
			Path: "/home/u/.local/share/openeo-python-client/refresh-tokens.json"},
	} {
		p := explain(err, s, "read the account")
		want := "Cannot read the account: the identity provider refused the refresh token stored in " +
			"/home/u/.local/share/openeo-python-client/refresh-tokens.json for issuer 'https://idp.example' and client 'cli' " +
			"(Failed to retrieve access token at 'https://idp.example/token': [400] invalid_request: Refresh token is invalid or " +
			"has already been claimed by another client). The refresh token is no longer valid: another program rotated it, " +
			"or it was revoked or has expired. Run " + cmd + " in a terminal to log in again and store a new refresh token, " +
			"then run Terraform again."
		if p.Summary != "Stored Refresh Token No Longer Valid" || p.Detail != want {
			t.Errorf("%T:\n got %s: %s\nwant %s", err, p.Summary, p.Detail, want)
		}
	}
	lost := &flows.RefreshTokenError{Failure: flows.RefreshAnswerLost, Issuer: "https://idp.example", ClientID: "cli", Stored: true,
		Err: &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token", Err: errors.New("EOF")}}
	p := explain(lost, s, "read the account")
	if p.Summary != "Refresh Token Answer Lost" || !strings.Contains(p.Detail, "was sent to the identity provider, but no answer came back") ||
		!strings.Contains(p.Detail, "not sent again") || !strings.Contains(p.Detail, cmd) || !strings.Contains(p.Detail, "refresh-tokens.json for issuer") {
		t.Errorf("lost answer: %s: %s", p.Summary, p.Detail)
	}
	for _, err := range []error{refused, lost, dex} {
		if d := explain(err, s, "x").Detail; strings.Contains(d, "..") || strings.Contains(d, ".)") {
			t.Errorf("doubled period: %s", d)
		}
	}
}

func TestExplain(t *testing.T) {
	s := pd.Settings{URL: "https://b.example", Method: flows.MethodClientCredentials, OIDC: pd.OIDCSettings{ClientSecret: "s3cr3t-value"},
		Sources: map[string]settings.Source{}, MaxRetries: 1}
	for _, tc := range []struct {
		err     error
		summary string
		detail  string
	}{
		{&pd.NotReadyError{Fields: []string{"url"}}, "Provider Configuration Not Yet Known", "`url`"},
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
		p := explain(tc.err, s, "do it")
		if p.Summary != tc.summary || !strings.Contains(p.Detail, tc.detail) || strings.Contains(p.Detail, "s3cr3t-value") {
			t.Errorf("%T: got %q / %q", tc.err, p.Summary, p.Detail)
		}
		if !strings.HasSuffix(strings.TrimSpace(p.Detail), ".") && !strings.HasSuffix(strings.TrimSpace(p.Detail), ")") {
			t.Errorf("%T: the detail is not a full sentence: %q", tc.err, p.Detail)
		}
	}
	// Basic credentials refused: the request is named too.
	s.Method = flows.MethodBasic
	p := explain(&flows.APIError{Status: 403, Code: "CredentialsInvalid", Message: "Credentials are not correct.",
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
		s        pd.Settings
		selected string
		want     string
	}{
		{"nothing set", pd.Settings{}, "egi", "openeo-auth oidc-auth https://b.example"},
		{"client from the environment", pd.Settings{OIDC: pd.OIDCSettings{ClientID: "ci-client", ClientSecret: "env-secret"},
			Sources: map[string]settings.Source{"oidc.client_id": settings.SourceEnv, "oidc.client_secret": settings.SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example --client-id ci-client"},
		{"attributes", pd.Settings{OIDC: pd.OIDCSettings{ProviderID: "egi", ClientID: "my client", ClientSecret: "s3cr3t"},
			Sources: map[string]settings.Source{"oidc.provider_id": settings.SourceAttribute, "oidc.client_id": settings.SourceAttribute,
				"oidc.client_secret": settings.SourceAttribute}}, "egi",
			"openeo-auth oidc-auth https://b.example --provider-id egi --client-id 'my client' --client-secret-stdin"},
		{"listed provider from the environment", pd.Settings{OIDC: pd.OIDCSettings{ProviderID: "egi"},
			Sources: map[string]settings.Source{"oidc.provider_id": settings.SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example --provider-id egi"},
		{"unlisted provider from the environment (ignored, as by the provider)", pd.Settings{OIDC: pd.OIDCSettings{ProviderID: "nope"},
			Sources: map[string]settings.Source{"oidc.provider_id": settings.SourceEnv}}, "egi",
			"openeo-auth oidc-auth https://b.example"},
		{"default files", pd.Settings{AuthConfigPath: cfgHome, RefreshTokenStorePath: cfgHome + "/refresh-tokens.json"}, "",
			"openeo-auth oidc-auth https://b.example"},
		{"other files", pd.Settings{AuthConfigPath: dir + "/it's.json", RefreshTokenStorePath: dir}, "",
			"openeo-auth oidc-auth https://b.example --auth-config '" + dir + "/it'\\''s.json' --refresh-tokens " + dir + "/refresh-tokens.json"},
	} {
		if got := oidcAuthCommand(tc.s, be, tc.selected); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}

	// The errors name it.
	s := pd.Settings{URL: be, Method: flows.MethodOIDC, OIDC: pd.OIDCSettings{ClientID: "ci-client"},
		Sources: map[string]settings.Source{"oidc.client_id": settings.SourceEnv}, RefreshTokenStorePath: dir}
	want := "`openeo-auth oidc-auth https://b.example --client-id ci-client --refresh-tokens " + dir + "/refresh-tokens.json`"
	for _, err := range []error{
		&flows.NeedsInteractiveLoginError{BackendURL: be, ProviderID: "egi", ClientID: "ci-client", Reason: "no refresh token"},
		&flows.OIDCError{Op: "retrieve access token", Code: "invalid_grant"},
		&flows.ClientError{Message: "No refresh token given or found", Kind: flows.ErrNoRefreshToken},
	} {
		if p := explain(err, s, "do it"); !strings.Contains(p.Detail, want) {
			t.Errorf("%T: %s", err, p.Detail)
		}
	}
}

// TestExplainHidesFileSecrets: secrets read from the auth files when the
// provider was configured are scrubbed from diagnostics like configured ones.
func TestExplainHidesFileSecrets(t *testing.T) {
	secrets := []string{"file-Pw/+1", "file-Cs&<2>", "1//file-rt-3"}
	s := pd.Settings{URL: "https://be.test", FileSecrets: secrets}
	var text strings.Builder
	for _, sec := range secrets {
		text.WriteString("echo: " + sec + " " + url.QueryEscape(sec) + "\n")
	}
	p := explain(errors.New(text.String()), s, "read the openEO account")
	for _, sec := range secrets {
		if strings.Contains(p.Summary+p.Detail, sec) || strings.Contains(p.Summary+p.Detail, url.QueryEscape(sec)) {
			t.Errorf("the diagnostic shows %q…: %s", sec[:4], p.Detail)
		}
	}
	if !strings.Contains(p.Detail, "echo: <redacted>") {
		t.Errorf("the detail lost the message: %s", p.Detail)
	}
}

// TestExplainTokenExchangeClientAssertion: a token exchange whose client
// assertion the identity provider rejects names the assertion to check, not
// the grant; without an assertion the exchange's own fix stays.
func TestExplainTokenExchangeClientAssertion(t *testing.T) {
	refused := &flows.TokenExchangeError{Source: "GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)",
		Fix: "Client 'c' may not use the token exchange grant, or its authentication failed.",
		Err: &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token", Status: 401,
			Code: "invalid_client", Description: "invalid client assertion"}}
	s := pd.Settings{URL: "https://b.example", Method: flows.MethodTokenExchange, Sources: map[string]settings.Source{}}
	p := explain(refused, s, "do it")
	if p.Summary != "Token Exchange Refused" || !strings.HasSuffix(p.Detail, "its authentication failed.") {
		t.Errorf("without an assertion: %q / %q", p.Summary, p.Detail)
	}
	s.OIDC.Keyless.ClientAssertion = &flows.ClientAssertion{JWT: "eyJ.a.b"}
	p = explain(refused, s, "do it")
	if p.Summary != "Token Exchange Refused" || !strings.Contains(p.Detail, "from GitHub Actions") ||
		!strings.Contains(p.Detail, "Check oidc.client_id and "+settings.OIDCClientAssertion) ||
		strings.Contains(p.Detail, "may not use the token exchange grant") {
		t.Errorf("with a ready-made assertion: %q / %q", p.Summary, p.Detail)
	}
}

func TestRefreshTokenWarning(t *testing.T) {
	s := pd.Settings{URL: "https://b.example", Method: flows.MethodOIDC, OIDC: pd.OIDCSettings{RefreshTokenWarning: 72 * time.Hour}}
	n := pd.RefreshTokenNotice{ExpiresAt: time.Date(2026, 12, 5, 8, 30, 0, 0, time.FixedZone("CET", 3600)),
		Issuer: "https://idp.example/realms/openeo", ProviderID: "egi", ClientID: "my-client", StorePath: "/home/u/refresh-tokens.json"}
	summary, detail := refreshTokenWarning(n, s)
	if want := "Stored Refresh Token Expires Soon"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	for _, want := range []string{
		`The refresh token stored for the issuer https://idp.example/realms/openeo and the client "my-client" ` +
			`(in /home/u/refresh-tokens.json) expires at 2026-12-05T07:30:00Z, within oidc.refresh_token_warning (72h).`,
		"Log in again before then, e.g. with `openeo-auth oidc-auth https://b.example` in a terminal,",
		`or raise oidc.refresh_token_warning ("0" turns this warning off).`,
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}

	n.Expired = true
	summary, detail = refreshTokenWarning(n, s)
	if want := "Stored Refresh Token Has Expired"; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	for _, want := range []string{
		`The refresh token stored for the issuer https://idp.example/realms/openeo and the client "my-client" ` +
			`(in /home/u/refresh-tokens.json) expired at 2026-12-05T07:30:00Z`,
		"the provider cannot log in with it any more. Log in again, e.g. with `openeo-auth oidc-auth https://b.example`",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, detail)
		}
	}
}
