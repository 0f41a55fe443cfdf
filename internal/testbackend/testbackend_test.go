package testbackend

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

type answer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
	err    error // transport or read error
}

func call(t *testing.T, method, url, auth string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw), err: err}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func get(t *testing.T, url, auth string) answer {
	t.Helper()
	return call(t, http.MethodGet, url, auth, nil)
}

func basicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// wantError checks an openEO error answer.
func wantError(t *testing.T, a answer, status int, code string) {
	t.Helper()
	if a.err != nil {
		t.Fatalf("want %d %s, got error %v", status, code, a.err)
	}
	if a.status != status || a.body["code"] != code {
		t.Fatalf("want %d %s, got %d %s", status, code, a.status, a.raw)
	}
	if msg, _ := a.body["message"].(string); msg == "" {
		t.Errorf("error without message: %s", a.raw)
	}
	if id, _ := a.body["id"].(string); id == "" {
		t.Errorf("error without id: %s", a.raw)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error content type %q", ct)
	}
}

func TestWellKnownAndCapabilities(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{BasicUsers: map[string]string{"u": "p"}})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL %q", s.URL())
	}
	wk := get(t, s.URL()+"/.well-known/openeo", "")
	vs, _ := wk.body["versions"].([]any)
	if wk.status != 200 || len(vs) != 1 {
		t.Fatalf("well-known %d %s", wk.status, wk.raw)
	}
	v := as[map[string]any](t, vs[0])
	if v["url"] != s.APIURL() || v["api_version"] != "1.2.0" || v["production"] != true {
		t.Errorf("version %v", v)
	}
	for _, u := range []string{s.APIURL(), s.APIURL() + "/"} {
		c := get(t, u, "")
		if c.status != 200 {
			t.Fatalf("capabilities at %s: %d", u, c.status)
		}
		for _, k := range []string{"id", "title", "description", "backend_version", "stac_version", "links", "endpoints"} {
			if c.body[k] == nil {
				t.Errorf("capabilities lack %s", k)
			}
		}
		if c.body["api_version"] != "1.2.0" {
			t.Errorf("api_version %v", c.body["api_version"])
		}
	}
	paths := func() []string {
		var out []string
		c := get(t, s.APIURL(), "")
		for _, e := range as[[]any](t, c.body["endpoints"]) {
			m := as[map[string]any](t, e)
			if !slices.Equal(toStrings(t, m["methods"]), []string{"GET"}) {
				t.Errorf("methods %v", m["methods"])
			}
			out = append(out, as[string](t, m["path"]))
		}
		return out
	}
	if got := paths(); !slices.Equal(got, []string{"/credentials/basic", "/credentials/oidc", "/me"}) {
		t.Errorf("endpoints %v", got)
	}
	s.SetBasicEnabled(false)
	if got := paths(); !slices.Equal(got, []string{"/credentials/oidc", "/me"}) {
		t.Errorf("endpoints without basic %v", got)
	}
	conforms := func() []string { return toStrings(t, get(t, s.APIURL(), "").body["conformsTo"]) }
	if slices.Contains(conforms(), ConformanceJWT) {
		t.Errorf("JWT conformance listed by default")
	}
	s.SetJWTConformance(true)
	if !slices.Contains(conforms(), ConformanceJWT) {
		t.Errorf("JWT conformance not listed")
	}
	// versions knob
	prod := false
	s.SetVersions([]Version{{URL: s.URL() + "/x", APIVersion: "1.1.0"}, {URL: s.APIURL(), APIVersion: "1.2.0", Production: &prod}})
	if vs := as[[]any](t, get(t, s.URL()+"/.well-known/openeo", "").body["versions"]); len(vs) != 2 {
		t.Errorf("versions knob: %v", vs)
	}
	wantError(t, get(t, s.APIURL()+"/nope", ""), 404, CodeNotFound)
	wantError(t, call(t, http.MethodPost, s.APIURL()+"/me", "", nil), 405, CodeMethodNotAllowed)
	if s.Count("/") != 6 || s.Count("/.well-known/openeo") != 2 || s.Count("/nope") != 1 {
		t.Errorf("counts %v", s.Counts())
	}
}

func toStrings(t testing.TB, v any) []string {
	t.Helper()
	var out []string
	for _, x := range as[[]any](t, v) {
		out = append(out, as[string](t, x))
	}
	return out
}

// as returns v as a T or fails the test.
func as[T any](t testing.TB, v any) T {
	t.Helper()
	x, ok := v.(T)
	if !ok {
		t.Fatalf("got %T (%v), want %T", v, v, x)
	}
	return x
}

