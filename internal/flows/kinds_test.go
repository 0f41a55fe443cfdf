package flows

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// kinds are the sentinels callers classify errors with; each error below must
// match exactly one of them.
var kinds = []error{
	ErrNoOIDCProviders, ErrProviderNotAvailable, ErrNoClientID, ErrNoRefreshToken, ErrNoCredentials,
	ErrBasicUnsupported, ErrMissingTokenEndpoint, ErrInvalidDiscoveryDocument, ErrInvalidTokenResponse,
}

func checkKind(t *testing.T, name string, err, kind error, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", name)
	}
	if err.Error() != text {
		t.Errorf("%s: text %q, want %q", name, err.Error(), text)
	}
	for _, k := range kinds {
		if got, want := errors.Is(err, k), errors.Is(k, kind); got != want {
			t.Errorf("%s: errors.Is(err, %q) = %v, want %v", name, k, got, want)
		}
	}
}

// TestErrorKinds: every classified failure keeps its message (the Python
// client's, where it has one) and matches its sentinel with errors.Is.
func TestErrorKinds(t *testing.T) {
	_, err := ParseProviders([]byte(`{"providers":[]}`))
	checkKind(t, "empty provider list", err, ErrNoOIDCProviders, "Backend lists no OIDC providers.")
	_, _, err = SelectProvider(nil, ProviderSelection{})
	checkKind(t, "no provider to select", err, ErrNoOIDCProviders, "Backend lists no OIDC providers.")

	_, _, err = SelectProvider([]Provider{{ID: "a"}, {ID: "b"}}, ProviderSelection{ProviderID: "x"})
	checkKind(t, "unlisted provider", err, ErrProviderNotAvailable, "Requested OIDC provider 'x' not available. Should be one of ['a', 'b'].")
	var pe *ProviderNotAvailableError
	if !errors.As(err, &pe) || pe.ProviderID != "x" || strings.Join(pe.Available, ",") != "a,b" {
		t.Errorf("unlisted provider: errors.As gives %+v", pe)
	}
	var ce *ClientError
	if !errors.As(err, &ce) {
		t.Errorf("unlisted provider: not a *ClientError: %T", err)
	}

	_, err = SelectClient(Provider{ID: "p"}, ClientSelection{BackendURL: "https://oeo.test"})
	checkKind(t, "no client", err, ErrNoClientID, "No client_id found. Tried: no client_id given; no client for provider 'p' "+
		"in auth-config.json for 'https://oeo.test'; this method does not use the back-end's default clients.")

	f := newFakeIdP(t)
	c := NewClient(fastHTTP())
	_, err = c.RefreshTokenGrant(t.Context(), grantConfigFor(f, ""), "")
	checkKind(t, "no refresh token", err, ErrNoRefreshToken, "No refresh token given or found")
	g := grantConfigFor(f, "")
	g.ClientID = ""
	_, err = c.ClientCredentialsGrant(t.Context(), g, "openid")
	checkKind(t, "grant without client", err, ErrNoClientID, "No client_id found.")

	_, err = ParseProviderMetadata([]byte(`{"issuer":"https://i"}`))
	checkKind(t, "no token_endpoint", err, ErrMissingTokenEndpoint, "discovery document has no token_endpoint")
	_, err = ParseProviderMetadata([]byte(`<html>`))
	checkKind(t, "discovery not JSON", err, ErrInvalidDiscoveryDocument,
		"discovery document is not valid JSON: invalid character '<' looking for beginning of value")
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		t.Errorf("discovery not JSON: the JSON error is not wrapped: %v", err)
	}

	for doc, text := range map[string]string{
		`<html>`:                  "token response is not a JSON object (6 bytes)",
		`{"token_type":"Bearer"}`: "token response has no access_token",
		`{"access_token":"at-secret","token_type":"mac"}`: "Unsupported token_type='mac'",
	} {
		_, err = ParseTokenResponse([]byte(doc))
		checkKind(t, "token response "+doc, err, ErrInvalidTokenResponse, text)
	}
}

