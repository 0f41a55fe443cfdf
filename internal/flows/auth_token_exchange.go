package flows

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MethodTokenExchange is the OAuth 2.0 token exchange (RFC 8693): a subject
// token (typically a CI system's identity token) is exchanged for an access
// token at the identity provider's token endpoint; renewed by exchanging
// again with a fresh subject token. (The session lists it once it is wired
// in; see [Methods].)
const MethodTokenExchange Method = "token_exchange"

// Grant and token type URIs of RFC 8693.
const (
	GrantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	// TokenTypeJWT is the default subject_token_type: a JWT such as a CI
	// identity token.
	TokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
)

// TokenExchange is one RFC 8693 token exchange request.
type TokenExchange struct {
	// Subject gives the subject token; it is asked again for every exchange
	// (a file is read again, a CI token requested again).
	Subject *SubjectTokenSource
	// SubjectTokenType is subject_token_type; "" is [TokenTypeJWT].
	SubjectTokenType string
	// Audience, RequestedTokenType and Scope are sent when set.
	Audience           string
	RequestedTokenType string
	Scope              string
	// Assertion authenticates the client with a JWT instead of the
	// GrantConfig's client secret; nil: client_id and client_secret (when
	// set) as form fields, like the other grants.
	Assertion *ClientAssertion
}

// TokenExchangeGrant exchanges the subject token of x for an access token
// at g's token endpoint. The token's Method is [MethodTokenExchange]; it has
// no refresh token (renew by calling TokenExchangeGrant again). A refused
// exchange gives a [*TokenExchangeError] that wraps the grant's
// [*OIDCError] and says what to change.
func (c *Client) TokenExchangeGrant(ctx context.Context, g *GrantConfig, x TokenExchange) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	if x.Subject == nil {
		return nil, clientErrorf("Token exchange needs a subject token: set subject_token, subject_token_file or " +
			"subject_token_env, or run in GitHub Actions (permissions: id-token: write) or HCP Terraform with workload identity.")
	}
	subject, err := x.Subject.Token(ctx, c)
	if err != nil {
		return nil, err
	}
	typ := x.SubjectTokenType
	if typ == "" {
		typ = TokenTypeJWT
	}
	if err := x.Subject.checkFresh(subject, typ, time.Now()); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {GrantTypeTokenExchange}, "subject_token": {subject}, "subject_token_type": {typ}}
	for k, v := range map[string]string{"audience": x.Audience, "requested_token_type": x.RequestedTokenType, "scope": x.Scope} {
		if v != "" {
			form.Set(k, v)
		}
	}
	t, err := c.assertedTokenRequest(ctx, g, form, x.Assertion, map[string]any{"subject_token_source": string(x.Subject.Kind())})
	if err != nil {
		var oe *OIDCError
		if errors.As(err, &oe) && oe.Code != "" {
			return nil, &TokenExchangeError{Source: x.Subject.describe(), Fix: exchangeFix(oe.Code, oe.Description, g.ClientID), Err: err}
		}
		return nil, err
	}
	return g.finish(t, MethodTokenExchange), nil
}

// ClientCredentialsAssertionGrant is the client credentials grant with the
// client authenticated by a = a signed JWT (private_key_jwt) or a ready-made
// assertion: form fields grant_type, scope, client_id, client_assertion_type
// and client_assertion. g must have no client secret.
func (c *Client) ClientCredentialsAssertionGrant(ctx context.Context, g *GrantConfig, scope string, a *ClientAssertion) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errors.New("flows: ClientCredentialsAssertionGrant needs a client assertion")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	t, err := c.assertedTokenRequest(ctx, g, form, a, nil)
	if err != nil {
		return nil, err
	}
	return g.finish(t, MethodClientCredentials), nil
}

// exchangeSecretKeys are the form fields of these grants that carry secrets
// besides those every token request scrubs.
var exchangeSecretKeys = []string{"subject_token", "actor_token", "client_assertion"}