func TestCredentialsOIDCListing(t *testing.T) {
	t.Parallel()
	p1 := ProviderFor("first", "http://127.0.0.1:9/")
	p2 := Provider{ID: "second", Issuer: "http://127.0.0.1:10", Title: "Second", Scopes: []string{"openid"},
		AuthorizationParameters: map[string]string{"prompt": "login"}}
	s := Start(t, Config{Providers: []Provider{p1, p2}})
	a := get(t, s.APIURL()+"/credentials/oidc", "")
	ps, _ := a.body["providers"].([]any)
	if a.status != 200 || len(ps) != 2 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	first := as[map[string]any](t, ps[0])
	if first["id"] != "first" || first["issuer"] != "http://127.0.0.1:9" || first["title"] == nil {
		t.Errorf("first %v", first)
	}
	dc := as[map[string]any](t, as[[]any](t, first["default_clients"])[0])
	if dc["id"] != "openeo-public" || !slices.Contains(toStrings(t, dc["grant_types"]), GrantDeviceCodePKCE) {
		t.Errorf("default client %v", dc)
	}
	if _, ok := first["authorization_parameters"]; ok {
		t.Errorf("empty authorization_parameters listed")
	}
	if strings.Contains(a.raw, "introspection") || strings.Contains(a.raw, "secret") {
		t.Errorf("introspection credentials leak into the listing: %s", a.raw)
	}
	second := as[map[string]any](t, ps[1])
	if as[map[string]any](t, second["authorization_parameters"])["prompt"] != "login" {
		t.Errorf("second %v", second)
	}
	s.SetEmptyProviders(true)
	a = get(t, s.APIURL()+"/credentials/oidc", "")
	if a.status != 200 || !strings.Contains(a.raw, `"providers":[]`) {
		t.Errorf("empty providers: %s", a.raw)
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{BasicUsers: map[string]string{"john": "j-pw", "we ird@x": "pw"}})
	url := s.APIURL() + "/credentials/basic"
	a := get(t, url, basicHeader("john", "j-pw"))
	tok, _ := a.body["access_token"].(string)
	if a.status != 200 || tok == "" || strings.HasPrefix(tok, "basic//") {
		t.Fatalf("basic: %d %s", a.status, a.raw)
	}
	me := get(t, s.APIURL()+"/me", "Bearer basic//"+tok)
	if me.status != 200 || me.body["user_id"] != "john" || me.body["name"] != "john" || me.body["default_plan"] != "free" {
		t.Fatalf("me: %d %s", me.status, me.raw)
	}
	if _, ok := me.body["budget"]; !ok || me.body["budget"] != nil {
		t.Errorf("budget must be present and null: %s", me.raw)
	}
	st := as[map[string]any](t, me.body["storage"])
	if st["free"] == nil || st["quota"] == nil {
		t.Errorf("storage %v", st)
	}
	if me.body["links"] == nil {
		t.Errorf("no links")
	}
	// user ids are sanitised to ^[\w\-\.~]+$
	a = get(t, url, basicHeader("we ird@x", "pw"))
	me = get(t, s.APIURL()+"/me", "Bearer basic//"+as[string](t, a.body["access_token"]))
	if me.body["user_id"] != "we_ird_x" {
		t.Errorf("user_id %v", me.body["user_id"])
	}

	e := get(t, url, "")
	wantError(t, e, 401, CodeAuthenticationRequired)
	if !strings.HasPrefix(e.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("WWW-Authenticate %q", e.header.Get("WWW-Authenticate"))
	}
	wantError(t, get(t, url, basicHeader("john", "wrong")), 403, CodeCredentialsInvalid)
	wantError(t, get(t, url, basicHeader("nobody", "j-pw")), 403, CodeCredentialsInvalid)
	wantError(t, get(t, url, "Basic !!!notbase64"), 403, CodeCredentialsInvalid)
	wantError(t, get(t, url, "Bearer xyz"), 403, CodeAuthenticationSchemeInvalid)
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//unknown"), 403, CodeTokenInvalid)

	// token lifetime
	s.SetBasicTokenTTL(300 * time.Millisecond)
	short := as[string](t, get(t, url, basicHeader("john", "j-pw")).body["access_token"])
	if get(t, s.APIURL()+"/me", "Bearer basic//"+short).status != 200 {
		t.Fatal("fresh short token refused")
	}
	time.Sleep(400 * time.Millisecond)
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+short), 403, CodeTokenInvalid)
	// 401 knob for TokenInvalid
	s.SetTokenInvalidStatus(401)
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+short), 401, CodeTokenInvalid)
	s.SetTokenInvalidStatus(0)
	// ExpireTokens
	if get(t, s.APIURL()+"/me", "Bearer basic//"+tok).status != 200 {
		t.Fatal("long token refused")
	}
	s.ExpireTokens()
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+tok), 403, CodeTokenInvalid)
	// disabled basic
	s.SetBasicEnabled(false)
	wantError(t, get(t, url, basicHeader("john", "j-pw")), 404, CodeNotFound)
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+tok), 403, CodeAuthenticationSchemeInvalid)
	if s.Count("/credentials/basic") != 9 {
		t.Errorf("count /credentials/basic = %d", s.Count("/credentials/basic"))
	}
}

