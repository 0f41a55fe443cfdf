package flows

import (
	"context"
	"fmt"
)

// Provider selects the provider the session's OIDC methods use, with the
// rules of [SelectProvider]: the configured ProviderID, the configured
// FallbackProviderID (when listed), the only listed provider, the only
// listed one of the back-end's providers in auth-config.json (read only when
// needed), the first listed provider. reason says which rule applied.
func (s *Session) Provider(ctx context.Context) (p Provider, reason ProviderReason, err error) {
	providers, err := s.Providers(ctx)
	if err != nil {
		return Provider{}, "", err
	}
	sel := ProviderSelection{ProviderID: s.cfg.OIDC.ProviderID, FallbackProviderID: s.cfg.OIDC.FallbackProviderID}
	fallbackListed := false
	for _, p := range providers {
		fallbackListed = fallbackListed || (sel.FallbackProviderID != "" && p.ID == sel.FallbackProviderID)
	}
	if sel.ProviderID == "" && !fallbackListed && len(providers) > 1 && s.cfg.AuthConfig != nil {
		ids, err := s.cfg.AuthConfig.OIDCProviderIDs(s.backendURL)
		if err != nil {
			return Provider{}, "", fmt.Errorf("reading OIDC providers from auth-config: %w", err)
		}
		sel.ConfiguredIDs = ids
	}
	p, reason, err = SelectProvider(providers, sel)
	if err != nil {
		return Provider{}, "", err
	}
	s.client.log(ctx, LevelDebug, "selected OIDC provider", map[string]any{"provider_id": p.ID, "issuer": p.Issuer, "reason": string(reason)})
	return p, reason, nil
}

// grantConfig resolves provider, discovery document and client.
func (s *Session) grantConfig(ctx context.Context, sel ClientSelection) (*GrantConfig, error) {
	caps, err := s.publicCaps(ctx)
	if err != nil {
		return nil, err
	}
	p, reason, err := s.Provider(ctx)
	if err != nil {
		return nil, err
	}
	md, err := s.ProviderMetadata(ctx, p.Issuer)
	if err != nil {
		return nil, err
	}
	sel.BackendURL = s.backendURL
	// The entry is also read for a client from the environment, to say
	// that it replaces the entry's client (whose secret it never takes).
	if (sel.ClientID == "" || sel.ExplicitSource == ClientFromEnvironment) && s.cfg.AuthConfig != nil {
		id, secret, found, err := s.cfg.AuthConfig.OIDCClient(s.backendURL, p.ID)
		if err != nil {
			return nil, fmt.Errorf("reading OIDC client from auth-config: %w", err)
		}
		sel.ConfiguredID, sel.ConfiguredSecret, sel.ConfiguredFound = id, secret, found
	}
	choice, err := SelectClient(p, sel)
	if err != nil {
		return nil, err
	}
	selection := Selection{ProviderReason: reason, ClientSource: choice.Source}
	if choice.Source == ClientFromEnvironment && sel.ConfiguredFound && sel.ConfiguredID != "" && sel.ConfiguredID != choice.ID {
		selection.ReplacedClientID = sel.ConfiguredID
		s.client.log(ctx, LevelWarn, "the client id from the environment replaces the client of auth-config.json for this provider",
			map[string]any{"client_id": choice.ID, "replaced_client_id": sel.ConfiguredID, "provider_id": p.ID, "client_secret": choice.Secret != ""})
	}
	s.client.log(ctx, LevelDebug, "selected OIDC client", map[string]any{"client_id": choice.ID, "source": string(choice.Source), "provider_id": p.ID})
	return &GrantConfig{Provider: p, Metadata: md, ClientID: choice.ID, ClientSecret: choice.Secret, PlainJWT: caps.SupportsJWTBearer(),
		Selection: selection}, nil
}

func (s *Session) scope(g *GrantConfig, wantRefresh bool) string {
	return ScopeString(g.Provider.Scopes, g.Metadata.ScopesSupported, wantRefresh, s.cfg.OIDC.Scopes...)
}

// clientSelection is the client input of a method: the configured client
// (resolved by the caller, see [OIDCSettings.ClientID]) and the method's
// default-client grant check.
func (s *Session) clientSelection(m Method) ClientSelection {
	o := s.cfg.OIDC
	sel := ClientSelection{ClientID: o.ClientID, ClientSecret: o.ClientSecret, ExplicitSource: o.ClientSource}
	switch m {
	case MethodOIDC:
		sel.Grants = GrantsRefreshAndDevice
	case MethodDeviceCode:
		sel.Grants = GrantsDevice
	case MethodRefreshToken:
		sel.Grants = GrantsRefresh
	}
	return sel
}

// GrantConfig resolves the provider, its discovery document and the
// client the configured method would use, without obtaining a token.
// [GrantConfig.Selection] says why they were chosen.
func (s *Session) GrantConfig(ctx context.Context) (*GrantConfig, error) {
	switch m := s.cfg.Method; m {
	case MethodOIDC, MethodDeviceCode, MethodRefreshToken, MethodClientCredentials, MethodPassword, MethodTokenExchange:
		return s.grantConfig(ctx, s.clientSelection(m))
	}
	return nil, fmt.Errorf("method %s does not use an OIDC client", s.cfg.Method)
}
