package testbackend

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// identity is an authenticated user of /me.
type identity struct {
	UserID   string
	Name     string
	Email    string
	Method   string // "basic" or "oidc"
	Provider string // OIDC provider id
	ClientID string // OIDC client the token was issued to
	Subject  string // OIDC sub ("" for client-credentials tokens)
	Plain    bool   // plain (JWT-style) bearer without the oidc/<provider>/ prefix
}

func (id identity) info() map[string]any {
	m := map[string]any{"auth_method": id.Method}
	if id.Method == "oidc" {
		m["oidc_provider"] = id.Provider
		m["client_id"] = id.ClientID
		if id.Subject != "" {
			m["sub"] = id.Subject
		}
		m["plain_bearer"] = id.Plain
	}
	return m
}

var userIDUnsafe = regexp.MustCompile(`[^A-Za-z0-9_\-.~]`)

// sanitizeUserID maps s onto the /me user_id pattern ^[\w\-\.~]+$.
func sanitizeUserID(s string) string {
	s = userIDUnsafe.ReplaceAllString(s, "_")
	if s == "" {
		return "unknown"
	}
	return s
}

func (s *Server) errAuthRequired(msg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: CodeAuthenticationRequired, message: msg,
		header: map[string]string{"WWW-Authenticate": `Bearer realm="openEO"`}}
}

func (s *Server) errScheme(msg string) *apiError {
	return &apiError{status: http.StatusForbidden, code: CodeAuthenticationSchemeInvalid, message: msg}
}

func (s *Server) errTokenInvalid(detail string) *apiError {
	s.mu.Lock()
	st := s.invalidStatus
	s.mu.Unlock()
	msg := "Authorization token has expired or is invalid. Please authenticate again."
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return &apiError{status: st, code: CodeTokenInvalid, message: msg}
}

// ---------------------------------------------------------------- /credentials/basic

func (s *Server) serveCredentialsBasic(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	enabled := s.basicEnabled
	s.mu.Unlock()
	if !enabled {
		writeError(w, &apiError{status: http.StatusNotFound, code: CodeNotFound,
			message: "Basic authentication is not supported by this back-end."})
		return
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		e := s.errAuthRequired("Unauthorized. Send HTTP Basic credentials.")
		e.header["WWW-Authenticate"] = `Basic realm="openEO"`
		writeError(w, e)
		return
	}
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		writeError(w, s.errScheme("Authentication method not supported: /credentials/basic expects HTTP Basic."))
		return
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	user, pass, ok := strings.Cut(string(raw), ":")
	s.mu.Lock()
	want, known := s.basicUsers[user]
	s.mu.Unlock()
	if err != nil || !ok || !known || want != pass {
		writeError(w, &apiError{status: http.StatusForbidden, code: CodeCredentialsInvalid, message: "Credentials are not correct."})
		return
	}
	tok := newID()
	s.mu.Lock()
	s.basicTokens[tok] = basicToken{user: user, expires: time.Now().Add(s.basicTTL)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"access_token": tok})
}

// ---------------------------------------------------------------- bearer tokens

var schemePrefix = regexp.MustCompile(`^[A-Za-z0-9_-]*/[^/]*/`)

// authenticate checks the bearer of a protected request.
func (s *Server) authenticate(r *http.Request) (identity, *apiError) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return identity{}, s.errAuthRequired("Unauthorized. Authenticate with a bearer token.")
	}
	scheme, bearer, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return identity{}, s.errScheme("Authentication method not supported: send Authorization: Bearer <method>/<provider>/<token>.")
	}
	bearer = strings.TrimSpace(bearer)
	s.mu.Lock()
	basicOn, jwt := s.basicEnabled, s.jwt
	s.mu.Unlock()
	switch {
	case bearer == "":
		return identity{}, s.errAuthRequired("Unauthorized. The bearer token is missing.")
	case strings.HasPrefix(bearer, "basic//"):
		if !basicOn {
			return identity{}, s.errScheme("Authentication method not supported: basic authentication is disabled.")
		}
		return s.checkBasic(strings.TrimPrefix(bearer, "basic//"))
	case strings.HasPrefix(bearer, "oidc/"):
		pid, tok, ok := strings.Cut(strings.TrimPrefix(bearer, "oidc/"), "/")
		if !ok {
			return identity{}, s.errTokenInvalid("malformed OIDC bearer, want oidc/<provider id>/<access token>")
		}
		p, found := s.providerByID(pid)
		if !found {
			return identity{}, s.errTokenInvalid(fmt.Sprintf("unknown OIDC provider %q", pid))
		}
		return s.checkOIDC(r.Context(), p, tok, false)
	case schemePrefix.MatchString(bearer):
		return identity{}, s.errScheme("Authentication method not supported: " + strings.SplitN(bearer, "/", 2)[0])
	case jwt:
		p, err := s.providerForPlain(bearer)
		if err != nil {
			return identity{}, err
		}
		return s.checkOIDC(r.Context(), p, bearer, true)
	}
	return identity{}, s.errScheme("Authentication method not supported: bearer must be basic//<token> or oidc/<provider id>/<token>.")
}

