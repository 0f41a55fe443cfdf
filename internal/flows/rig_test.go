package flows_test

// Tests against the real test rig: the panva oidc-provider IdP (scripts/rig.sh start,
// OPENEO_TEST_ISSUER) and the in-process openEO test back-end, which validates bearers by
// introspection at the IdP. They skip when the rig is not running. They use only the
// exported API of flows.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const providerID = "testidp"

// rig starts a back-end that lists the test IdP, with defaultClients as the
// provider's default clients (nil: none).
func rig(t *testing.T, defaultClients ...testbackend.DefaultClient) (*testrig.OpenIDProvider, *testbackend.Server) {
	t.Helper()
	idp := testrig.IdP(t)
	p := testbackend.ProviderFor(providerID, idp.Issuer())
	p.DefaultClients = defaultClients
	be := testbackend.Start(t, testbackend.Config{
		Providers:  []testbackend.Provider{p},
		BasicUsers: map[string]string{"john": "john-pw"},
		Log:        testbackend.TestLog(t),
	})
	return idp, be
}

// session makes a session with short HTTP waits and an empty environment.
func session(t *testing.T, cfg flows.Config) *flows.Session {
	t.Helper()
	if cfg.HTTP.Timeout == 0 {
		cfg.HTTP = flows.HTTPOptions{Timeout: 10 * time.Second, RetryBaseWait: 10 * time.Millisecond, RetryMaxWait: 100 * time.Millisecond,
			UserAgent: flows.UserAgent("test"), Logger: testLogger(t)}
	}
	s, err := flows.NewSession(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testLogger(t *testing.T) flows.Logger {
	return flows.LoggerFunc(func(_ context.Context, level flows.LogLevel, msg string, fields map[string]any) {
		t.Logf("%s: %s %v", level, msg, fields)
	})
}

func ctxT(t *testing.T) context.Context { return testrig.Context(t) }

// memStore is an in-memory refresh token store.
type memStore struct {
	mu      sync.Mutex
	m       map[string]string
	expires map[string]time.Time
	sets    int
	lock    sync.Mutex // the cross-process lock of a file store
}

func newMemStore() *memStore {
	return &memStore{m: map[string]string{}, expires: map[string]time.Time{}}
}

func (s *memStore) RefreshToken(issuer, clientID string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[issuer+" "+clientID]
	return v, ok, nil
}

func (s *memStore) SetRefreshToken(issuer, clientID, token string, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[issuer+" "+clientID] = token
	s.expires[issuer+" "+clientID] = expiresAt
	s.sets++
	return nil
}

func (s *memStore) RotateRefreshToken(ctx context.Context, issuer, clientID string,
	refresh func(context.Context, string, time.Time) (string, time.Time, error)) error {
	s.lock.Lock()
	defer s.lock.Unlock()
	current := s.get(issuer, clientID)
	s.mu.Lock()
	currentExpiry := s.expires[issuer+" "+clientID]
	s.mu.Unlock()
	rotated, expiresAt, err := refresh(ctx, current, currentExpiry)
	if err != nil || rotated == "" || rotated == current {
		return err
	}
	return s.SetRefreshToken(issuer, clientID, rotated, expiresAt)
}

func (s *memStore) get(issuer, clientID string) string {
	v, _, _ := s.RefreshToken(issuer, clientID)
	return v
}

// approver approves device flows as alice from the display callback.
type approver struct {
	t      *testing.T
	idp    *testrig.OpenIDProvider
	mu     sync.Mutex
	events []flows.DeviceEvent
	once   sync.Once
	done   chan error
	skip   bool // do not approve (timeout tests)
}

func newApprover(t *testing.T, idp *testrig.OpenIDProvider) *approver {
	return &approver{t: t, idp: idp, done: make(chan error, 1)}
}

func (a *approver) display(e flows.DeviceEvent) {
	a.mu.Lock()
	a.events = append(a.events, e)
	a.mu.Unlock()
	if a.skip {
		return
	}
	a.once.Do(func() {
		go func() {
			a.done <- a.idp.ApproveDevice(a.t.Context(), e.UserCode, testrig.Alice.Name, testrig.Alice.Password)
		}()
	})
}

func (a *approver) statuses() []flows.DeviceStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []flows.DeviceStatus
	for _, e := range a.events {
		if len(out) == 0 || out[len(out)-1] != e.Status {
			out = append(out, e.Status)
		}
	}
	return out
}

func TestRigClientCredentials(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	ctx := ctxT(t)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}})
	tok, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Bearer != "oidc/"+providerID+"/"+tok.AccessToken || tok.ClientID != c.ID || tok.Issuer != idp.Issuer() || tok.Expiry.IsZero() {
		t.Errorf("token %v", tok)
	}
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != c.ID {
		t.Fatalf("account %+v, %v", acct, err)
	}
	st := idp.Stats(t, c.ID)
	if st.TokenRequests != 1 || st.ByGrant["client_credentials"] != 1 || st.ByAuth["client_secret_post"] != 1 {
		t.Errorf("stats %+v", st)
	}
	// Wrong secret: the IdP's error, without the secret.
	s = session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: "wrong-secret-value"}})
	_, err = s.Token(ctx)
	var oe *flows.OIDCError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("err = %v", err)
	}
}

