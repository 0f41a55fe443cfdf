package flows

import (
	"context"
	"fmt"
)

// device runs the device flow (only with AllowInteraction). Renewal uses
// the refresh grant when the provider returned a refresh token.
func (s *Session) device(ctx context.Context, g *GrantConfig, wantRefresh bool, cause error) (*Token, renewFunc, error) {
	o := s.cfg.OIDC
	if !o.AllowInteraction {
		reason := "the device flow needs a person and interaction is not allowed"
		if cause != nil {
			reason = "the refresh token was not accepted and interaction is not allowed"
		}
		return nil, nil, &NeedsInteractiveLoginError{BackendURL: s.backendURL, ProviderID: g.Provider.ID,
			ClientID: g.ClientID, Issuer: g.Provider.Issuer, Reason: reason, Err: cause}
	}
	usePKCE := GuessDevicePKCE(g.Provider, g.ClientID, g.ClientSecret)
	if o.UsePKCE != nil {
		usePKCE = *o.UsePKCE
	}
	var pkce *PKCE
	if usePKCE {
		pkce = NewPKCE()
	}
	scope := s.scope(g, wantRefresh)
	s.client.log(ctx, LevelInfo, "starting OIDC device flow", map[string]any{
		"provider_id": g.Provider.ID, "client_id": g.ClientID, "scope": scope, "pkce": usePKCE, "client_secret": g.ClientSecret != "",
	})
	da, err := s.client.DeviceAuthorize(ctx, g, scope, pkce)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.client.PollDeviceToken(ctx, g, da, PollOptions{Interval: o.PollInterval, MaxPollTime: o.MaxPollTime, Display: o.Display})
	if err != nil {
		return nil, nil, err
	}
	if err := s.afterLogin(ctx, g, t); err != nil {
		return nil, nil, err
	}
	if t.refreshToken == "" {
		return t, nil, nil
	}
	return t, s.refreshRenewer(g), nil
}

// DeviceLogin runs the device flow now, also when a refresh token is
// stored, and makes its token the session's current token (renewed with its
// refresh token, if any). It serves `openeo-auth oidc-auth`. The method must
// be MethodOIDC (the client of authenticate_oidc; offline_access is
// requested like in its device fallback) or MethodDeviceCode, and
// [OIDCSettings.AllowInteraction] must be set. With
// [OIDCSettings.StoreRefreshToken] the refresh token is stored; a provider
// that returns none is only logged, so check [Token.RefreshToken].
func (s *Session) DeviceLogin(ctx context.Context) (*Token, error) {
	var wantRefresh bool
	switch m := s.cfg.Method; m {
	case MethodOIDC:
		wantRefresh = true
	case MethodDeviceCode:
		wantRefresh = s.cfg.OIDC.StoreRefreshToken
	default:
		return nil, fmt.Errorf("method %s has no device flow", m)
	}
	g, err := s.grantConfig(ctx, s.clientSelection(s.cfg.Method))
	if err != nil {
		return nil, err
	}
	t, renew, err := s.device(ctx, g, wantRefresh, nil)
	if err != nil {
		return nil, err
	}
	s.src.set(t, renew)
	return t, nil
}
