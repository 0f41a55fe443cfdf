package flows

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordSleeps replaces the client's sleep with one that records waits.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return &waits
}

func TestRetryOn503ThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	logs := &logRecorder{}
	opts := fastHTTP()
	opts.Logger = logs
	c := NewClient(opts)
	waits := recordSleeps(c)
	body, err := c.getOpenEO(t.Context(), srv.URL, "/x", "Bearer secret-bearer")
	if err != nil || string(body) != `{"ok":true}` {
		t.Fatalf("body %q, err %v", body, err)
	}
	if n.Load() != 3 || len(*waits) != 2 {
		t.Errorf("attempts %d, waits %v", n.Load(), *waits)
	}
	if !strings.Contains(logs.text(), "retrying request after retryable status") || strings.Contains(logs.text(), "secret-bearer") {
		t.Errorf("logs: %s", logs.text())
	}
}

func TestRetryBudgetAndStatuses(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
		}))
		c := NewClient(fastHTTP())
		recordSleeps(c)
		_, err := c.getOpenEO(t.Context(), srv.URL, "/", "")
		srv.Close()
		var pe *PlainError
		if !errors.As(err, &pe) || pe.Status != status || n.Load() != 1+DefaultMaxRetries {
			t.Errorf("status %d: attempts %d, err %v", status, n.Load(), err)
		}
	}
	// Not retried: 500, 400, and POSTs that are not token requests.
	for _, status := range []int{500, 400, 401} {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
		}))
		c := NewClient(fastHTTP())
		_, _ = c.getOpenEO(t.Context(), srv.URL, "/", "")
		srv.Close()
		if n.Load() != 1 {
			t.Errorf("status %d retried: %d attempts", status, n.Load())
		}
	}
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c := NewClient(HTTPOptions{MaxRetries: -1})
	_, _ = c.fetch(t.Context(), &request{method: "POST", url: srv.URL})
	_, _ = c.getOpenEO(t.Context(), srv.URL, "/", "")
	if n.Load() != 2 {
		t.Errorf("retries disabled / POST: %d attempts, want 2", n.Load())
	}
}

func TestRetryAfter(t *testing.T) {
	c := NewClient(HTTPOptions{RetryMaxWait: 10 * time.Second})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"3600", 10 * time.Second, true}, // capped
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(time.Hour).Format(http.TimeFormat), 10 * time.Second, true},
		{"", 0, false}, {"soon", 0, false}, {"-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := c.retryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
	// A Retry-After header is honoured by the retry loop.
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(429)
			return
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	waits := recordSleeps(c)
	if _, err := c.getOpenEO(t.Context(), srv.URL, "/", ""); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] != 2*time.Second {
		t.Errorf("waits = %v, want [2s]", *waits)
	}
}

func TestBackoff(t *testing.T) {
	c := NewClient(HTTPOptions{RetryBaseWait: 100 * time.Millisecond, RetryMaxWait: time.Second})
	// RetryBaseWait doubled per attempt, capped at RetryMaxWait.
	for attempt, ms := range []int{100, 200, 400, 800, 1000, 1000} {
		limit := time.Duration(ms) * time.Millisecond
		for range 50 {
			d := c.backoff(attempt)
			if d < limit/2 || d > limit {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, limit/2, limit)
			}
		}
	}
}

func TestConnectionErrorRetriedThenReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	c := NewClient(fastHTTP())
	waits := recordSleeps(c)
	_, err = c.getOpenEO(t.Context(), "http://"+addr, "/", "")
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 1+DefaultMaxRetries || len(*waits) != DefaultMaxRetries {
		t.Fatalf("err %v, waits %v", err, *waits)
	}
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("error text: %v", err)
	}
}

