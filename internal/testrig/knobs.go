package testrig

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// ClientSpec describes a client to register with RegisterClient.
type ClientSpec struct {
	// Name is the client_name; the IdP derives a readable client id from it plus a random
	// suffix. Default: the test name.
	Name string
	// Public registers a public client (token_endpoint_auth_method "none", no secret).
	Public bool
	// GrantTypes default to client_credentials, password, refresh_token and device_code for a
	// confidential client, and device_code and refresh_token for a public one.
	GrantTypes []string
	// Scope limits the scopes the client may request (space separated). Default: any.
	Scope string
	// AuthMethod is the token endpoint auth method of a confidential client: client_secret_post
	// (default, like the openEO Python client) or client_secret_basic. The IdP accepts both styles
	// from either kind; Stats.ByAuth tells which one a client used.
	AuthMethod string
	// RedirectURIs, needed only with the authorization_code grant.
	RedirectURIs []string
	// Lifetimes in seconds (0: the IdP default: access 3600, refresh 86400, device code 600).
	AccessTokenTTL, RefreshTokenTTL, DeviceCodeTTL int
	// RefreshExpiresIn makes the IdP's token answers with a refresh token carry
	// "refresh_expires_in" (its remaining lifetime in seconds), as Keycloak's do.
	RefreshExpiresIn bool
	// Keys registers a private_key_jwt client (RFC 7523) with these public keys as its JWKS
	// (see NewSigningKey); the client then has no secret. AuthMethod is ignored.
	Keys []SigningKey
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9]+`)

// RegisterClient registers a fresh client at the IdP by dynamic client registration. Every call
// gives a new, unique client id, so counters and knobs of one test never see another test.
func (p *OpenIDProvider) RegisterClient(t testing.TB, spec ClientSpec) Client {
	t.Helper()
	name := spec.Name
	if name == "" {
		name = t.Name()
	}
	name = strings.Trim(nameCleaner.ReplaceAllString(name, "-"), "-")
	if len(name) > 24 {
		name = name[len(name)-24:]
	}
	grants := spec.GrantTypes
	if grants == nil {
		if spec.Public {
			grants = []string{GrantDeviceCode, GrantRefreshToken}
		} else {
			grants = []string{GrantClientCredentials, GrantPassword, GrantRefreshToken, GrantDeviceCode}
		}
	}
	meta := map[string]any{
		"client_name": name,
		"grant_types": grants,
	}
	if spec.Public {
		meta["token_endpoint_auth_method"] = AuthNone
	} else if len(spec.Keys) > 0 {
		meta["token_endpoint_auth_method"] = AuthPrivateKeyJWT
		meta["jwks"] = jwksOf(spec.Keys)
	} else if spec.AuthMethod != "" {
		meta["token_endpoint_auth_method"] = spec.AuthMethod
	} else {
		meta["token_endpoint_auth_method"] = AuthClientSecretPost
	}
	if slices.Contains(grants, GrantAuthorizationCode) {
		meta["response_types"] = []string{"code"}
		uris := spec.RedirectURIs
		if len(uris) == 0 {
			uris = []string{"http://127.0.0.1:8080/callback"}
		}
		meta["redirect_uris"] = uris
	} else {
		meta["response_types"] = []string{}
		meta["redirect_uris"] = []string{}
	}
	if spec.Scope != "" {
		meta["scope"] = spec.Scope
	}
	if spec.AccessTokenTTL > 0 {
		meta["access_token_ttl"] = spec.AccessTokenTTL
	}
	if spec.RefreshTokenTTL > 0 {
		meta["refresh_token_ttl"] = spec.RefreshTokenTTL
	}
	if spec.RefreshExpiresIn {
		meta["refresh_expires_in"] = true
	}
	if spec.DeviceCodeTTL > 0 {
		meta["device_code_ttl"] = spec.DeviceCodeTTL
	}
	var out struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		GrantTypes   []string `json:"grant_types"`
	}
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodPost, p.endpoints.Registration, meta, &out); err != nil {
		t.Fatalf("testrig: register client: %v", err)
	}
	if out.ClientID == "" || (!spec.Public && len(spec.Keys) == 0 && out.ClientSecret == "") {
		t.Fatalf("testrig: register client: incomplete answer (id %q)", out.ClientID)
	}
	return Client{ID: out.ClientID, Secret: out.ClientSecret, Public: spec.Public, GrantTypes: out.GrantTypes}
}

// Stats are the IdP's counters for one client id.
type Stats struct {
	// TokenRequests counts every POST /token naming the client (form field or Basic header),
	// failed ones included.
	TokenRequests int `json:"token_requests"`
	// ByGrant splits TokenRequests by grant_type; the device grant is counted as "device_code".
	ByGrant map[string]int `json:"by_grant"`
	// ByStatus splits TokenRequests by HTTP status ("200", "400", "503", ...).
	ByStatus map[string]int `json:"by_status"`
	// ByAuth splits TokenRequests by how the client authenticated: "client_secret_post",
	// "client_secret_basic", "private_key_jwt" (a client assertion) or "none".
	ByAuth map[string]int `json:"by_auth"`
	// DeviceRequests counts POST /device/auth.
	DeviceRequests int `json:"device_requests"`
	// DevicePKCE counts the successful POST /device/auth with a code_challenge (S256), and
	// DevicePKCEVerified the device-code grants that issued tokens after the code_verifier
	// matched it: a device flow without PKCE leaves both at zero.
	DevicePKCE         int `json:"device_pkce"`
	DevicePKCEVerified int `json:"device_pkce_verified"`
	// IntrospectionRequests and RevocationRequests count calls made by the client (as the
	// authenticating caller) to the introspection and revocation endpoints.
	IntrospectionRequests int `json:"introspection_requests"`
	RevocationRequests    int `json:"revocation_requests"`
	// RefreshTokenReuse counts refresh grants that presented a refresh token the client had
	// presented before, whatever the answer: 0 means the IdP never saw one refresh token twice.
	RefreshTokenReuse int `json:"refresh_token_reuse"`
}

func (p *OpenIDProvider) testURL(kind, clientID string) string {
	return p.issuer + "/test/" + kind + "/" + url.PathEscape(clientID)
}

// Stats returns the IdP's counters for clientID.
func (p *OpenIDProvider) Stats(t testing.TB, clientID string) Stats {
	t.Helper()
	var s Stats
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodGet, p.testURL("stats", clientID), nil, &s); err != nil {
		t.Fatalf("testrig: stats: %v", err)
	}
	return s
}

// TokenRequests is the number of token requests the IdP saw for clientID.
func (p *OpenIDProvider) TokenRequests(t testing.TB, clientID string) int {
	t.Helper()
	return p.Stats(t, clientID).TokenRequests
}

// ResetStats sets the counters of clientID to zero.
func (p *OpenIDProvider) ResetStats(t testing.TB, clientID string) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodDelete, p.testURL("stats", clientID), nil, nil); err != nil {
		t.Fatalf("testrig: reset stats: %v", err)
	}
}

// Fault is an injected failure for the next requests of one client.
type Fault struct {
	// Endpoint is "token" (POST /token, the default) or "device" (POST /device/auth).
	Endpoint string
	// Status is the HTTP status to answer with; 0 means: only delay, then serve normally.
	Status int
	// Count is the number of requests affected (default 1).
	Count int
	// Delay is waited before answering (or before serving normally when Status is 0).
	Delay time.Duration
	// Body is the response body: a string is sent as is, anything else as JSON. Default:
	// {"error": "temporarily_unavailable" (5xx) or "invalid_request", "error_description": ...}.
	Body any
	// ContentType overrides the Content-Type header.
	ContentType string
	// RetryAfter, when not empty, is sent as the Retry-After header.
	RetryAfter string
	// Location, when not empty, is sent as the Location header (a hostile redirect with
	// Status 307 or 308; see Trap).
	Location string
	// Echo makes the error body repeat the request's form fields, secrets first: EchoForm,
	// EchoJSON, EchoHTML or EchoOAuth.
	Echo string
}

// Echo modes of Fault.Echo: how a hostile IdP repeats the request in its error answer.
const (
	EchoForm  = "form"  // URL-encoded, as plain text
	EchoJSON  = "json"  // every non-alphanumeric character a \u escape, in JSON that is no OAuth error
	EchoHTML  = "html"  // hexadecimal character references in an HTML page
	EchoOAuth = "oauth" // decoded, in an OAuth error_description
)

// EchoModes lists every Echo mode.
var EchoModes = []string{EchoForm, EchoJSON, EchoHTML, EchoOAuth}

// InjectFault arms f for the next requests of clientID; it is cleared when the test ends.
func (p *OpenIDProvider) InjectFault(t testing.TB, clientID string, f Fault) {
	t.Helper()
	in := map[string]any{"status": f.Status}
	if f.Endpoint != "" {
		in["endpoint"] = f.Endpoint
	}
	count := f.Count
	if count == 0 {
		count = 1
	}
	in["count"] = count
	if f.Delay > 0 {
		in["delay_ms"] = f.Delay.Milliseconds()
	}
	if f.Body != nil {
		in["body"] = f.Body
	}
	if f.ContentType != "" {
		in["content_type"] = f.ContentType
	}
	if f.RetryAfter != "" {
		in["retry_after"] = f.RetryAfter
	}
	if f.Location != "" {
		in["location"] = f.Location
	}
	if f.Echo != "" {
		in["echo"] = f.Echo
	}
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodPost, p.testURL("fail", clientID), in, nil); err != nil {
		t.Fatalf("testrig: inject fault: %v", err)
	}
	t.Cleanup(func() {
		if err := p.clearFaults(clientID); err != nil {
			t.Errorf("testrig: clear faults of %s: %v", clientID, err)
		}
	})
}

// FailNext makes the next n token requests of clientID fail with HTTP status.
func (p *OpenIDProvider) FailNext(t testing.TB, clientID string, status, n int) {
	t.Helper()
	if n <= 0 {
		t.Fatalf("testrig: FailNext: n must be > 0")
	}
	p.InjectFault(t, clientID, Fault{Status: status, Count: n})
}

// DelayNext delays the answers to the next n token requests of clientID by d.
func (p *OpenIDProvider) DelayNext(t testing.TB, clientID string, d time.Duration, n int) {
	t.Helper()
	if n <= 0 || d <= 0 {
		t.Fatalf("testrig: DelayNext: n and d must be > 0")
	}
	p.InjectFault(t, clientID, Fault{Delay: d, Count: n})
}

// ClearFaults removes any fault armed for clientID.
func (p *OpenIDProvider) ClearFaults(t testing.TB, clientID string) {
	t.Helper()
	if err := p.clearFaults(clientID); err != nil {
		t.Fatalf("testrig: clear faults: %v", err)
	}
}

func (p *OpenIDProvider) clearFaults(clientID string) error {
	ctx, cancel := testContext(nil)
	defer cancel()
	return p.doJSON(ctx, http.MethodDelete, p.testURL("fail", clientID), nil, nil)
}

// TTLs are token lifetimes in seconds; 0 leaves a value unchanged, -1 restores the default.
type TTLs struct {
	AccessToken, RefreshToken, DeviceCode int
}

// SetTTLs changes the lifetimes of tokens issued to clientID from now on (overriding any lifetime
// given at registration). Lifetimes of a static client are restored when the test ends.
func (p *OpenIDProvider) SetTTLs(t testing.TB, clientID string, ttls TTLs) {
	t.Helper()
	in := map[string]any{}
	put := func(key string, v int) {
		switch {
		case v > 0:
			in[key] = v
		case v < 0:
			in[key] = nil
		}
	}
	put("access_token_ttl", ttls.AccessToken)
	put("refresh_token_ttl", ttls.RefreshToken)
	put("device_code_ttl", ttls.DeviceCode)
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodPost, p.testURL("ttl", clientID), in, nil); err != nil {
		t.Fatalf("testrig: set TTLs: %v", err)
	}
	if isStatic(clientID) {
		t.Cleanup(func() {
			ctx, cancel := testContext(t)
			defer cancel()
			reset := map[string]any{"access_token_ttl": nil, "refresh_token_ttl": nil, "device_code_ttl": nil}
			_ = p.doJSON(ctx, http.MethodPost, p.testURL("ttl", clientID), reset, nil)
		})
	}
}

// SetAccessTokenTTL makes access tokens issued to clientID from now on live for seconds.
func (p *OpenIDProvider) SetAccessTokenTTL(t testing.TB, clientID string, seconds int) {
	t.Helper()
	if seconds <= 0 {
		t.Fatalf("testrig: SetAccessTokenTTL: seconds must be > 0")
	}
	p.SetTTLs(t, clientID, TTLs{AccessToken: seconds})
}

// SetDeviceInterval sets the "interval" of clientID's device authorization responses (seconds;
// 0 omits the field, so RFC 8628 clients fall back to 5 s). The IdP's default is 1.
func (p *OpenIDProvider) SetDeviceInterval(t testing.TB, clientID string, seconds int) {
	t.Helper()
	if seconds < 0 {
		t.Fatalf("testrig: SetDeviceInterval: seconds must be >= 0")
	}
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodPost, p.testURL("device", clientID), map[string]any{"interval": seconds}, nil); err != nil {
		t.Fatalf("testrig: set device interval: %v", err)
	}
	if isStatic(clientID) {
		t.Cleanup(func() {
			ctx, cancel := testContext(t)
			defer cancel()
			_ = p.doJSON(ctx, http.MethodPost, p.testURL("device", clientID), map[string]any{"interval": nil}, nil)
		})
	}
}

// RotateRefreshTokens makes the IdP rotate every refresh token of clientID (on) or none (off)
// from now on. A rotated token is spent: presenting it again answers invalid_grant and revokes
// the whole login, with every token issued from it (reuse detection, as Keycloak's "Revoke
// Refresh Token" does). The setting of a static client is restored when the test ends.
func (p *OpenIDProvider) RotateRefreshTokens(t testing.TB, clientID string, on bool) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	if err := p.doJSON(ctx, http.MethodPost, p.testURL("rotation", clientID), map[string]any{"rotate": on}, nil); err != nil {
		t.Fatalf("testrig: set refresh token rotation: %v", err)
	}
	if isStatic(clientID) {
		t.Cleanup(func() {
			ctx, cancel := testContext(t)
			defer cancel()
			_ = p.doJSON(ctx, http.MethodPost, p.testURL("rotation", clientID), map[string]any{"rotate": nil}, nil)
		})
	}
}

func isStatic(clientID string) bool {
	return clientID == StaticClient.ID || clientID == PublicClient.ID || clientID == BackendClient.ID
}

// String describes the client without its secret.
func (c Client) String() string {
	kind := "confidential"
	if c.Public {
		kind = "public"
	}
	return fmt.Sprintf("%s client %s", kind, c.ID)
}
