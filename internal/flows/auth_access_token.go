package flows

import (
	"context"
	"time"
)

func (s *Session) accessToken(ctx context.Context) (*Token, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	p, _, err := s.Provider(ctx)
	if err != nil {
		return nil, err
	}
	at := s.cfg.OIDC.AccessToken
	_, exp, _ := jwtClaims(at)
	return &Token{Bearer: BuildBearer(p.ID, at, caps.SupportsJWTBearer()), AccessToken: at, TokenType: "Bearer",
		Method: MethodAccessToken, ProviderID: p.ID, Issuer: p.Issuer, Expiry: exp, obtained: time.Now()}, nil
}
