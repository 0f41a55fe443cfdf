package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// initialRefreshToken is the configured refresh token or the stored one
// for (issuer, client id); fromStore tells which.
func (s *Session) initialRefreshToken(g *GrantConfig) (rt string, fromStore bool, err error) {
	if rt := s.cfg.OIDC.RefreshToken; rt != "" {
		return rt, false, nil
	}
	if s.cfg.RefreshTokens == nil {
		return "", false, nil
	}
	rt, found, err := s.cfg.RefreshTokens.RefreshToken(NormalizeURL(g.Provider.Issuer), g.ClientID)
	if err != nil {
		return "", false, fmt.Errorf("reading refresh token store: %w", err)
	}
	if !found {
		return "", false, nil
	}
	return rt, true, nil
}

// refreshLogin logs in with a refresh token; renewal uses the current
// refresh token (rotations adopted). A token from the store is refreshed
// through the store (see refreshGrant) and stays store-backed; a given one
// is stored only with StoreRefreshToken.
func (s *Session) refreshLogin(ctx context.Context, g *GrantConfig, rt string, fromStore bool) (*Token, renewFunc, error) {
	t, err := s.refreshGrant(ctx, g, rt, fromStore)
	if err != nil {
		return nil, nil, err
	}
	if fromStore {
		s.mu.Lock()
		s.refreshToken, s.stored = t.refreshToken, true
		s.mu.Unlock()
		t.RefreshStored = true
	} else if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	return t, s.refreshRenewer(g), nil
}

// refreshGrant runs the refresh token grant with rt. With fromStore it runs
// under the store's cross-process lock (RotateRefreshToken): the entry is
// read again, a token another process stored meanwhile (it rotated rt) is
// used instead of rt, and the rotated token is written back before the lock
// is released, so that no two processes ever present the same refresh
// token. An entry removed meanwhile is not created again (unless
// StoreRefreshToken). The lock is held only for the grant.
func (s *Session) refreshGrant(ctx context.Context, g *GrantConfig, rt string, fromStore bool) (*Token, error) {
	if !fromStore {
		return s.sendRefresh(ctx, g, rt, false)
	}
	issuer := NormalizeURL(g.Provider.Issuer)
	var t *Token
	err := s.cfg.RefreshTokens.RotateRefreshToken(ctx, issuer, g.ClientID, func(ctx context.Context, current string, currentExpiry time.Time) (string, time.Time, error) {
		use := rt
		if current != "" && current != rt {
			use = current
			s.client.log(ctx, LevelDebug, "using the refresh token stored meanwhile by another process",
				map[string]any{"issuer": issuer, "client_id": g.ClientID})
		}
		tok, err := s.sendRefresh(ctx, g, use, true)
		if err != nil {
			return "", time.Time{}, err
		}
		t = tok
		if current != "" && tok.refreshToken == current && tok.RefreshExpiry.IsZero() {
			// The identity provider kept the stored token and said nothing
			// of its expiry: the stored expiry still holds.
			tok.RefreshExpiry = currentExpiry
		}
		if current == "" && !s.cfg.OIDC.StoreRefreshToken {
			return "", time.Time{}, nil
		}
		return tok.refreshToken, tok.RefreshExpiry, nil
	})
	if err != nil {
		if t == nil {
			return nil, err
		}
		// The grant succeeded, but the rotated token could not be written:
		// the token is used, and the error is logged.
		s.client.log(ctx, LevelError, "could not store the rotated refresh token", map[string]any{
			"issuer": issuer, "client_id": g.ClientID, "error": err.Error()})
	}
	return t, nil
}

// sendRefresh sends the refresh token grant once (see
// Client.RefreshTokenGrant for its retries) and turns failures about the
// refresh token into *RefreshTokenError. A token whose grant got no answer
// is never sent again by this session.
func (s *Session) sendRefresh(ctx context.Context, g *GrantConfig, rt string, stored bool) (*Token, error) {
	fail := func(f RefreshFailure, err error) error {
		return &RefreshTokenError{Failure: f, Issuer: NormalizeURL(g.Provider.Issuer), ProviderID: g.Provider.ID,
			ClientID: g.ClientID, Stored: stored, Err: err}
	}
	s.mu.Lock()
	spent := rt != "" && rt == s.spent
	s.mu.Unlock()
	if spent {
		return nil, fail(RefreshAnswerLost, &OIDCError{Op: opToken, Endpoint: g.Metadata.TokenEndpoint,
			Err: errors.New("an earlier refresh with this refresh token got no answer")})
	}
	t, err := s.client.RefreshTokenGrant(ctx, g, rt)
	if err == nil {
		return t, nil
	}
	f := refreshFailure(err)
	if f == "" {
		return nil, err
	}
	if f == RefreshAnswerLost {
		s.mu.Lock()
		s.spent = rt
		s.mu.Unlock()
	}
	return nil, fail(f, err)
}

// afterLogin remembers the refresh token and stores it when asked to (also
// when it is the one that was used, as the Python client does).
func (s *Session) afterLogin(ctx context.Context, g *GrantConfig, t *Token) error {
	s.mu.Lock()
	if t.refreshToken != "" {
		s.refreshToken = t.refreshToken
	}
	s.mu.Unlock()
	if !s.cfg.OIDC.StoreRefreshToken {
		return nil
	}
	if t.refreshToken == "" {
		s.client.log(ctx, LevelWarn, "No OIDC refresh token to store.", map[string]any{"issuer": g.Provider.Issuer, "client_id": g.ClientID})
		return nil
	}
	issuer := NormalizeURL(g.Provider.Issuer)
	s.client.log(ctx, LevelInfo, fmt.Sprintf("Storing refresh token for issuer '%s' (client '%s')", issuer, g.ClientID), nil)
	if err := s.cfg.RefreshTokens.SetRefreshToken(issuer, g.ClientID, t.refreshToken, t.RefreshExpiry); err != nil {
		return fmt.Errorf("storing refresh token: %w", err)
	}
	s.mu.Lock()
	s.stored = true
	s.mu.Unlock()
	t.RefreshStored = true
	return nil
}

// refreshRenewer renews with the refresh grant. A refresh token rotated by
// the provider replaces the old one in memory and, when the login's token
// is store-backed, in the store (under its lock, see refreshGrant; the
// Python client keeps the original one).
func (s *Session) refreshRenewer(g *GrantConfig) renewFunc {
	return func(ctx context.Context, _ *Token) (*Token, error) {
		s.mu.Lock()
		rt, stored := s.refreshToken, s.stored
		s.mu.Unlock()
		t, err := s.refreshGrant(ctx, g, rt, stored)
		if err != nil {
			return nil, err
		}
		t.RefreshStored = stored
		if t.refreshToken != rt {
			s.mu.Lock()
			s.refreshToken = t.refreshToken
			s.mu.Unlock()
			s.client.log(ctx, LevelDebug, "adopted rotated refresh token", map[string]any{"issuer": g.Provider.Issuer, "client_id": g.ClientID})
		}
		return t, nil
	}
}
