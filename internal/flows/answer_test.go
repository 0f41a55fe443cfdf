package flows

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Error answers name the request that got them (method, URL without user
// info and query, attempts), while Error() keeps the Python client's text.
func TestAnswerErrorsDescribeRequest(t *testing.T) {
	api := &APIError{Status: 429, Code: "TooManyRequests", Message: "slow down", ID: "r-1",
		Method: "GET", Endpoint: "https://b.example/openeo/1.2/me", Attempts: 2}
	if got, want := api.Error(), "[429] TooManyRequests: slow down (ref: r-1)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := api.Describe(), "GET https://b.example/openeo/1.2/me answered [429] TooManyRequests: slow down (ref: r-1) (after 2 attempts)"; got != want {
		t.Errorf("Describe() = %q\nwant         %q", got, want)
	}
	plain := &PlainError{Status: 502, Body: "nginx", Endpoint: "https://b.example/openeo/1.2/credentials/oidc", Attempts: 1}
	if got, want := plain.Describe(), "GET https://b.example/openeo/1.2/credentials/oidc answered [502] Bad Gateway: nginx"; got != want {
		t.Errorf("Describe() = %q\nwant         %q", got, want)
	}
	// Without a known request (e.g. ParseErrorResponse alone).
	bare := ParseErrorResponse(500, "", []byte(`{"code":"Internal","message":"boom"}`))
	var ae *APIError
	if !errors.As(bare, &ae) || ae.Request() != "" || ae.Describe() != "the back-end answered [500] Internal: boom" {
		t.Errorf("bare: %q / %q", ae.Request(), ae.Describe())
	}
}

// brokenAnswers serves error answers the way proxies and busy back-ends do.
func brokenAnswers(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openeo", http.NotFound) // the back-end URL is the API root
	mux.HandleFunc("GET /html502", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")
	})
	mux.HandleFunc("GET /busy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		writeJSONT(w, http.StatusTooManyRequests, map[string]any{"code": "TooManyRequests", "message": "slow down"})
	})
	mux.HandleFunc("GET /missing", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONT(w, http.StatusNotFound, "not here")
	})
	truncated := func(w http.ResponseWriter, _ *http.Request) {
		body := `{"user_id":"john","providers":[],"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "80")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler) // drop the connection
	}
	mux.HandleFunc("GET /credentials/oidc", truncated)
	mux.HandleFunc("GET /me", truncated)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestClientAnswerErrorsCarryRequest(t *testing.T) {
	srv := brokenAnswers(t)
	c := NewClient(fastHTTP())
	recordSleeps(c)
	// User info in the root never reaches an error.
	root := strings.Replace(srv.URL, "http://", "http://user:pw-secret@", 1)
	for _, tc := range []struct {
		endpoint string
		status   int
		attempts int
		api      bool
	}{
		{"/html502", 502, 1 + DefaultMaxRetries, false},
		{"/busy", 429, 1 + DefaultMaxRetries, true},
		{"/missing", 404, 1, false},
	} {
		_, err := c.getOpenEO(t.Context(), root, tc.endpoint, "")
		var ae *APIError
		var pe *PlainError
		var status, attempts int
		var method, endpoint, describe string
		switch {
		case errors.As(err, &ae):
			status, attempts, method, endpoint, describe = ae.Status, ae.Attempts, ae.Method, ae.Endpoint, ae.Describe()
		case errors.As(err, &pe):
			status, attempts, method, endpoint, describe = pe.Status, pe.Attempts, pe.Method, pe.Endpoint, pe.Describe()
		default:
			t.Fatalf("%s: err %v (%T)", tc.endpoint, err, err)
		}
		if (ae != nil) != tc.api || status != tc.status || attempts != tc.attempts || method != "GET" ||
			endpoint != srv.URL+tc.endpoint {
			t.Errorf("%s: %T status %d attempts %d request %s %s", tc.endpoint, err, status, attempts, method, endpoint)
		}
		if !strings.HasPrefix(describe, "GET "+srv.URL+tc.endpoint+" answered [") || strings.Contains(describe, "pw-secret") ||
			strings.Contains(describe, "<") {
			t.Errorf("%s: Describe() = %q", tc.endpoint, describe)
		}
	}
}

// Session requests (GET /me through Session.Do) carry the request too, and
// a body that breaks off gives the same error as one of a Client request.
func TestSessionAnswerErrorsCarryRequest(t *testing.T) {
	srv := brokenAnswers(t)
	s := newTestSession(t, Config{BackendURL: srv.URL, Method: MethodBearer, Bearer: "basic//tok-secret"})
	req, err := s.NewRequest(t.Context(), http.MethodGet, "/busy", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, attempts, err := s.do(t.Context(), req)
	if err != nil || resp.StatusCode != 429 || attempts != 1+DefaultMaxRetries {
		t.Fatalf("do: %v, %d attempts", err, attempts)
	}
	_ = resp.Body.Close()
	for _, ep := range []string{"/html502", "/busy"} {
		_, err := s.getAuthed(t.Context(), ep)
		var ae *APIError
		var pe *PlainError
		switch {
		case errors.As(err, &ae):
			if ae.Endpoint != srv.URL+ep || ae.Attempts != 1+DefaultMaxRetries || !strings.Contains(ae.Describe(), srv.URL+ep+" answered [429]") {
				t.Errorf("%s: %+v", ep, ae)
			}
		case errors.As(err, &pe):
			if pe.Endpoint != srv.URL+ep || pe.Attempts != 1+DefaultMaxRetries || !strings.Contains(pe.Describe(), srv.URL+ep+" answered [502]") {
				t.Errorf("%s: %+v", ep, pe)
			}
		default:
			t.Errorf("%s: err %v (%T)", ep, err, err)
		}
	}

	// Truncated bodies: Session.Account (GET /me) and Client.OIDCProviders
	// (GET /credentials/oidc) fail alike.
	_, errMe := s.Account(t.Context())
	_, errOIDC := NewClient(fastHTTP()).OIDCProviders(t.Context(), srv.URL)
	for ep, err := range map[string]error{"/me": errMe, "/credentials/oidc": errOIDC} {
		var te *TransportError
		if !errors.As(err, &te) || te.Status != 200 || te.URL != srv.URL+ep || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: err %v (%T)", ep, err, err)
			continue
		}
		if want := "GET " + srv.URL + ep + ": reading the body of the [200] response: unexpected EOF"; err.Error() != want {
			t.Errorf("%s: Error() = %q\nwant            %q", ep, err.Error(), want)
		}
	}
}