func TestMeSchemeErrors(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{Providers: []Provider{ProviderFor("p", "http://127.0.0.1:9")}})
	me := s.APIURL() + "/me"
	e := get(t, me, "")
	wantError(t, e, 401, CodeAuthenticationRequired)
	if e.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
	wantError(t, get(t, me, basicHeader("a", "b")), 403, CodeAuthenticationSchemeInvalid)
	wantError(t, get(t, me, "Bearer custom/foo/b666r"), 403, CodeAuthenticationSchemeInvalid)
	wantError(t, get(t, me, "Bearer plaintoken"), 403, CodeAuthenticationSchemeInvalid) // JWT knob off
	wantError(t, get(t, me, "Bearer oidc/unknown/tok"), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer oidc/p"), 403, CodeTokenInvalid)
	wantError(t, get(t, me, "Bearer "), 401, CodeAuthenticationRequired) // header trimmed to "Bearer": no token
	// the IdP at port 9 is not reachable
	wantError(t, get(t, me, "Bearer oidc/p/sometoken"), 503, CodeOidcProviderUnavailable)
	s.SetTokenInvalidStatus(401)
	wantError(t, get(t, me, "Bearer oidc/unknown/tok"), 401, CodeTokenInvalid)
	if n := s.Count("/me"); n != 9 {
		t.Errorf("count /me = %d", n)
	}
	reqs := s.Requests("/me")
	if len(reqs) != 9 || reqs[2].Authorization != "Bearer custom/foo/b666r" {
		t.Errorf("recorded requests %+v", reqs)
	}
}