func TestRigPasswordStoresRefreshToken(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	ctx := ctxT(t)
	store := newMemStore()
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodPassword, RefreshTokens: store,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret, Username: testrig.Alice.Name, Password: testrig.Alice.Password, StoreRefreshToken: true}})
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != "alice" {
		t.Fatalf("account %+v, %v", acct, err)
	}
	tok, _ := s.Token(ctx)
	if tok.Method != flows.MethodPassword || !strings.Contains(tok.Scope, "offline_access") || tok.RefreshToken() == "" {
		t.Errorf("token %v", tok)
	}
	if got := store.get(idp.Issuer(), c.ID); got != tok.RefreshToken() {
		t.Errorf("stored %q", got)
	}
}

func TestRigRefreshTokenGrant(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	ctx := ctxT(t)
	rt := idp.PasswordToken(t, c, testrig.Alice, "openid offline_access").RefreshToken
	idp.ResetStats(t, c.ID)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret, RefreshToken: rt}})
	if acct, err := s.Account(ctx); err != nil || acct.UserID != "alice" {
		t.Fatalf("account %+v, %v", acct, err)
	}
	if st := idp.Stats(t, c.ID); st.TokenRequests != 1 || st.ByGrant["refresh_token"] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRigDeviceFlowPKCE(t *testing.T) {
	idp := testrig.IdP(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	_, be := rig(t, testbackend.DefaultClient{ID: pub.ID, GrantTypes: []string{flows.GrantDeviceCodePKCE, flows.GrantRefreshToken}})
	ctx := ctxT(t)
	store := newMemStore()
	ap := newApprover(t, idp)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodDeviceCode, RefreshTokens: store,
		OIDC: flows.OIDCSettings{StoreRefreshToken: true, AllowInteraction: true, Display: ap.display, PollInterval: 300 * time.Millisecond}})
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != "alice" {
		t.Fatalf("account %+v, %v", acct, err)
	}
	if err := <-ap.done; err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Token(ctx)
	if tok.Method != flows.MethodDeviceCode || tok.ClientID != pub.ID || tok.RefreshToken() == "" {
		t.Errorf("token %v", tok)
	}
	if got := store.get(idp.Issuer(), pub.ID); got == "" || got != tok.RefreshToken() {
		t.Errorf("stored %q", got)
	}
	st := ap.statuses()
	if st[0] != flows.DevicePending || st[len(st)-1] != flows.DeviceAuthorized {
		t.Errorf("statuses %v", st)
	}
	if e := ap.events[0]; e.VerificationURI == "" || e.UserCode == "" || !strings.HasPrefix(e.Instructions, "Visit ") {
		t.Errorf("first event %+v", e)
	}
	// The default client declares device_code+pkce: the IdP saw the challenge
	// and checked the verifier of the grant that issued the tokens.
	if stats := idp.Stats(t, pub.ID); stats.DeviceRequests != 1 || stats.ByGrant["device_code"] < 1 || stats.ByAuth["none"] < 1 ||
		stats.DevicePKCE != 1 || stats.DevicePKCEVerified != 1 {
		t.Errorf("stats %+v", stats)
	}
}

