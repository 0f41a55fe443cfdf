package flows

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWellKnownSelect(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // selected url, "" for none
	}{
		{"spec example: newest production", `{"versions":[
			{"url":"https://oeo/api/v0","api_version":"0.5.1"},
			{"url":"https://oeo/api/v1","api_version":"1.2.0"},
			{"url":"https://dev/api/v2","production":false,"api_version":"2.0.0-beta"}]}`, "https://oeo/api/v1"},
		{"missing production counts as true", `{"versions":[
			{"url":"a","api_version":"1.1.0","production":true},
			{"url":"b","api_version":"1.2.0"}]}`, "b"},
		{"semver, not strings: 1.10.0 > 1.9.0", `{"versions":[
			{"url":"nine","api_version":"1.9.0"},
			{"url":"ten","api_version":"1.10.0"}]}`, "ten"},
		{"no production: newest of all", `{"versions":[
			{"url":"a","api_version":"1.1.0","production":false},
			{"url":"b","api_version":"1.2.0-rc.1","production":false}]}`, "b"},
		{"release beats its pre-release", `{"versions":[
			{"url":"rc","api_version":"1.2.0-rc.1"},
			{"url":"rel","api_version":"1.2.0"}]}`, "rel"},
		{"only old versions", `{"versions":[{"url":"a","api_version":"0.4.2"}]}`, ""},
		{"garbage entries skipped", `{"versions":[1,{"url":5,"api_version":"1.0.0"},{"url":"ok","api_version":"1.0"},{"url":"x","api_version":"banana"}]}`, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wk, err := ParseWellKnown([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			v, ok := wk.Select()
			if ok != (tt.want != "") || v.URL != tt.want {
				t.Errorf("Select = %q, %v; want %q", v.URL, ok, tt.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0}, {"1.10.0", "1.9.0", 1}, {"1.2", "1.2.0", 0}, {"v1.2.0", "1.2.0", 0},
		{"1.0.0-alpha", "1.0.0", -1}, {"1.0.0-alpha", "1.0.0-alpha.1", -1}, {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1}, {"1.0.0-rc.1", "1.0.0-beta.11", 1}, {"1.0.0+build", "1.0.0", 0},
	}
	for _, tt := range tests {
		if got, ok := CompareVersions(tt.a, tt.b); !ok || got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, %v; want %d", tt.a, tt.b, got, ok, tt.want)
		}
	}
	if _, ok := CompareVersions("1.x", "1.0"); ok {
		t.Error("1.x must not parse")
	}
}

func TestResolveRootFallsBack(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", 404)
	}))
	defer srv.Close()
	c := NewClient(fastHTTP())
	root, err := c.ResolveRoot(t.Context(), srv.URL+"/")
	if err != nil || root != srv.URL+"/" {
		t.Errorf("root = %q, %v", root, err)
	}
	b := newFakeBackend(t)
	root, err = c.ResolveRoot(t.Context(), b.srv.URL)
	if err != nil || root != b.root() {
		t.Errorf("root = %q, %v", root, err)
	}
	if got := NormalizeBackendURL("openeo.example.com"); got != "https://openeo.example.com" {
		t.Errorf("NormalizeBackendURL = %q", got)
	}
}

func TestCapabilities(t *testing.T) {
	caps, err := ParseCapabilities([]byte(`{"api_version":"1.2.0","endpoints":[
		{"path":"/credentials/basic","methods":["GET"]},
		{"path":"/jobs/{job_id}","methods":["get","DELETE"]},
		{"path":"/bad","methods":[1]}, 7],
		"conformsTo":["https://api.openeo.org/1.3.0/authentication/jwt", 3]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !caps.SupportsEndpoint("get", "/credentials/basic") || !caps.SupportsEndpoint("GET", "/jobs/{job_id}") {
		t.Error("SupportsEndpoint false negative")
	}
	if caps.SupportsEndpoint("GET", "/credentials/basic/") || caps.SupportsEndpoint("POST", "/credentials/basic") ||
		caps.SupportsEndpoint("GET", "/credentials/oidc") {
		t.Error("SupportsEndpoint false positive")
	}
	if !caps.SupportsJWTBearer() || !caps.ConformsTo("https://api.openeo.org/1.3.0/authentication/jwt") {
		t.Error("JWT conformance not detected")
	}
	for _, cc := range []string{"https://api.openeo.org/authentication/jwt", "https://api.openeo.org/1.3.0/x/authentication/jwt",
		"http://api.openeo.org/1.3.0/authentication/jwt", "https://api.openeo.org/1.3.0/authentication/jwt/"} {
		c := &Capabilities{Conformance: []string{cc}}
		if c.SupportsJWTBearer() {
			t.Errorf("%s must not count as JWT conformance", cc)
		}
	}
	legacy, _ := ParseCapabilities([]byte(`{"version":"0.4.0"}`))
	if legacy.APIVersion != "0.4.0" {
		t.Errorf("legacy version = %q", legacy.APIVersion)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"0.4.0"}`))
	}))
	defer srv.Close()
	_, err = NewClient(fastHTTP()).Capabilities(t.Context(), srv.URL, "")
	if err == nil || err.Error() != "openEO API version should be at least 1.0.0, but got 0.4.0" {
		t.Errorf("err = %v", err)
	}
}

