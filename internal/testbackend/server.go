package testbackend

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is the openEO test back-end. It is an http.Handler; all methods are safe for concurrent
// use.
type Server struct {
	cfg    Config // static parts (ID, titles, HTTP client, log, admin)
	client *http.Client

	mu             sync.Mutex
	baseURL        string
	certPEM        []byte
	versions       []Version
	basicUsers     map[string]string
	basicEnabled   bool
	basicTTL       time.Duration
	providers      []Provider
	emptyProviders bool
	oidcMaxAge     time.Duration
	cacheTTL       time.Duration
	jwt            bool
	invalidStatus  int

	basicTokens map[string]basicToken
	firstSeen   map[[32]byte]time.Time
	expired     map[[32]byte]bool
	introCache  map[[32]byte]cachedIntrospection
	discovery   map[string]idpEndpoints

	faults   []*Fault
	counts   map[string]int
	requests []Request
}

type basicToken struct {
	user    string
	expires time.Time
}

// Request is a request the back-end saw (for assertions in tests). Authorization is kept as sent.
type Request struct {
	Method        string
	Path          string // the counting key: relative to the API root, or /.well-known/openeo
	Authorization string
	UserAgent     string
	Time          time.Time
}

const maxRequests = 10000

// New creates a Server from cfg.
func New(cfg Config) *Server {
	s := &Server{
		cfg:         cfg,
		client:      cfg.HTTPClient,
		basicUsers:  map[string]string{},
		basicTokens: map[string]basicToken{},
		firstSeen:   map[[32]byte]time.Time{},
		expired:     map[[32]byte]bool{},
		introCache:  map[[32]byte]cachedIntrospection{},
		discovery:   map[string]idpEndpoints{},
		counts:      map[string]int{},
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.cfg.ID == "" {
		s.cfg.ID = "openeo-tf-test-backend"
	}
	if s.cfg.Title == "" {
		s.cfg.Title = "openEO test back-end"
	}
	if s.cfg.Description == "" {
		s.cfg.Description = "An openEO API 1.2 test back-end (authentication only) for terraform-provider-openeo tests."
	}
	if s.cfg.BackendVersion == "" {
		s.cfg.BackendVersion = "0.0.0-test"
	}
	s.baseURL = strings.TrimRight(cfg.BaseURL, "/")
	s.versions = append([]Version(nil), cfg.Versions...)
	for u, p := range cfg.BasicUsers {
		s.basicUsers[u] = p
	}
	s.basicEnabled = !cfg.BasicDisabled
	s.basicTTL = cfg.BasicTokenTTL
	if s.basicTTL <= 0 {
		s.basicTTL = time.Hour
	}
	s.providers = append([]Provider(nil), cfg.Providers...)
	s.emptyProviders = cfg.EmptyProviders
	s.oidcMaxAge = cfg.OIDCMaxTokenAge
	s.cacheTTL = cfg.IntrospectionCacheTTL
	s.jwt = cfg.JWTConformance
	s.invalidStatus = cfg.TokenInvalidStatus
	if s.invalidStatus == 0 {
		s.invalidStatus = http.StatusForbidden
	}
	return s
}

// SetBaseURL sets the URL the back-end is reached at (no trailing slash), e.g. once the program
// knows its port.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// URL is the base URL (what a user gives as back-end URL; /.well-known/openeo lives below it).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// APIURL is the API root, <URL>/openeo/1.2 (the version URL listed at /.well-known/openeo).
func (s *Server) APIURL() string { return s.URL() + APIPath }

// ---------------------------------------------------------------- knobs

// SetBasicEnabled turns /credentials/basic (and basic// bearers) on or off.
func (s *Server) SetBasicEnabled(on bool) { s.mu.Lock(); s.basicEnabled = on; s.mu.Unlock() }

// SetBasicUser adds or changes a basic-auth user; an empty password removes it.
func (s *Server) SetBasicUser(name, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if password == "" {
		delete(s.basicUsers, name)
		return
	}
	s.basicUsers[name] = password
}

// SetBasicTokenTTL sets the lifetime of basic tokens issued from now on.
func (s *Server) SetBasicTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		d = time.Hour
	}
	s.basicTTL = d
}

// SetJWTConformance lists (or not) ConformanceJWT and accepts (or not) plain bearer tokens.
func (s *Server) SetJWTConformance(on bool) { s.mu.Lock(); s.jwt = on; s.mu.Unlock() }

// SetTokenInvalidStatus sets the HTTP status of TokenInvalid errors (401 or 403; 0 means 403).
func (s *Server) SetTokenInvalidStatus(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		status = http.StatusForbidden
	}
	s.invalidStatus = status
}