func TestRigLowLevelDeviceFlow(t *testing.T) {
	// The pieces the openeo-auth command uses, one by one. The IdP checks the PKCE verifier
	// against the recorded S256 challenge, so success proves both reach it intact.
	idp := testrig.IdP(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	_, be := rig(t)
	ctx := ctxT(t)
	c := flows.NewClient(flows.HTTPOptions{})
	root, err := c.ResolveRoot(ctx, be.URL())
	if err != nil || root != be.APIURL() {
		t.Fatalf("root %q, %v", root, err)
	}
	providers, err := c.OIDCProviders(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := flows.SelectProvider(providers, flows.ProviderSelection{})
	if err != nil {
		t.Fatal(err)
	}
	md, err := c.Discover(ctx, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	scope := flows.ScopeString(p.Scopes, md.ScopesSupported, true)
	if scope != "email offline_access openid" {
		t.Errorf("scope %q", scope)
	}
	g := &flows.GrantConfig{Provider: p, Metadata: md, ClientID: pub.ID}
	pkce := flows.NewPKCE()
	da, err := c.DeviceAuthorize(ctx, g, scope, pkce)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = idp.ApproveDevice(ctx, da.UserCode, "alice", "alice-secret") }()
	tok, err := c.PollDeviceToken(ctx, g, da, flows.PollOptions{Interval: 200 * time.Millisecond})
	if err != nil || tok.AccessToken == "" || tok.RefreshToken() == "" {
		t.Fatalf("%v %v", tok, err)
	}
	tok2, err := c.RefreshTokenGrant(ctx, g, tok.RefreshToken())
	if err != nil || tok2.AccessToken == tok.AccessToken {
		t.Fatalf("%v %v", tok2, err)
	}
	acct, err := c.Account(ctx, root, tok2.Bearer)
	if err != nil || acct.UserID != "alice" {
		t.Fatalf("%+v %v", acct, err)
	}
}

func TestRigDeviceFlowTimeout(t *testing.T) {
	idp := testrig.IdP(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	_, be := rig(t, testbackend.DefaultClient{ID: pub.ID, GrantTypes: []string{flows.GrantDeviceCodePKCE, flows.GrantRefreshToken}})
	ap := newApprover(t, idp)
	ap.skip = true
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodDeviceCode,
		OIDC: flows.OIDCSettings{AllowInteraction: true, Display: ap.display, PollInterval: 200 * time.Millisecond, MaxPollTime: 1500 * time.Millisecond}})
	_, err := s.Token(ctxT(t))
	var te *flows.DeviceTimeoutError
	if !errors.As(err, &te) || err.Error() != "Timeout (1.5s) while polling for access token." {
		t.Fatalf("err = %v", err)
	}
	if st := ap.statuses(); st[len(st)-1] != flows.DeviceTimedOut {
		t.Errorf("statuses %v", st)
	}
}

func TestRigDynamicSelection(t *testing.T) {
	idp := testrig.IdP(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	_, be := rig(t, testbackend.DefaultClient{ID: pub.ID, GrantTypes: []string{flows.GrantDeviceCodePKCE, flows.GrantRefreshToken}})
	ctx := ctxT(t)
	store := newMemStore()
	cfg := flows.Config{BackendURL: be.URL(), Method: flows.MethodOIDC, RefreshTokens: store, OIDC: flows.OIDCSettings{StoreRefreshToken: true}}

	// 1. Nothing stored, no interaction: typed error, nothing sent to the IdP.
	_, err := session(t, cfg).Token(ctx)
	var ne *flows.NeedsInteractiveLoginError
	if !errors.As(err, &ne) || ne.ProviderID != providerID || ne.ClientID != pub.ID || ne.Issuer != idp.Issuer() ||
		!strings.Contains(err.Error(), "openeo-auth oidc-auth "+be.URL()) {
		t.Fatalf("err = %v", err)
	}
	if n := idp.TokenRequests(t, pub.ID); n != 0 {
		t.Errorf("%d token requests", n)
	}

	// 2. A stale refresh token, no interaction: typed error wrapping the IdP's refusal.
	_ = store.SetRefreshToken(idp.Issuer(), pub.ID, "stale-refresh-token", time.Time{})
	_, err = session(t, cfg).Token(ctx)
	var oe *flows.OIDCError
	if !errors.As(err, &ne) || !errors.As(err, &oe) || oe.Code != "invalid_grant" || strings.Contains(err.Error(), "stale-refresh-token") {
		t.Fatalf("err = %v", err)
	}
	if st := idp.Stats(t, pub.ID); st.DeviceRequests != 0 {
		t.Errorf("device flow started without interaction: %+v", st)
	}

	// 3. A stale refresh token with interaction: falls back to the device flow, stores the new one.
	ap := newApprover(t, idp)
	icfg := cfg
	icfg.OIDC.AllowInteraction, icfg.OIDC.Display, icfg.OIDC.PollInterval = true, ap.display, 300*time.Millisecond
	s := session(t, icfg)
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != "alice" {
		t.Fatalf("account %+v, %v", acct, err)
	}
	if err := <-ap.done; err != nil {
		t.Fatal(err)
	}
	rt := store.get(idp.Issuer(), pub.ID)
	if rt == "" || rt == "stale-refresh-token" {
		t.Fatalf("stored %q", rt)
	}

	// 4. The stored refresh token is used by a new session without interaction.
	idp.ResetStats(t, pub.ID)
	s = session(t, cfg)
	tok, err := s.Token(ctx)
	if err != nil || tok.Method != flows.MethodRefreshToken {
		t.Fatalf("%v %v", tok, err)
	}
	if st := idp.Stats(t, pub.ID); st.TokenRequests != 1 || st.DeviceRequests != 0 {
		t.Errorf("stats %+v", st)
	}
	// Public clients get rotated refresh tokens; the rotation is adopted and stored.
	if got := store.get(idp.Issuer(), pub.ID); got != tok.RefreshToken() {
		t.Errorf("stored %q, token has %q", got, tok.RefreshToken())
	}

	// 5. OPENEO_AUTH_METHOD=client_credentials switches to client
	// credentials: resolved by internal/settings, as every caller does.
	conf := idp.RegisterClient(t, testrig.ClientSpec{})
	getenv := func(k string) string {
		return map[string]string{"OPENEO_AUTH_METHOD": "client_credentials", "OPENEO_AUTH_CLIENT_ID": conf.ID, "OPENEO_AUTH_CLIENT_SECRET": conf.Secret}[k]
	}
	ccfg := cfg
	ccfg.Method, _ = settings.Dynamic(getenv)
	c := settings.Client("", "", getenv)
	ccfg.OIDC.ClientID, ccfg.OIDC.ClientSecret, ccfg.OIDC.ClientSource = c.ID.Value, c.Secret.Value, c.FlowsClientSource()
	tok, err = session(t, ccfg).Token(ctx)
	if err != nil || tok.Method != flows.MethodClientCredentials || tok.ClientID != conf.ID {
		t.Fatalf("%v %v", tok, err)
	}
}

func TestRigExpiredAccessTokenRenewedOnce(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{AccessTokenTTL: 2})
	ctx := ctxT(t)
	rt := idp.PasswordToken(t, c, testrig.Alice, "openid offline_access").RefreshToken
	idp.ResetStats(t, c.ID)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret, RefreshToken: rt}})
	for range 3 {
		if _, err := s.Account(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := idp.TokenRequests(t, c.ID); n != 1 {
		t.Fatalf("%d token requests before expiry", n)
	}
	time.Sleep(2100 * time.Millisecond) // the access token expired at the IdP
	for range 3 {
		if _, err := s.Account(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := idp.TokenRequests(t, c.ID); n != 2 {
		t.Errorf("%d token requests, want exactly 2", n)
	}
}

func TestRigReactiveRenewal(t *testing.T) {
	for _, status := range []int{403, 401} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			idp, be := rig(t)
			be.SetTokenInvalidStatus(status)
			c := idp.RegisterClient(t, testrig.ClientSpec{})
			ctx := ctxT(t)
			s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
				OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}})
			if _, err := s.Account(ctx); err != nil {
				t.Fatal(err)
			}
			be.ExpireTokens() // the back-end now refuses the current token with TokenInvalid
			if _, err := s.Account(ctx); err != nil {
				t.Fatal(err)
			}
			if n := idp.TokenRequests(t, c.ID); n != 2 {
				t.Errorf("%d token requests, want 2", n)
			}
			reqs := be.Requests("/me")
			if len(reqs) != 3 || reqs[1].Authorization != reqs[0].Authorization || reqs[2].Authorization == reqs[1].Authorization {
				t.Errorf("/me requests %+v", reqs)
			}
		})
	}
}

