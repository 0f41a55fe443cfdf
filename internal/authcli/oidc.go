package authcli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

var addOIDCCommand = &command{
	name:    "add-oidc",
	args:    "<backend>",
	summary: "add an OpenID Connect provider and client for a back-end to the auth config",
	help: `Stores the OpenID Connect provider and client to use for a back-end in
auth-config.json (read by the Python client's authenticate_oidc*() methods, by
'openeo-auth oidc-auth' and by the provider's oidc methods).

Provider: --provider-id, else the only provider the back-end lists, else a
menu (only when stdin is a terminal). Client: --use-default-client stores
"client_id": null (use the back-end's default client); otherwise --client-id or
a prompt (empty: the default client). The client secret comes from
--client-secret-stdin, --client-secret, $OPENEO_AUTH_CLIENT_SECRET or a prompt
without echo (empty: no secret); --no-client-secret stores none.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("add-oidc")
		providerID := fl.String("provider-id", "", "provider id (default: the only provider, else a menu)")
		clientID := fl.String("client-id", "", "client id (prompted for when not given)")
		noSecret := fl.Bool("no-client-secret", false, "store no client secret (public client)")
		useDefault := fl.Bool("use-default-client", false, "store client_id null: use the back-end's default client")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+EnvClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		if *useDefault && (*clientID != "" || *secret != "" || *secretStdin) {
			return usagef("--use-default-client cannot be combined with --client-id or a client secret")
		}
		if *noSecret && (*secret != "" || *secretStdin) {
			return usagef("--no-client-secret cannot be combined with a client secret")
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		ac, err := a.authConfig()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Will add OpenID Connect auth config for backend URL %s\n", quote(b.url))
		fmt.Fprintf(a.out, "to config file: %s\n", quote(ac.Path()))
		a.warnForeignKey(ac, b)

		// Secrets from stdin are read before anything else is asked.
		var clientSecret string
		var haveSecret bool
		if !*useDefault && !*noSecret {
			if clientSecret, haveSecret, err = a.resolveSecret(secretSource{flagName: "client-secret", envName: EnvClientSecret,
				plain: *secret, fromStdin: *secretStdin}); err != nil {
				return err
			}
		}

		c := a.client()
		root, err := c.ResolveRoot(ctx, b.url)
		if err != nil {
			return err
		}
		if _, err := c.Capabilities(ctx, root, ""); err != nil {
			return err
		}
		providers, err := c.OIDCProviders(ctx, root)
		if err != nil {
			var ce *flows.ClientError
			if errors.As(err, &ce) {
				return &flows.ClientError{Message: fmt.Sprintf("No OpenID Connect providers listed by backend %s.", quote(b.url))}
			}
			return err
		}
		p, err := a.pickProvider(b, providers, *providerID)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Using provider ID %s (issuer %s)\n", quote(p.ID), quote(p.Issuer))
		if _, err := c.Discover(ctx, p.Issuer); err != nil {
			fmt.Fprintf(a.errw, "WARNING: %v\n", err)
		}

		cfg := authfiles.OIDCClientConfig{Issuer: p.Issuer}
		switch {
		case *useDefault:
			if len(p.DefaultClients) == 0 {
				fmt.Fprintf(a.errw, "WARNING: No default clients declared for provider %s\n", quote(p.ID))
			}
			fmt.Fprintln(a.out, "Using the back-end's default client (client_id null)")
		default:
			cid := strings.TrimSpace(*clientID)
			if cid == "" {
				hasDefaults := len(p.DefaultClients) > 0
				if !a.interactive() {
					if hasDefaults {
						return a.needFlag("a client", "--client-id or --use-default-client")
					}
					return a.needFlag("a client id", "--client-id")
				}
				text := "Enter client_id and press enter: "
				if hasDefaults {
					text = "Enter client_id or leave empty to use default client, and press enter: "
				}
				answer, err := a.prompt(text)
				if err != nil {
					return err
				}
				cid = strings.TrimSpace(answer)
				if cid == "" && !hasDefaults {
					return usagef("the client id is empty and provider %s declares no default clients", quote(p.ID))
				}
			}
			if cid == "" {
				if *secret != "" || *secretStdin {
					return usagef("a client secret needs a client id (--client-id)")
				}
				fmt.Fprintln(a.out, "Using the back-end's default client (client_id null)")
				break
			}
			fmt.Fprintf(a.out, "Using client ID %s\n", quote(cid))
			cfg.ClientID = &cid
			if !*noSecret && !haveSecret {
				if !a.interactive() {
					return a.needFlag("a client secret", "--client-secret-stdin, "+EnvClientSecret+" or --no-client-secret")
				}
				answer, err := a.promptSecret("Enter client_secret or leave empty to not use a secret, and press enter: ")
				if err != nil {
					return err
				}
				clientSecret, haveSecret = strings.TrimSpace(answer), strings.TrimSpace(answer) != ""
			}
			if haveSecret {
				cfg.ClientSecret = &clientSecret
			}
		}
		if err := ac.SetOIDCProvider(b.url, p.ID, cfg); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Saved client information to %s\n", quote(ac.Path()))
		return nil
	},
}

// pickProvider: --provider-id (must be listed), else the only provider, else
// the Python tool's menu.
func (a *app) pickProvider(b backend, providers []flows.Provider, id string) (flows.Provider, error) {
	ids := make([]string, len(providers))
	for i, p := range providers {
		ids[i] = p.ID
	}
	find := func(id string) (flows.Provider, bool) {
		for _, p := range providers {
			if p.ID == id {
				return p, true
			}
		}
		return flows.Provider{}, false
	}
	if id != "" {
		if p, ok := find(id); ok {
			return p, nil
		}
		return flows.Provider{}, usagef("Invalid provider ID %s. Should be one of %s.", quote(id), pyList(ids))
	}
	if len(providers) == 1 {
		return providers[0], nil
	}
	if !a.interactive() {
		return flows.Provider{}, a.needFlag(fmt.Sprintf("a provider (the back-end lists %s)", pyList(ids)), "--provider-id")
	}
	labels := make([]string, len(providers))
	for i, p := range providers {
		labels[i] = fmt.Sprintf("%s (issuer %s)", p.Title, p.Issuer)
	}
	chosen, err := a.choose(fmt.Sprintf("Backend %s has multiple OpenID Connect providers.", quote(b.url)), ids, labels)
	if err != nil {
		return flows.Provider{}, err
	}
	p, _ := find(chosen)
	return p, nil
}

// pyList formats like Python's repr() of a list of strings.
func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// durationFlag accepts whole seconds ("300", like the Python tool) or a Go
// duration ("5m").
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return errors.New("must be positive")
		}
		*f.d = time.Duration(n) * time.Second
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("want seconds or a duration like 5m, got %q", s)
	}
	*f.d = d
	return nil
}

// oidcTarget is what an OIDC subcommand resolved: the session and the
// provider and client the provider's "oidc" method would use.
type oidcTarget struct {
	session        *flows.Session
	grant          *flows.GrantConfig
	providerReason string
	clientSource   string
	// explicit: provider or client came from a flag or the menu, so the
	// provider's own selection may differ.
	explicit bool
}

type oidcRequest struct {
	providerID, clientID, clientSecret string
	// menu allows the Python tool's provider menu when several providers
	// of the back-end are configured in auth-config.json.
	menu bool
	// noRetries fails fast when the back-end is unreachable (logout has an
	// offline fallback).
	noRetries bool
}

// resolveOIDC selects provider and client exactly like the provider's
// "oidc" method (a flows.Session with MethodOIDC): explicit values, else
// OPENEO_AUTH_PROVIDER_ID (when listed), the only provider, the only
// configured provider, the first provider; the client from
// auth-config.json, else the first default client with refresh_token and a
// device grant.
func (a *app) resolveOIDC(ctx context.Context, b backend, ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens, req oidcRequest) (*oidcTarget, error) {
	httpOpts := a.httpOptions()
	if req.noRetries {
		httpOpts.MaxRetries = -1
		httpOpts.Timeout = 10 * time.Second
	}
	newSession := func(providerID string) (*flows.Session, error) {
		return flows.NewSession(ctx, flows.Config{
			BackendURL: b.url,
			Method:     flows.MethodOIDC,
			OIDC: flows.OIDCSettings{ProviderID: providerID, ClientID: req.clientID, ClientSecret: req.clientSecret,
				StoreRefreshToken: true},
			AuthConfig:    ac,
			RefreshTokens: rt,
			Getenv:        a.oidcGetenv,
			HTTP:          httpOpts,
		})
	}
	s, err := newSession(req.providerID)
	if err != nil {
		return nil, err
	}
	providers, err := s.Providers(ctx)
	if err != nil {
		return nil, err
	}
	configured, err := ac.OIDCProviderIDs(b.url)
	if err != nil {
		return nil, err
	}
	sel := flows.ProviderSelection{ProviderID: req.providerID, EnvProviderID: strings.TrimSpace(a.env.getenv(flows.EnvAuthProviderID)),
		ConfiguredIDs: configured}
	_, reason, err := flows.SelectProvider(providers, sel)
	if err != nil {
		var ce *flows.ClientError
		if req.providerID != "" && errors.As(err, &ce) {
			return nil, &usageError{msg: err.Error()}
		}
		return nil, err
	}
	explicit := req.providerID != "" || req.clientID != ""
	if req.providerID != "" {
		reason = "--provider-id"
	} else if req.menu && a.interactive() && !envListed(providers, sel.EnvProviderID) {
		// The Python tool asks when several configured providers are listed.
		var ids, labels []string
		for _, id := range configured {
			for _, lp := range providers {
				if lp.ID == id {
					ids = append(ids, id)
					labels = append(labels, fmt.Sprintf("%s: issuer %s", id, lp.Issuer))
				}
			}
		}
		if len(ids) > 1 {
			chosen, err := a.choose(fmt.Sprintf("Backend %s has multiple OpenID Connect providers in %s.", quote(b.url), ac.Path()), ids, labels)
			if err != nil {
				return nil, err
			}
			if s, err = newSession(chosen); err != nil {
				return nil, err
			}
			reason, explicit = "chosen from the menu", true
		}
	}
	// Without an explicit provider the session applies the same rules as
	// SelectProvider above (same providers, environment and auth-config).
	g, err := s.GrantConfig(ctx)
	if err != nil {
		return nil, err
	}
	source := "default client of the back-end"
	switch {
	case req.clientID != "":
		source = "--client-id"
	default:
		if id, _, found, err := ac.OIDCClient(b.url, g.Provider.ID); err == nil && found && id == g.ClientID {
			source = "from " + ac.Path()
		}
	}
	return &oidcTarget{session: s, grant: g, providerReason: reason, clientSource: source, explicit: explicit}, nil
}

func envListed(providers []flows.Provider, id string) bool {
	if id == "" {
		return false
	}
	for _, p := range providers {
		if p.ID == id {
			return true
		}
	}
	return false
}

// oidcGetenv hides OPENEO_AUTH_METHOD: oidc-auth and logout always mean the
// refresh token of the oidc method, never client credentials.
func (a *app) oidcGetenv(key string) string {
	if key == flows.EnvAuthMethod {
		return ""
	}
	return a.env.getenv(key)
}

var oidcAuthCommand = &command{
	name:    "oidc-auth",
	args:    "<backend>",
	summary: "log in with the OpenID Connect device flow and store the refresh token",
	help: `Logs in with the OpenID Connect device flow (RFC 8628, with PKCE when the
client supports it) and stores the refresh token in refresh-tokens.json, where
the provider's "oidc" and "refresh_token" methods and the Python client's
authenticate_oidc() find it.

Provider and client are chosen like the provider's "oidc" method does:
--provider-id, else $OPENEO_AUTH_PROVIDER_ID (when listed), else the only
provider, else the only provider configured in auth-config.json (a menu when
several are configured and stdin is a terminal), else the first provider; the
client is --client-id, else the one in auth-config.json, else the back-end's
first default client with the refresh_token and a device grant.

The login URL and the user code are printed on stderr, followed by a status
line (redrawn on a terminal, one line per change otherwise). The command waits
up to --timeout for the login.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("oidc-auth")
		providerID := fl.String("provider-id", "", "provider id (default: see above)")
		clientID := fl.String("client-id", "", "client id (default: auth-config.json, else the default client)")
		secret := fl.String("client-secret", "", "client secret of --client-id (visible in ps; prefer --client-secret-stdin)")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret of --client-id from stdin")
		flow := fl.String("flow", "device", "login flow; only \"device\" is supported")
		timeout := flows.DefaultMaxPollTime
		fl.Var(durationFlag{&timeout}, "timeout", "how long to wait for the login, in seconds or as a duration")
		pkceMode := fl.String("pkce", "auto", "PKCE: auto (like the Python client), on or off")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		switch *flow {
		case "device":
		case "auth-code":
			return usagef("--flow auth-code is not supported (deprecated in the Python client since 0.19); use the device flow")
		default:
			return usagef("--flow %q: only \"device\" is supported", *flow)
		}
		var usePKCE *bool
		switch *pkceMode {
		case "auto":
		case "on", "off":
			v := *pkceMode == "on"
			usePKCE = &v
		default:
			return usagef("--pkce %q: want auto, on or off", *pkceMode)
		}
		req := oidcRequest{providerID: strings.TrimSpace(*providerID), clientID: strings.TrimSpace(*clientID), menu: true}
		if req.clientID == "" && (*secret != "" || *secretStdin) {
			return usagef("a client secret needs --client-id")
		}
		if req.clientID != "" {
			if req.clientSecret, _, err = a.resolveSecret(secretSource{flagName: "client-secret", envName: EnvClientSecret,
				plain: *secret, fromStdin: *secretStdin}); err != nil {
				return err
			}
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		ac, err := a.authConfig()
		if err != nil {
			return err
		}
		rt, err := a.refreshTokens()
		if err != nil {
			return err
		}
		target, err := a.resolveOIDC(ctx, b, ac, rt, req)
		if err != nil {
			return err
		}
		g := target.grant
		fmt.Fprintf(a.out, "Using provider ID %s (issuer %s; %s)\n", quote(g.Provider.ID), quote(g.Provider.Issuer), target.providerReason)
		fmt.Fprintf(a.out, "Using client ID %s (%s)\n", quote(g.ClientID), target.clientSource)

		pkce := flows.GuessDevicePKCE(g.Provider, g.ClientID, g.ClientSecret)
		if usePKCE != nil {
			pkce = *usePKCE
		}
		var pk *flows.PKCE
		if pkce {
			if pk, err = flows.NewPKCE(); err != nil {
				return err
			}
		}
		scope := flows.ScopeString(g.Provider.Scopes, g.Metadata.ScopesSupported, true)
		a.infof("device flow: scope %q, PKCE %v", scope, pkce)
		fmt.Fprintln(a.out, "Starting OpenID Connect device flow.")
		c := target.session.Client()
		da, err := c.DeviceAuthorize(ctx, g, scope, pk)
		if err != nil {
			return err
		}
		st := newStatusLine(a, timeout)
		tok, err := c.PollDeviceToken(ctx, g, da, flows.PollOptions{Interval: a.env.PollInterval, MaxPollTime: timeout, Display: st.event})
		st.close()
		if err != nil {
			var oe *flows.OIDCError
			if errors.As(err, &oe) && (oe.Code == "access_denied" || oe.Code == "expired_token") {
				return &authError{msg: "the login was not completed", err: err}
			}
			return err
		}
		fmt.Fprintln(a.out, "The OpenID Connect device flow was successful.")
		refresh := tok.RefreshToken()
		if refresh == "" {
			return &authError{msg: fmt.Sprintf("the identity provider issued no refresh token to client %s (scope %s): "+
				"the client needs the refresh_token grant, and the provider must support offline_access",
				quote(g.ClientID), quote(scope))}
		}
		issuer := authfiles.NormalizeURL(g.Provider.Issuer)
		if err := rt.SetRefreshToken(issuer, g.ClientID, refresh); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Stored refresh token in %s\n", quote(rt.Path()))
		a.terraformHint(ctx, b, ac, rt, target)
		return nil
	},
}

