package flows

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// countingServer counts the requests it receives.
func countingServer(t *testing.T, tlsServer bool, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
		}
	})
	var srv *httptest.Server
	if tlsServer {
		srv = httptest.NewTLSServer(handler)
	} else {
		srv = httptest.NewServer(handler)
	}
	t.Cleanup(srv.Close)
	return srv, &n
}

// An OIDC endpoint that redirects elsewhere gets the request once; the
// target gets nothing, whatever the status, also from https to http.
func TestOIDCPostsRefuseRedirects(t *testing.T) {
	target, hits := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 200, map[string]any{"access_token": "evil", "token_type": "Bearer"})
	})
	for _, tc := range []struct {
		status int
		https  bool
	}{{307, false}, {308, false}, {302, false}, {303, false}, {307, true}} {
		idp, idpHits := countingServer(t, tc.https, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/token", tc.status)
		})
		opts := fastHTTP()
		if tc.https {
			opts.Client = idp.Client()
		}
		c := NewClient(opts)
		g := &GrantConfig{ClientID: "cid", ClientSecret: "Cs3cr/t+x", Metadata: &ProviderMetadata{
			TokenEndpoint: idp.URL + "/token", DeviceAuthorizationEndpoint: idp.URL + "/device", RevocationEndpoint: idp.URL + "/revoke"}}
		da, err := ParseDeviceAuthorization([]byte(`{"device_code":"dc-secret-1","user_code":"U","verification_uri":"https://v"}`))
		if err != nil {
			t.Fatal(err)
		}
		calls := map[string]func() error{
			"client credentials": func() error { _, err := c.ClientCredentialsGrant(t.Context(), g, "openid"); return err },
			"password":           func() error { _, err := c.PasswordGrant(t.Context(), g, "openid", "alice", "pw-secret"); return err },
			"refresh token":      func() error { _, err := c.RefreshTokenGrant(t.Context(), g, "1//rt-secret"); return err },
			"device authorize":   func() error { _, err := c.DeviceAuthorize(t.Context(), g, "openid", nil); return err },
			"device poll": func() error {
				_, err := c.PollDeviceToken(t.Context(), g, da, PollOptions{Interval: time.Millisecond})
				return err
			},
			"revoke": func() error { return c.RevokeToken(t.Context(), g, "1//rt-secret", "refresh_token") },
		}
		for name, call := range calls {
			before := idpHits.Load()
			err := call()
			var rre *RedirectRefusedError
			if !errors.As(err, &rre) {
				t.Errorf("%d, %s: err = %v, want a refused redirect", tc.status, name, err)
				continue
			}
			wantTarget := "http://" + target.Listener.Addr().String()
			if rre.Status != tc.status || rre.Target != wantTarget || !strings.Contains(err.Error(), idp.URL) ||
				!strings.Contains(err.Error(), wantTarget) {
				t.Errorf("%d, %s: %+v; message %q names neither endpoint nor target", tc.status, name, rre, err)
			}
			if n := idpHits.Load() - before; n != 1 {
				t.Errorf("%d, %s: the endpoint got %d requests, want 1 (a redirect is not retried)", tc.status, name, n)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
}

func TestDeviceIntervalIsBounded(t *testing.T) {
	for _, tc := range []struct {
		interval string
		want     time.Duration
	}{
		{`0.000001`, time.Second}, {`0`, time.Second}, {`0.5`, time.Second}, {`7`, 7 * time.Second},
		{`"3"`, 3 * time.Second}, {`-1`, 5 * time.Second}, {`"soon"`, 5 * time.Second}, {`null`, 5 * time.Second},
	} {
		da, err := ParseDeviceAuthorization([]byte(`{"device_code":"d","user_code":"U","verification_uri":"https://v","interval":` +
			tc.interval + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if da.Interval != tc.want {
			t.Errorf("interval %s: %s, want %s", tc.interval, da.Interval, tc.want)
		}
	}
	da, err := ParseDeviceAuthorization([]byte(`{"device_code":"d","user_code":"U","verification_uri":"https://v"}`))
	if err != nil || da.Interval != 5*time.Second {
		t.Errorf("absent interval: %v, %v", da, err)
	}
}

// hostileText has what must not reach a terminal.
const hostileText = "a\x00b\x1b[2J\x1b]0;owned\x07c\rd\u202Eevil\u2066x\u2069\u200F\u0085"

func assertClean(t *testing.T, where, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%s keeps %U: %q", where, r, s)
			return
		}
	}
}

func TestServerTextIsCleaned(t *testing.T) {
	esc := strings.NewReplacer("\x00", `\u0000`, "\x1b", `\u001b`, "\x07", `\u0007`, "\r", `\r`, "\u0085", `\u0085`).Replace(hostileText)
	assertClean(t, "an openEO error", parseErrorResponse(500, "application/json",
		[]byte(`{"code":"X`+esc+`","message":"`+esc+`","id":"`+esc+`"}`), nil).Error())
	assertClean(t, "a plain error", parseErrorResponse(502, "text/plain", []byte(hostileText), nil).Error())
	assertClean(t, "an OAuth error", parseOIDCError(opToken, "https://idp/token", 400, "application/json",
		[]byte(`{"error":"`+esc+`","error_description":"`+esc+`"}`), nil).Error())
	assertClean(t, "a non-OAuth error", parseOIDCError(opToken, "https://idp/token", 400, "text/html",
		[]byte("<p>"+hostileText+"</p>"), nil).Error())
	da, err := ParseDeviceAuthorization([]byte(`{"device_code":"d","user_code":"` + esc + `","verification_uri":"https://v/` + esc +
		`","verification_uri_complete":"https://v/?c=` + esc + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"user code": da.UserCode, "verification URI": da.VerificationURI,
		"complete verification URI": da.VerificationURIComplete, "instructions": da.Instructions()} {
		assertClean(t, "the device flow's "+name, s)
	}
	if !strings.Contains(da.UserCode, "evil") {
		t.Errorf("the printable text went too: %q", da.UserCode)
	}
}

// Authenticated reads over 8 MiB say so, like the other reads.
func TestAuthenticatedReadsReportOversizeBody(t *testing.T) {
	big := `{"user_id":"` + strings.Repeat("x", maxBody) + `"}`
	srv, _ := countingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/me", "/":
			_, _ = w.Write([]byte(big))
		default:
			http.NotFound(w, r)
		}
	})
	s := newTestSession(t, Config{BackendURL: srv.URL, Method: MethodBearer, Bearer: "basic//tok-secret"})
	for _, ep := range []string{"/me", "/"} {
		_, err := s.getAuthed(t.Context(), ep)
		if err == nil || !strings.Contains(err.Error(), "response larger than 8388608 bytes") {
			t.Errorf("GET %s: err = %v, want response larger than 8388608 bytes", ep, err)
		}
	}
	if _, err := s.Account(t.Context()); err == nil || !strings.Contains(err.Error(), "response larger than") {
		t.Errorf("Account: %v", err)
	}
}

