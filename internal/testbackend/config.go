// Package testbackend is an openEO API 1.2 test back-end (the authentication part): well-known
// version discovery, capabilities, /credentials/basic, /credentials/oidc and /me, with the spec's
// error objects. OIDC bearer tokens are validated by introspection at the provider's IdP with the
// back-end's own client. Knobs (settable in Config, at run time through methods, and through an
// admin HTTP API under /_test/) inject faults, count requests and change behaviour.
//
// Tests use Start; the program cmd/openeo-test-backend uses New and serves the Server as an
// http.Handler.
package testbackend

import (
	"io"
	"net/http"
	"time"
)

// APIVersion is the openEO API version served.
const APIVersion = "1.2.0"

// APIPath is the path of the API root below the base URL.
const APIPath = "/openeo/1.2"

// ConformanceJWT is the openEO API 1.3.0 conformance class for plain JWT bearer tokens.
const ConformanceJWT = "https://api.openeo.org/1.3.0/authentication/jwt"

// ConformanceAPI is the conformance class of the API version served.
const ConformanceAPI = "https://api.openeo.org/1.2.0"

// Grant types of default clients (openEO API enum).
const (
	GrantAuthorizationCodePKCE = "authorization_code+pkce"
	GrantDeviceCode            = "urn:ietf:params:oauth:grant-type:device_code"
	GrantDeviceCodePKCE        = "urn:ietf:params:oauth:grant-type:device_code+pkce"
	GrantRefreshToken          = "refresh_token"
	GrantImplicit              = "implicit"
	GrantAuthorizationCode     = "authorization_code"
)

// openEO error codes used by the back-end.
const (
	CodeAuthenticationRequired      = "AuthenticationRequired"
	CodeAuthenticationSchemeInvalid = "AuthenticationSchemeInvalid"
	CodeTokenInvalid                = "TokenInvalid"
	CodeCredentialsInvalid          = "CredentialsInvalid"
	CodeNotFound                    = "NotFound"
	CodeMethodNotAllowed            = "MethodNotAllowed"
	CodeInternal                    = "Internal"
	CodeServiceUnavailable          = "ServiceUnavailable"
	CodeOidcProviderUnavailable     = "OidcProviderUnavailable"
)

// DefaultClient is an entry of a provider's default_clients.
type DefaultClient struct {
	ID           string   `json:"id"`
	GrantTypes   []string `json:"grant_types"`
	RedirectURLs []string `json:"redirect_urls,omitempty"`
}

// Provider is an OIDC provider listed at /credentials/oidc.
type Provider struct {
	ID          string   `json:"id"`                    // [\d\w]{1,20}, the bearer prefix oidc/<ID>/
	Issuer      string   `json:"issuer"`                // without trailing slash
	Title       string   `json:"title,omitempty"`       // default: "Test IdP (<ID>)"
	Description string   `json:"description,omitempty"` // optional
	Scopes      []string `json:"scopes,omitempty"`      // optional; must contain "openid" when set
	// DefaultClients are listed as default_clients (omitted when empty).
	DefaultClients []DefaultClient `json:"default_clients,omitempty"`
	// AuthorizationParameters are listed as authorization_parameters (API 1.3.0), omitted when empty.
	AuthorizationParameters map[string]string `json:"authorization_parameters,omitempty"`
	// IntrospectionClientID / Secret authenticate the back-end at the IdP's introspection endpoint
	// (form fields). Default: openeo-backend / openeo-backend-secret.
	IntrospectionClientID     string `json:"introspection_client_id,omitempty"`
	IntrospectionClientSecret string `json:"introspection_client_secret,omitempty"`
}

// Version is an entry of /.well-known/openeo.
type Version struct {
	URL        string `json:"url"`
	APIVersion string `json:"api_version"`
	Production *bool  `json:"production,omitempty"`
}