// assertedTokenRequest POSTs a token request with client authentication by
// a (nil: the client secret, as for every grant) and parses the answer. The
// subject token and client assertion are scrubbed from every error and log.
func (c *Client) assertedTokenRequest(ctx context.Context, g *GrantConfig, form url.Values, a *ClientAssertion,
	logFields map[string]any) (*Token, error) {
	if a != nil {
		if err := a.apply(g, form, time.Now()); err != nil {
			return nil, err
		}
	}
	g.authenticate(form)
	var extra []string
	for _, k := range exchangeSecretKeys {
		if v := form.Get(k); v != "" {
			extra = append(extra, v)
		}
	}
	endpoint := g.Metadata.TokenEndpoint
	resp, err := c.postFormRequest(ctx, opToken, endpoint, form, 0, false)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		secrets := append(append([]string{}, resp.secrets...), extra...)
		return nil, parseOIDCError(opToken, endpoint, resp.status, resp.header.Get("Content-Type"), scrubBytes(resp.body, extra), secrets)
	}
	t, err := ParseTokenResponse(resp.body)
	if err != nil {
		if typ := issuedTokenType(resp.body); typ != "" && typ != TokenTypeAccessToken {
			err = &kindError{text: err.Error() + ": the identity provider issued a " + truncate(CleanText(typ), 80) +
				", not an access token; set requested_token_type to " + TokenTypeAccessToken + " or leave it unset", kind: ErrInvalidTokenResponse}
		}
		return nil, &OIDCError{Op: opToken, Endpoint: endpoint, Status: resp.status, Err: err}
	}
	if a != nil {
		if logFields == nil {
			logFields = map[string]any{}
		}
		logFields["client_auth"] = "client_assertion"
	}
	c.logToken(ctx, g, form.Get("grant_type"), t, logFields)
	return t, nil
}

// issuedTokenType reads issued_token_type of a token exchange answer.
func issuedTokenType(body []byte) string {
	var r struct {
		IssuedTokenType string `json:"issued_token_type"`
	}
	_ = json.Unmarshal(body, &r)
	return r.IssuedTokenType
}

// TokenExchangeError is a token exchange that the identity provider
// refused. It wraps the grant's [*OIDCError] and says where the subject
// token came from and what to change.
type TokenExchangeError struct {
	// Source describes where the subject token came from, e.g. "GitHub
	// Actions (ACTIONS_ID_TOKEN_REQUEST_URL)" or "file '/var/run/token'".
	Source string
	// Fix is a sentence that says what to change.
	Fix string
	Err error
}

func (e *TokenExchangeError) Error() string {
	return e.Err.Error() + " (subject token from " + e.Source + "). " + e.Fix
}

// Unwrap returns the error of the grant.
func (e *TokenExchangeError) Unwrap() error { return e.Err }

// exchangeFix is the sentence that says what to change after a token
// exchange refused with the OAuth error code and description.
func exchangeFix(code, description, clientID string) string {
	if code == "invalid_request" && strings.Contains(strings.ToLower(description), "grant type") {
		code = "unauthorized_client" // e.g. oidc-provider: "requested grant type is not allowed for this client"
	}
	switch code {
	case "invalid_grant":
		return "The identity provider did not accept the subject token: check that its audience is the one the provider " +
			"expects (the audience setting, which is also the audience of a GitHub Actions token request), that it has not " +
			"expired, and that the provider's administrator trusts its issuer and subject (see the keyless CI guide)."
	case "invalid_target":
		return "The identity provider refused the requested audience: set audience to a value the provider accepts, or leave it unset."
	case "unauthorized_client", "invalid_client":
		return "Client '" + clientID + "' may not use the token exchange grant, or its authentication failed: ask the identity " +
			"provider's administrator to allow token exchange (" + GrantTypeTokenExchange + ") for it, and check its client " +
			"secret or client assertion key."
	case "unsupported_grant_type":
		return "This identity provider does not support OAuth 2.0 token exchange (RFC 8693): use another authentication method."
	case "invalid_request":
		return "Check subject_token_type (default " + TokenTypeJWT + ") and requested_token_type against what the identity provider supports."
	case "invalid_scope":
		return "Request only scopes the client may use (the scopes setting)."
	}
	return "See the identity provider's documentation of token exchange."
}

// trimToken removes the white space around a token read from a file,
// a program's output or a variable.
func trimToken(s string) string { return strings.TrimSpace(s) }
