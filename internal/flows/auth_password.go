package flows

import (
	"context"
)

// password: resource owner password grant; renewal repeats the grant.
func (s *Session) password(ctx context.Context) (*Token, renewFunc, error) {
	g, err := s.grantConfig(ctx, s.clientSelection(MethodPassword))
	if err != nil {
		return nil, nil, err
	}
	o := s.cfg.OIDC
	t, err := s.client.PasswordGrant(ctx, g, s.scope(g, o.StoreRefreshToken), o.Username, o.Password)
	if err != nil {
		return nil, nil, err
	}
	if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	renew := func(ctx context.Context, _ *Token) (*Token, error) {
		return s.client.PasswordGrant(ctx, g, s.scope(g, false), o.Username, o.Password)
	}
	return t, renew, nil
}
