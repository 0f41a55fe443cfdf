package flows

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// oidcSetup is a fake back-end listing one fake IdP.
func oidcSetup(t *testing.T, defaultClients ...map[string]any) (*fakeBackend, *fakeIdP) {
	t.Helper()
	idp := newFakeIdP(t)
	b := newFakeBackend(t)
	b.providers = []map[string]any{fakeProvider("fake", idp.srv.URL+"/", defaultClients...)}
	return b, idp
}

func newTestSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	if cfg.HTTP.Timeout == 0 {
		cfg.HTTP = fastHTTP()
	}
	s, err := NewSession(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var deviceClient = map[string]any{"id": "default-pub", "grant_types": []string{GrantDeviceCodePKCE, GrantRefreshToken}}

func TestNewSessionValidation(t *testing.T) {
	bad := []Config{
		{},
		{BackendURL: "ftp://x", Method: MethodNone},
		{BackendURL: "x", Method: "magic"},
		{BackendURL: "x", Method: MethodBearer},
		{BackendURL: "x", Method: MethodAccessToken},
		{BackendURL: "x", Method: MethodPassword, OIDC: OIDCSettings{Username: "u"}},
		{BackendURL: "x", Method: MethodRefreshToken},
		{BackendURL: "x", Method: MethodOIDC, OIDC: OIDCSettings{StoreRefreshToken: true}},
		{BackendURL: "x", Method: MethodOIDC, OIDC: OIDCSettings{AllowInteraction: true}},
	}
	for _, cfg := range bad {
		if _, err := NewSession(t.Context(), cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	s, err := NewSession(t.Context(), Config{BackendURL: "openeo.example.com"})
	if err != nil || s.BackendURL() != "https://openeo.example.com" {
		t.Errorf("%v %v", s, err)
	}
	if _, err := s.Token(t.Context()); !errors.Is(err, ErrNoAuthentication) {
		t.Errorf("err = %v", err)
	}
}

func TestSessionBasic(t *testing.T) {
	b := newFakeBackend(t)
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, AuthConfig: &mapAuthConfig{basicUser: "john", basicPass: "j0hn-secret"}})
	tok, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Bearer != "basic//basic-tok-1" || tok.Method != MethodBasic {
		t.Errorf("token %v bearer %q", tok, tok.Bearer)
	}
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != "john" || b.meRequests[0] != "Bearer basic//basic-tok-1" {
		t.Errorf("account %+v, %v, auth %v", acct, err, b.meRequests)
	}
	// Wrong password: the back-end's error, with no secret in it.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, Basic: BasicCredentials{Username: "john", Password: "wrong-password"}})
	_, err = s.Token(ctx)
	if !IsCode(err, CodeCredentialsInvalid) || strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("err = %v", err)
	}
	// Nothing given or found.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, AuthConfig: &mapAuthConfig{}})
	if _, err = s.Token(ctx); err == nil || err.Error() != "No username/password given or found." {
		t.Errorf("err = %v", err)
	}
	// Refused when capabilities lack the endpoint.
	b.noBasic = true
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic, Basic: BasicCredentials{Username: "john", Password: "j0hn-secret"}})
	if _, err = s.Token(ctx); err == nil || err.Error() != "This openEO back-end does not support basic authentication." {
		t.Errorf("err = %v", err)
	}
	if b.count("basic") != 2 {
		t.Errorf("/credentials/basic called %d times, want 2", b.count("basic"))
	}
}

