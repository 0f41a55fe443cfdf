package flows

import (
	"context"
	"fmt"
	"strings"
)

func (s *Session) env(name string) string { return strings.TrimSpace(s.getenv(name)) }

// Provider selects the provider the session's OIDC methods use, with the
// rules of [SelectProvider]: the configured ProviderID,
// OPENEO_AUTH_PROVIDER_ID (when listed), the only listed provider, the only
// listed one of the back-end's providers in auth-config.json (read only when
// needed), the first listed provider. reason says which rule applied.
func (s *Session) Provider(ctx context.Context) (p Provider, reason ProviderReason, err error) {
	providers, err := s.Providers(ctx)
	if err != nil {
		return Provider{}, "", err
	}
	sel := ProviderSelection{ProviderID: s.cfg.OIDC.ProviderID, EnvProviderID: s.env(EnvAuthProviderID)}
	envListed := false
	for _, p := range providers {
		envListed = envListed || (sel.EnvProviderID != "" && p.ID == sel.EnvProviderID)
	}
	if sel.ProviderID == "" && !envListed && len(providers) > 1 && s.cfg.AuthConfig != nil {
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
	if sel.ClientID == "" && s.cfg.AuthConfig != nil {
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
	s.client.log(ctx, LevelDebug, "selected OIDC client", map[string]any{"client_id": choice.ID, "source": string(choice.Source), "provider_id": p.ID})
	return &GrantConfig{Provider: p, Metadata: md, ClientID: choice.ID, ClientSecret: choice.Secret, PlainJWT: caps.SupportsJWTBearer(),
		Selection: Selection{ProviderReason: reason, ClientSource: choice.Source}}, nil
}

func (s *Session) scope(g *GrantConfig, wantRefresh bool) string {
	return ScopeString(g.Provider.Scopes, g.Metadata.ScopesSupported, wantRefresh, s.cfg.OIDC.Scopes...)
}

// effectiveMethod is the configured method, with MethodOIDC turned into
// MethodClientCredentials by OPENEO_AUTH_METHOD=client_credentials.
func (s *Session) effectiveMethod() Method {
	if s.cfg.Method == MethodOIDC && s.env(EnvAuthMethod) == string(MethodClientCredentials) {
		return MethodClientCredentials
	}
	return s.cfg.Method
}

// clientSelection is the client input of a method: the configured client,
// for client credentials the OPENEO_AUTH_CLIENT_ID/SECRET pair (both
// needed), and the method's default-client grant check.
func (s *Session) clientSelection(m Method) ClientSelection {
	o := s.cfg.OIDC
	sel := ClientSelection{ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	switch m {
	case MethodOIDC:
		sel.Grants = GrantsRefreshAndDevice
	case MethodDeviceCode:
		sel.Grants = GrantsDevice
	case MethodRefreshToken:
		sel.Grants = GrantsRefresh
	case MethodClientCredentials:
		if sel.ClientID == "" {
			if id, secret := s.env(EnvAuthClientID), s.getenv(EnvAuthClientSecret); id != "" && secret != "" {
				sel.ClientID, sel.ClientSecret, sel.ExplicitSource = id, secret, ClientFromEnvironment
			}
		}
	}
	return sel
}

// GrantConfig resolves the provider, its discovery document and the
// client the configured method would use, without obtaining a token.
// [GrantConfig.Selection] says why they were chosen.
func (s *Session) GrantConfig(ctx context.Context) (*GrantConfig, error) {
	switch m := s.effectiveMethod(); m {
	case MethodOIDC, MethodDeviceCode, MethodRefreshToken, MethodClientCredentials, MethodPassword:
		return s.grantConfig(ctx, s.clientSelection(m))
	}
	return nil, fmt.Errorf("method %s does not use an OIDC client", s.cfg.Method)
}