func TestRigConcurrentCallersOneTokenRequest(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	idp.DelayNext(t, c.ID, 200*time.Millisecond, 1) // keep the first request in flight
	ctx := ctxT(t)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}})
	var wg sync.WaitGroup
	bearers := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			tok, err := s.Token(ctx)
			if err == nil {
				bearers[i] = tok.Bearer
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil || bearers[i] != bearers[0] {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if n := idp.TokenRequests(t, c.ID); n != 1 {
		t.Errorf("%d token requests, want exactly 1", n)
	}
	for i := range 50 {
		wg.Go(func() { _, errs[i] = s.Account(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := idp.TokenRequests(t, c.ID); n != 1 {
		t.Errorf("%d token requests after 50 /me, want 1", n)
	}
}

func TestRigRetries(t *testing.T) {
	idp, be := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	ctx := ctxT(t)
	idp.FailNext(t, c.ID, 503, 2)
	be.InjectFault(testbackend.Fault{Path: "/me", Status: 503, Count: 2, RetryAfter: "0"})
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}})
	if _, err := s.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if st := idp.Stats(t, c.ID); st.TokenRequests != 3 || st.ByStatus["503"] != 2 || st.ByStatus["200"] != 1 {
		t.Errorf("IdP stats %+v", st)
	}
	if n := be.Count("/me"); n != 3 {
		t.Errorf("/me requests %d, want 3", n)
	}
	// Retries run out: the last answer is reported, readable.
	be.InjectFault(testbackend.Fault{Path: "/me", Kind: testbackend.KindHTML, Status: 502, Count: 10})
	_, err := s.Account(ctx)
	var pe *flows.PlainError
	if !errors.As(err, &pe) || pe.Status != 502 || len(pe.Body) > 210 || strings.Contains(pe.Body, "<") {
		t.Errorf("err = %v", err)
	}
}

func TestRigIdPDown(t *testing.T) {
	testrig.IdP(t) // rig tests only
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	be := testbackend.Start(t, testbackend.Config{Providers: []testbackend.Provider{testbackend.ProviderFor("down", dead)}})
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: "c", ClientSecret: "s"},
		HTTP: flows.HTTPOptions{Timeout: 2 * time.Second, RetryBaseWait: 50 * time.Millisecond, RetryMaxWait: 200 * time.Millisecond}})
	_, err = s.Token(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), dead+"/.well-known/openid-configuration") ||
		!strings.Contains(err.Error(), "Failed to obtain OIDC discovery document") {
		t.Fatalf("err = %v", err)
	}
	// A hanging IdP token endpoint is bounded by the per-request timeout.
	idp, be2 := rig(t)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	idp.DelayNext(t, c.ID, 3*time.Second, 1)
	s = session(t, flows.Config{BackendURL: be2.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret},
		HTTP: flows.HTTPOptions{Timeout: 500 * time.Millisecond, MaxRetries: -1}})
	_, err = s.Token(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") || !strings.Contains(err.Error(), idp.Endpoints().Token) {
		t.Errorf("err = %v", err)
	}
}

