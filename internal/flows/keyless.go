package flows

import (
	"context"
)

// KeylessSettings are the settings of the keyless methods, filled by the
// resolver from configuration and environment (this package reads no
// environment variable), for [OIDCSettings] to embed once the session runs
// these methods:
//
//   - [MethodTokenExchange]: SubjectToken, SubjectTokenType, Audience,
//     RequestedTokenType (and the scopes and client of the other grants);
//   - [MethodClientCredentials] and MethodTokenExchange with a client
//     assertion instead of a client secret: ClientAssertion;
//   - [MethodExec]: Exec.
type KeylessSettings struct {
	SubjectToken       SubjectTokenConfig
	SubjectTokenType   string
	Audience           string
	RequestedTokenType string
	ClientAssertion    *ClientAssertion
	Exec               *ExecCredential
}

// TokenExchange builds the token exchange request of these settings with
// scope (see [ScopeString]); it picks the subject token source (see
// [NewSubjectTokenSource]) and fails when none is configured. The request
// can be sent again for every renewal: the source gives a fresh subject
// token each time.
func (k KeylessSettings) TokenExchange(scope string) (TokenExchange, error) {
	cfg := k.SubjectToken
	if cfg.Audience == "" {
		cfg.Audience = k.Audience
	}
	src, err := NewSubjectTokenSource(cfg)
	if err != nil {
		return TokenExchange{}, err
	}
	return TokenExchange{Subject: src, SubjectTokenType: k.SubjectTokenType, Audience: k.Audience,
		RequestedTokenType: k.RequestedTokenType, Scope: scope, Assertion: k.ClientAssertion}, nil
}

// KeylessLogin obtains a token with the keyless method m (MethodTokenExchange,
// MethodExec, or MethodClientCredentials with a client assertion) and returns
// the function that renews it: it exchanges again with a fresh subject token,
// runs the helper again, or signs a new assertion. g is unused for
// MethodExec.
func (c *Client) KeylessLogin(ctx context.Context, m Method, g *GrantConfig, k KeylessSettings, scope string) (
	*Token, func(context.Context) (*Token, error), error) {
	var renew func(context.Context) (*Token, error)
	switch {
	case m == MethodTokenExchange:
		x, err := k.TokenExchange(scope)
		if err != nil {
			return nil, nil, err
		}
		renew = func(ctx context.Context) (*Token, error) { return c.TokenExchangeGrant(ctx, g, x) }
	case m == MethodExec && k.Exec != nil:
		renew = k.Exec.Token
	case m == MethodClientCredentials && k.ClientAssertion != nil:
		a := k.ClientAssertion
		renew = func(ctx context.Context) (*Token, error) { return c.ClientCredentialsAssertionGrant(ctx, g, scope, a) }
	case m == MethodExec:
		return nil, nil, clientErrorf("The exec authentication method needs an exec block with the command of a credential helper.")
	default:
		return nil, nil, clientErrorf("Method %s is not a keyless method (token_exchange, exec, or client_credentials with a client assertion).", m)
	}
	t, err := renew(ctx)
	if err != nil {
		return nil, nil, err
	}
	return t, renew, nil
}

// Secrets lists the secret values of these settings (empty ones included):
// the subject tokens given or found in the environment, the bearer of the
// GitHub Actions token request, a ready-made client assertion and the
// values of the exec helper's env, to mask them in logs and messages.
func (k KeylessSettings) Secrets() []string {
	st := k.SubjectToken
	out := []string{st.Token, st.Env.ActionsRequestToken, st.Env.Named}
	for _, v := range st.Env.HCPTerraform {
		out = append(out, v)
	}
	if k.ClientAssertion != nil {
		out = append(out, k.ClientAssertion.JWT)
	}
	if k.Exec != nil {
		for _, v := range k.Exec.Env {
			out = append(out, v)
		}
	}
	return out
}
