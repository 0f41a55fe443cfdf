package authcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/devicestatus"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/pyrepr"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
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
--client-secret-stdin, --client-secret, $` + settings.EnvAuthClientSecret + ` or a prompt
without echo (empty: no secret); --no-client-secret stores none.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("add-oidc")
		providerID := fl.String("provider-id", "", "provider id (default: the only provider, else a menu)")
		clientID := fl.String("client-id", "", "client id (prompted for when not given)")
		noSecret := fl.Bool("no-client-secret", false, "store no client secret (public client)")
		useDefault := fl.Bool("use-default-client", false, "store client_id null: use the back-end's default client")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+settings.EnvAuthClientSecret+")")
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
			if clientSecret, haveSecret, err = a.resolveSecret(secretSource{flagName: "client-secret", setting: settings.OIDCClientSecret,
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
			if errors.Is(err, flows.ErrNoOIDCProviders) {
				return &flows.ClientError{Message: fmt.Sprintf("No OpenID Connect providers listed by backend %s.", quote(b.url)),
					Kind: flows.ErrNoOIDCProviders}
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
					return a.needFlag("a client secret", "--client-secret-stdin, "+settings.EnvAuthClientSecret+" or --no-client-secret")
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
		return flows.Provider{}, usagef("Invalid provider ID %s. Should be one of %s.", quote(id), pyrepr.List(ids))
	}
	if len(providers) == 1 {
		return providers[0], nil
	}
	if !a.interactive() {
		return flows.Provider{}, a.needFlag(fmt.Sprintf("a provider (the back-end lists %s)", pyrepr.List(ids)), "--provider-id")
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
	session *flows.Session
	grant   *flows.GrantConfig
	// providerReason and clientSource explain the choice to the user.
	providerReason string
	clientSource   string
	// explicit: provider or client came from a flag or the menu, so the
	// provider's own selection may differ.
	explicit bool
	// clientFromEnv: the client came from [settings.EnvAuthClientID].
	clientFromEnv bool
}

type oidcRequest struct {
	providerID, clientID, clientSecret string
	// clientFromEnv: clientID (and clientSecret) came from
	// [settings.EnvAuthClientID] (and [settings.EnvAuthClientSecret]), not a flag.
	clientFromEnv bool
	// menu allows the Python tool's provider menu when several providers
	// of the back-end are configured in auth-config.json.
	menu bool
	// noRetries fails fast when the back-end is unreachable (logout has an
	// offline fallback).
	noRetries bool
	// device allows the session's device flow (oidc-auth); nil: none.
	device *deviceOptions
}

// deviceOptions configure the device flow of oidc-auth.
type deviceOptions struct {
	display func(flows.DeviceEvent)
	maxPoll time.Duration
	usePKCE *bool // nil: auto-detect like the Python client
}

// clientCredential resolves the client of an OIDC command with the one
// rule of internal/settings (as the provider does): --client-id, else the
// client id of the environment; its secret --client-secret-stdin or
// --client-secret, else the environment's. A secret without a client id is
// a usage error.
func (a *app) clientCredential(clientID, plainSecret string, secretStdin bool) (settings.ClientCredential, error) {
	explicit := ""
	if plainSecret != "" || secretStdin {
		v, _, err := a.resolveSecret(secretSource{flagName: "client-secret", setting: settings.OIDCClientSecret,
			plain: plainSecret, fromStdin: secretStdin})
		if err != nil {
			return settings.ClientCredential{}, err
		}
		explicit = v
	}
	c := settings.Client(clientID, explicit, a.env.getenv)
	if c.ID.Value == "" && explicit != "" {
		return c, usagef("a client secret needs --client-id (or %s)", settings.EnvAuthClientID)
	}
	if c.Secret.Source == settings.SourceEnv {
		fmt.Fprintf(a.errw, "Using the client secret from %s.\n", settings.EnvAuthClientSecret)
	}
	return c, nil
}

// envClient is the client of the environment alone (no flags).
func (a *app) envClient() settings.ClientCredential { return settings.Client("", "", a.env.getenv) }

// resolveOIDC selects provider and client exactly like the provider's
// "oidc" method, because it is a flows.Session with MethodOIDC: explicit
// values, else the provider id of the environment (when listed), the only
// provider, the only configured provider, the first provider; the client
// from --client-id, else the environment (see clientCredential), else
// auth-config.json, else the first default client with refresh_token and a
// device grant. Only the Python tool's menu is added here. The environment's
// auth method is not read: these commands always mean the refresh token of
// the oidc method.
func (a *app) resolveOIDC(ctx context.Context, b backend, ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens, req oidcRequest) (*oidcTarget, error) {
	if req.clientID == "" {
		if c := a.envClient(); c.ID.Value != "" {
			req.clientID, req.clientFromEnv = c.ID.Value, true
			if req.clientSecret == "" {
				req.clientSecret = c.Secret.Value
			}
		}
	}
	httpOpts := a.httpOptions()
	if req.noRetries {
		httpOpts.MaxRetries = -1
		httpOpts.Timeout = 10 * time.Second
	}
	newSession := func(providerID string) (*flows.Session, error) {
		o := flows.OIDCSettings{ProviderID: providerID, ClientID: req.clientID, ClientSecret: req.clientSecret,
			StoreRefreshToken: true}
		if providerID == "" {
			o.FallbackProviderID = settings.Pick(settings.OIDCProviderID, "", a.env.getenv).Value
		}
		if req.clientFromEnv {
			o.ClientSource = flows.ClientFromEnvironment
		}
		if d := req.device; d != nil {
			o.AllowInteraction, o.Display, o.MaxPollTime, o.UsePKCE = true, d.display, d.maxPoll, d.usePKCE
			o.PollInterval = a.env.PollInterval
		}
		return flows.NewSession(ctx, flows.Config{
			BackendURL:    b.url,
			Method:        flows.MethodOIDC,
			OIDC:          o,
			AuthConfig:    ac,
			RefreshTokens: rt,
			HTTP:          httpOpts,
		})
	}
	s, err := newSession(req.providerID)
	if err != nil {
		return nil, err
	}
	if _, err := s.Providers(ctx); err != nil {
		return nil, err
	}
	_, reason, err := s.Provider(ctx)
	if err != nil {
		if req.providerID != "" && errors.Is(err, flows.ErrProviderNotAvailable) {
			return nil, &usageError{msg: err.Error()}
		}
		return nil, err
	}
	why := providerReasonText(reason)
	// A client from the environment is also the provider's choice (in the
	// same environment), so it is not "explicit".
	explicit := req.providerID != "" || (req.clientID != "" && !req.clientFromEnv)
	switch {
	case req.providerID != "":
		why = "--provider-id"
	case req.menu && reason == flows.ProviderFirstListed && a.interactive():
		// Several configured providers are listed (else another rule would
		// have applied): the Python tool asks.
		chosen, err := a.configuredProviderMenu(ctx, s, b, ac)
		if err != nil {
			return nil, err
		}
		if chosen != "" {
			if s, err = newSession(chosen); err != nil {
				return nil, err
			}
			why, explicit = "chosen from the menu", true
		}
	}
	g, err := s.GrantConfig(ctx)
	if err != nil {
		return nil, err
	}
	source := clientSourceText(g.Selection.ClientSource, ac)
	if req.clientFromEnv {
		source = "from $" + settings.EnvAuthClientID
		if r := g.Selection.ReplacedClientID; r != "" {
			source += fmt.Sprintf(", instead of client %s stored in %s, whose secret is not used", quote(r), ac.Path())
		}
	}
	return &oidcTarget{session: s, grant: g, providerReason: why, clientSource: source, explicit: explicit,
		clientFromEnv: req.clientFromEnv}, nil
}

// configuredProviderMenu shows the Python tool's menu of the back-end's
// providers in auth-config.json that the back-end lists; "" when there are
// fewer than two.
func (a *app) configuredProviderMenu(ctx context.Context, s *flows.Session, b backend, ac *authfiles.AuthConfig) (string, error) {
	providers, err := s.Providers(ctx)
	if err != nil {
		return "", err
	}
	configured, err := ac.OIDCProviderIDs(b.url)
	if err != nil {
		return "", err
	}
	var ids, labels []string
	for _, id := range configured {
		for _, p := range providers {
			if p.ID == id && !slices.Contains(ids, id) {
				ids = append(ids, id)
				labels = append(labels, fmt.Sprintf("%s: issuer %s", id, p.Issuer))
			}
		}
	}
	if len(ids) < 2 {
		return "", nil
	}
	return a.choose(fmt.Sprintf("Backend %s has multiple OpenID Connect providers in %s.", quote(b.url), ac.Path()), ids, labels)
}

// clientSourceText says where the session's client came from, in the
// command's words.
func clientSourceText(src flows.ClientSource, ac *authfiles.AuthConfig) string {
	switch src {
	case flows.ClientFromArgument:
		return "--client-id"
	case flows.ClientFromAuthConfig:
		return "from " + ac.Path()
	case flows.ClientFromDefaultClient:
		return "default client of the back-end"
	}
	return string(src)
}

// providerReasonText says why the provider was chosen, in the command's
// words.
func providerReasonText(r flows.ProviderReason) string {
	if r == flows.ProviderFromEnvironment {
		return settings.EnvAuthProviderID
	}
	return string(r)
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
--provider-id, else $` + settings.EnvAuthProviderID + ` (when listed), else the only
provider, else the only provider configured in auth-config.json (a menu when
several are configured and stdin is a terminal), else the first provider; the
client is --client-id, else $` + settings.EnvAuthClientID + ` (with
$` + settings.EnvAuthClientSecret + `, if set), else the one in auth-config.json, else
the back-end's first default client with the refresh_token and a device grant.

The login URL and the user code are printed on stderr, followed by a status
line (redrawn on a terminal, one line per change otherwise). The command waits
up to --timeout for the login. A client with a secret also sends it to the
device authorization endpoint (the Python client does not, which identity
providers that require client authentication refuse).`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("oidc-auth")
		providerID := fl.String("provider-id", "", "provider id (default: see above)")
		clientID := fl.String("client-id", "", "client id (default: "+settings.EnvAuthClientID+", else auth-config.json, else the default client)")
		secret := fl.String("client-secret", "", "client secret of the client (visible in ps; prefer --client-secret-stdin)")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
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
		c, err := a.clientCredential(*clientID, *secret, *secretStdin)
		if err != nil {
			return err
		}
		req := oidcRequest{providerID: strings.TrimSpace(*providerID), clientID: c.ID.Value, clientSecret: c.Secret.Value,
			clientFromEnv: c.ID.Source == settings.SourceEnv, menu: true}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		ac, rt, err := a.files()
		if err != nil {
			return err
		}
		// Both files are read before the login, so that a file the command
		// could not use (not private, not JSON, a foreign shape) fails now,
		// unchanged, and not after the user has logged in.
		if err := checkFiles(ac, rt); err != nil {
			return err
		}
		st := devicestatus.New(a.errw, devicestatus.Options{Terminal: a.env.StderrIsTerminal, Tick: a.env.StatusTick, MaxPoll: timeout})
		defer st.Close()
		req.device = &deviceOptions{display: st.Event, maxPoll: timeout, usePKCE: usePKCE}
		target, err := a.resolveOIDC(ctx, b, ac, rt, req)
		if err != nil {
			return err
		}
		g := target.grant
		fmt.Fprintf(a.out, "Using provider ID %s (issuer %s; %s)\n", quote(g.Provider.ID), quote(g.Provider.Issuer), target.providerReason)
		fmt.Fprintf(a.out, "Using client ID %s (%s)\n", quote(g.ClientID), target.clientSource)
		fmt.Fprintln(a.out, "Starting OpenID Connect device flow.")
		// The session runs the flow (PKCE choice, scope with offline_access)
		// and stores the refresh token, exactly as the provider would.
		tok, err := target.session.DeviceLogin(ctx)
		st.Close()
		if err != nil {
			var oe *flows.OIDCError
			if errors.As(err, &oe) && (oe.Code == "access_denied" || oe.Code == "expired_token") {
				return &authError{msg: "the login was not completed", err: err}
			}
			var te *flows.DeviceTimeoutError
			if errors.As(err, &te) {
				return &authError{err: fmt.Errorf("%w Nobody approved the login within %s: run the command again "+
					"and open the link within that time, or give more time with --timeout (e.g. --timeout 10m); "+
					"if the page of the link does not load, check the network or the provider's verification URL",
					err, te.MaxPollTime)}
			}
			return err
		}
		fmt.Fprintln(a.out, "The OpenID Connect device flow was successful.")
		if tok.RefreshToken() == "" {
			granted := ""
			if tok.Scope != "" {
				granted = fmt.Sprintf(" (granted scope %s)", quote(tok.Scope))
			}
			return &authError{msg: fmt.Sprintf("the identity provider issued no refresh token to client %s%s: "+
				"the client needs the refresh_token grant, and the provider must support offline_access",
				quote(g.ClientID), granted)}
		}
		fmt.Fprintf(a.out, "Stored refresh token in %s\n", quote(rt.Path()))
		a.terraformHint(ctx, b, ac, rt, target)
		return nil
	},
}

// terraformHint tells how the provider finds the stored token: with
// auth_method = "oidc" alone when its own selection gives the same provider
// and client, otherwise with oidc.provider_id / oidc.client_id; with
// auth_config_path / refresh_token_store_path when --auth-config /
// --refresh-tokens named other files.
func (a *app) terraformHint(ctx context.Context, b backend, ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens, t *oidcTarget) {
	g := t.grant
	var extra [][2]string
	if t.explicit {
		def, err := a.resolveOIDC(ctx, b, ac, rt, oidcRequest{})
		if err != nil || def.grant.Provider.ID != g.Provider.ID {
			extra = append(extra, [2]string{"provider_id", g.Provider.ID})
		}
		if err != nil || def.grant.ClientID != g.ClientID || def.grant.Provider.ID != g.Provider.ID {
			extra = append(extra, [2]string{"client_id", g.ClientID})
		}
	}
	top := [][2]string{{"url", b.url}, {"auth_method", "oidc"}}
	if a.authConfigPath != "" {
		top = append(top, [2]string{"auth_config_path", ac.Path()})
	}
	if a.refreshTokensPath != "" {
		top = append(top, [2]string{"refresh_token_store_path", rt.Path()})
	}
	fmt.Fprintf(a.out, "Terraform now authenticates without a browser with:\n")
	fmt.Fprintf(a.out, "  provider \"openeo\" {\n")
	writeHCLAttrs(a.out, "    ", top)
	if len(extra) > 0 {
		fmt.Fprintf(a.out, "    oidc {\n")
		writeHCLAttrs(a.out, "      ", extra)
		fmt.Fprintf(a.out, "    }\n")
	}
	fmt.Fprintf(a.out, "  }\n")
	var env []string
	if t.providerReason == providerReasonText(flows.ProviderFromEnvironment) {
		env = append(env, settings.EnvAuthProviderID+"="+g.Provider.ID)
	}
	if t.clientFromEnv {
		env = append(env, settings.EnvAuthClientID+"="+g.ClientID)
	}
	if len(env) > 0 {
		fmt.Fprintf(a.out, "with %s in Terraform's environment too (the choice above came from it).\n", strings.Join(env, " and "))
	}
}

// writeHCLAttrs writes string attributes with their "=" aligned, as
// terraform fmt does.
func writeHCLAttrs(w io.Writer, indent string, attrs [][2]string) {
	width := 0
	for _, kv := range attrs {
		width = max(width, len(kv[0]))
	}
	for _, kv := range attrs {
		fmt.Fprintf(w, "%s%-*s = %q\n", indent, width, kv[0], kv[1])
	}
}
