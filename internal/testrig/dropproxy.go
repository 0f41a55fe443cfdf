package testrig

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// DropProxy is a reverse proxy in front of the test IdP that can lose answers: for the requests
// armed with DropAnswers it forwards the request, waits until the IdP has answered (so the IdP has
// processed it), and then closes the client's connection without a byte of the answer. Everything
// else passes through. The IdP's origin is rewritten to the proxy's in JSON answers (discovery),
// so clients that discover the issuer at URL send every request through the proxy.
type DropProxy struct {
	// URL is the proxy's base URL, to be listed as the issuer instead of the IdP's.
	URL string

	target *url.URL
	rp     *httputil.ReverseProxy

	mu      sync.Mutex
	drops   int
	match   func(r *http.Request, form url.Values) bool
	dropped int
}

// IsRefreshGrant matches token requests with grant_type=refresh_token (for DropAnswers).
func IsRefreshGrant(r *http.Request, form url.Values) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") && form.Get("grant_type") == GrantRefreshToken
}

// NewDropProxy starts a DropProxy in front of the IdP; it stops when the test ends.
func (p *OpenIDProvider) NewDropProxy(t testing.TB) *DropProxy {
	t.Helper()
	target, err := url.Parse(p.issuer)
	if err != nil {
		t.Fatalf("testrig: issuer %q: %v", p.issuer, err)
	}
	d := &DropProxy{target: target}
	d.rp = httputil.NewSingleHostReverseProxy(target)
	d.rp.ModifyResponse = d.rewrite
	srv := httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(srv.Close)
	d.URL = srv.URL
	return d
}

// DropAnswers arms the proxy: the next n requests that match lose their answers.
func (d *DropProxy) DropAnswers(n int, match func(r *http.Request, form url.Values) bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.drops, d.match = n, match
}

// Dropped is the number of answers the proxy dropped so far.
func (d *DropProxy) Dropped() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}

func (d *DropProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	d.mu.Lock()
	drop := d.drops > 0 && d.match != nil && d.match(r, form)
	if drop {
		d.drops--
	}
	d.mu.Unlock()
	if !drop {
		d.rp.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	d.rp.ServeHTTP(rec, r) // the IdP processes the request in full
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "testrig: cannot drop the connection", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
	d.mu.Lock()
	d.dropped++
	d.mu.Unlock()
}

// rewrite replaces the IdP's origin with the proxy's in JSON answers.
func (d *DropProxy) rewrite(resp *http.Response) error {
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	body = bytes.ReplaceAll(body, []byte(d.target.Scheme+"://"+d.target.Host), []byte(d.URL))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}
