package flows

import (
	"context"
)

// clientCredentials: client from the configuration (resolved by the
// caller, the environment included), else from auth-config; never a
// default client. Renewal repeats the grant. With a client assertion
// (private_key_jwt or a ready-made JWT) the client authenticates with it
// instead of a secret, a freshly signed assertion for each request.
func (s *Session) clientCredentials(ctx context.Context) (*Token, renewFunc, error) {
	if s.cfg.OIDC.Keyless.ClientAssertion != nil {
		return s.keylessLogin(ctx, MethodClientCredentials)
	}
	g, err := s.grantConfig(ctx, s.clientSelection(MethodClientCredentials))
	if err != nil {
		return nil, nil, err
	}
	grant := func(ctx context.Context, _ *Token) (*Token, error) {
		return s.client.ClientCredentialsGrant(ctx, g, s.scope(g, false))
	}
	t, err := grant(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	return t, grant, nil
}