// SetOIDCMaxTokenAge makes the back-end refuse OIDC access tokens d after it first saw them (0:
// off).
func (s *Server) SetOIDCMaxTokenAge(d time.Duration) { s.mu.Lock(); s.oidcMaxAge = d; s.mu.Unlock() }

// SetIntrospectionCacheTTL sets how long positive introspection answers are cached (0: off).
func (s *Server) SetIntrospectionCacheTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cacheTTL = d
	s.introCache = map[[32]byte]cachedIntrospection{}
}

// SetProviders replaces the OIDC providers.
func (s *Server) SetProviders(ps []Provider) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.providers = append([]Provider(nil), ps...)
}

// SetEmptyProviders makes /credentials/oidc list no provider.
func (s *Server) SetEmptyProviders(on bool) { s.mu.Lock(); s.emptyProviders = on; s.mu.Unlock() }

// SetVersions replaces the entries of /.well-known/openeo (nil: the default).
func (s *Server) SetVersions(vs []Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions = append([]Version(nil), vs...)
}

// ExpireTokens makes every token the back-end knows so far invalid: issued basic tokens are
// forgotten and OIDC access tokens seen so far are refused from now on (TokenInvalid), whatever the
// IdP says. New tokens work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.basicTokens = map[string]basicToken{}
	for h := range s.firstSeen {
		s.expired[h] = true
	}
	s.introCache = map[[32]byte]cachedIntrospection{}
}

// InjectFault arms f for the next requests to f.Path. Faults queue up: a request takes the first
// armed fault for its path.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Path == "" {
		f.Path = "*"
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every armed fault.
func (s *Server) ClearFaults() { s.mu.Lock(); s.faults = nil; s.mu.Unlock() }

// Count is the number of requests to path (relative to the API root, e.g. "/me",
// "/credentials/oidc", "/" for capabilities; or "/.well-known/openeo"), faulted ones included.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// Counts returns a copy of every request counter.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// ResetCounts sets every counter to zero and forgets the recorded requests.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.requests = nil
}

// Requests returns the recorded requests to path ("" for all), oldest first.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ---------------------------------------------------------------- HTTP

// apiError is an openEO error answer.
type apiError struct {
	status  int
	code    string
	message string
	header  map[string]string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func hashToken(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"Internal","message":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

func writeError(w http.ResponseWriter, e *apiError) {
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	writeJSON(w, e.status, map[string]any{"id": newID(), "code": e.code, "message": e.message})
}

// routeKey maps a request path to its counting key and tells whether it is inside the API root.
func routeKey(path string) (string, bool) {
	if path == "/.well-known/openeo" {
		return path, false
	}
	if path == APIPath || strings.HasPrefix(path, APIPath+"/") {
		rel := strings.TrimPrefix(path, APIPath)
		if len(rel) > 1 {
			rel = strings.TrimRight(rel, "/")
		}
		if rel == "" {
			rel = "/"
		}
		return rel, true
	}
	return path, false
}

// ServeHTTP serves the back-end.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if s.cfg.Log != nil {
			fmt.Fprintf(s.cfg.Log, "%s %s %s %d %s auth=%s\n", start.UTC().Format(time.RFC3339Nano), r.Method, r.URL.Path,
				lw.status, time.Since(start).Round(time.Microsecond), redactAuth(r.Header.Get("Authorization")))
		}
	}()
	if s.cfg.AdminAPI && strings.HasPrefix(r.URL.Path, "/_test/") {
		s.serveAdmin(lw, r)
		return
	}
	key, inAPI := routeKey(r.URL.Path)
	s.mu.Lock()
	s.counts[key]++
	if len(s.requests) < maxRequests {
		s.requests = append(s.requests, Request{Method: r.Method, Path: key, Authorization: r.Header.Get("Authorization"),
			UserAgent: r.UserAgent(), Time: start})
	}
	f := s.takeFault(key)
	s.mu.Unlock()

	handler := s.route(key, inAPI)
	if f != nil {
		s.serveFault(lw, r, f, handler)
		return
	}
	handler(lw, r)
}

func (s *Server) route(key string, inAPI bool) http.HandlerFunc {
	get := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET")
				writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed,
					message: fmt.Sprintf("Method %s not allowed here.", r.Method)})
				return
			}
			h(w, r)
		}
	}
	switch {
	case key == "/.well-known/openeo":
		return get(s.serveWellKnown)
	case inAPI && key == "/":
		return get(s.serveCapabilities)
	case inAPI && key == "/credentials/basic":
		return get(s.serveCredentialsBasic)
	case inAPI && key == "/credentials/oidc":
		return get(s.serveCredentialsOIDC)
	case inAPI && key == "/me":
		return get(s.serveMe)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusNotFound, code: CodeNotFound, message: "Not found: " + r.URL.Path})
	}
}