func (s *Server) checkBasic(tok string) (identity, *apiError) {
	s.mu.Lock()
	bt, ok := s.basicTokens[tok]
	if ok && !time.Now().Before(bt.expires) {
		delete(s.basicTokens, tok)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		return identity{}, s.errTokenInvalid("unknown or expired basic token")
	}
	return identity{UserID: sanitizeUserID(bt.user), Name: bt.user, Method: "basic"}, nil
}

func (s *Server) providerByID(id string) (Provider, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.providers {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

// providerForPlain finds the provider of a plain bearer: a JWT by its iss claim, an opaque token
// only when exactly one provider is configured.
func (s *Server) providerForPlain(tok string) (Provider, *apiError) {
	s.mu.Lock()
	ps := append([]Provider(nil), s.providers...)
	s.mu.Unlock()
	if parts := strings.Split(tok, "."); len(parts) == 3 {
		payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
		var claims struct {
			Iss string `json:"iss"`
		}
		if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Iss == "" {
			return Provider{}, s.errTokenInvalid("JWT without a readable iss claim")
		}
		for _, p := range ps {
			if strings.TrimRight(p.Issuer, "/") == strings.TrimRight(claims.Iss, "/") {
				return p, nil
			}
		}
		return Provider{}, s.errTokenInvalid(fmt.Sprintf("JWT issuer %q is not a provider of this back-end", claims.Iss))
	}
	if len(ps) == 1 {
		return ps[0], nil
	}
	return Provider{}, s.errTokenInvalid("opaque plain bearer, but the provider is ambiguous: use oidc/<provider id>/<token>")
}

// ---------------------------------------------------------------- OIDC introspection

type idpEndpoints struct {
	Introspection string `json:"introspection_endpoint"`
	Userinfo      string `json:"userinfo_endpoint"`
}

type introspection struct {
	Active    bool   `json:"active"`
	Sub       string `json:"sub"`
	ClientID  string `json:"client_id"`
	Exp       int64  `json:"exp"`
	Iss       string `json:"iss"`
	Scope     string `json:"scope"`
	TokenType string `json:"token_type"`
}

type cachedIntrospection struct {
	in    introspection
	name  string
	email string
	until time.Time
}

var errProviderDown = errors.New("OIDC provider unavailable")

func (s *Server) endpointsFor(ctx context.Context, issuer string) (idpEndpoints, error) {
	issuer = strings.TrimRight(issuer, "/")
	s.mu.Lock()
	ep, ok := s.discovery[issuer]
	s.mu.Unlock()
	if ok {
		return ep, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return ep, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return ep, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ep, fmt.Errorf("discovery: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ep); err != nil {
		return ep, fmt.Errorf("discovery: %w", err)
	}
	if ep.Introspection == "" {
		return ep, errors.New("discovery: no introspection_endpoint")
	}
	s.mu.Lock()
	s.discovery[issuer] = ep
	s.mu.Unlock()
	return ep, nil
}

func (s *Server) introspect(ctx context.Context, p Provider, ep idpEndpoints, tok string) (introspection, error) {
	var in introspection
	id, secret := p.IntrospectionClientID, p.IntrospectionClientSecret
	if id == "" {
		id, secret = "openeo-backend", "openeo-backend-secret"
	}
	form := url.Values{"token": {tok}, "token_type_hint": {"access_token"}, "client_id": {id}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.Introspection, strings.NewReader(form.Encode()))
	if err != nil {
		return in, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return in, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		var oe struct {
			Error string `json:"error"`
		}
		if resp.StatusCode == http.StatusBadRequest && json.Unmarshal(b, &oe) == nil &&
			(oe.Error == "unsupported_token_type" || oe.Error == "invalid_request") {
			// e.g. oidc-provider refuses to introspect JWTs (ID tokens): not a valid access token
			return introspection{Active: false}, nil
		}
		return in, fmt.Errorf("introspection: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&in); err != nil {
		return in, fmt.Errorf("introspection: %w", err)
	}
	return in, nil
}

// userinfo fetches name and email (best effort).
func (s *Server) userinfo(ctx context.Context, ep idpEndpoints, tok string) (name, email string) {
	if ep.Userinfo == "" {
		return "", ""
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.Userinfo, nil)
	if err != nil {
		return "", ""
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.client.Do(req)
	if err != nil {
		return "", ""
	}
	defer resp.Body.Close()
	var ui struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ui) != nil {
		return "", ""
	}
	return ui.Name, ui.Email
}

func (s *Server) checkOIDC(ctx context.Context, p Provider, tok string, plain bool) (identity, *apiError) {
	if tok == "" {
		return identity{}, s.errTokenInvalid("empty access token")
	}
	h := hashToken(tok)
	now := time.Now()
	s.mu.Lock()
	first, seen := s.firstSeen[h]
	if !seen {
		first = now
		s.firstSeen[h] = now
	}
	expired := s.expired[h]
	maxAge := s.oidcMaxAge
	cached, hit := s.introCache[h]
	if hit && !now.Before(cached.until) {
		delete(s.introCache, h)
		hit = false
	}
	cacheTTL := s.cacheTTL
	s.mu.Unlock()
	if expired {
		return identity{}, s.errTokenInvalid("expired by the back-end")
	}
	if maxAge > 0 && now.Sub(first) > maxAge {
		return identity{}, s.errTokenInvalid(fmt.Sprintf("older than the back-end's maximum token age %s", maxAge))
	}

	in, name, email := cached.in, cached.name, cached.email
	if !hit {
		ep, err := s.endpointsFor(ctx, p.Issuer)
		if err == nil {
			in, err = s.introspect(ctx, p, ep, tok)
		}
		if err != nil {
			return identity{}, &apiError{status: http.StatusServiceUnavailable, code: CodeOidcProviderUnavailable,
				message: fmt.Sprintf("%v: provider %q: %v", errProviderDown, p.ID, err)}
		}
		if in.Active && in.Sub != "" && !s.cfg.SkipUserinfo && strings.Contains(" "+in.Scope+" ", " openid ") {
			name, email = s.userinfo(ctx, ep, tok)
		}
		if in.Active && cacheTTL > 0 {
			until := now.Add(cacheTTL)
			if in.Exp > 0 && time.Unix(in.Exp, 0).Before(until) {
				until = time.Unix(in.Exp, 0)
			}
			s.mu.Lock()
			s.introCache[h] = cachedIntrospection{in: in, name: name, email: email, until: until}
			s.mu.Unlock()
		}
	}
	switch {
	case !in.Active:
		return identity{}, s.errTokenInvalid("the identity provider reports the token inactive")
	case in.Exp > 0 && !now.Before(time.Unix(in.Exp, 0)):
		return identity{}, s.errTokenInvalid("expired")
	case in.TokenType != "" && !strings.EqualFold(in.TokenType, "Bearer"):
		return identity{}, s.errTokenInvalid("not an access token")
	case in.TokenType == "":
		// oidc-provider omits token_type only for refresh tokens: not usable as a bearer.
		return identity{}, s.errTokenInvalid("not an access token")
	case in.Iss != "" && strings.TrimRight(in.Iss, "/") != strings.TrimRight(p.Issuer, "/"):
		return identity{}, s.errTokenInvalid("token issued by another issuer")
	}
	id := identity{Method: "oidc", Provider: p.ID, ClientID: in.ClientID, Subject: in.Sub, Plain: plain, Email: email}
	user := in.Sub
	if user == "" {
		user = in.ClientID // client-credentials tokens have no subject
	}
	id.UserID = sanitizeUserID(user)
	id.Name = name
	if id.Name == "" {
		id.Name = user
	}
	return id, nil
}
