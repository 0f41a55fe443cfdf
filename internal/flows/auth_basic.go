package flows

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

func (s *Session) basic(ctx context.Context) (*Token, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.SupportsEndpoint(http.MethodGet, "/credentials/basic") {
		return nil, kindErrorf(ErrBasicUnsupported, "This openEO back-end does not support basic authentication.")
	}
	user, pass := s.cfg.Basic.Username, s.cfg.Basic.Password
	if user == "" {
		pass = ""
		if s.cfg.AuthConfig != nil {
			u, p, found, err := s.cfg.AuthConfig.BasicCredentials(s.backendURL)
			if err != nil {
				return nil, fmt.Errorf("reading basic credentials from auth-config: %w", err)
			}
			if found {
				user, pass = u, p
			}
		}
		if user == "" {
			return nil, kindErrorf(ErrNoCredentials, "No username/password given or found.")
		}
	}
	at, err := s.client.BasicAccessToken(ctx, caps, user, pass)
	if err != nil {
		return nil, err
	}
	return &Token{Bearer: BasicBearer(at), AccessToken: at, TokenType: "Bearer", Method: MethodBasic, obtained: time.Now()}, nil
}