// TestRigJWTConformanceOpaqueToken: a back-end that accepts plain JWT
// bearers (API 1.3) still gets "oidc/<provider>/<token>" for the IdP's
// opaque access tokens (only a JWT with an iss claim goes plain; see
// TestBuildBearer), and accepts it.
func TestRigJWTConformanceOpaqueToken(t *testing.T) {
	idp, be := rig(t)
	be.SetJWTConformance(true)
	c := idp.RegisterClient(t, testrig.ClientSpec{})
	ctx := ctxT(t)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodClientCredentials,
		OIDC: flows.OIDCSettings{ClientID: c.ID, ClientSecret: c.Secret}})
	tok, err := s.Token(ctx)
	if err != nil || strings.Count(tok.AccessToken, ".") == 2 || tok.Bearer != flows.OIDCBearer(tok.ProviderID, tok.AccessToken) {
		t.Fatalf("%v %v", tok, err)
	}
	if _, err := s.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if reqs := be.Requests("/me"); reqs[0].Authorization != "Bearer "+tok.Bearer {
		t.Errorf("Authorization %q", reqs[0].Authorization)
	}
}

func TestRigBasic(t *testing.T) {
	_, be := rig(t)
	ctx := ctxT(t)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodBasic, Basic: flows.BasicCredentials{Username: "john", Password: "john-pw"}})
	acct, err := s.Account(ctx)
	if err != nil || acct.UserID != "john" {
		t.Fatalf("%+v %v", acct, err)
	}
	if tok, _ := s.Token(ctx); !strings.HasPrefix(tok.Bearer, "basic//") {
		t.Errorf("bearer %q", tok.Bearer)
	}
	// No renewal for basic: an expired basic token is reported.
	be.ExpireTokens()
	if _, err := s.Account(ctx); !flows.IsCode(err, flows.CodeTokenInvalid, flows.CodeAuthenticationRequired, flows.CodeCredentialsInvalid) {
		t.Errorf("err = %v", err)
	}
	be.SetBasicEnabled(false)
	s = session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodBasic, Basic: flows.BasicCredentials{Username: "john", Password: "john-pw"}})
	if _, err := s.Token(ctx); err == nil || err.Error() != "This openEO back-end does not support basic authentication." {
		t.Errorf("err = %v", err)
	}
}