// TestErrorKindsOverHTTP: the kinds survive the requests that produce them,
// and the errors name the request.
func TestErrorKindsOverHTTP(t *testing.T) {
	ctx := t.Context()
	b := newFakeBackend(t)
	c := NewClient(fastHTTP())

	// An empty provider list names GET /credentials/oidc.
	_, err := c.OIDCProviders(ctx, b.root())
	checkKind(t, "OIDCProviders", err, ErrNoOIDCProviders, "Backend lists no OIDC providers.")
	var ce *ClientError
	if !errors.As(err, &ce) || ce.Endpoint != b.root()+"/credentials/oidc" {
		t.Errorf("OIDCProviders: Endpoint %q, want %q", ce.Endpoint, b.root()+"/credentials/oidc")
	}
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, OIDC: OIDCSettings{ClientID: "c", ClientSecret: "s"}})
	_, err = s.Token(ctx)
	if !errors.As(err, &ce) || !errors.Is(err, ErrNoOIDCProviders) || ce.Endpoint != b.root()+"/credentials/oidc" {
		t.Errorf("session: %v (endpoint %q)", err, ce.Endpoint)
	}

	// Basic: nothing given, then no support.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, AuthConfig: &mapAuthConfig{}})
	_, err = s.Token(ctx)
	checkKind(t, "basic without credentials", err, ErrNoCredentials, "No username/password given or found.")
	b.noBasic = true
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, Basic: BasicCredentials{Username: "john", Password: "j0hn-secret"}})
	_, err = s.Token(ctx)
	checkKind(t, "basic unsupported", err, ErrBasicUnsupported, "This openEO back-end does not support basic authentication.")

	// A discovery document without token_endpoint: an *OIDCError that names
	// the discovery URL.
	f := newFakeIdP(t)
	f.discovery = map[string]any{"issuer": f.srv.URL}
	_, err = c.Discover(ctx, f.srv.URL)
	var oe *OIDCError
	if !errors.As(err, &oe) || oe.Endpoint != f.srv.URL+"/.well-known/openid-configuration" {
		t.Fatalf("Discover: %v", err)
	}
	checkKind(t, "Discover", err, ErrMissingTokenEndpoint, "Failed to obtain OIDC discovery document from '"+
		f.srv.URL+"/.well-known/openid-configuration': discovery document has no token_endpoint")

	// A token endpoint that answers 200 with something else than a token.
	f.setToken(func(url.Values) (int, any) { return 200, "Welcome" })
	_, err = c.ClientCredentialsGrant(ctx, grantConfigFor(f, ""), "openid")
	checkKind(t, "token endpoint", err, ErrInvalidTokenResponse, "Failed to retrieve access token at '"+f.srv.URL+
		"/token': [200] OK: token response is not a JSON object (7 bytes)")
}

// TestErrorsHideURLUserInfo: URLs with user info, query or fragment appear
// without them in messages.
func TestErrorsHideURLUserInfo(t *testing.T) {
	const pw = "url-pw-secret"
	for name, msg := range map[string]string{
		"OIDCError": (&OIDCError{Op: "retrieve access token at", Endpoint: "https://u:" + pw + "@idp.test/token?k=" + pw, Status: 400,
			Code: "invalid_request"}).Error(),
		"NeedsInteractiveLoginError": (&NeedsInteractiveLoginError{BackendURL: "https://u:" + pw + "@oeo.test", ProviderID: "egi"}).Error(),
		"SelectClient": func() string {
			_, err := SelectClient(Provider{ID: "p"}, ClientSelection{BackendURL: "https://u:" + pw + "@oeo.test/"})
			return err.Error()
		}(),
	} {
		if strings.Contains(msg, pw) || strings.Contains(msg, "u:") {
			t.Errorf("%s shows the URL's user info: %s", name, msg)
		}
		if !strings.Contains(msg, "https://idp.test/token") && !strings.Contains(msg, "https://oeo.test") {
			t.Errorf("%s lost the URL: %s", name, msg)
		}
	}
}