func TestSessionAccessTokenAndBearer(t *testing.T) {
	b, _ := oidcSetup(t)
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodAccessToken, OIDC: OIDCSettings{AccessToken: "at-123"}})
	tok, err := s.Token(ctx)
	if err != nil || tok.Bearer != "oidc/fake/at-123" || tok.ProviderID != "fake" {
		t.Fatalf("%v %q %v", tok, tok.Bearer, err)
	}
	// An API 1.3 back-end gets the plain token only when it is a JWT with
	// an iss claim.
	b.conforms = []string{"https://api.openeo.org/1.3.0/authentication/jwt"}
	jwt := testJWT(`{"iss":"https://idp.test"}`)
	for at, want := range map[string]string{jwt: jwt, "at-123": "oidc/fake/at-123"} {
		s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodAccessToken, OIDC: OIDCSettings{AccessToken: at}})
		if tok, _ = s.Token(ctx); tok.Bearer != want {
			t.Errorf("API 1.3 bearer %q, want %q", tok.Bearer, want)
		}
	}
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBearer, Bearer: "custom/foo/b666r"})
	if tok, _ = s.Token(ctx); tok.Bearer != "custom/foo/b666r" || tok.ProviderID != "foo" {
		t.Errorf("raw bearer %q", tok.Bearer)
	}
	if _, err := s.Account(ctx); err != nil || b.meRequests[0] != "Bearer custom/foo/b666r" {
		t.Errorf("%v %v", err, b.meRequests)
	}
	// Token without renewal: TokenInvalid is returned as is.
	b.meFail, b.meCode = []int{403}, "TokenInvalid"
	if _, err := s.Account(ctx); !IsCode(err, CodeTokenInvalid) {
		t.Errorf("err = %v", err)
	}
}

func TestSessionProviderSelection(t *testing.T) {
	idp := newFakeIdP(t)
	b := newFakeBackend(t)
	b.providers = []map[string]any{fakeProvider("oidc1", idp.srv.URL), fakeProvider("oidc2", idp.srv.URL), fakeProvider("oidc3", idp.srv.URL)}
	ctx := t.Context()
	run := func(arg string, fallback string, config []string) (string, error) {
		s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodAccessToken,
			OIDC: OIDCSettings{AccessToken: "a", ProviderID: arg, FallbackProviderID: fallback}, AuthConfig: &mapAuthConfig{providerIDs: config}})
		tok, err := s.Token(ctx)
		if err != nil {
			return "", err
		}
		return tok.ProviderID, nil
	}
	cases := []struct {
		arg      string
		fallback string
		config   []string
		want     string
	}{
		{"", "", nil, "oidc1"},
		{"oidc2", "", nil, "oidc2"},
		{"", "oidc3", nil, "oidc3"},
		{"", "", []string{"oidc2"}, "oidc2"},
		{"oidc2", "oidc3", []string{"oidc1"}, "oidc2"},
		{"", "unknown", []string{"oidc3"}, "oidc3"},
	}
	for _, c := range cases {
		if got, err := run(c.arg, c.fallback, c.config); got != c.want || err != nil {
			t.Errorf("%+v: got %q, %v", c, got, err)
		}
	}
	if _, err := run("nope", "", nil); err == nil || err.Error() != "Requested OIDC provider 'nope' not available. Should be one of ['oidc1', 'oidc2', 'oidc3']." {
		t.Errorf("err = %v", err)
	}
	b.providers = nil
	if _, err := run("", "", nil); err == nil || err.Error() != "Backend lists no OIDC providers." {
		t.Errorf("err = %v", err)
	}
}

// TestSessionClientCredentialsClient: the client of client credentials is
// the configured one (resolved by the caller, from the environment too),
// else auth-config.json; never a default client. (The environment itself is
// resolved by internal/settings, see its tests.)
func TestSessionClientCredentialsClient(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	cfgClient := &mapAuthConfig{clients: map[string][2]string{"fake": {"cfg-client", "cfg-secret"}}}
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, AuthConfig: cfgClient,
		OIDC: OIDCSettings{ClientID: "env-client", ClientSecret: "env-secret", ClientSource: ClientFromEnvironment}})
	tok, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form := idp.tokenForms()[0]
	if tok.Method != MethodClientCredentials || form.Get("client_id") != "env-client" || form.Get("client_secret") != "env-secret" ||
		form.Get("scope") != "email openid" {
		t.Errorf("token %v, form %v", tok, form)
	}
	// No client: no default client either.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials})
	if _, err = s.Token(ctx); err == nil || !strings.HasPrefix(err.Error(), "No client_id found.") {
		t.Errorf("err = %v", err)
	}
	// auth-config is next, with its own secret.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, AuthConfig: cfgClient})
	if tok, err = s.Token(ctx); err != nil || tok.ClientID != "cfg-client" {
		t.Errorf("%v %v", tok, err)
	}
	if form := idp.tokenForms()[len(idp.tokenForms())-1]; form.Get("client_secret") != "cfg-secret" {
		t.Errorf("auth-config client sent %v", form)
	}
	// A client id from the environment without a secret replaces the
	// entry's client, never taking the entry's secret.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, AuthConfig: cfgClient,
		OIDC: OIDCSettings{ClientID: "env-client", ClientSource: ClientFromEnvironment}})
	g, err := s.GrantConfig(ctx)
	if err != nil || g.ClientID != "env-client" || g.ClientSecret != "" || g.Selection.ReplacedClientID != "cfg-client" {
		t.Errorf("%+v %v", g, err)
	}
}

