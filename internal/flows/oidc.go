package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/pyrepr"
)

// ProviderMetadata is the part of an OpenID Connect discovery document
// (/.well-known/openid-configuration) this package uses.
type ProviderMetadata struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	DeviceAuthorizationEndpoint   string   `json:"device_authorization_endpoint,omitempty"`
	UserinfoEndpoint              string   `json:"userinfo_endpoint,omitempty"`
	IntrospectionEndpoint         string   `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint            string   `json:"revocation_endpoint,omitempty"`
	JWKSURI                       string   `json:"jwks_uri,omitempty"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	GrantTypesSupported           []string `json:"grant_types_supported,omitempty"`
	// ScopesSupported is nil when the document does not list scopes;
	// [ScopeString] then assumes ["openid"].
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// DiscoveryURL is where the document was fetched from.
	DiscoveryURL string `json:"-"`
}

// DiscoveryURL returns issuer (without trailing "/") plus
// "/.well-known/openid-configuration".
func DiscoveryURL(issuer string) string {
	return strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
}

// ParseProviderMetadata parses a discovery document. It fails when the
// document is not a JSON object ([ErrInvalidDiscoveryDocument]) or has no
// token_endpoint ([ErrMissingTokenEndpoint]).
func ParseProviderMetadata(data []byte) (*ProviderMetadata, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, &kindError{text: "discovery document is not valid JSON: " + err.Error(), kind: ErrInvalidDiscoveryDocument, err: err}
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(top[key], &s)
		return s
	}
	md := &ProviderMetadata{
		Issuer:                      str("issuer"),
		AuthorizationEndpoint:       str("authorization_endpoint"),
		TokenEndpoint:               str("token_endpoint"),
		DeviceAuthorizationEndpoint: str("device_authorization_endpoint"),
		UserinfoEndpoint:            str("userinfo_endpoint"),
		IntrospectionEndpoint:       str("introspection_endpoint"),
		RevocationEndpoint:          str("revocation_endpoint"),
		JWKSURI:                     str("jwks_uri"),
	}
	md.CodeChallengeMethodsSupported = stringList(top["code_challenge_methods_supported"])
	md.GrantTypesSupported = stringList(top["grant_types_supported"])
	if raw, ok := top["scopes_supported"]; ok && string(raw) != "null" {
		md.ScopesSupported = stringList(raw)
		if md.ScopesSupported == nil {
			md.ScopesSupported = []string{} // present but unusable: nothing is supported
		}
	}
	if md.TokenEndpoint == "" {
		return nil, ErrMissingTokenEndpoint
	}
	return md, nil
}

// Discover fetches the OpenID Connect discovery document of an issuer (as
// listed by the back-end). Errors are *OIDCError values that name the
// discovery URL and therefore the issuer.
func (c *Client) Discover(ctx context.Context, issuer string) (*ProviderMetadata, error) {
	u := DiscoveryURL(issuer)
	const op = "obtain OIDC discovery document from"
	if err := checkURL(u); err != nil {
		return nil, &OIDCError{Op: op, Endpoint: u, Err: err}
	}
	resp, err := c.fetch(ctx, &request{method: http.MethodGet, url: u, retry: true})
	if err != nil {
		return nil, &OIDCError{Op: op, Endpoint: u, Err: err}
	}
	if resp.status != http.StatusOK {
		return nil, parseOIDCError(op, u, resp.status, resp.header.Get("Content-Type"), resp.body, resp.secrets)
	}
	md, err := ParseProviderMetadata(resp.body)
	if err != nil {
		return nil, &OIDCError{Op: op, Endpoint: u, Err: err}
	}
	md.DiscoveryURL = u
	return md, nil
}