// TestRigDeviceFlowConfidentialClient: a confidential client authenticates
// at the device authorization endpoint with client_secret_post (the IdP
// refuses it otherwise, RFC 8628 §3.1) and completes the device flow, with
// PKCE auto-detection (off: the client has a secret) and with PKCE forced on.
func TestRigDeviceFlowConfidentialClient(t *testing.T) {
	idp, be := rig(t)
	for _, pkce := range []bool{false, true} {
		t.Run(fmt.Sprint("pkce=", pkce), func(t *testing.T) {
			conf := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantDeviceCode, testrig.GrantRefreshToken}})
			ctx := ctxT(t)
			store := newMemStore()
			ap := newApprover(t, idp)
			o := flows.OIDCSettings{ClientID: conf.ID, ClientSecret: conf.Secret, StoreRefreshToken: true,
				AllowInteraction: true, Display: ap.display, PollInterval: 300 * time.Millisecond}
			if pkce {
				o.UsePKCE = &pkce
			}
			s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodDeviceCode, RefreshTokens: store, OIDC: o})
			acct, err := s.Account(ctx)
			if err != nil || acct.UserID != testrig.Alice.Name {
				t.Fatalf("account %+v, %v", acct, err)
			}
			if err := <-ap.done; err != nil {
				t.Fatal(err)
			}
			tok, _ := s.Token(ctx)
			if tok.Method != flows.MethodDeviceCode || tok.ClientID != conf.ID || tok.RefreshToken() == "" ||
				store.get(idp.Issuer(), conf.ID) != tok.RefreshToken() {
				t.Errorf("token %v", tok)
			}
			st := idp.Stats(t, conf.ID)
			wantPKCE := 0
			if pkce {
				wantPKCE = 1
			}
			if st.DeviceRequests != 1 || st.ByGrant["device_code"] < 1 || st.ByAuth["client_secret_post"] != st.TokenRequests || st.ByAuth["none"] != 0 ||
				st.DevicePKCE != wantPKCE || st.DevicePKCEVerified != wantPKCE {
				t.Errorf("stats %+v", st)
			}
			// The stored refresh token works for the confidential client.
			s = session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken, RefreshTokens: store,
				OIDC: flows.OIDCSettings{ClientID: conf.ID, ClientSecret: conf.Secret}})
			if acct, err := s.Account(ctx); err != nil || acct.UserID != testrig.Alice.Name {
				t.Fatalf("refresh login %+v, %v", acct, err)
			}
		})
	}
}