func TestSessionDynamicRefreshToken(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	store := newMapStore()
	issuer := idp.srv.URL // listed with a trailing slash, stored without
	_ = store.SetRefreshToken(issuer, "default-pub", "stored-rt", time.Time{})
	idp.setToken(func(form url.Values) (int, any) {
		if form.Get("refresh_token") == "stored-rt" {
			return 200, map[string]any{"access_token": "AT", "token_type": "Bearer", "refresh_token": "rotated-rt", "expires_in": 3600}
		}
		return 400, map[string]any{"error": "invalid_grant"}
	})
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store, OIDC: OIDCSettings{StoreRefreshToken: true}})
	tok, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Bearer != "oidc/fake/AT" || tok.ClientID != "default-pub" || tok.Method != MethodRefreshToken {
		t.Errorf("token %v", tok)
	}
	if form := idp.tokenForms()[0]; form.Get("scope") != "" || form.Get("client_secret") != "" {
		t.Errorf("refresh form %v", form)
	}
	if got := store.get(issuer, "default-pub"); got != "rotated-rt" {
		t.Errorf("stored %q", got)
	}
}

func TestSessionDynamicNeedsInteraction(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	store := newMapStore()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store})
	_, err := s.Token(ctx)
	var ne *NeedsInteractiveLoginError
	if !errors.As(err, &ne) || ne.ProviderID != "fake" || ne.ClientID != "default-pub" || ne.Issuer != idp.srv.URL+"/" ||
		ne.BackendURL != b.srv.URL || !strings.Contains(ne.Reason, "no refresh token stored") {
		t.Fatalf("err = %#v", err)
	}
	// A rejected refresh token without interaction: typed error wrapping the IdP's answer.
	_ = store.SetRefreshToken(idp.srv.URL, "default-pub", "stale-rt", time.Time{})
	idp.setToken(func(url.Values) (int, any) {
		return 400, map[string]any{"error": "invalid_grant", "error_description": "grant request is invalid"}
	})
	_, err = s.Token(ctx)
	var oe *OIDCError
	if !errors.As(err, &ne) || !errors.As(err, &oe) || oe.Code != "invalid_grant" || strings.Contains(err.Error(), "stale-rt") {
		t.Fatalf("err = %v", err)
	}
	if len(idp.devices) != 0 {
		t.Error("device flow started without interaction")
	}
	// The device method itself needs interaction too.
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodDeviceCode})
	if _, err = s.Token(ctx); !errors.As(err, &ne) {
		t.Errorf("err = %v", err)
	}
}

func TestSessionDynamicFallsBackToDevice(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	store := newMapStore()
	_ = store.SetRefreshToken(idp.srv.URL, "default-pub", "stale-rt", time.Time{})
	idp.setToken(func(form url.Values) (int, any) {
		if form.Get("grant_type") == "refresh_token" {
			return 400, map[string]any{"error": "invalid_grant"}
		}
		return 200, map[string]any{"access_token": "AT", "token_type": "Bearer", "refresh_token": "fresh-rt"}
	})
	var events []DeviceEvent
	var mu sync.Mutex
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store, OIDC: OIDCSettings{
		StoreRefreshToken: true, AllowInteraction: true, PollInterval: time.Millisecond,
		Display: func(e DeviceEvent) { mu.Lock(); events = append(events, e); mu.Unlock() }}})
	tok, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Method != MethodDeviceCode || store.get(idp.srv.URL, "default-pub") != "fresh-rt" {
		t.Errorf("token %v, stored %q", tok, store.get(idp.srv.URL, "default-pub"))
	}
	dev := idp.devices[0]
	// PKCE auto-detected (default client with device_code+pkce, no secret); offline_access requested.
	if dev.Get("code_challenge") == "" || dev.Get("scope") != "email offline_access openid" || dev.Get("client_secret") != "" {
		t.Errorf("device request %v", dev)
	}
	if len(events) == 0 || events[0].UserCode != "ABCD-EFGH" || events[len(events)-1].Status != DeviceAuthorized {
		t.Errorf("events %+v", events)
	}
}

