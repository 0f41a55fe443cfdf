package providerdata

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// TestExplainErrorKinds: the errors of flows are told apart by their kinds
// (errors.Is / errors.As), never by words in their messages; each kind has
// its own summary and a detail that names the request and the fix.
func TestExplainErrorKinds(t *testing.T) {
	s := Settings{URL: "https://b.example", Method: MethodClientCredentials, Sources: map[string]Source{}, MaxRetries: 1}
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
		p := Explain(tc.err, s, "do it")
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
	s := Settings{URL: "https://alice:" + pw + "@b.example/openeo?key=" + pw, Method: MethodRefreshToken,
		Sources: map[string]Source{}, MaxRetries: 1}
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
		p := Explain(err, s, "do it")
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
	s := Settings{URL: "https://b.example", Method: MethodOIDC, OIDC: OIDCSettings{ClientID: "cli"},
		Sources: map[string]Source{"oidc.client_id": SourceAttribute}}
	dex := &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.example/token", Status: 400,
		Code: "invalid_request", Description: "Refresh token is invalid or has already been claimed by another client."}
	refused := &flows.RefreshTokenError{Failure: flows.RefreshRefused, Issuer: "https://idp.example", ProviderID: "egi",
		ClientID: "cli", Stored: true, Err: dex}
	cmd := "`openeo-auth oidc-auth https://b.example --client-id cli`"
	for _, err := range []error{
		&storeError{err: refused, path: "/home/u/.local/share/openeo-python-client/refresh-tokens.json"},
		&storeError{err: &flows.NeedsInteractiveLoginError{BackendURL: s.URL, Reason: "the refresh token was not accepted", Err: refused},
			path: "/home/u/.local/share/openeo-python-client/refresh-tokens.json"},
	} {
		p := Explain(err, s, "read the account")
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
	p := Explain(lost, s, "read the account")
	if p.Summary != "Refresh Token Answer Lost" || !strings.Contains(p.Detail, "was sent to the identity provider, but no answer came back") ||
		!strings.Contains(p.Detail, "not sent again") || !strings.Contains(p.Detail, cmd) || !strings.Contains(p.Detail, "refresh-tokens.json for issuer") {
		t.Errorf("lost answer: %s: %s", p.Summary, p.Detail)
	}
	for _, err := range []error{refused, lost, dex} {
		if d := Explain(err, s, "x").Detail; strings.Contains(d, "..") || strings.Contains(d, ".)") {
			t.Errorf("doubled period: %s", d)
		}
	}
}