// TestRigRevokeRefreshToken: a revoked refresh token can no longer be used,
// for a confidential client (client_secret_post) and a public one
// (client_id only).
func TestRigRevokeRefreshToken(t *testing.T) {
	idp, be := rig(t)
	ctx := ctxT(t)
	conf := idp.RegisterClient(t, testrig.ClientSpec{})
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	pubRT := func() string {
		da, err := idp.StartDevice(ctx, pub, "openid offline_access", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := idp.ApproveDevice(ctx, da.UserCode, testrig.Alice.Name, testrig.Alice.Password); err != nil {
			t.Fatal(err)
		}
		tok, err := idp.PollDevice(ctx, pub, da.DeviceCode, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok.RefreshToken
	}
	cases := []struct {
		client testrig.Client
		rt     string
	}{
		{conf, idp.PasswordToken(t, conf, testrig.Alice, "openid offline_access").RefreshToken},
		{pub, pubRT()},
	}
	for _, c := range cases {
		s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodRefreshToken,
			OIDC: flows.OIDCSettings{ClientID: c.client.ID, ClientSecret: c.client.Secret, RefreshToken: c.rt}})
		g, err := s.GrantConfig(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g.Metadata.RevocationEndpoint != idp.Endpoints().Revocation {
			t.Fatalf("revocation endpoint %q", g.Metadata.RevocationEndpoint)
		}
		// Usable before (public clients get a rotated one: revoke that).
		tok, err := s.Client().RefreshTokenGrant(ctx, g, c.rt)
		if err != nil {
			t.Fatalf("%s: refresh before revocation: %v", c.client.ID, err)
		}
		rt := tok.RefreshToken()
		if err := s.Client().RevokeToken(ctx, g, rt, flows.TokenTypeHintRefreshToken); err != nil {
			t.Fatalf("%s: revoke: %v", c.client.ID, err)
		}
		_, err = s.Client().RefreshTokenGrant(ctx, g, rt)
		var oe *flows.OIDCError
		if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
			t.Errorf("%s: refresh after revocation: %v", c.client.ID, err)
		}
		if st := idp.Stats(t, c.client.ID); st.RevocationRequests != 1 {
			t.Errorf("%s: stats %+v", c.client.ID, st)
		}
		// Revoking again is not an error (RFC 7009 §2.2).
		if err := s.Client().RevokeToken(ctx, g, rt, flows.TokenTypeHintRefreshToken); err != nil {
			t.Errorf("%s: second revocation: %v", c.client.ID, err)
		}
	}
	// A client that is not the token's: the IdP's error, typed, without the token.
	g := &flows.GrantConfig{Provider: flows.Provider{ID: providerID, Issuer: idp.Issuer()}, ClientID: conf.ID, ClientSecret: "wrong-secret"}
	var err error
	if g.Metadata, err = flows.NewClient(flows.HTTPOptions{}).Discover(ctx, idp.Issuer()); err != nil {
		t.Fatal(err)
	}
	err = flows.NewClient(flows.HTTPOptions{}).RevokeToken(ctx, g, "some-refresh-token-value", flows.TokenTypeHintRefreshToken)
	var oe *flows.OIDCError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || strings.Contains(err.Error(), "some-refresh-token-value") ||
		strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("err = %v", err)
	}
}