// terraformHint tells how the provider finds the stored token: with
// auth_method = "oidc" alone when its own selection gives the same provider
// and client, otherwise with oidc.provider_id / oidc.client_id.
func (a *app) terraformHint(ctx context.Context, b backend, ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens, t *oidcTarget) {
	g := t.grant
	var extra []string
	if t.explicit {
		def, err := a.resolveOIDC(ctx, b, ac, rt, oidcRequest{})
		if err != nil || def.grant.Provider.ID != g.Provider.ID {
			extra = append(extra, fmt.Sprintf("provider_id = %q", g.Provider.ID))
		}
		if err != nil || def.grant.ClientID != g.ClientID || def.grant.Provider.ID != g.Provider.ID {
			extra = append(extra, fmt.Sprintf("client_id   = %q", g.ClientID))
		}
	}
	fmt.Fprintf(a.out, "Terraform now authenticates without a browser with:\n")
	fmt.Fprintf(a.out, "  provider \"openeo\" {\n    url         = %q\n    auth_method = \"oidc\"\n", b.url)
	if len(extra) > 0 {
		fmt.Fprintf(a.out, "    oidc {\n")
		for _, e := range extra {
			fmt.Fprintf(a.out, "      %s\n", e)
		}
		fmt.Fprintf(a.out, "    }\n")
	}
	fmt.Fprintf(a.out, "  }\n")
}