func TestPerAttemptTimeoutAndCancellation(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewClient(HTTPOptions{Timeout: 50 * time.Millisecond, MaxRetries: 1, RetryBaseWait: time.Millisecond})
	_, err := c.getOpenEO(t.Context(), srv.URL, "/", "")
	if err == nil || !strings.Contains(err.Error(), "timed out after 50ms") || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Errorf("err = %v", err)
	}
	// Cancellation of the caller's context ends the request (and retries) at
	// once: the per-attempt timeout is an hour, so only the cancellation can
	// end this request before the test's deadline.
	c = NewClient(HTTPOptions{Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = c.getOpenEO(ctx, srv.URL, "/", "")
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timed out after 1h") {
		t.Errorf("err = %v, want the caller's deadline", err)
	}
	// Cancellation during a backoff wait.
	srv503 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv503.Close()
	c = NewClient(HTTPOptions{RetryBaseWait: time.Hour, RetryMaxWait: time.Hour})
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = c.getOpenEO(ctx, srv503.URL, "/", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

func TestInsideRoot(t *testing.T) {
	tests := []struct {
		root, target string
		want         bool
	}{
		{"https://oeo.test/foo", "https://oeo.test/foo", true},
		{"https://oeo.test/foo", "https://oeo.test/foo/", true},
		{"https://oeo.test/foo/", "https://oeo.test/foo/me", true},
		{"https://oeo.test/foo", "https://oeo.test/foo/me?x=1", true},
		{"https://oeo.test/foo", "https://OEO.test:443/foo/me", true},
		{"https://oeo.test/foo", "https://oeo.test/foobar", false},
		{"https://oeo.test/foo", "https://oeo.test/bar/x", false},
		{"https://oeo.test/foo", "https://oeo.test/foo/../bar", false},
		{"https://oeo.test/foo", "http://oeo.test/foo/me", false},
		{"https://oeo.test/foo", "https://oeo.test:8443/foo/me", false},
		{"https://oeo.test/foo", "https://evil.test/foo/me", false},
		{"https://oeo.test/foo", "https://oeo.test.evil.test/foo/me", false},
		{"https://oeo.test/foo", "https://user@oeo.test/foo/me", false},
		{"https://oeo.test", "https://oeo.test/anything", true},
		{"https://oeo.test/foo", "/foo/me", false},
	}
	for _, tt := range tests {
		if got := InsideRoot(tt.root, tt.target); got != tt.want {
			t.Errorf("InsideRoot(%q, %q) = %v", tt.root, tt.target, got)
		}
	}
}

func TestAuthorizationScoping(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name+" "+r.URL.Path] = r.Header.Get("Authorization")
			mu.Unlock()
			_, _ = w.Write([]byte(`{}`))
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", record("api"))
	mux.HandleFunc("/outside", record("api"))
	mux.HandleFunc("/api/to-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/api/landing", http.StatusFound)
	})
	mux.HandleFunc("/api/to-outside", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/outside", http.StatusFound)
	})
	mux.HandleFunc("/api/to-inside", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/landing", http.StatusFound)
	})
	api := httptest.NewServer(mux)
	defer api.Close()
	root := api.URL + "/api"
	c := NewClient(fastHTTP())
	ctx := t.Context()
	for _, path := range []string{"/me", "/to-other", "/to-outside", "/to-inside"} {
		if _, err := c.getOpenEO(ctx, root, path, "Bearer oidc/p/tok"); err != nil {
			t.Fatal(err)
		}
	}
	// A URL outside the root never gets the header.
	if _, err := c.fetch(ctx, &request{method: "GET", url: api.URL + "/outside", auth: "Bearer oidc/p/tok", root: root}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"api /api/me":        "Bearer oidc/p/tok",
		"other /api/landing": "", // other host
		"api /outside":       "", // same host, outside the root (redirect and direct)
		"api /api/landing":   "Bearer oidc/p/tok",
	}
	mu.Lock()
	defer mu.Unlock()
	for k, v := range want {
		if got, ok := seen[k]; !ok || got != v {
			t.Errorf("%s: Authorization %q (seen %v), want %q", k, got, ok, v)
		}
	}
}