// base is the configured base URL, or one derived from the request.
func (s *Server) base(r *http.Request) string {
	s.mu.Lock()
	b := s.baseURL
	s.mu.Unlock()
	if b != "" {
		return b
	}
	return "http://" + r.Host
}

func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	vs := append([]Version(nil), s.versions...)
	s.mu.Unlock()
	if len(vs) == 0 {
		prod := true
		vs = []Version{{URL: s.base(r) + APIPath, APIVersion: APIVersion, Production: &prod}}
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
}

type endpoint struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods"`
}

func (s *Server) serveCapabilities(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	basic, jwt := s.basicEnabled, s.jwt
	s.mu.Unlock()
	base := s.base(r)
	api := base + APIPath
	var eps []endpoint
	if basic {
		eps = append(eps, endpoint{"/credentials/basic", []string{"GET"}})
	}
	eps = append(eps, endpoint{"/credentials/oidc", []string{"GET"}}, endpoint{"/me", []string{"GET"}})
	conforms := []string{ConformanceAPI}
	if jwt {
		conforms = append(conforms, ConformanceJWT)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type":            "Catalog",
		"api_version":     APIVersion,
		"backend_version": s.cfg.BackendVersion,
		"stac_version":    "1.0.0",
		"id":              s.cfg.ID,
		"title":           s.cfg.Title,
		"description":     s.cfg.Description,
		"production":      false,
		"conformsTo":      conforms,
		"endpoints":       eps,
		"billing": map[string]any{
			"currency":     "EUR",
			"default_plan": "free",
			"plans":        []map[string]any{{"name": "free", "description": "Free test plan.", "paid": false}},
		},
		"links": []map[string]string{
			{"rel": "self", "href": api, "type": "application/json"},
			{"rel": "version-history", "href": base + "/.well-known/openeo", "type": "application/json", "title": "Supported API versions"},
		},
	})
}

func (s *Server) serveCredentialsOIDC(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ps := append([]Provider(nil), s.providers...)
	empty := s.emptyProviders
	s.mu.Unlock()
	out := []map[string]any{}
	if !empty {
		for _, p := range ps {
			title := p.Title
			if title == "" {
				title = "Test IdP (" + p.ID + ")"
			}
			m := map[string]any{"id": p.ID, "issuer": strings.TrimRight(p.Issuer, "/"), "title": title}
			if p.Description != "" {
				m["description"] = p.Description
			}
			if p.Scopes != nil {
				m["scopes"] = p.Scopes
			}
			if len(p.DefaultClients) > 0 {
				m["default_clients"] = p.DefaultClients
			}
			if len(p.AuthorizationParameters) > 0 {
				m["authorization_parameters"] = p.AuthorizationParameters
			}
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": out})
}

func (s *Server) serveMe(w http.ResponseWriter, r *http.Request) {
	id, err := s.authenticate(r)
	if err != nil {
		writeError(w, err)
		return
	}
	base := s.base(r)
	me := map[string]any{
		"user_id":      id.UserID,
		"name":         id.Name,
		"default_plan": "free",
		"storage":      map[string]any{"free": 536870912, "quota": 1073741824},
		"budget":       nil,
		"links": []map[string]string{
			{"rel": "edit-form", "href": base + "/account/" + id.UserID, "type": "text/html", "title": "Edit account"},
		},
		"info": id.info(),
	}
	if id.Email != "" {
		me["email"] = id.Email
	}
	writeJSON(w, http.StatusOK, me)
}

// logWriter remembers the status for the log line.
type logWriter struct {
	http.ResponseWriter
	status int
}

func (l *logWriter) WriteHeader(code int) { l.status = code; l.ResponseWriter.WriteHeader(code) }

func (l *logWriter) Flush() {
	if f, ok := l.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// redactAuth describes an Authorization header without its secret part.
func redactAuth(h string) string {
	if h == "" {
		return "none"
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return scheme + "-***"
	}
	rest = strings.TrimSpace(rest)
	switch {
	case strings.HasPrefix(rest, "basic//"):
		return "bearer:basic//***"
	case strings.HasPrefix(rest, "oidc/"):
		pid, _, ok := strings.Cut(rest[len("oidc/"):], "/")
		if !ok || len(pid) > 20 {
			return "bearer:oidc/***"
		}
		return "bearer:oidc/" + pid + "/***"
	}
	return "bearer:***"
}
