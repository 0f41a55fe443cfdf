package testbackend

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// The admin API (Config.AdminAPI) exposes the knobs over HTTP, for the runnable program:
//
//	GET    /_test/counts                      {"counts": {"/me": 2, "/credentials/oidc": 1, ...}}
//	DELETE /_test/counts                      reset counters and recorded requests
//	GET    /_test/requests[?path=/me]         recorded requests (Authorization redacted)
//	POST   /_test/faults                      {"path": "/me", "status": 503, "count": 2, "kind": "", "code": "",
//	                                           "message": "", "retry_after": "3", "delay_ms": 0}
//	DELETE /_test/faults                      clear faults
//	GET    /_test/config                      current knobs
//	POST   /_test/config                      {"basic_enabled": true, "jwt_conformance": false, "token_invalid_status": 401,
//	                                           "basic_token_ttl_seconds": 3600, "oidc_max_token_age_seconds": 0,
//	                                           "introspection_cache_seconds": 0, "empty_providers": false}
//	                                          (only the fields given change)
//	POST   /_test/providers                   {"providers": [{"id": ..., "issuer": ..., ...}]}
//	POST   /_test/basic-users                 {"name": "u", "password": "p"} (empty password removes)
//	POST   /_test/expire-tokens               every token known so far becomes invalid

type adminFault struct {
	Path       string `json:"path"`
	Count      int    `json:"count"`
	Status     int    `json:"status"`
	Kind       string `json:"kind"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RetryAfter string `json:"retry_after"`
	DelayMS    int64  `json:"delay_ms"`
}

type adminConfig struct {
	BasicEnabled       *bool    `json:"basic_enabled,omitempty"`
	JWTConformance     *bool    `json:"jwt_conformance,omitempty"`
	TokenInvalidStatus *int     `json:"token_invalid_status,omitempty"`
	BasicTokenTTL      *float64 `json:"basic_token_ttl_seconds,omitempty"`
	OIDCMaxTokenAge    *float64 `json:"oidc_max_token_age_seconds,omitempty"`
	IntrospectionCache *float64 `json:"introspection_cache_seconds,omitempty"`
	EmptyProviders     *bool    `json:"empty_providers,omitempty"`
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func (s *Server) currentConfig() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{
		"basic_enabled":               s.basicEnabled,
		"jwt_conformance":             s.jwt,
		"token_invalid_status":        s.invalidStatus,
		"basic_token_ttl_seconds":     s.basicTTL.Seconds(),
		"oidc_max_token_age_seconds":  s.oidcMaxAge.Seconds(),
		"introspection_cache_seconds": s.cacheTTL.Seconds(),
		"empty_providers":             s.emptyProviders,
		"providers":                   len(s.providers),
		"base_url":                    s.baseURL,
	}
}

func decodeBody(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apiError{status: http.StatusBadRequest, code: "BadRequest", message: "invalid JSON body: " + err.Error()}
	}
	return nil
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	bad := func(msg string) {
		writeError(w, &apiError{status: http.StatusBadRequest, code: "BadRequest", message: msg})
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /_test/counts":
		writeJSON(w, http.StatusOK, map[string]any{"counts": s.Counts()})
	case "DELETE /_test/counts":
		s.ResetCounts()
		writeJSON(w, http.StatusOK, map[string]any{"counts": map[string]int{}})
	case "GET /_test/requests":
		out := []map[string]any{}
		for _, q := range s.Requests(r.URL.Query().Get("path")) {
			out = append(out, map[string]any{"method": q.Method, "path": q.Path, "authorization": redactAuth(q.Authorization),
				"user_agent": q.UserAgent, "time": q.Time.UTC().Format(time.RFC3339Nano)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"requests": out})
	case "POST /_test/faults":
		var f adminFault
		if e := decodeBody(r, &f); e != nil {
			writeError(w, e)
			return
		}
		switch FaultKind(f.Kind) {
		case KindError, KindMalformed, KindWrongContentType, KindTruncated, KindPlainText, KindHTML, KindDelay, KindEcho:
		default:
			bad("unknown kind " + f.Kind)
			return
		}
		if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
			bad("status must be 100..599")
			return
		}
		s.InjectFault(Fault{Path: f.Path, Count: f.Count, Status: f.Status, Kind: FaultKind(f.Kind), Code: f.Code,
			Message: f.Message, RetryAfter: f.RetryAfter, Delay: time.Duration(f.DelayMS) * time.Millisecond})
		writeJSON(w, http.StatusOK, f)
	case "DELETE /_test/faults":
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]any{})
	case "GET /_test/config":
		writeJSON(w, http.StatusOK, s.currentConfig())
	case "POST /_test/config":
		var c adminConfig
		if e := decodeBody(r, &c); e != nil {
			writeError(w, e)
			return
		}
		if c.TokenInvalidStatus != nil && *c.TokenInvalidStatus != 0 && *c.TokenInvalidStatus != 401 && *c.TokenInvalidStatus != 403 {
			bad("token_invalid_status must be 401 or 403")
			return
		}
		if c.BasicEnabled != nil {
			s.SetBasicEnabled(*c.BasicEnabled)
		}
		if c.JWTConformance != nil {
			s.SetJWTConformance(*c.JWTConformance)
		}
		if c.TokenInvalidStatus != nil {
			s.SetTokenInvalidStatus(*c.TokenInvalidStatus)
		}
		if c.BasicTokenTTL != nil {
			s.SetBasicTokenTTL(seconds(*c.BasicTokenTTL))
		}
		if c.OIDCMaxTokenAge != nil {
			s.SetOIDCMaxTokenAge(seconds(*c.OIDCMaxTokenAge))
		}
		if c.IntrospectionCache != nil {
			s.SetIntrospectionCacheTTL(seconds(*c.IntrospectionCache))
		}
		if c.EmptyProviders != nil {
			s.SetEmptyProviders(*c.EmptyProviders)
		}
		writeJSON(w, http.StatusOK, s.currentConfig())
	case "POST /_test/providers":
		var in struct {
			Providers []Provider `json:"providers"`
		}
		if e := decodeBody(r, &in); e != nil {
			writeError(w, e)
			return
		}
		s.SetProviders(in.Providers)
		writeJSON(w, http.StatusOK, s.currentConfig())
	case "POST /_test/basic-users":
		var in struct {
			Name     string `json:"name"`
			Password string `json:"password"`
		}
		if e := decodeBody(r, &in); e != nil {
			writeError(w, e)
			return
		}
		if in.Name == "" {
			bad("name missing")
			return
		}
		s.SetBasicUser(in.Name, in.Password)
		writeJSON(w, http.StatusOK, map[string]any{"name": in.Name})
	case "POST /_test/expire-tokens":
		s.ExpireTokens()
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeError(w, &apiError{status: http.StatusNotFound, code: CodeNotFound, message: "unknown admin endpoint " + r.Method + " " + r.URL.Path})
	}
}