// ScopeString builds the scope parameter like the Python client:
// ({"openid"} ∪ providerScopes) ∩ scopesSupported, plus "offline_access"
// when a refresh token is wanted and supported, sorted and joined by
// spaces. A nil scopesSupported means ["openid"]. extra scopes (an explicit
// user choice, not in the Python client) are added after the intersection.
func ScopeString(providerScopes, scopesSupported []string, wantRefreshToken bool, extra ...string) string {
	if scopesSupported == nil {
		scopesSupported = []string{"openid"}
	}
	set := map[string]bool{}
	for _, s := range append([]string{"openid"}, providerScopes...) {
		if slices.Contains(scopesSupported, s) {
			set[s] = true
		}
	}
	if wantRefreshToken && slices.Contains(scopesSupported, "offline_access") {
		set["offline_access"] = true
	}
	for _, s := range extra {
		if s = strings.TrimSpace(s); s != "" {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// ProviderSelection holds the inputs of [SelectProvider], in order of
// precedence.
type ProviderSelection struct {
	// ProviderID is an explicit choice; it must be listed.
	ProviderID string
	// FallbackProviderID (a provider id from the environment) is used only
	// when listed, and ignored otherwise.
	FallbackProviderID string
	// ConfiguredIDs are the provider ids in auth-config.json for the
	// back-end; used when exactly one of them is listed.
	ConfiguredIDs []string
}

// ProviderReason says which rule of [SelectProvider] chose a provider. Its
// text is meant for people ("single provider listed by the back-end").
type ProviderReason string

// The rules of [SelectProvider], in order of precedence.
const (
	ProviderRequested        ProviderReason = "requested provider id"
	ProviderFromEnvironment  ProviderReason = "provider id from the environment"
	ProviderSingleListed     ProviderReason = "single provider listed by the back-end"
	ProviderSingleConfigured ProviderReason = "single provider configured in auth-config"
	ProviderFirstListed      ProviderReason = "first provider listed by the back-end (default)"
)

// SelectProvider picks a provider with the Python client's precedence:
// explicit id > the fallback id (if listed) > the only listed
// provider > the only auth-config provider among the listed ones > the
// first listed provider. reason says which rule applied.
func SelectProvider(providers []Provider, sel ProviderSelection) (p Provider, reason ProviderReason, err error) {
	if len(providers) == 0 {
		return Provider{}, "", kindErrorf(ErrNoOIDCProviders, "Backend lists no OIDC providers.")
	}
	find := func(id string) (Provider, bool) {
		for _, p := range providers {
			if p.ID == id {
				return p, true
			}
		}
		return Provider{}, false
	}
	if sel.ProviderID != "" {
		if p, ok := find(sel.ProviderID); ok {
			return p, ProviderRequested, nil
		}
		pe := &ProviderNotAvailableError{ProviderID: sel.ProviderID, Available: providerIDs(providers)}
		return Provider{}, "", &ClientError{Message: pe.Error(), Kind: pe}
	}
	if sel.FallbackProviderID != "" {
		if p, ok := find(sel.FallbackProviderID); ok {
			return p, ProviderFromEnvironment, nil
		}
	}
	if len(providers) == 1 {
		return providers[0], ProviderSingleListed, nil
	}
	var configured []Provider
	for _, id := range sel.ConfiguredIDs {
		if p, ok := find(id); ok && !slices.ContainsFunc(configured, func(q Provider) bool { return q.ID == id }) {
			configured = append(configured, p)
		}
	}
	if len(configured) == 1 {
		return configured[0], ProviderSingleConfigured, nil
	}
	return providers[0], ProviderFirstListed, nil
}

func providerIDs(ps []Provider) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// Grant types that back-ends list for default clients.
const (
	GrantImplicit          = "implicit"
	GrantAuthorizationCode = "authorization_code"
	GrantAuthCodePKCE      = "authorization_code+pkce"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantDeviceCodePKCE    = "urn:ietf:params:oauth:grant-type:device_code+pkce"
	GrantRefreshToken      = "refresh_token"
)

var knownGrants = []string{GrantImplicit, GrantAuthorizationCode, GrantAuthCodePKCE, GrantDeviceCode, GrantDeviceCodePKCE, GrantRefreshToken}

// GrantCheck is the requirement a default client must meet to be chosen by
// [SelectClient]. The zero value never accepts a default client (client
// credentials and password grants).
type GrantCheck struct {
	desc  string
	match func(grants map[string]bool) bool
}

// String describes the requirement.
func (g GrantCheck) String() string { return g.desc }

// Grant checks of the Python client's methods.
var (
	// GrantsDevice: device_code or device_code+pkce (device flow).
	GrantsDevice = GrantCheck{"device_code or device_code+pkce", func(g map[string]bool) bool {
		return g[GrantDeviceCode] || g[GrantDeviceCodePKCE]
	}}
	// GrantsRefreshAndDevice: refresh_token and a device grant (dynamic
	// authenticate_oidc).
	GrantsRefreshAndDevice = GrantCheck{"refresh_token and (device_code or device_code+pkce)", func(g map[string]bool) bool {
		return g[GrantRefreshToken] && (g[GrantDeviceCode] || g[GrantDeviceCodePKCE])
	}}
	// GrantsRefresh: refresh_token (refresh token method).
	GrantsRefresh = GrantCheck{"refresh_token", func(g map[string]bool) bool { return g[GrantRefreshToken] }}
)

// ClientSource says where a client id came from.
type ClientSource string

// Client sources.
const (
	ClientFromArgument      ClientSource = "argument"
	ClientFromEnvironment   ClientSource = "environment"
	ClientFromAuthConfig    ClientSource = "auth-config"
	ClientFromDefaultClient ClientSource = "default client"
)

// ClientSelection holds the inputs of [SelectClient].
type ClientSelection struct {
	// ClientID and ClientSecret are an explicit client (an argument, or the
	// client from the environment).
	ClientID, ClientSecret string
	// ExplicitSource says where ClientID came from; empty means argument.
	ExplicitSource ClientSource
	// Configured is the auth-config.json entry for the back-end and provider;
	// when found it replaces any explicit ClientSecret of an absent ClientID.
	ConfiguredID, ConfiguredSecret string
	ConfiguredFound                bool
	// BackendURL only serves the error message.
	BackendURL string
	// Grants selects default clients; zero means never use one.
	Grants GrantCheck
}

// ClientChoice is the result of [SelectClient].
type ClientChoice struct {
	ID     string
	Secret string
	Source ClientSource
}

// SelectClient picks the OIDC client like the Python client: explicit
// client > auth-config entry (its secret replaces any given one) > the
// first default client of the provider whose grant types pass sel.Grants.
// Unknown grant type strings are ignored. The error starts with "No
// client_id found." and says what was looked at.
func SelectClient(p Provider, sel ClientSelection) (ClientChoice, error) {
	if sel.ClientID != "" {
		src := sel.ExplicitSource
		if src == "" {
			src = ClientFromArgument
		}
		return ClientChoice{ID: sel.ClientID, Secret: sel.ClientSecret, Source: src}, nil
	}
	if sel.ConfiguredFound && sel.ConfiguredID != "" {
		return ClientChoice{ID: sel.ConfiguredID, Secret: sel.ConfiguredSecret, Source: ClientFromAuthConfig}, nil
	}
	var looked []string
	if sel.Grants.match != nil {
		for _, dc := range p.DefaultClients {
			if dc.ID == "" || len(dc.GrantTypes) == 0 {
				continue
			}
			if sel.Grants.match(normalizeGrants(dc.GrantTypes)) {
				return ClientChoice{ID: dc.ID, Source: ClientFromDefaultClient}, nil
			}
			looked = append(looked, fmt.Sprintf("'%s' %s", dc.ID, pyrepr.List(dc.GrantTypes)))
		}
	}
	var tried []string
	tried = append(tried, "no client_id given")
	tried = append(tried, fmt.Sprintf("no client for provider '%s' in auth-config.json for '%s'", p.ID, NormalizeURL(logURL(sel.BackendURL))))
	switch {
	case sel.Grants.match == nil:
		tried = append(tried, "this method does not use the back-end's default clients")
	case len(looked) == 0:
		tried = append(tried, fmt.Sprintf("provider '%s' lists no default clients", p.ID))
	default:
		tried = append(tried, fmt.Sprintf("no default client of provider '%s' supports %s (looked at %s)",
			p.ID, sel.Grants.desc, strings.Join(looked, ", ")))
	}
	return ClientChoice{}, kindErrorf(ErrNoClientID, "No client_id found. Tried: %s.", strings.Join(tried, "; "))
}

func normalizeGrants(grants []string) map[string]bool {
	m := make(map[string]bool, len(grants))
	for _, g := range grants {
		if slices.Contains(knownGrants, g) {
			m[g] = true
		}
	}
	return m
}

// GuessDevicePKCE is the Python client's PKCE auto-detection for the device
// flow: PKCE when there is no client secret and the client is one of the
// provider's default clients with a grant type containing
// "device_code+pkce".
func GuessDevicePKCE(p Provider, clientID, clientSecret string) bool {
	if clientSecret != "" {
		return false
	}
	for _, dc := range p.DefaultClients {
		if dc.ID != clientID {
			continue
		}
		for _, g := range dc.GrantTypes {
			if strings.Contains(g, "device_code+pkce") {
				return true
			}
		}
	}
	return false
}
