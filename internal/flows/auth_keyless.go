package flows

import (
	"context"
)

// keylessLogin logs in with MethodTokenExchange or MethodExec (see
// [Client.KeylessLogin]); the exec helper needs no OIDC provider or client.
// Renewal exchanges again with a fresh subject token or runs the helper
// again.
func (s *Session) keylessLogin(ctx context.Context, m Method) (*Token, renewFunc, error) {
	var g *GrantConfig
	scope := ""
	if m != MethodExec {
		var err error
		if g, err = s.grantConfig(ctx, s.clientSelection(m)); err != nil {
			return nil, nil, err
		}
		scope = s.scope(g, false)
	}
	t, renew, err := s.client.KeylessLogin(ctx, m, g, s.cfg.OIDC.Keyless, scope)
	if err != nil {
		return nil, nil, err
	}
	return t, func(ctx context.Context, _ *Token) (*Token, error) { return renew(ctx) }, nil
}