func TestSessionReactiveRenewal(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			b, idp := oidcSetup(t)
			ctx := t.Context()
			s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, OIDC: OIDCSettings{ClientID: "c", ClientSecret: "s"}})
			tok1, err := s.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b.meFail, b.meCode = []int{status}, "TokenInvalid"
			acct, err := s.Account(ctx)
			if err != nil || acct.UserID != "john" {
				t.Fatalf("%v %v", acct, err)
			}
			tok2, _ := s.Token(ctx)
			if len(idp.tokenForms()) != 2 || tok2.Bearer == tok1.Bearer {
				t.Errorf("%d token requests", len(idp.tokenForms()))
			}
			if got := b.meRequests; len(got) != 2 || got[0] != "Bearer "+tok1.Bearer || got[1] != "Bearer "+tok2.Bearer {
				t.Errorf("/me auth %v", got)
			}
			// Twice TokenInvalid: renewed once, retried once, then the error.
			b.meFail = []int{status, status}
			_, err = s.Account(ctx)
			if !IsCode(err, CodeTokenInvalid) || len(idp.tokenForms()) != 3 {
				t.Errorf("err %v, %d token requests", err, len(idp.tokenForms()))
			}
			// Other codes do not renew.
			b.meFail, b.meCode = []int{403}, "PermissionsInsufficient"
			if _, err = s.Account(ctx); !IsCode(err, CodePermissionsInsufficient) || len(idp.tokenForms()) != 3 {
				t.Errorf("err %v, %d token requests", err, len(idp.tokenForms()))
			}
		})
	}
}

func TestSessionDoKeepsBodyAndRetriesPOST(t *testing.T) {
	b, idp := oidcSetup(t)
	var bodies []string
	var n atomic.Int32
	b.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openeo/1.2/jobs":
			data, _ := io.ReadAll(r.Body)
			bodies = append(bodies, string(data))
			if n.Add(1) == 1 {
				writeJSONT(w, 401, map[string]any{"code": "TokenInvalid", "message": "expired"})
				return
			}
			writeJSONT(w, 201, map[string]any{"ok": true})
		case "/openeo/1.2/":
			writeJSONT(w, 200, map[string]any{"api_version": "1.2.0", "endpoints": []any{}})
		case "/openeo/1.2/credentials/oidc":
			writeJSONT(w, 200, map[string]any{"providers": b.providers})
		case "/.well-known/openeo":
			writeJSONT(w, 200, map[string]any{"versions": []any{map[string]any{"url": b.root(), "api_version": "1.2.0"}}})
		}
	})
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, OIDC: OIDCSettings{ClientID: "c", ClientSecret: "s"}})
	req, _ := s.NewRequest(ctx, http.MethodPost, "/jobs", strings.NewReader(`{"process":{}}`))
	req.GetBody = nil // force buffering
	resp, err := s.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || len(bodies) != 2 || bodies[1] != `{"process":{}}` || len(idp.tokenForms()) != 2 {
		t.Errorf("status %d bodies %q token requests %d", resp.StatusCode, bodies, len(idp.tokenForms()))
	}
	// A non-TokenInvalid error keeps its body for the caller.
	n.Store(-10)
	b.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 403, map[string]any{"code": "PermissionsInsufficient", "message": "no"})
	})
	req, _ = http.NewRequest(http.MethodGet, b.root()+"/jobs", nil)
	resp, err = s.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(data), "PermissionsInsufficient") {
		t.Errorf("body %q", data)
	}
	if _, err := s.Do(ctx, &http.Request{Method: "GET", URL: &url.URL{Path: "/x"}}); err == nil {
		t.Error("relative URL accepted")
	}
}

