package flows

import (
	"context"
	"fmt"
)

// dynamic is the Python client's authenticate_oidc after its check of the
// auth method environment variable, which the caller's resolver
// (internal/settings) makes: a stored refresh token, else the device flow.
func (s *Session) dynamic(ctx context.Context) (*Token, renewFunc, error) {
	g, err := s.grantConfig(ctx, s.clientSelection(MethodOIDC))
	if err != nil {
		return nil, nil, err
	}
	rt, fromStore, err := s.initialRefreshToken(g)
	if err != nil {
		return nil, nil, err
	}
	var cause error
	if rt != "" {
		t, renew, err := s.refreshLogin(ctx, g, rt, fromStore)
		if err == nil {
			s.client.log(ctx, LevelInfo, "Authenticated using refresh token.", map[string]any{"provider_id": g.Provider.ID, "client_id": g.ClientID})
			return t, renew, nil
		}
		s.client.log(ctx, LevelInfo, "Failed to authenticate with refresh token, falling back to the device flow if allowed",
			map[string]any{"error": err.Error(), "provider_id": g.Provider.ID, "client_id": g.ClientID})
		cause = err
	} else if !s.cfg.OIDC.AllowInteraction {
		return nil, nil, &NeedsInteractiveLoginError{BackendURL: s.backendURL, ProviderID: g.Provider.ID, ClientID: g.ClientID,
			Issuer: g.Provider.Issuer, Reason: fmt.Sprintf("no refresh token stored for issuer '%s' and client '%s'", NormalizeURL(g.Provider.Issuer), g.ClientID)}
	}
	t, renew, err := s.device(ctx, g, true, cause)
	if err == nil {
		s.client.log(ctx, LevelInfo, "Authenticated using device code flow.", map[string]any{"provider_id": g.Provider.ID, "client_id": g.ClientID})
	}
	return t, renew, err
}
