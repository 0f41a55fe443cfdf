// Package testrig finds the running test OpenID provider (test/idp, started by scripts/rig.sh) and
// offers helpers for tests: dynamic client registration, token-request counters, fault and TTL knobs,
// and approving a device flow over plain HTTP (no browser).
//
// Tests call IdP(t). Without OPENEO_TEST_ISSUER the test skips with a message that says how to
// start the rig; with OPENEO_TEST_ISSUER set but no IdP answering, the test fails.
package testrig

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvIssuer is the environment variable that carries the issuer URL of the running test IdP.
const EnvIssuer = "OPENEO_TEST_ISSUER"

// OAuth 2.0 grant types the test IdP supports.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantAuthorizationCode = "authorization_code"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// Client authentication methods at the token endpoint.
const (
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretBasic = "client_secret_basic"
	AuthNone              = "none"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// User is a test user of the IdP.
type User struct {
	Name     string // login name, also the subject ("sub")
	Password string
	Email    string
	FullName string // the "name" claim
}

// The IdP's users.
var (
	Alice = User{Name: "alice", Password: "alice-secret", Email: "alice@example.org", FullName: "Alice Tester"}
	Bob   = User{Name: "bob", Password: "bob-secret", Email: "bob@example.org", FullName: "Bob Tester"}
	Users = []User{Alice, Bob}
)

// Static client ids and secrets of the IdP, as constants (e.g. for Terraform configurations).
const (
	StaticClientID      = "openeo-tf"
	StaticClientSecret  = "openeo-tf-secret"
	PublicClientID      = "openeo-public"
	BackendClientID     = "openeo-backend"
	BackendClientSecret = "openeo-backend-secret"
)

// Client is an OAuth client registered at the IdP. Secret is empty for public clients.
type Client struct {
	ID         string
	Secret     string
	Public     bool
	GrantTypes []string
}

// Static clients of the IdP. They are shared by every test: prefer RegisterClient when a test
// counts requests or sets knobs.
var (
	// StaticClient is confidential and may use every grant (client_secret_post).
	StaticClient = Client{ID: StaticClientID, Secret: StaticClientSecret,
		GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantDeviceCode, GrantPassword}}
	// PublicClient is public (no secret): device code and refresh token, like openEO default clients.
	PublicClient = Client{ID: PublicClientID, Public: true, GrantTypes: []string{GrantDeviceCode, GrantRefreshToken}}
	// BackendClient has no grants; the test back-end uses it to call introspection.
	BackendClient = Client{ID: BackendClientID, Secret: BackendClientSecret}
)

// Endpoints are the IdP endpoints from its discovery document.
type Endpoints struct {
	Authorization       string `json:"authorization_endpoint"`
	Token               string `json:"token_endpoint"`
	DeviceAuthorization string `json:"device_authorization_endpoint"`
	Userinfo            string `json:"userinfo_endpoint"`
	Introspection       string `json:"introspection_endpoint"`
	Revocation          string `json:"revocation_endpoint"`
	Registration        string `json:"registration_endpoint"`
	JWKS                string `json:"jwks_uri"`
}

// OpenIDProvider is the running test IdP.
type OpenIDProvider struct {
	issuer    string
	endpoints Endpoints
	client    *http.Client
}

var (
	discoveryMu    sync.Mutex
	discoveryCache = map[string]Endpoints{}
)

// SkipMessage explains how to start the rig; tests that skip without the IdP print it.
func SkipMessage() string {
	msg := "test IdP not running: start it with `scripts/rig.sh start` and export " + EnvIssuer +
		" (eval \"$(scripts/rig.sh env)\"), or run `make test`"
	if _, err := exec.LookPath("node"); err != nil {
		msg += " (Node.js is not on PATH: install Node.js 20+ with npm to run the test IdP)"
	}
	return msg
}

// IdP returns the running test IdP. It skips the test when OPENEO_TEST_ISSUER is unset, and
// fails it when the variable is set but the IdP does not serve its discovery document.
func IdP(t testing.TB) *OpenIDProvider {
	t.Helper()
	issuer := strings.TrimRight(strings.TrimSpace(os.Getenv(EnvIssuer)), "/")
	if issuer == "" {
		t.Skip(SkipMessage())
	}
	p, err := Connect(issuer)
	if err != nil {
		t.Fatalf("%s=%s is set, but the test IdP does not answer: %v (restart it with `scripts/rig.sh start`)", EnvIssuer, issuer, err)
	}
	return p
}

// Connect returns the test IdP at issuer (its discovery document is read once per process), or
// an error when it does not answer. Tests call IdP(t); Connect is for programs such as
// `scripts/rig.sh approve` (internal/testrig/approve).
func Connect(issuer string) (*OpenIDProvider, error) {
	issuer = strings.TrimRight(issuer, "/")
	p := &OpenIDProvider{issuer: issuer, client: &http.Client{Timeout: 30 * time.Second}}
	discoveryMu.Lock()
	defer discoveryMu.Unlock()
	if ep, ok := discoveryCache[issuer]; ok {
		p.endpoints = ep
		return p, nil
	}
	ep, err := p.discover()
	if err != nil {
		return nil, err
	}
	discoveryCache[issuer] = ep
	p.endpoints = ep
	return p, nil
}

// UserByName is the test user with login name name.
func UserByName(name string) (User, bool) {
	for _, u := range Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

func (p *OpenIDProvider) discover() (Endpoints, error) {
	var ep Endpoints
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return ep, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return ep, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ep, fmt.Errorf("discovery: HTTP %d", resp.StatusCode)
	}
	var doc struct {
		Issuer string `json:"issuer"`
		Endpoints
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return ep, fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != p.issuer {
		return ep, fmt.Errorf("discovery: issuer %q, want %q", doc.Issuer, p.issuer)
	}
	if doc.Token == "" || doc.Registration == "" || doc.DeviceAuthorization == "" || doc.Introspection == "" {
		return ep, fmt.Errorf("discovery: endpoints missing (is this the project's test IdP?)")
	}
	return doc.Endpoints, nil
}

// Issuer is the issuer URL, e.g. http://127.0.0.1:40123 (no trailing slash).
func (p *OpenIDProvider) Issuer() string { return p.issuer }

// Endpoints are the endpoints from the discovery document.
func (p *OpenIDProvider) Endpoints() Endpoints { return p.endpoints }

// HTTPClient is a plain HTTP client (30 s timeout) for talking to the IdP.
func (p *OpenIDProvider) HTTPClient() *http.Client { return p.client }

// doJSON sends a request with an optional JSON body and decodes a JSON answer into out (when not nil).
func (p *OpenIDProvider) doJSON(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, url, err)
		}
	}
	return nil
}

// testContext bounds one helper call (not t.Context(): helpers also run in t.Cleanup).
func testContext(testing.TB) (context.Context, context.CancelFunc) {
	//nolint:usetesting // helpers also run in t.Cleanup, where t.Context() is already cancelled
	return context.WithTimeout(context.Background(), 30*time.Second)
}