func TestSessionCapabilitiesAfterLogin(t *testing.T) {
	b, _ := oidcSetup(t)
	var auths []string
	var mu sync.Mutex
	inner := b.srv.Config.Handler
	b.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openeo/1.2/" {
			mu.Lock()
			auths = append(auths, r.Header.Get("Authorization"))
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	})
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, OIDC: OIDCSettings{ClientID: "c", ClientSecret: "s"}})
	if _, err := s.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Token(ctx)
	_, _ = s.Capabilities(ctx)
	_, _ = s.Capabilities(ctx)
	if len(auths) != 2 || auths[0] != "" || auths[1] != "Bearer "+tok.Bearer {
		t.Errorf("capabilities Authorization headers %q", auths)
	}
}

func TestSessionProactiveRenewalAndRotation(t *testing.T) {
	b, idp := oidcSetup(t)
	var n atomic.Int32
	idp.setToken(func(form url.Values) (int, any) {
		i := n.Add(1)
		return 200, map[string]any{"access_token": fmt.Sprint("AT", i), "token_type": "Bearer", "expires_in": 1, "refresh_token": fmt.Sprint("RT", i)}
	})
	ctx := t.Context()
	store := newMapStore()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodRefreshToken, RefreshTokens: store, RenewBefore: 500 * time.Millisecond,
		OIDC: OIDCSettings{ClientID: "c", RefreshToken: "RT0", StoreRefreshToken: true}})
	tok, err := s.Token(ctx)
	if err != nil || tok.AccessToken != "AT1" {
		t.Fatal(tok, err)
	}
	if tok2, _ := s.Token(ctx); tok2 != tok {
		t.Error("fresh token not cached")
	}
	time.Sleep(600 * time.Millisecond)
	tok3, err := s.Token(ctx)
	if err != nil || tok3.AccessToken != "AT2" {
		t.Fatal(tok3, err)
	}
	forms := idp.tokenForms()
	if len(forms) != 2 || forms[0].Get("refresh_token") != "RT0" || forms[1].Get("refresh_token") != "RT1" {
		t.Errorf("refresh tokens used: %v", forms)
	}
	if store.get(idp.srv.URL, "c") != "RT2" || store.sets != 2 {
		t.Errorf("stored %q after %d sets", store.get(idp.srv.URL, "c"), store.sets)
	}
}

func TestSessionConcurrentTokenSingleRequest(t *testing.T) {
	b, idp := oidcSetup(t)
	release := make(chan struct{})
	idp.setToken(func(url.Values) (int, any) {
		<-release
		return 200, map[string]any{"access_token": "AT", "token_type": "Bearer", "expires_in": 3600}
	})
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials, OIDC: OIDCSettings{ClientID: "c", ClientSecret: "s"}})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			tok, err := s.Token(ctx)
			if err == nil && tok.AccessToken != "AT" {
				err = fmt.Errorf("token %v", tok)
			}
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(idp.tokenForms()); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
	if b.count("oidc") != 1 {
		t.Errorf("/credentials/oidc fetched %d times", b.count("oidc"))
	}
}

func TestSessionGrantConfig(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC})
	g, err := s.GrantConfig(ctx)
	if err != nil || g.ClientID != "default-pub" || g.Metadata.TokenEndpoint != idp.srv.URL+"/token" || g.Provider.ID != "fake" ||
		g.Selection != (Selection{ProviderReason: ProviderSingleListed, ClientSource: ClientFromDefaultClient}) {
		t.Fatalf("%+v %v", g, err)
	}
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodClientCredentials,
		OIDC: OIDCSettings{ClientID: "e", ClientSecret: "es", ClientSource: ClientFromEnvironment}})
	if g, err = s.GrantConfig(ctx); err != nil || g.ClientID != "e" || g.ClientSecret != "es" || g.Selection.ClientSource != ClientFromEnvironment {
		t.Fatalf("%+v %v", g, err)
	}
	// The explanation follows the rules that applied.
	b.providers = append(b.providers, fakeProvider("other", idp.srv.URL))
	ac := &mapAuthConfig{providerIDs: []string{"other"}, clients: map[string][2]string{"other": {"cfg-client", "cfg-secret"}}}
	cases := []struct {
		cfg  Config
		want Selection
	}{
		{Config{Method: MethodOIDC, AuthConfig: ac}, Selection{ProviderReason: ProviderSingleConfigured, ClientSource: ClientFromAuthConfig}},
		{Config{Method: MethodOIDC, OIDC: OIDCSettings{ProviderID: "fake", ClientID: "arg"}}, Selection{ProviderReason: ProviderRequested, ClientSource: ClientFromArgument}},
		{Config{Method: MethodDeviceCode, OIDC: OIDCSettings{FallbackProviderID: "fake"}}, Selection{ProviderReason: ProviderFromEnvironment, ClientSource: ClientFromDefaultClient}},
		{Config{Method: MethodRefreshToken, OIDC: OIDCSettings{ClientID: "arg"}}, Selection{ProviderReason: ProviderFirstListed, ClientSource: ClientFromArgument}},
	}
	for _, c := range cases {
		c.cfg.BackendURL = b.srv.URL
		if c.cfg.Method == MethodRefreshToken {
			c.cfg.OIDC.RefreshToken = "rt"
		}
		g, err := newTestSession(t, c.cfg).GrantConfig(ctx)
		if err != nil || g.Selection != c.want {
			t.Errorf("%+v: %+v, %v; want %+v", c.cfg, g, err, c.want)
		}
	}
	if p, reason, err := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC}).Provider(ctx); err != nil ||
		p.ID != "fake" || reason != ProviderFirstListed {
		t.Errorf("Provider: %+v %q %v", p, reason, err)
	}
	s = newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodBasic})
	if _, err = s.GrantConfig(ctx); err == nil {
		t.Error("basic has no OIDC client")
	}
	if len(idp.tokenForms()) != 0 {
		t.Error("GrantConfig must not request tokens")
	}
}

