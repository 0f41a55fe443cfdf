package flows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"

	version "github.com/hashicorp/go-version"
)

// NormalizeBackendURL prefixes "https://" when the URL has no scheme, like
// the Python client's connect(). The result (before any version discovery)
// is the key under which auth-config.json entries are looked up.
func NormalizeBackendURL(u string) string {
	u = strings.TrimSpace(u)
	if u != "" && !strings.Contains(u, "://") {
		u = "https://" + u
	}
	return u
}

// NormalizeURL is the Python client's _normalize_url, the one rule for the
// keys of the auth files: trailing slashes are removed, and an empty result
// becomes "/". auth-config.json back-ends (after [NormalizeBackendURL]) and
// refresh-tokens.json issuers are keyed by it.
func NormalizeURL(u string) string {
	if s := strings.TrimRight(u, "/"); s != "" {
		return s
	}
	return "/"
}

// WellKnownVersion is one entry of GET /.well-known/openeo.
type WellKnownVersion struct {
	URL        string `json:"url"`
	APIVersion string `json:"api_version"`
	// Production is nil when the back-end did not say; see [WellKnown.Select].
	Production *bool `json:"production,omitempty"`
}

// WellKnown is the document served at /.well-known/openeo.
type WellKnown struct {
	Versions []WellKnownVersion `json:"versions"`
}

// ParseWellKnown parses a /.well-known/openeo document.
func ParseWellKnown(data []byte) (*WellKnown, error) {
	var raw struct {
		Versions []json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid well-known document: %w", err)
	}
	wk := &WellKnown{}
	for _, r := range raw.Versions {
		var v struct {
			URL        any `json:"url"`
			APIVersion any `json:"api_version"`
			Production any `json:"production"`
		}
		if json.Unmarshal(r, &v) != nil {
			continue
		}
		u, ok1 := v.URL.(string)
		av, ok2 := v.APIVersion.(string)
		if !ok1 || !ok2 {
			continue // url and api_version are required
		}
		e := WellKnownVersion{URL: u, APIVersion: av}
		if p, ok := v.Production.(bool); ok {
			e.Production = &p
		}
		wk.Versions = append(wk.Versions, e)
	}
	return wk, nil
}

// Select picks the version to use with the Python client's rules: only
// api_version >= 1.0.0, entries with production true preferred (a missing
// production field counts as true, unlike the spec's default of false), and
// among those the highest api_version. Unlike the Python client, versions are
// compared by SemVer, not as strings. ok is false when no entry qualifies.
func (w *WellKnown) Select() (v WellKnownVersion, ok bool) {
	var best, bestProd *WellKnownVersion
	for i := range w.Versions {
		e := &w.Versions[i]
		if !atLeast1(e.APIVersion) || e.URL == "" {
			continue
		}
		if best == nil || newer(e.APIVersion, best.APIVersion) {
			best = e
		}
		if e.Production == nil || *e.Production {
			if bestProd == nil || newer(e.APIVersion, bestProd.APIVersion) {
				bestProd = e
			}
		}
	}
	switch {
	case bestProd != nil:
		return *bestProd, true
	case best != nil:
		return *best, true
	}
	return WellKnownVersion{}, false
}

func newer(a, b string) bool {
	c, _ := CompareVersions(a, b)
	return c > 0
}

// CompareVersions compares two API versions by SemVer 2.0.0 precedence
// (hashicorp/go-version) and returns -1, 0 or 1. Missing minor or patch
// numbers count as 0 ("1.2" is 1.2.0) and a leading "v" is accepted. ok is
// false when either version does not parse.
func CompareVersions(a, b string) (c int, ok bool) {
	va, errA := version.NewSemver(strings.TrimSpace(a))
	vb, errB := version.NewSemver(strings.TrimSpace(b))
	if errA != nil || errB != nil {
		return 0, false
	}
	return va.Compare(vb), true
}

