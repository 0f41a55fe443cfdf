package testrig

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Trap is a hostile server that a test points redirects at: it records every request it
// receives (method, path, body) and answers with a token response of its own, as a server
// that steals credentials and hands out its own tokens would. Tests assert that it saw nothing.
type Trap struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []TrapRequest
}

// TrapRequest is one request a Trap received.
type TrapRequest struct {
	Method, Path, Body string
}

// NewTrap starts a Trap on 127.0.0.1; it stops when the test ends.
func NewTrap(t testing.TB) *Trap {
	t.Helper()
	tr := &Trap{}
	tr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		tr.mu.Lock()
		tr.requests = append(tr.requests, TrapRequest{Method: r.Method, Path: r.URL.Path, Body: string(body)})
		tr.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"trap-token","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(tr.srv.Close)
	return tr
}

// URL is the Trap's base URL, http://127.0.0.1:<port>.
func (tr *Trap) URL() string { return tr.srv.URL }

// Requests returns the requests received so far.
func (tr *Trap) Requests() []TrapRequest {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]TrapRequest(nil), tr.requests...)
}