// TestSessionDeviceLogin: the device flow on request, although a refresh
// token is stored; the new token becomes the session's token, and the new
// refresh token is stored and used for renewal.
func TestSessionDeviceLogin(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	ctx := t.Context()
	store := newMapStore()
	_ = store.SetRefreshToken(idp.srv.URL, "default-pub", "old-rt", time.Time{})
	idp.setToken(func(form url.Values) (int, any) {
		if form.Get("grant_type") == "refresh_token" {
			return 200, map[string]any{"access_token": "AT-renewed", "token_type": "Bearer", "expires_in": 3600}
		}
		return 200, map[string]any{"access_token": "AT-device", "token_type": "Bearer", "refresh_token": "new-rt", "expires_in": 3600}
	})
	cfg := Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store, OIDC: OIDCSettings{StoreRefreshToken: true}}
	if _, err := newTestSession(t, cfg).DeviceLogin(ctx); !errors.As(err, new(*NeedsInteractiveLoginError)) {
		t.Fatalf("without interaction: %v", err)
	}
	cfg.OIDC.AllowInteraction, cfg.OIDC.PollInterval, cfg.OIDC.Display = true, time.Millisecond, func(DeviceEvent) {}
	s := newTestSession(t, cfg)
	tok, err := s.DeviceLogin(ctx)
	if err != nil || tok.Method != MethodDeviceCode || tok.RefreshToken() != "new-rt" || tok.ClientID != "default-pub" {
		t.Fatalf("%v %v", tok, err)
	}
	if got := store.get(idp.srv.URL, "default-pub"); got != "new-rt" {
		t.Errorf("stored %q", got)
	}
	if got, _ := s.Token(ctx); got != tok {
		t.Errorf("session token %v, want the device flow's", got)
	}
	if forms := idp.tokenForms(); len(forms) != 1 || forms[0].Get("grant_type") != GrantDeviceCode {
		t.Errorf("token requests %v (the stored refresh token must not be used)", forms)
	}
	if dev := idp.devices[0]; dev.Get("scope") != "email offline_access openid" || dev.Get("code_challenge") == "" {
		t.Errorf("device request %v", dev)
	}
	// Renewal uses the new refresh token.
	renewed, err := s.src.rejected(ctx, tok.Bearer)
	if err != nil || renewed.AccessToken != "AT-renewed" || idp.tokenForms()[1].Get("refresh_token") != "new-rt" {
		t.Errorf("renewal %v %v", renewed, err)
	}
	for _, m := range []Method{MethodClientCredentials, MethodBasic} {
		s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: m, OIDC: OIDCSettings{ClientID: "c"}})
		if _, err := s.DeviceLogin(ctx); err == nil || !strings.Contains(err.Error(), "no device flow") {
			t.Errorf("%s: %v", m, err)
		}
	}
}