// atLeast1 reports whether v parses and is >= 1.0.0.
func atLeast1(v string) bool {
	c, ok := CompareVersions(v, "1.0.0")
	return ok && c >= 0
}

// ResolveRoot does well-known version discovery for a back-end URL (after
// [NormalizeBackendURL]) and returns the API root to use. Like the Python
// client, any failure (HTTP error, bad JSON, no supported version) falls
// back silently to the given URL; the reason is logged at debug level.
func (c *Client) ResolveRoot(ctx context.Context, backendURL string) (string, error) {
	backendURL = NormalizeBackendURL(backendURL)
	if err := checkURL(backendURL); err != nil {
		return "", err
	}
	root := backendURL
	wkURL := joinURL(backendURL, "/.well-known/openeo")
	body, err := c.getOpenEO(ctx, backendURL, "/.well-known/openeo", "")
	if err == nil {
		var wk *WellKnown
		if wk, err = ParseWellKnown(body); err == nil {
			if v, ok := wk.Select(); ok {
				c.log(ctx, LevelDebug, "well-known version discovery", map[string]any{
					"url": wkURL, "api_version": v.APIVersion, "root": v.URL,
				})
				return v.URL, nil
			}
			err = errors.New("no supported API version listed")
		}
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	c.log(ctx, LevelDebug, "well-known version discovery failed, using the back-end URL as API root", map[string]any{
		"url": wkURL, "error": err.Error(),
	})
	return root, nil
}

func checkURL(u string) error {
	if u == "" {
		return clientErrorf("No openEO back-end URL given.")
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return clientErrorf("Unsupported URL scheme in openEO back-end URL '%s'.", logURL(u))
	}
	return nil
}

// Endpoint is one entry of the capabilities' endpoints list.
type Endpoint struct {
	Path    string   `json:"path"`
	Methods []string `json:"methods"`
}

// Link is an openEO link object.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel,omitempty"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// Capabilities is the response of GET / (openEO API 1.x).
type Capabilities struct {
	// Root is the API root the document was fetched from.
	Root           string     `json:"-"`
	APIVersion     string     `json:"api_version"`
	BackendVersion string     `json:"backend_version"`
	STACVersion    string     `json:"stac_version"`
	Type           string     `json:"type"`
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Production     *bool      `json:"production,omitempty"`
	Endpoints      []Endpoint `json:"endpoints"`
	Conformance    []string   `json:"conformsTo"` // conformance classes (conformsTo)
	Links          []Link     `json:"links"`
	Billing        *Billing   `json:"billing,omitempty"`
	// Raw is the complete document.
	Raw json.RawMessage `json:"-"`
}

// Billing is the optional billing section of the capabilities.
type Billing struct {
	Currency    string        `json:"currency"`
	DefaultPlan string        `json:"default_plan"`
	Plans       []BillingPlan `json:"plans"`
}

// BillingPlan is one plan of the billing section.
type BillingPlan struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Paid        bool   `json:"paid"`
	URL         string `json:"url"`
}

// ParseCapabilities parses a GET / document. A legacy "version" field is
// used when "api_version" is missing. Fields of unexpected types are
// ignored rather than failing the whole document.
func ParseCapabilities(data []byte) (*Capabilities, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, fmt.Errorf("invalid capabilities document: %w", err)
	}
	c := &Capabilities{Raw: append(json.RawMessage(nil), data...)}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(top[key], &s)
		return s
	}
	c.APIVersion = str("api_version")
	if c.APIVersion == "" {
		c.APIVersion = str("version")
	}
	c.BackendVersion = str("backend_version")
	c.STACVersion = str("stac_version")
	c.Type = str("type")
	c.ID = str("id")
	c.Title = str("title")
	c.Description = str("description")
	if top["production"] != nil {
		var prod *bool
		if json.Unmarshal(top["production"], &prod) == nil {
			c.Production = prod
		}
	}
	var eps []json.RawMessage
	_ = json.Unmarshal(top["endpoints"], &eps)
	for _, raw := range eps {
		var e struct {
			Path    string            `json:"path"`
			Methods []json.RawMessage `json:"methods"`
		}
		if json.Unmarshal(raw, &e) != nil {
			continue
		}
		ep := Endpoint{Path: e.Path}
		for _, m := range e.Methods {
			var s string
			if json.Unmarshal(m, &s) == nil {
				ep.Methods = append(ep.Methods, s)
			}
		}
		c.Endpoints = append(c.Endpoints, ep)
	}
	c.Conformance = stringList(top["conformsTo"])
	c.Links = linkList(top["links"])
	if top["billing"] != nil {
		var b *Billing
		if json.Unmarshal(top["billing"], &b) == nil {
			c.Billing = b
		}
	}
	return c, nil
}