func TestUserAgentAndCallerCheckRedirect(t *testing.T) {
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/x", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	called := false
	c := NewClient(HTTPOptions{UserAgent: UserAgent("1.2.3"), Client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		called = true
		return nil
	}}})
	if _, err := c.getOpenEO(t.Context(), srv.URL, "/redirect", ""); err != nil {
		t.Fatal(err)
	}
	if ua.Load() != "terraform-provider-openeo/1.2.3" || !called {
		t.Errorf("User-Agent %v, caller CheckRedirect called %v", ua.Load(), called)
	}
	c = NewClient(HTTPOptions{})
	_, _ = c.getOpenEO(t.Context(), srv.URL, "/", "")
	if ua.Load() != DefaultUserAgent {
		t.Errorf("default User-Agent %v", ua.Load())
	}
}

func TestErrorsScrubSecrets(t *testing.T) {
	// An IdP that echoes the request into its error body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"bad ` + form.Get("client_secret") + " " + form.Get("password") + " " + form.Get("refresh_token") + `"}`))
	}))
	defer srv.Close()
	c := NewClient(fastHTTP())
	g := &GrantConfig{Metadata: &ProviderMetadata{TokenEndpoint: srv.URL}, ClientID: "cid", ClientSecret: "very-secret-cs"}
	ctx := t.Context()
	_, err1 := c.PasswordGrant(ctx, g, "openid", "john", "hunter2-password")
	_, err2 := c.RefreshTokenGrant(ctx, g, "refresh-token-value")
	for _, err := range []error{err1, err2} {
		if err == nil {
			t.Fatal("expected an error")
		}
		for _, secret := range []string{"very-secret-cs", "hunter2-password", "refresh-token-value"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%v contains %s", err, secret)
			}
		}
		if !strings.Contains(err.Error(), "<redacted>") {
			t.Errorf("%v: expected a redaction marker", err)
		}
	}
}

// TestAccountAndCapabilitiesScrubAccessToken: a back-end that echoes the
// bare access token (not the whole bearer) in an error body: Client.Account
// and Client.Capabilities scrub both.
func TestAccountAndCapabilitiesScrubAccessToken(t *testing.T) {
	const token = "bare-access-token-value-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`{"code":"PermissionsInsufficient","message":"token ` + ParseBearer(bearer).Token + ` (bearer ` + bearer + `) refused"}`))
	}))
	defer srv.Close()
	c := NewClient(fastHTTP())
	for _, bearer := range []string{"oidc/egi/" + token, "basic//" + token, token} {
		_, err1 := c.Account(t.Context(), srv.URL, bearer)
		_, err2 := c.Capabilities(t.Context(), srv.URL, bearer)
		for _, err := range []error{err1, err2} {
			if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "token <redacted>") {
				t.Errorf("bearer %q: %v", bearer, err)
			}
		}
	}
}

// levelRecorder is a logRecorder that logs only from a level up.
type levelRecorder struct {
	logRecorder
	min LogLevel
}

func (l *levelRecorder) Enabled(level LogLevel) bool { return level >= l.min }

func (l *levelRecorder) Log(ctx context.Context, level LogLevel, msg string, fields map[string]any) {
	if level < l.min {
		panic("a message below the logger's level was built: " + msg)
	}
	l.logRecorder.Log(ctx, level, msg, fields)
}

// TestLevelLoggerSkipsDroppedMessages: a LevelLogger that drops debug
// messages gets no per-request message (its fields are not even built);
// one that keeps them gets it.
func TestLevelLoggerSkipsDroppedMessages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	for _, from := range []LogLevel{LevelDebug, LevelInfo} {
		logs := &levelRecorder{min: from}
		opts := fastHTTP()
		opts.Logger = logs
		c := NewClient(opts)
		if _, err := c.getOpenEO(t.Context(), srv.URL, "/x", ""); err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(logs.text(), "HTTP request")
		if want := from == LevelDebug; got != want {
			t.Errorf("logger from %s: HTTP request logged %v, want %v (%s)", from, got, want, logs.text())
		}
	}
}
