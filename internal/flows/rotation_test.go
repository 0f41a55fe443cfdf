package flows

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rotator answers refresh grants like an identity provider that rotates
// refresh tokens and detects reuse (Keycloak's "Revoke Refresh Token"): each
// token works once; presenting a spent one revokes the whole login.
type rotator struct {
	mu        sync.Mutex
	n         int
	valid     string
	spent     map[string]bool
	presented map[string]int
	revoked   bool
}

func newRotator(first string) *rotator {
	return &rotator{valid: first, spent: map[string]bool{}, presented: map[string]int{}}
}

func (r *rotator) answer(form url.Values) (int, any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt := form.Get("refresh_token")
	r.presented[rt]++
	if r.spent[rt] {
		r.revoked = true
	}
	if r.revoked || rt != r.valid {
		return 400, map[string]any{"error": "invalid_grant", "error_description": "refresh token already used"}
	}
	r.spent[rt] = true
	r.n++
	r.valid = fmt.Sprintf("rt-%d", r.n)
	return 200, map[string]any{"access_token": fmt.Sprintf("at-%d", r.n), "token_type": "Bearer", "refresh_token": r.valid, "expires_in": 3600}
}

// rotate is another process's refresh: it spends the valid token.
func (r *rotator) rotate(t *testing.T) string {
	t.Helper()
	r.mu.Lock()
	rt := r.valid
	r.mu.Unlock()
	if st, _ := r.answer(url.Values{"refresh_token": {rt}}); st != 200 {
		t.Fatalf("other process's refresh refused")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.valid
}

// checkNoReuse fails when a refresh token was presented twice.
func (r *rotator) checkNoReuse(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for rt, n := range r.presented {
		if n > 1 {
			t.Errorf("refresh token %s presented %d times", rt, n)
		}
	}
	if r.revoked {
		t.Error("the login was revoked")
	}
}

// TestStoredRefreshUsesTokenStoredMeanwhile: another process rotates the
// stored token between our first read and our refresh; the refresh runs
// under the store's lock with the newer token, and the token it gets is
// written back although StoreRefreshToken is false.
func TestStoredRefreshUsesTokenStoredMeanwhile(t *testing.T) {
	for _, m := range []Method{MethodRefreshToken, MethodOIDC} {
		t.Run(string(m), func(t *testing.T) {
			b, idp := oidcSetup(t, deviceClient)
			issuer := idp.srv.URL
			rot := newRotator("rt-0")
			idp.setToken(rot.answer)
			store := newMapStore()
			_ = store.SetRefreshToken(issuer, "default-pub", "rt-0", time.Time{})
			var once sync.Once
			store.beforeRead = func() {
				once.Do(func() { _ = store.SetRefreshToken(issuer, "default-pub", rot.rotate(t), time.Time{}) })
			}
			s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: m, RefreshTokens: store})
			tok, err := s.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "at-2" {
				t.Errorf("access token %s, want at-2 (from the token stored meanwhile)", tok.AccessToken)
			}
			if got := store.get(issuer, "default-pub"); got != "rt-2" {
				t.Errorf("stored %q, want the rotated rt-2", got)
			}
			if store.rotations != 1 {
				t.Errorf("%d refreshes under the store's lock, want 1", store.rotations)
			}
			rot.checkNoReuse(t)
		})
	}
}

// TestStoredRefreshRenewalRereadsStore: a renewal of a store-backed login
// re-reads the store under its lock, so a token another process rotated
// since our login is used, not our spent one.
func TestStoredRefreshRenewalRereadsStore(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	issuer := idp.srv.URL
	rot := newRotator("rt-0")
	idp.setToken(rot.answer)
	store := newMapStore()
	_ = store.SetRefreshToken(issuer, "default-pub", "rt-0", time.Time{})
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store})
	tok, err := s.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Another process refreshes with the stored rt-1 and stores rt-2.
	_ = store.SetRefreshToken(issuer, "default-pub", rot.rotate(t), time.Time{})
	tok2, err := s.src.rejected(t.Context(), tok.Bearer)
	if err != nil {
		t.Fatal(err)
	}
	if tok2.AccessToken != "at-3" || store.get(issuer, "default-pub") != "rt-3" {
		t.Errorf("renewed %s, stored %q; want at-3 and rt-3", tok2.AccessToken, store.get(issuer, "default-pub"))
	}
	rot.checkNoReuse(t)
}

// TestGivenRefreshTokenStaysInMemory: a refresh token given in the
// configuration is not a store entry: without StoreRefreshToken the store
// is neither locked nor written.
func TestGivenRefreshTokenStaysInMemory(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	rot := newRotator("given")
	idp.setToken(rot.answer)
	store := newMapStore()
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodRefreshToken, RefreshTokens: store,
		OIDC: OIDCSettings{RefreshToken: "given"}})
	tok, err := s.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.src.rejected(t.Context(), tok.Bearer); err != nil {
		t.Fatal(err)
	}
	if store.sets != 0 || store.rotations != 0 {
		t.Errorf("store written %d times, locked %d times", store.sets, store.rotations)
	}
	rot.checkNoReuse(t)
}