// stringList decodes a JSON array keeping only its string elements.
func stringList(raw json.RawMessage) []string {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func linkList(raw json.RawMessage) []Link {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []Link
	for _, it := range items {
		var l Link
		if json.Unmarshal(it, &l) == nil {
			out = append(out, l)
		}
	}
	return out
}

// SupportsEndpoint reports whether the capabilities list path (compared
// exactly, e.g. "/credentials/basic") with method. Methods are compared
// case-insensitively.
func (c *Capabilities) SupportsEndpoint(method, path string) bool {
	for _, e := range c.Endpoints {
		if e.Path != path {
			continue
		}
		for _, m := range e.Methods {
			if strings.EqualFold(m, method) {
				return true
			}
		}
	}
	return false
}

// ConformsTo reports whether the capabilities list the conformance class.
func (c *Capabilities) ConformsTo(class string) bool {
	for _, cc := range c.Conformance {
		if cc == class {
			return true
		}
	}
	return false
}

var jwtConformance = regexp.MustCompile(`^https://api\.openeo\.org/[^/]+/authentication/jwt$`)

// SupportsJWTBearer reports whether the back-end accepts plain JWT bearer
// tokens: its conformsTo lists https://api.openeo.org/<version>/authentication/jwt
// (openEO API 1.3.0).
func (c *Capabilities) SupportsJWTBearer() bool {
	for _, cc := range c.Conformance {
		if jwtConformance.MatchString(cc) {
			return true
		}
	}
	return false
}

// Capabilities fetches GET / below the API root (authenticated when bearer
// is not empty) and checks that the API version is at least 1.0.0.
func (c *Client) Capabilities(ctx context.Context, root, bearer string) (*Capabilities, error) {
	body, err := c.getOpenEO(ctx, root, "/", bearerHeader(bearer), bearerSecrets(bearer)...)
	if err != nil {
		return nil, err
	}
	caps, err := ParseCapabilities(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", logURL(joinURL(root, "/")), err)
	}
	caps.Root = root
	if !atLeast1(caps.APIVersion) {
		return nil, clientErrorf("openEO API version should be at least 1.0.0, but got %s", caps.APIVersion)
	}
	return caps, nil
}

// bearerSecrets are the values to scrub from what a request with bearer
// answers: the bearer and its bare access token (a back-end may echo
// either).
func bearerSecrets(bearer string) []string {
	if bearer == "" {
		return nil
	}
	return []string{bearer, ParseBearer(bearer).Token}
}

func bearerHeader(bearer string) string {
	if bearer == "" {
		return ""
	}
	return "Bearer " + bearer
}

// BasicAccessToken logs in with HTTP Basic credentials at GET
// /credentials/basic and returns the access token (without the "basic//"
// prefix). It refuses back-ends whose capabilities do not list that
// endpoint, with the Python client's message.
func (c *Client) BasicAccessToken(ctx context.Context, caps *Capabilities, username, password string) (string, error) {
	if !caps.SupportsEndpoint(http.MethodGet, "/credentials/basic") {
		return "", kindErrorf(ErrBasicUnsupported, "This openEO back-end does not support basic authentication.")
	}
	b64 := BasicAuthSecret(username, password)
	if b64 == "" {
		b64 = base64.StdEncoding.EncodeToString([]byte(username + ":"))
	}
	body, err := c.getOpenEO(ctx, caps.Root, "/credentials/basic", "Basic "+b64, password, b64)
	if err != nil {
		return "", err
	}
	var r struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &r) != nil || r.AccessToken == "" {
		return "", fmt.Errorf("GET %s: response has no access_token", logURL(joinURL(caps.Root, "/credentials/basic")))
	}
	return r.AccessToken, nil
}