// A certificate problem is not transient: one attempt.
func TestCertificateErrorIsNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake error the client causes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := NewClient(HTTPOptions{RetryBaseWait: time.Millisecond})
	_, err := c.fetch(t.Context(), &request{method: http.MethodGet, url: srv.URL, retry: true})
	var te *TransportError
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &te) || !errors.As(err, &cve) || te.Attempts != 1 {
		t.Fatalf("err = %v, want one attempt that failed certificate verification", err)
	}
}

// https:// to a plain-http server is a mistake, not an outage: no retries.
func TestHTTPSToPlainServerIsNotRetried(t *testing.T) {
	srv, hits := countingServer(t, false, nil)
	c := NewClient(HTTPOptions{RetryBaseWait: time.Millisecond})
	_, err := c.fetch(t.Context(), &request{method: http.MethodGet, url: "https://" + srv.Listener.Addr().String(), retry: true})
	var te *TransportError
	if !errors.Is(err, ErrPlainHTTPServer) || !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("err = %v, want one attempt and ErrPlainHTTPServer", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the handler ran %d times", hits.Load())
	}
}

// Server-supplied strings in log fields are cleaned too.
func TestLogFieldsAreCleaned(t *testing.T) {
	var rec logRecorder
	c := NewClient(HTTPOptions{Logger: &rec})
	c.log(t.Context(), LevelDebug, "msg", map[string]any{"url": "https://x/" + hostileText, "n": 3})
	assertClean(t, "a log field", rec.text())
}