func TestSanitizeUserID(t *testing.T) {
	re := regexp.MustCompile(`^[\w\-\.~]+$`)
	for in, want := range map[string]string{"alice": "alice", "a b@c/d": "a_b_c_d", "": "unknown", "x.y~z-1_2": "x.y~z-1_2", "é": "_"} {
		got := sanitizeUserID(in)
		if got != want || !re.MatchString(got) {
			t.Errorf("sanitizeUserID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": "none", "Bearer basic//secret": "bearer:basic//***", "Bearer oidc/egi/secret": "bearer:oidc/egi/***",
		"Bearer oidc/secretwithoutslash": "bearer:oidc/***", "Bearer secret": "bearer:***", "Basic c2VjcmV0": "Basic-***"} {
		if got := redactAuth(in); got != want || strings.Contains(got, "secret") {
			t.Errorf("redactAuth(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{})
	oidc := s.APIURL() + "/credentials/oidc"

	s.InjectFault(Fault{Path: "/credentials/oidc", Status: 503, Count: 2, RetryAfter: "2"})
	for range 2 {
		a := get(t, oidc, "")
		wantError(t, a, 503, CodeServiceUnavailable)
		if a.header.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
		}
	}
	if a := get(t, oidc, ""); a.status != 200 {
		t.Fatalf("after faults: %d", a.status)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Status: 429, Code: "TooBusy", Message: "slow down"})
	if a := get(t, oidc, ""); a.status != 429 || a.body["code"] != "TooBusy" || a.body["message"] != "slow down" {
		t.Errorf("custom code: %d %s", a.status, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Kind: KindMalformed})
	if a := get(t, oidc, ""); a.status != 200 || a.body != nil || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Errorf("malformed: %d %q", a.status, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Kind: KindWrongContentType})
	if a := get(t, oidc, ""); a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || a.body["providers"] == nil {
		t.Errorf("wrong content type: %d %v %q", a.status, a.header, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Kind: KindTruncated})
	if a := get(t, oidc, ""); a.err == nil || !errors.Is(a.err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: err %v, body %q", a.err, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Kind: KindPlainText, Status: 500})
	if a := get(t, oidc, ""); a.status != 500 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") || a.body != nil {
		t.Errorf("plain text: %d %q", a.status, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Kind: KindHTML})
	if a := get(t, oidc, ""); a.status != 502 || !strings.Contains(a.raw, "502 Bad Gateway") {
		t.Errorf("html: %d %q", a.status, a.raw)
	}
	s.InjectFault(Fault{Path: "/credentials/oidc", Delay: 300 * time.Millisecond})
	start := time.Now()
	if a := get(t, oidc, ""); a.status != 200 || time.Since(start) < 280*time.Millisecond {
		t.Errorf("delay: %d after %v", a.status, time.Since(start))
	}
	// "*" and forever, then ClearFaults
	s.InjectFault(Fault{Path: "*", Status: 500, Count: -1})
	for _, u := range []string{s.URL() + "/.well-known/openeo", s.APIURL(), s.APIURL() + "/me"} {
		wantError(t, get(t, u, ""), 500, CodeInternal)
	}
	s.ClearFaults()
	if a := get(t, s.APIURL(), ""); a.status != 200 {
		t.Errorf("after ClearFaults: %d", a.status)
	}
	// queued faults on one path apply in order
	s.InjectFault(Fault{Path: "/", Status: 502})
	s.InjectFault(Fault{Path: "/", Kind: KindMalformed})
	if a := get(t, s.APIURL(), ""); a.status != 502 {
		t.Errorf("first queued: %d", a.status)
	}
	if a := get(t, s.APIURL(), ""); a.body != nil {
		t.Errorf("second queued: %q", a.raw)
	}
	if n := s.Count("/credentials/oidc"); n != 10 {
		t.Errorf("count %d, want 10 (faulted requests count)", n)
	}
	s.ResetCounts()
	if n := s.Count("/credentials/oidc"); n != 0 {
		t.Errorf("after reset %d", n)
	}
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	s := Start(t, Config{AdminAPI: true, BasicUsers: map[string]string{"u": "p"}})
	admin := func(method, path, body string) answer {
		t.Helper()
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		a := call(t, method, s.URL()+"/_test/"+path, "", r)
		if a.status != 200 {
			t.Fatalf("%s %s: %d %s", method, path, a.status, a.raw)
		}
		return a
	}
	admin("POST", "config", `{"basic_enabled": false, "jwt_conformance": true, "token_invalid_status": 401, "oidc_max_token_age_seconds": 5}`)
	c := admin("GET", "config", "").body
	if c["basic_enabled"] != false || c["jwt_conformance"] != true || c["token_invalid_status"] != 401.0 || c["oidc_max_token_age_seconds"] != 5.0 {
		t.Errorf("config %v", c)
	}
	if a := call(t, "POST", s.URL()+"/_test/config", "", strings.NewReader(`{"token_invalid_status": 500}`)); a.status != 400 {
		t.Errorf("bad status accepted: %d", a.status)
	}
	if a := call(t, "POST", s.URL()+"/_test/config", "", strings.NewReader(`{"nope": 1}`)); a.status != 400 {
		t.Errorf("unknown field accepted: %d", a.status)
	}
	admin("POST", "config", `{"basic_enabled": true}`)
	admin("POST", "basic-users", `{"name": "v", "password": "q"}`)
	tok := as[string](t, get(t, s.APIURL()+"/credentials/basic", basicHeader("v", "q")).body["access_token"])
	admin("POST", "faults", `{"path": "/me", "status": 503, "count": 1, "retry_after": "1"}`)
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+tok), 503, CodeServiceUnavailable)
	if get(t, s.APIURL()+"/me", "Bearer basic//"+tok).status != 200 {
		t.Error("basic token refused after the fault")
	}
	admin("POST", "faults", `{"path": "/me", "kind": "plain-text", "count": -1}`)
	admin("DELETE", "faults", "")
	admin("POST", "expire-tokens", "")
	wantError(t, get(t, s.APIURL()+"/me", "Bearer basic//"+tok), 401, CodeTokenInvalid)
	if a := call(t, "POST", s.URL()+"/_test/faults", "", strings.NewReader(`{"kind": "bogus"}`)); a.status != 400 {
		t.Errorf("bogus fault kind accepted")
	}
	admin("POST", "providers", `{"providers": [{"id": "x", "issuer": "http://127.0.0.1:9", "title": "X"}]}`)
	if a := get(t, s.APIURL()+"/credentials/oidc", ""); !strings.Contains(a.raw, `"id":"x"`) {
		t.Errorf("providers knob: %s", a.raw)
	}
	admin("POST", "config", `{"empty_providers": true}`)
	if a := get(t, s.APIURL()+"/credentials/oidc", ""); !strings.Contains(a.raw, `"providers":[]`) {
		t.Errorf("empty providers knob: %s", a.raw)
	}
	counts := as[map[string]any](t, admin("GET", "counts", "").body["counts"])
	if counts["/me"] != 3.0 || counts["/credentials/basic"] != 1.0 {
		t.Errorf("counts %v", counts)
	}
	reqs := admin("GET", "requests?path=/me", "").raw
	if strings.Contains(reqs, tok) || !strings.Contains(reqs, "basic//***") {
		t.Errorf("requests leak the token or lack it: %s", reqs)
	}
	admin("DELETE", "counts", "")
	if s.Count("/me") != 0 {
		t.Errorf("counts not reset")
	}
	// admin paths are not served without AdminAPI
	plain := Start(t, Config{})
	if a := get(t, plain.URL()+"/_test/config", ""); a.status != 404 {
		t.Errorf("admin API without AdminAPI: %d", a.status)
	}
}