// Provider is an OpenID Connect provider as listed by GET /credentials/oidc.
type Provider struct {
	ID             string          `json:"id"`
	Issuer         string          `json:"issuer"`
	Title          string          `json:"title"`
	Description    string          `json:"description,omitempty"`
	Scopes         []string        `json:"scopes,omitempty"`
	DefaultClients []DefaultClient `json:"default_clients,omitempty"`
	// AuthorizationParameters (openEO API 1.3) are extra parameters for the
	// authorization request; non-string JSON values are kept as JSON text.
	AuthorizationParameters map[string]string `json:"authorization_parameters,omitempty"`
	Links                   []Link            `json:"links,omitempty"`
}

// DefaultClient is a client that a back-end offers for a provider.
type DefaultClient struct {
	ID           string   `json:"id"`
	GrantTypes   []string `json:"grant_types"`
	RedirectURLs []string `json:"redirect_urls,omitempty"`
}

// ParseProviders parses a GET /credentials/oidc document. Providers without
// id or issuer are skipped, and a provider without a title gets its id as
// title (the Python client fails on all of them); an empty result is the
// *ClientError "Backend lists no OIDC providers." ([ErrNoOIDCProviders]).
func ParseProviders(data []byte) ([]Provider, error) {
	var doc struct {
		Providers []json.RawMessage `json:"providers"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid OIDC provider list: %w", err)
	}
	var out []Provider
	for _, raw := range doc.Providers {
		var p struct {
			ID                      any               `json:"id"`
			Issuer                  any               `json:"issuer"`
			Title                   any               `json:"title"`
			Description             any               `json:"description"`
			Scopes                  json.RawMessage   `json:"scopes"`
			DefaultClients          []json.RawMessage `json:"default_clients"`
			AuthorizationParameters map[string]any    `json:"authorization_parameters"`
			Links                   json.RawMessage   `json:"links"`
		}
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		id, _ := p.ID.(string)
		issuer, _ := p.Issuer.(string)
		title, _ := p.Title.(string)
		if id == "" || issuer == "" {
			continue
		}
		if title == "" {
			title = id
		}
		pr := Provider{ID: id, Issuer: issuer, Title: title, Scopes: stringList(p.Scopes), Links: linkList(p.Links)}
		pr.Description, _ = p.Description.(string)
		for _, dcRaw := range p.DefaultClients {
			var dc struct {
				ID           any             `json:"id"`
				GrantTypes   json.RawMessage `json:"grant_types"`
				RedirectURLs json.RawMessage `json:"redirect_urls"`
			}
			if json.Unmarshal(dcRaw, &dc) != nil {
				continue
			}
			dcID, _ := dc.ID.(string)
			pr.DefaultClients = append(pr.DefaultClients, DefaultClient{
				ID: dcID, GrantTypes: stringList(dc.GrantTypes), RedirectURLs: stringList(dc.RedirectURLs),
			})
		}
		if len(p.AuthorizationParameters) > 0 {
			pr.AuthorizationParameters = make(map[string]string, len(p.AuthorizationParameters))
			for k, v := range p.AuthorizationParameters {
				switch x := v.(type) {
				case string:
					pr.AuthorizationParameters[k] = x
				case nil:
				default:
					b, _ := json.Marshal(x)
					pr.AuthorizationParameters[k] = string(b)
				}
			}
		}
		out = append(out, pr)
	}
	if len(out) == 0 {
		return nil, kindErrorf(ErrNoOIDCProviders, "Backend lists no OIDC providers.")
	}
	return out, nil
}

// OIDCProviders fetches and parses GET /credentials/oidc. For an empty list
// the *ClientError of [ParseProviders] names the request in its Endpoint.
func (c *Client) OIDCProviders(ctx context.Context, root string) ([]Provider, error) {
	body, err := c.getOpenEO(ctx, root, "/credentials/oidc", "")
	if err != nil {
		return nil, err
	}
	providers, err := ParseProviders(body)
	var ce *ClientError
	if errors.As(err, &ce) && ce.Endpoint == "" {
		ce.Endpoint = logURL(joinURL(root, "/credentials/oidc"))
	}
	return providers, err
}

// Account is the response of GET /me.
type Account struct {
	UserID      string `json:"user_id"`
	Name        string `json:"name,omitempty"`
	DefaultPlan string `json:"default_plan,omitempty"`
	// Storage is nil when the back-end sets no storage limit.
	Storage *AccountStorage `json:"storage"`
	// Budget is nil when no budget limit applies.
	Budget *float64 `json:"budget"`
	Links  []Link   `json:"links,omitempty"`
	// Extra holds the fields not listed above (e.g. OIDC userinfo claims).
	Extra map[string]json.RawMessage `json:"-"`
	// Raw is the complete response.
	Raw json.RawMessage `json:"-"`
}

// AccountStorage is the storage section of GET /me, in bytes. Each value is
// nil when missing or null.
type AccountStorage struct {
	Free  *int64 `json:"free"`
	Quota *int64 `json:"quota"`
}

// ParseAccount parses a GET /me document; user_id is required.
func ParseAccount(data []byte) (*Account, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return nil, fmt.Errorf("invalid account document: %w", err)
	}
	a := &Account{Raw: append(json.RawMessage(nil), data...), Extra: map[string]json.RawMessage{}}
	if json.Unmarshal(top["user_id"], &a.UserID) != nil || a.UserID == "" {
		return nil, errors.New("invalid account document: no user_id")
	}
	_ = json.Unmarshal(top["name"], &a.Name)
	_ = json.Unmarshal(top["default_plan"], &a.DefaultPlan)
	var st map[string]json.RawMessage
	if json.Unmarshal(top["storage"], &st) == nil && st != nil {
		a.Storage = &AccountStorage{Free: jsonInt(st["free"]), Quota: jsonInt(st["quota"])}
	}
	if top["budget"] != nil {
		var budget *float64
		if json.Unmarshal(top["budget"], &budget) == nil {
			a.Budget = budget
		}
	}
	a.Links = linkList(top["links"])
	for k, v := range top {
		switch k {
		case "user_id", "name", "default_plan", "storage", "budget", "links":
		default:
			a.Extra[k] = v
		}
	}
	return a, nil
}

// jsonInt decodes a JSON number that holds an integer (also written as a
// float such as 1.5e9); anything else gives nil.
func jsonInt(raw json.RawMessage) *int64 {
	var f float64
	if raw == nil || string(raw) == "null" || json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || math.Abs(f) > 9e18 {
		return nil
	}
	n := int64(f)
	var exact int64
	if json.Unmarshal(raw, &exact) == nil {
		n = exact
	}
	return &n
}

// Account fetches GET /me with the given bearer.
func (c *Client) Account(ctx context.Context, root, bearer string) (*Account, error) {
	body, err := c.getOpenEO(ctx, root, "/me", bearerHeader(bearer), bearerSecrets(bearer)...)
	if err != nil {
		return nil, err
	}
	a, err := ParseAccount(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", logURL(joinURL(root, "/me")), err)
	}
	return a, nil
}
