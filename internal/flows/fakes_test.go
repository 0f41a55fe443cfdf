package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeIdP is a tiny in-process OpenID provider for pure edge-case tests.
// Real protocol behaviour is covered by the rig tests.
type fakeIdP struct {
	srv *httptest.Server

	mu      sync.Mutex
	forms   []url.Values // token endpoint requests, in order
	devices []url.Values // device authorization requests
	revokes []url.Values // revocation requests
	// token answers the token endpoint; default: a bearer token.
	token func(form url.Values) (int, any)
	// device answers the device endpoint.
	device func(form url.Values) (int, any)
	// revoke answers the revocation endpoint; default: 200, empty body.
	revoke func(form url.Values) (int, any)
	// discovery overrides the discovery document.
	discovery map[string]any
}

func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	f := &fakeIdP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		doc := f.discovery
		f.mu.Unlock()
		if doc == nil {
			doc = map[string]any{
				"issuer":                        f.srv.URL,
				"token_endpoint":                f.srv.URL + "/token",
				"device_authorization_endpoint": f.srv.URL + "/device",
				"revocation_endpoint":           f.srv.URL + "/revoke",
				"scopes_supported":              []string{"openid", "email", "offline_access"},
			}
		}
		writeJSONT(w, 200, doc)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.forms = append(f.forms, r.PostForm)
		h := f.token
		f.mu.Unlock()
		if h == nil {
			h = func(url.Values) (int, any) {
				return 200, map[string]any{"access_token": "at-" + fmt.Sprint(time.Now().UnixNano()), "token_type": "Bearer", "expires_in": 3600}
			}
		}
		st, body := h(r.PostForm)
		if st == dropAnswer {
			dropConnection(w)
			return
		}
		writeJSONT(w, st, body)
	})
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.devices = append(f.devices, r.PostForm)
		h := f.device
		f.mu.Unlock()
		if h == nil {
			h = func(url.Values) (int, any) {
				return 200, map[string]any{"device_code": "dev-code-123", "user_code": "ABCD-EFGH",
					"verification_uri": f.srv.URL + "/activate", "interval": 1, "expires_in": 600}
			}
		}
		st, body := h(r.PostForm)
		writeJSONT(w, st, body)
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.revokes = append(f.revokes, r.PostForm)
		h := f.revoke
		f.mu.Unlock()
		if h == nil {
			w.WriteHeader(200)
			return
		}
		st, body := h(r.PostForm)
		writeJSONT(w, st, body)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// dropAnswer as the status of a token answer closes the connection instead
// of answering: the request was processed, its answer is lost.
const dropAnswer = -1

func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakeIdP: connection cannot be hijacked")
	}
	c, _, err := hj.Hijack()
	if err == nil {
		_ = c.Close()
	}
}

func (f *fakeIdP) tokenForms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func (f *fakeIdP) setToken(h func(url.Values) (int, any)) {
	f.mu.Lock()
	f.token = h
	f.mu.Unlock()
}

func writeJSONT(w http.ResponseWriter, status int, v any) {
	if s, ok := v.(string); ok {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(s))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fakeBackend is a tiny openEO back-end for pure tests: well-known,
// capabilities, /credentials/basic, /credentials/oidc and /me.
type fakeBackend struct {
	srv *httptest.Server

	mu        sync.Mutex
	providers []map[string]any
	conforms  []string
	noBasic   bool
	// meStatus makes /me fail with an openEO error (status, code) for the
	// next n requests.
	meFail     []int
	meCode     string
	meRequests []string // Authorization headers seen at /me
	hits       map[string]int
}

func newFakeBackend(t *testing.T) *fakeBackend {
	t.Helper()
	b := &fakeBackend{hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openeo", func(w http.ResponseWriter, r *http.Request) {
		b.hit("well-known")
		writeJSONT(w, 200, map[string]any{"versions": []any{
			map[string]any{"url": b.srv.URL + "/openeo/1.2", "api_version": "1.2.0"},
			map[string]any{"url": b.srv.URL + "/openeo/0.4", "api_version": "0.4.2"},
		}})
	})
	mux.HandleFunc("GET /openeo/1.2/{$}", func(w http.ResponseWriter, r *http.Request) {
		b.hit("capabilities")
		b.mu.Lock()
		eps := []any{map[string]any{"path": "/credentials/oidc", "methods": []string{"GET"}},
			map[string]any{"path": "/me", "methods": []string{"GET"}}}
		if !b.noBasic {
			eps = append(eps, map[string]any{"path": "/credentials/basic", "methods": []string{"GET"}})
		}
		conf := b.conforms
		b.mu.Unlock()
		writeJSONT(w, 200, map[string]any{"api_version": "1.2.0", "backend_version": "1", "stac_version": "1.0.0",
			"id": "fake", "title": "Fake", "description": "fake", "endpoints": eps, "links": []any{}, "conformsTo": conf})
	})
	mux.HandleFunc("GET /openeo/1.2/credentials/basic", func(w http.ResponseWriter, r *http.Request) {
		b.hit("basic")
		u, p, ok := r.BasicAuth()
		if !ok || u != "john" || p != "j0hn-secret" {
			writeJSONT(w, 403, map[string]any{"code": "CredentialsInvalid", "message": "Credentials are not correct."})
			return
		}
		writeJSONT(w, 200, map[string]any{"access_token": "basic-tok-1"})
	})
	mux.HandleFunc("GET /openeo/1.2/credentials/oidc", func(w http.ResponseWriter, r *http.Request) {
		b.hit("oidc")
		b.mu.Lock()
		ps := b.providers
		b.mu.Unlock()
		writeJSONT(w, 200, map[string]any{"providers": ps})
	})
	mux.HandleFunc("GET /openeo/1.2/me", func(w http.ResponseWriter, r *http.Request) {
		b.hit("me")
		b.mu.Lock()
		b.meRequests = append(b.meRequests, r.Header.Get("Authorization"))
		var fail int
		if len(b.meFail) > 0 {
			fail, b.meFail = b.meFail[0], b.meFail[1:]
		}
		code := b.meCode
		b.mu.Unlock()
		if fail != 0 {
			writeJSONT(w, fail, map[string]any{"code": code, "message": "Authorization token has expired or is invalid. Please authenticate again.", "id": "r-1"})
			return
		}
		if r.Header.Get("Authorization") == "" {
			writeJSONT(w, 401, map[string]any{"code": "AuthenticationRequired", "message": "Unauthorized."})
			return
		}
		writeJSONT(w, 200, map[string]any{"user_id": "john", "name": "John", "storage": nil, "budget": 12.5, "links": []any{}, "email": "j@x"})
	})
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *fakeBackend) hit(k string) {
	b.mu.Lock()
	b.hits[k]++
	b.mu.Unlock()
}