// TestRefreshNotResentAfterLostAnswer: the identity provider processes the
// refresh but the connection breaks before its answer: the grant is not
// sent again (not by the retries, not by a later call), the store keeps its
// entry, and the error says what happened.
func TestRefreshNotResentAfterLostAnswer(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	issuer := idp.srv.URL
	rot := newRotator("rt-0")
	idp.setToken(func(form url.Values) (int, any) {
		rot.answer(form)
		return dropAnswer, nil
	})
	store := newMapStore()
	_ = store.SetRefreshToken(issuer, "default-pub", "rt-0", time.Time{})
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodRefreshToken, RefreshTokens: store})
	for range 2 {
		_, err := s.Token(t.Context())
		var re *RefreshTokenError
		if !errors.As(err, &re) || re.Failure != RefreshAnswerLost || !re.Stored || re.ClientID != "default-pub" || re.Issuer != issuer {
			t.Fatalf("err = %#v", err)
		}
		if !strings.Contains(err.Error(), "not sent again") || strings.Contains(err.Error(), "rt-0") {
			t.Errorf("message %q", err)
		}
	}
	if n := len(idp.tokenForms()); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
	if got := store.get(issuer, "default-pub"); got != "rt-0" {
		t.Errorf("stored %q", got)
	}
}

// TestRefreshGrantRetries: the refresh grant is retried after 503 and 429
// and when the connection cannot be made, but not after a 502 (a gateway
// may have forwarded it); client credentials keep retrying after a
// dropped connection.
func TestRefreshGrantRetries(t *testing.T) {
	ctx := t.Context()
	c := NewClient(fastHTTP())
	for _, tc := range []struct {
		first    int
		requests int
		ok       bool
	}{{503, 2, true}, {429, 2, true}, {502, 1, false}, {dropAnswer, 1, false}} {
		idp := newFakeIdP(t)
		var n atomic.Int32 // the handler runs on the server's goroutine
		idp.setToken(func(url.Values) (int, any) {
			if n.Add(1) == 1 {
				return tc.first, map[string]any{"error": "temporarily_unavailable"}
			}
			return 200, map[string]any{"access_token": "AT", "token_type": "Bearer"}
		})
		g := &GrantConfig{Provider: Provider{ID: "p", Issuer: idp.srv.URL}, ClientID: "c",
			Metadata: &ProviderMetadata{TokenEndpoint: idp.srv.URL + "/token"}}
		_, err := c.RefreshTokenGrant(ctx, g, "rt")
		if (err == nil) != tc.ok || len(idp.tokenForms()) != tc.requests {
			t.Errorf("first answer %d: err %v after %d requests, want ok=%v after %d", tc.first, err, len(idp.tokenForms()), tc.ok, tc.requests)
		}
		if tc.first == dropAnswer {
			n.Store(0)
			if _, err := c.ClientCredentialsGrant(ctx, g, ""); err != nil || len(idp.tokenForms()) != 3 {
				t.Errorf("client credentials after a dropped answer: %v, %d requests in all", err, len(idp.tokenForms()))
			}
		}
	}
	// Connection refused: the request cannot have reached anyone.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/token"
	_ = l.Close()
	g := &GrantConfig{ClientID: "c", Metadata: &ProviderMetadata{TokenEndpoint: closed}}
	_, err = c.RefreshTokenGrant(ctx, g, "rt")
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 1+DefaultMaxRetries || refreshFailure(err) != "" {
		t.Errorf("connection refused: %v (attempts %v)", err, te)
	}
}

// TestRefusedRefreshIsTyped: invalid_grant, and invalid_request about the
// refresh token (dex), are refusals of the refresh token; other errors are
// not.
func TestRefusedRefreshIsTyped(t *testing.T) {
	for _, tc := range []struct {
		code, desc string
		refused    bool
	}{
		{"invalid_grant", "grant request is invalid", true},
		{"invalid_request", "Refresh token is invalid or has already been claimed by another client.", true},
		{"invalid_request", "missing parameter", false},
		{"invalid_client", "", false},
	} {
		b, idp := oidcSetup(t, deviceClient)
		idp.setToken(func(url.Values) (int, any) {
			return 400, map[string]any{"error": tc.code, "error_description": tc.desc}
		})
		s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodRefreshToken, OIDC: OIDCSettings{RefreshToken: "rt"}})
		_, err := s.Token(t.Context())
		var re *RefreshTokenError
		var oe *OIDCError
		if got := errors.As(err, &re) && re.Failure == RefreshRefused && !re.Stored; got != tc.refused || !errors.As(err, &oe) {
			t.Errorf("%s %q: err %#v, refused %v", tc.code, tc.desc, err, got)
		}
	}
}

// TestRenewalRefusedIsReported: the back-end rejects the access token, and
// the renewal's refresh token is refused: Account reports the refused
// refresh token, not the back-end's TokenInvalid answer.
func TestRenewalRefusedIsReported(t *testing.T) {
	b, idp := oidcSetup(t, deviceClient)
	issuer := idp.srv.URL
	rot := newRotator("rt-0")
	idp.setToken(rot.answer)
	store := newMapStore()
	_ = store.SetRefreshToken(issuer, "default-pub", "rt-0", time.Time{})
	s := newTestSession(t, Config{BackendURL: b.srv.URL, Method: MethodOIDC, RefreshTokens: store})
	if _, err := s.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Elsewhere the login was revoked; the back-end rejects our access token.
	rot.mu.Lock()
	rot.revoked = true
	rot.mu.Unlock()
	b.mu.Lock()
	b.meFail, b.meCode = []int{401}, "TokenInvalid"
	b.mu.Unlock()
	_, err := s.Account(t.Context())
	var re *RefreshTokenError
	if !errors.As(err, &re) || re.Failure != RefreshRefused || !re.Stored {
		t.Fatalf("err = %v", err)
	}
}
