package flows

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// BearerFormat tells how a bearer string is built.
type BearerFormat string

// Bearer formats.
const (
	// BearerLegacy is "<method>/<provider id>/<token>" (openEO API 1.x),
	// e.g. "basic//TOKEN" or "oidc/egi/TOKEN".
	BearerLegacy BearerFormat = "legacy"
	// BearerJWT is a plain JWT access token, for back-ends that conform to
	// https://api.openeo.org/<version>/authentication/jwt.
	BearerJWT BearerFormat = "jwt"
	// BearerRaw is anything else, passed through unchanged.
	BearerRaw BearerFormat = "raw"
)

// BasicBearer returns "basic//<token>".
func BasicBearer(accessToken string) string { return "basic//" + accessToken }

// OIDCBearer returns "oidc/<provider id>/<token>".
func OIDCBearer(providerID, accessToken string) string {
	return "oidc/" + providerID + "/" + accessToken
}

// BuildBearer returns the bearer for an OIDC access token: the plain token
// when plainJWT is true (the back-end conforms to the openEO JWT class) and
// the token is a JWT with an "iss" claim (which a back-end needs to find
// the provider), otherwise "oidc/<provider id>/<token>".
func BuildBearer(providerID, accessToken string, plainJWT bool) string {
	if iss, _, ok := jwtClaims(accessToken); plainJWT && ok && iss != "" {
		return accessToken
	}
	return OIDCBearer(providerID, accessToken)
}

// Bearer is a parsed bearer string, for inspection. Nothing is verified.
type Bearer struct {
	Format BearerFormat
	// Method is "basic", "oidc" or another prefix of a legacy bearer; empty
	// for JWT and raw bearers.
	Method string
	// ProviderID is the middle part of a legacy bearer ("" for basic).
	ProviderID string
	// Token is the access token (the whole string for JWT and raw bearers).
	Token string
	// Issuer and Expiry come from the JWT payload ("iss" and "exp") when
	// Token is a JWT; they are not verified.
	Issuer string
	Expiry time.Time
}

// ParseBearer splits a bearer string (with or without a leading "Bearer ").
// A string is legacy when its first segment is a lower-case method name
// followed by two slashes' worth of parts; the token itself may contain
// slashes.
func ParseBearer(s string) Bearer {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	if method, rest, ok := strings.Cut(s, "/"); ok && isMethodName(method) {
		if provider, token, ok := strings.Cut(rest, "/"); ok && token != "" && !strings.ContainsAny(provider, " ") {
			b := Bearer{Format: BearerLegacy, Method: method, ProviderID: provider, Token: token}
			b.Issuer, b.Expiry, _ = jwtClaims(token)
			return b
		}
	}
	if iss, exp, ok := jwtClaims(s); ok {
		return Bearer{Format: BearerJWT, Token: s, Issuer: iss, Expiry: exp}
	}
	return Bearer{Format: BearerRaw, Token: s}
}

// String rebuilds the bearer string.
func (b Bearer) String() string {
	if b.Format == BearerLegacy {
		return b.Method + "/" + b.ProviderID + "/" + b.Token
	}
	return b.Token
}

func isMethodName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z'
		other := c >= '0' && c <= '9' || c == '_' || c == '-' // not first
		if !letter && (i == 0 || !other) {
			return false
		}
	}
	return true
}

// JWTClaims are the claims of a JWT that say whose it is and for whom, read
// without verifying the signature: for reports (openeo-auth
// token-exchange-test) and expiry, never for trust decisions.
type JWTClaims struct {
	Issuer   string
	Subject  string
	Audience []string // "aud": one string or a list
	Expiry   time.Time
}

// ReadJWTClaims decodes the iss, sub, aud and exp claims of a JWS compact
// token without verifying it. ok is false when the string is not a JWT with
// a JSON object payload.
func ReadJWTClaims(tok string) (c JWTClaims, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return JWTClaims{}, false
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return JWTClaims{}, false
	}
	var h map[string]any
	if json.Unmarshal(header, &h) != nil || h == nil {
		return JWTClaims{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return JWTClaims{}, false
	}
	var claims struct {
		Iss any `json:"iss"`
		Sub any `json:"sub"`
		Aud any `json:"aud"`
		Exp any `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return JWTClaims{}, false
	}
	c.Issuer, _ = claims.Iss.(string)
	c.Subject, _ = claims.Sub.(string)
	switch aud := claims.Aud.(type) {
	case string:
		c.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			if s, isString := a.(string); isString {
				c.Audience = append(c.Audience, s)
			}
		}
	}
	if f, isNum := claims.Exp.(float64); isNum && f > 0 && f < 1e11 {
		c.Expiry = time.Unix(int64(f), 0)
	}
	return c, true
}

// jwtClaims is the iss and exp of [ReadJWTClaims].
func jwtClaims(tok string) (iss string, exp time.Time, ok bool) {
	c, ok := ReadJWTClaims(tok)
	return c.Issuer, c.Expiry, ok
}