func (b *fakeBackend) count(k string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits[k]
}

func (b *fakeBackend) root() string { return b.srv.URL + "/openeo/1.2" }

// provider returns a provider entry for a fake IdP.
func fakeProvider(id, issuer string, defaultClients ...map[string]any) map[string]any {
	p := map[string]any{"id": id, "issuer": issuer, "title": "P " + id, "scopes": []string{"openid", "email"}}
	if len(defaultClients) > 0 {
		p["default_clients"] = defaultClients
	}
	return p
}

// mapAuthConfig is an in-memory AuthConfigReader.
type mapAuthConfig struct {
	basicUser, basicPass string
	providerIDs          []string
	clients              map[string][2]string
}

func (m *mapAuthConfig) BasicCredentials(string) (string, string, bool, error) {
	return m.basicUser, m.basicPass, m.basicUser != "", nil
}
func (m *mapAuthConfig) OIDCProviderIDs(string) ([]string, error) { return m.providerIDs, nil }
func (m *mapAuthConfig) OIDCClient(_, pid string) (string, string, bool, error) {
	c, ok := m.clients[pid]
	return c[0], c[1], ok && c[0] != "", nil
}

// mapStore is an in-memory RefreshTokenStore. lock stands for the file's
// cross-process lock; beforeRead, when set, runs under it before the entry
// is read again (another process that wrote meanwhile).
type mapStore struct {
	mu        sync.Mutex
	tokens    map[string]string
	sets      int
	lock      sync.Mutex
	rotations int
	// beforeRead runs under the lock before RotateRefreshToken reads the entry.
	beforeRead func()
}

func newMapStore() *mapStore { return &mapStore{tokens: map[string]string{}} }

func (m *mapStore) RefreshToken(issuer, clientID string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[issuer+"|"+clientID]
	return t, ok, nil
}

func (m *mapStore) SetRefreshToken(issuer, clientID, token string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[issuer+"|"+clientID] = token
	m.sets++
	return nil
}

func (m *mapStore) RotateRefreshToken(ctx context.Context, issuer, clientID string,
	refresh func(context.Context, string, time.Time) (string, time.Time, error)) error {
	m.lock.Lock()
	defer m.lock.Unlock()
	m.rotations++
	if m.beforeRead != nil {
		m.beforeRead()
	}
	current := m.get(issuer, clientID)
	rotated, expiresAt, err := refresh(ctx, current, time.Time{})
	if err != nil || rotated == "" || rotated == current {
		return err
	}
	return m.SetRefreshToken(issuer, clientID, rotated, expiresAt)
}

func (m *mapStore) get(issuer, clientID string) string {
	t, _, _ := m.RefreshToken(issuer, clientID)
	return t
}

// fastHTTP are HTTP options for tests: short timeouts and waits.
func fastHTTP() HTTPOptions {
	return HTTPOptions{Timeout: 5 * time.Second, RetryBaseWait: time.Millisecond, RetryMaxWait: 20 * time.Millisecond}
}

// logRecorder collects log messages.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Log(_ context.Context, level LogLevel, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.msgs, "\n")
}
