package flows

import (
	"context"
	"errors"
	"net/url"
)

// Token type hints of RFC 7009 §2.1.
const (
	TokenTypeHintRefreshToken = "refresh_token"
	TokenTypeHintAccessToken  = "access_token"
)

// ErrRevocationUnsupported is wrapped by the error of [Client.RevokeToken]
// when the provider's discovery document has no revocation_endpoint.
var ErrRevocationUnsupported = errors.New("the discovery document has no revocation_endpoint")

const opRevoke = "revoke token at"

// RevokeToken revokes an access or refresh token at the provider's
// revocation_endpoint (RFC 7009; the Python client has no revocation). It
// POSTs token, token_type_hint (when not empty, see TokenTypeHintRefreshToken)
// and the client authentication of the token endpoint: client_id, and
// client_secret when g has one. The client must be the one the token was
// issued to.
//
// A 2xx answer is success; the provider also answers so for a token that
// was invalid or already revoked (RFC 7009 §2.2). Errors are an *OIDCError
// for a failed request (for example [400] invalid_client or
// unsupported_token_type), or a *ClientError wrapping
// [ErrRevocationUnsupported]. The token never appears in errors or logs.
func (c *Client) RevokeToken(ctx context.Context, g *GrantConfig, token, tokenTypeHint string) error {
	if g == nil || g.Metadata == nil {
		return errors.New("flows: RevokeToken needs a GrantConfig with provider metadata")
	}
	if g.ClientID == "" {
		return kindErrorf(ErrNoClientID, "No client_id found.")
	}
	if token == "" {
		return errors.New("flows: RevokeToken needs a token")
	}
	endpoint := g.Metadata.RevocationEndpoint
	if endpoint == "" {
		return &ClientError{Message: "Token revocation is not supported by issuer '" + g.Provider.Issuer + "'", Err: ErrRevocationUnsupported}
	}
	form := url.Values{"token": {token}}
	if tokenTypeHint != "" {
		form.Set("token_type_hint", tokenTypeHint)
	}
	g.authenticate(form)
	resp, err := c.postForm(ctx, opRevoke, endpoint, form)
	if err != nil {
		return err
	}
	if resp.status < 200 || resp.status > 299 {
		return parseOIDCError(opRevoke, endpoint, resp.status, resp.header.Get("Content-Type"), resp.body, resp.secrets)
	}
	c.log(ctx, LevelDebug, "revoked OIDC token", map[string]any{
		"client_id": g.ClientID, "revocation_endpoint": logURL(endpoint), "token_type_hint": tokenTypeHint,
	})
	return nil
}