// Config configures a Server. The zero value serves basic auth for no users and no OIDC
// providers.
type Config struct {
	// ID, Title, Description, BackendVersion of the capabilities document (defaults given).
	ID, Title, Description, BackendVersion string
	// BaseURL is the URL the back-end is reached at (no trailing slash), used in links and
	// well-known. Empty: derived from each request (http://<Host>). Start sets it.
	BaseURL string
	// Versions replaces the versions listed at /.well-known/openeo (URLs as given). Default: one
	// entry, <BaseURL>/openeo/1.2, api_version 1.2.0, production true.
	Versions []Version

	// BasicUsers are the users of /credentials/basic (name -> password).
	BasicUsers map[string]string
	// BasicDisabled removes /credentials/basic from capabilities and answers it with 404.
	BasicDisabled bool
	// BasicTokenTTL is the lifetime of tokens from /credentials/basic (default 1 h).
	BasicTokenTTL time.Duration

	// Providers are listed at /credentials/oidc, in order (the first is the default).
	Providers []Provider
	// EmptyProviders lists no provider at all ({"providers": []}), even when Providers is set.
	EmptyProviders bool
	// OIDCMaxTokenAge, when > 0, makes the back-end refuse (TokenInvalid) an OIDC access token this
	// long after it first saw it, even when the IdP still accepts it.
	OIDCMaxTokenAge time.Duration
	// IntrospectionCacheTTL, when > 0, caches positive introspection answers that long (never
	// beyond the token's exp). Default: no cache, every request is introspected.
	IntrospectionCacheTTL time.Duration
	// SkipUserinfo stops /me from asking the IdP's userinfo endpoint for the user's name and email
	// (done by default, best effort, for tokens with a subject).
	SkipUserinfo bool

	// JWTConformance lists ConformanceJWT in conformsTo and accepts plain bearer tokens (without
	// the oidc/<provider>/ prefix): a JWT is matched to a provider by its iss claim; an opaque
	// token is introspected at the only configured provider.
	JWTConformance bool
	// TokenInvalidStatus is the HTTP status of TokenInvalid errors: 403 (spec, default) or 401.
	TokenInvalidStatus int

	// AdminAPI serves the knobs under /_test/ (see admin.go). The program turns it on.
	AdminAPI bool
	// TLS makes Start serve https:// with a self-signed certificate (see Server.CertificatePEM).
	TLS bool
	// HTTPClient calls the IdPs (default: 10 s timeout).
	HTTPClient *http.Client
	// Log receives one line per request (method, path, status, duration, auth kind; never a
	// secret). Nil: no log.
	Log io.Writer
}

// Fault is an injected failure for the next requests to a path.
type Fault struct {
	// Path is the request path relative to the API root ("/me", "/credentials/oidc", "/" for
	// capabilities) or "/.well-known/openeo"; "*" matches every path.
	Path string
	// Count is the number of requests affected: 0 means 1, a negative number means every request
	// until cleared.
	Count int
	// Status is the HTTP status (default: 500 for Kind "" and KindPlainText and KindHTML, 200
	// otherwise).
	Status int
	// Kind is the kind of broken answer (default: an openEO JSON error object).
	Kind FaultKind
	// Code and Message of the openEO error object (defaults derived from Status).
	Code, Message string
	// RetryAfter, when not empty, is sent as the Retry-After header.
	RetryAfter string
	// Delay is waited before answering (Status 0 and Kind "" with Delay only: then the request is
	// served normally).
	Delay time.Duration
}

// FaultKind is a kind of broken answer.
type FaultKind string

// Fault kinds.
const (
	// KindError (the default) answers with an openEO JSON error object.
	KindError FaultKind = ""
	// KindMalformed answers with a body that is not valid JSON (Content-Type application/json).
	KindMalformed FaultKind = "malformed"
	// KindWrongContentType serves the real answer with Content-Type text/html.
	KindWrongContentType FaultKind = "wrong-content-type"
	// KindTruncated serves the real answer, cut in half, then drops the connection.
	KindTruncated FaultKind = "truncated"
	// KindPlainText answers with a text/plain error body (like a proxy).
	KindPlainText FaultKind = "plain-text"
	// KindHTML answers with an HTML error page (like a proxy's 502 page).
	KindHTML FaultKind = "html"
	// KindDelay only delays (Delay), then serves normally.
	KindDelay FaultKind = "delay"
	// KindEcho answers with an openEO error object (default status 400) whose message echoes the
	// request's Authorization header as sent and URL-encoded, like a careless back-end that
	// reports the request it rejected.
	KindEcho FaultKind = "echo"
)

// ProviderFor returns a provider entry for a test IdP at issuer: scopes openid and email, the
// IdP's public client openeo-public as default client (device code with PKCE, refresh token), and
// the IdP's openeo-backend client for introspection.
func ProviderFor(id, issuer string) Provider {
	return Provider{
		ID:     id,
		Issuer: issuer,
		Title:  "Test IdP",
		Scopes: []string{"openid", "email"},
		DefaultClients: []DefaultClient{{
			ID:         "openeo-public",
			GrantTypes: []string{GrantDeviceCodePKCE, GrantRefreshToken},
		}},
		IntrospectionClientID:     "openeo-backend",
		IntrospectionClientSecret: "openeo-backend-secret",
	}
}