func TestParseProviders(t *testing.T) {
	ps, err := ParseProviders([]byte(`{"providers":[
		{"id":"egi","issuer":"https://aai.egi.eu/oidc","title":"EGI","scopes":["openid","profile"],
		 "default_clients":[{"id":"KStcUzD5AIUA","grant_types":["implicit","urn:ietf:params:oauth:grant-type:device_code+pkce","refresh_token"],"redirect_urls":["https://editor.openeo.org/"]}],
		 "authorization_parameters":{"prompt":"consent","max_age":3600,"nothing":null}},
		{"id":"google","issuer":"https://accounts.google.com","title":"Google"},
		{"id":"","issuer":"https://x"},
		{"id":"noissuer","title":"x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != "egi" || ps[1].ID != "google" {
		t.Fatalf("providers = %+v", ps)
	}
	egi := ps[0]
	if len(egi.DefaultClients) != 1 || egi.DefaultClients[0].ID != "KStcUzD5AIUA" || len(egi.DefaultClients[0].GrantTypes) != 3 {
		t.Errorf("default clients = %+v", egi.DefaultClients)
	}
	if egi.AuthorizationParameters["prompt"] != "consent" || egi.AuthorizationParameters["max_age"] != "3600" {
		t.Errorf("authorization_parameters = %v", egi.AuthorizationParameters)
	}
	if _, ok := egi.AuthorizationParameters["nothing"]; ok {
		t.Error("null parameter kept")
	}
	for _, doc := range []string{`{"providers":[]}`, `{}`} {
		if _, err := ParseProviders([]byte(doc)); err == nil || err.Error() != "Backend lists no OIDC providers." {
			t.Errorf("%s: err = %v", doc, err)
		}
	}
}

func TestParseAccount(t *testing.T) {
	a, err := ParseAccount([]byte(`{"user_id":"john_doe","name":"John Doe","default_plan":"free",
		"storage":{"free":536870912,"quota":1.073741824e9},"budget":null,
		"links":[{"href":"https://oeo/pay","rel":"payment"}],"email":"j@x","roles":["a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.UserID != "john_doe" || a.Name != "John Doe" || a.DefaultPlan != "free" || a.Budget != nil {
		t.Errorf("account = %+v", a)
	}
	if a.Storage == nil || *a.Storage.Free != 536870912 || *a.Storage.Quota != 1073741824 {
		t.Errorf("storage = %+v", a.Storage)
	}
	if len(a.Links) != 1 || a.Links[0].Rel != "payment" {
		t.Errorf("links = %+v", a.Links)
	}
	var email string
	_ = json.Unmarshal(a.Extra["email"], &email)
	if email != "j@x" || a.Extra["roles"] == nil || a.Extra["user_id"] != nil {
		t.Errorf("extra = %v", a.Extra)
	}
	a, _ = ParseAccount([]byte(`{"user_id":"x","storage":null,"budget":3.5}`))
	if a.Storage != nil || a.Budget == nil || *a.Budget != 3.5 {
		t.Errorf("nullable fields: %+v", a)
	}
	if _, err := ParseAccount([]byte(`{"name":"x"}`)); err == nil || !strings.Contains(err.Error(), "user_id") {
		t.Errorf("err = %v", err)
	}
}

func TestBasicAccessTokenRefused(t *testing.T) {
	c := NewClient(fastHTTP())
	_, err := c.BasicAccessToken(t.Context(), &Capabilities{Root: "https://x"}, "u", "p")
	if err == nil || err.Error() != "This openEO back-end does not support basic authentication." {
		t.Errorf("err = %v", err)
	}
}
