package authcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

var tokenCommand = &command{
	name:    "token",
	args:    "<backend>",
	summary: "print a fresh openEO bearer token for scripts (never interactive)",
	help: `Prints a fresh openEO bearer token for the back-end on stdout, e.g. for
  TOKEN=$(openeo-auth token https://openeo.example.org)
  curl -H "Authorization: Bearer $TOKEN" https://openeo.example.org/me

--method selects how. The default, oidc, uses the stored refresh token, like
the provider's "oidc" method and the Python client's authenticate_oidc(); it
honours ` + settings.EnvAuthMethod + `=client_credentials with ` + settings.EnvAuthClientID + ` and
` + settings.EnvAuthClientSecret + ` as they do. For oidc and refresh_token the client is
--client-id, else ` + settings.EnvAuthClientID + ` (with ` + settings.EnvAuthClientSecret + `), as
in the provider, else auth-config.json or the default client; the provider is
--provider-id, else ` + settings.EnvAuthProviderID + ` when the back-end lists it. The
other methods are refresh_token, client_credentials (the client as for
oidc, without default clients) and basic (credentials from flags,
` + settings.EnvAuthPassword + ` or auth-config.json).

This command never starts a device flow: without a usable refresh token it
fails (exit code 3) and names the 'openeo-auth oidc-auth' command to run. A
refresh token read from refresh-tokens.json is refreshed under the file's lock
and, when the identity provider rotates it, always written back: the old one
is spent (--no-store, kept for compatibility, cannot change that).

--output picks what is printed: bearer (the default, "oidc/<provider>/<token>"
for openEO API 1.x back-ends), access-token (the bare access token; also
--access-token), json (bearer, access token, expiry and identities; also
--json) or exec, the one line of JSON an exec credential helper prints, so
that the provider's auth_method = "exec" can run this command:
  {"access_token": "...", "expires_at": "<RFC 3339>", "provider_id": "..."}
  exec {
    command = "openeo-auth"
    args    = ["token", "--output", "exec", "https://openeo.example.org"]
  }
Nothing else goes to stdout; errors go to stderr, with exit code 3 when no
login works without a person. ` + settings.EnvAuthMethod + `=exec (the provider's method
that runs this command) means oidc here.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("token")
		method := fl.String("method", "oidc", "oidc, refresh_token, client_credentials or basic")
		providerID := fl.String("provider-id", "", "provider id (default: like the provider's oidc method)")
		clientID := fl.String("client-id", "", "client id (default: "+settings.EnvAuthClientID+", else auth-config.json, else the default client)")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+settings.EnvAuthClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		username := fl.String("username", "", "user name for --method basic (default: auth-config.json)")
		passwordStdin := fl.Bool("password-stdin", false, "read the password for --method basic from stdin")
		accessOnly := fl.Bool("access-token", false, "print the bare access token instead of the bearer")
		noStore := fl.Bool("no-store", false, "no effect: a rotated stored refresh token is always written back (the old one is spent)")
		jsonOut := fl.Bool("json", false, "print JSON (--output json)")
		output := fl.String("output", "", "what to print: bearer, access-token, json or exec (default bearer)")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		out, err := tokenOutputMode(*output, *accessOnly, *jsonOut)
		if err != nil {
			return err
		}
		m, err := flows.ParseMethod(*method)
		if err != nil {
			return usagef("--method: %v", err)
		}
		switch m {
		case flows.MethodOIDC, flows.MethodRefreshToken, flows.MethodClientCredentials, flows.MethodBasic:
		default:
			return usagef("--method %s is not supported here (want oidc, refresh_token, client_credentials or basic)", m)
		}
		if m == flows.MethodBasic && out == outputExec {
			return usagef("--output exec is for OpenID Connect tokens: the exec method of the provider makes an oidc/<provider>/ bearer; use --method oidc, refresh_token or client_credentials")
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		if m == flows.MethodOIDC {
			// authenticate_oidc(): the environment may switch it to client
			// credentials; another auth method there is an error, except
			// exec: this command is then the helper the provider runs, in
			// the provider's environment.
			var other string
			if m, other = settings.Dynamic(a.env.getenv); other != "" && other != string(flows.MethodExec) {
				return &flows.ClientError{Message: "Unhandled auth method " + other}
			}
		}
		cfg := flows.Config{BackendURL: b.url, Method: m, HTTP: a.httpOptions()}
		cfg.OIDC = flows.OIDCSettings{ProviderID: strings.TrimSpace(*providerID), StoreRefreshToken: !*noStore}
		if cfg.OIDC.ProviderID == "" {
			cfg.OIDC.FallbackProviderID = settings.Pick(settings.OIDCProviderID, "", a.env.getenv).Value
		}
		if m == flows.MethodBasic {
			cfg.Basic.Username = *username
			if *username != "" {
				pw, ok, err := a.resolveSecret(secretSource{flagName: "password", setting: settings.BasicPassword, fromStdin: *passwordStdin})
				if err != nil {
					return err
				}
				if !ok {
					return a.needFlag("a password for --username", "--password-stdin or "+settings.EnvAuthPassword)
				}
				cfg.Basic.Password = pw
			}
		} else if *username != "" || *passwordStdin {
			return usagef("--username and --password-stdin are for --method basic")
		}
		if m != flows.MethodBasic {
			c, err := a.clientCredential(*clientID, *secret, *secretStdin)
			if err != nil {
				return err
			}
			cfg.OIDC.ClientID, cfg.OIDC.ClientSecret, cfg.OIDC.ClientSource = c.ID.Value, c.Secret.Value, c.FlowsClientSource()
		} else if *secret != "" || *secretStdin {
			return usagef("a client secret needs --client-id (or %s)", settings.EnvAuthClientID)
		}
		if cfg.AuthConfig, err = a.authConfig(); err != nil {
			return err
		}
		rt, err := a.refreshTokens()
		if err != nil {
			return err
		}
		cfg.RefreshTokens = rt
		s, err := flows.NewSession(ctx, cfg)
		if err != nil {
			return err
		}
		tok, err := s.Token(ctx)
		if err != nil {
			return a.tokenError(err, b, rt.Path(), cfg.OIDC.ProviderID, strings.TrimSpace(*clientID))
		}
		switch out {
		case outputJSON:
			return a.writeJSON(tokenJSON(tok))
		case outputExec:
			return a.writeExecCredential(tok)
		case outputAccessToken:
			fmt.Fprintln(a.out, tok.AccessToken)
		default:
			fmt.Fprintln(a.out, tok.Bearer)
		}
		return nil
	},
}

// The output modes of token.
const (
	outputBearer      = "bearer"
	outputAccessToken = "access-token"
	outputJSON        = "json"
	outputExec        = "exec"
)

// tokenOutputMode is the --output of token; --access-token and --json are
// its older spellings.
func tokenOutputMode(output string, accessOnly, jsonOut bool) (string, error) {
	mode := strings.ToLower(strings.TrimSpace(output))
	switch mode {
	case "", outputBearer, outputAccessToken, outputJSON, outputExec:
	case "access_token":
		mode = outputAccessToken
	default:
		return "", usagef("--output %s is not an output mode (want bearer, access-token, json or exec)", quote(output))
	}
	for _, f := range []struct {
		set  bool
		mode string
		flag string
	}{{accessOnly, outputAccessToken, "--access-token"}, {jsonOut, outputJSON, "--json"}} {
		if !f.set {
			continue
		}
		if mode != "" && mode != f.mode {
			return "", usagef("%s and --output %s (or its flag) ask for different outputs: give one", f.flag, mode)
		}
		mode = f.mode
	}
	if mode == "" {
		mode = outputBearer
	}
	return mode, nil
}

// execCredentialOutput is what an exec credential helper prints (see
// flows.ExecCredential): the access token, its expiry as an RFC 3339 time
// and the provider id, so that the provider builds the same bearer.
type execCredentialOutput struct {
	AccessToken string `json:"access_token"`
	ExpiresAt   string `json:"expires_at,omitempty"`
	ProviderID  string `json:"provider_id,omitempty"`
}

// writeExecCredential prints tok as one line of exec credential JSON.
func (a *app) writeExecCredential(tok *flows.Token) error {
	o := execCredentialOutput{AccessToken: tok.AccessToken, ProviderID: tok.ProviderID}
	if !tok.Expiry.IsZero() {
		o.ExpiresAt = tok.Expiry.UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.out, "%s\n", b)
	return err
}

// tokenError explains failed refresh token logins: which stored token
// failed and the oidc-auth command that replaces it. providerID and
// clientID are the ones given on the command line.
func (a *app) tokenError(err error, b backend, storePath, providerID, clientID string) error {
	var re *flows.RefreshTokenError
	if errors.As(err, &re) {
		login := a.oidcAuthLine(b, storePath, providerID, clientID)
		token := "the refresh token"
		if re.Stored {
			token = fmt.Sprintf("the refresh token stored in %s for issuer %s and client %s", storePath, quote(re.Issuer), quote(re.ClientID))
		}
		if re.Failure == flows.RefreshAnswerLost {
			return &authError{msg: fmt.Sprintf("%s was sent to the identity provider, but no answer came back; it was not sent "+
				"again, because a spent refresh token presented twice ends the whole login at identity providers that detect "+
				"reuse, and the identity provider may have rotated it; run `%s` to log in again", token, login), err: re.Err}
		}
		return &authError{msg: fmt.Sprintf("the identity provider refused %s: it is no longer valid (rotated by another "+
			"program, revoked or expired); run `%s` to log in again", token, login), err: re.Err}
	}
	return err // a NeedsInteractiveLoginError names `openeo-auth oidc-auth <url>` itself
}

// oidcAuthLine is the oidc-auth command that logs in again for the same
// back-end, provider, client and files as this command.
func (a *app) oidcAuthLine(b backend, storePath, providerID, clientID string) string {
	l := OIDCAuthLine{BackendURL: b.url, ProviderID: providerID, ClientID: clientID, AuthConfig: a.authConfigPath}
	if a.refreshTokensPath != "" {
		l.RefreshTokens = storePath
	}
	return l.String()
}

type tokenOutput struct {
	Bearer      string  `json:"bearer"`
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type,omitempty"`
	Method      string  `json:"method"`
	ProviderID  string  `json:"provider_id,omitempty"`
	Issuer      string  `json:"issuer,omitempty"`
	ClientID    string  `json:"client_id,omitempty"`
	Scope       string  `json:"scope,omitempty"`
	ExpiresAt   *string `json:"expires_at"`
	ExpiresIn   *int64  `json:"expires_in"`
}

func tokenJSON(t *flows.Token) tokenOutput {
	o := tokenOutput{Bearer: t.Bearer, AccessToken: t.AccessToken, TokenType: t.TokenType, Method: string(t.Method),
		ProviderID: t.ProviderID, Issuer: t.Issuer, ClientID: t.ClientID, Scope: t.Scope}
	if !t.Expiry.IsZero() {
		at := t.Expiry.UTC().Format(time.RFC3339)
		in := secondsLeft(t)
		o.ExpiresAt, o.ExpiresIn = &at, &in
	}
	return o
}

var clientCredentialsTestCommand = &command{
	name:    "client-credentials-test",
	args:    "<backend>",
	summary: "check an OIDC client id and secret non-interactively",
	help: `Checks a client id and secret (for auth_method = "client_credentials"): runs the
client credentials grant at the back-end's identity provider and then asks the
back-end who the token belongs to (GET /me; --idp-only skips that). Nothing is
stored. Exit code 0 when both accept the client, 3 when one refuses it.

Client: --client-id, else $` + settings.EnvAuthClientID + `, with --client-secret-stdin,
--client-secret, $` + settings.EnvAuthClientSecret + ` or a prompt without echo; else
the client stored for the provider in auth-config.json, with its secret
(like the provider does: a given client id never takes the stored secret).`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("client-credentials-test")
		providerID := fl.String("provider-id", "", "provider id (default: like the provider)")
		clientID := fl.String("client-id", "", "client id (default: "+settings.EnvAuthClientID+", else auth-config.json)")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+settings.EnvAuthClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		idpOnly := fl.Bool("idp-only", false, "only check the token grant, not the back-end (GET /me)")
		jsonOut := fl.Bool("json", false, "print JSON")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		cfg := flows.Config{Method: flows.MethodClientCredentials, HTTP: a.httpOptions()}
		cfg.OIDC = flows.OIDCSettings{ProviderID: strings.TrimSpace(*providerID)}
		if cfg.OIDC.ProviderID == "" {
			cfg.OIDC.FallbackProviderID = settings.Pick(settings.OIDCProviderID, "", a.env.getenv).Value
		}
		c, err := a.clientCredential(*clientID, *secret, *secretStdin)
		if err != nil {
			return err
		}
		cfg.OIDC.ClientID, cfg.OIDC.ClientSecret, cfg.OIDC.ClientSource = c.ID.Value, c.Secret.Value, c.FlowsClientSource()
		if cfg.OIDC.ClientID != "" && cfg.OIDC.ClientSecret == "" {
			if !a.interactive() {
				return a.needFlag("the client secret", "--client-secret-stdin or "+settings.EnvAuthClientSecret)
			}
			if cfg.OIDC.ClientSecret, err = a.promptSecret("Enter client_secret and press enter: "); err != nil {
				return err
			}
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		cfg.BackendURL = b.url
		if cfg.AuthConfig, err = a.authConfig(); err != nil {
			return err
		}
		s, err := flows.NewSession(ctx, cfg)
		if err != nil {
			return err
		}
		// Provider first, so that a client error below is about the client.
		if _, _, err := s.Provider(ctx); err != nil {
			return err
		}
		g, err := s.GrantConfig(ctx)
		if err != nil {
			if errors.Is(err, flows.ErrNoClientID) {
				return &usageError{msg: err.Error() + " (give --client-id, or set " + settings.EnvAuthClientID + " and " + settings.EnvAuthClientSecret + ")"}
			}
			return err
		}
		source := ccClientSource(g.Selection.ClientSource)
		tok, err := s.Token(ctx)
		if err != nil {
			var oe *flows.OIDCError
			if errors.As(err, &oe) && (oe.Code == "invalid_client" || oe.Code == "unauthorized_client" || oe.Status == 401) {
				return &authError{msg: "the identity provider refused the client", err: err}
			}
			return err
		}
		out := ccOutput{OK: true, ProviderID: tok.ProviderID, Issuer: tok.Issuer, ClientID: tok.ClientID, ClientSource: source,
			Scope: tok.Scope}
		out.ExpiresIn = expiresIn(tok)
		if !*jsonOut {
			a.printIssued(fmt.Sprintf("The identity provider %s issued an access token to client %s (provider %s",
				quote(tok.Issuer), quote(tok.ClientID), quote(tok.ProviderID)), tok, out.ExpiresIn)
		}
		if !*idpOnly {
			if out.Account, err = a.checkAccount(ctx, s, b.url,
				"the identity provider accepted the client, but the back-end refused its token", *jsonOut); err != nil {
				return err
			}
		}
		if *jsonOut {
			return a.writeJSON(out)
		}
		return nil
	},
}

// ccClientSource is the client_source of client-credentials-test.
func ccClientSource(src flows.ClientSource) string {
	switch src {
	case flows.ClientFromArgument:
		return "--client-id"
	case flows.ClientFromEnvironment:
		return settings.EnvAuthClientID
	}
	return string(src) // "auth-config"
}

type ccOutput struct {
	OK           bool       `json:"ok"`
	ProviderID   string     `json:"provider_id"`
	Issuer       string     `json:"issuer"`
	ClientID     string     `json:"client_id"`
	ClientSource string     `json:"client_source"`
	Scope        string     `json:"scope,omitempty"`
	ExpiresIn    *int64     `json:"expires_in"`
	Account      *ccAccount `json:"account,omitempty"`
}

type ccAccount struct {
	UserID string `json:"user_id"`
	Name   string `json:"name,omitempty"`
}

var logoutCommand = &command{
	name:    "logout",
	args:    "<backend>",
	summary: "remove (--revoke: and revoke) the refresh token of a back-end",
	help: `Removes the refresh token that the provider's "oidc" method (and
'openeo-auth oidc-auth') use for the back-end from refresh-tokens.json; the
other tokens stay. Provider and client are found like oidc-auth finds them
(--provider-id, --client-id, ` + settings.EnvAuthProviderID + `, ` + settings.EnvAuthClientID + `).
When the back-end cannot be reached, the issuer (and, without --client-id and
` + settings.EnvAuthClientID + `, the client) stored in auth-config.json are used;
--issuer with --client-id works without the back-end (and, without --revoke,
fully offline).

Refresh tokens are stored per issuer and client, not per back-end (a Python
client limitation): other back-ends that use the same identity provider and
client are logged out as well; the command names those it knows of.

--revoke first revokes the refresh token at the identity provider (RFC 7009,
at the revocation_endpoint of its discovery document, as the token's client),
so that a copy of it can no longer be used either; then it is deleted
locally. A failed revocation is a warning: the token is still deleted locally
and the exit code stays 0. Without --revoke the token is only deleted
locally and stays valid at the identity provider until it expires.

--remove-config also removes the back-end's entry for that provider from
auth-config.json.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("logout")
		providerID := fl.String("provider-id", "", "provider id (default: like oidc-auth)")
		clientID := fl.String("client-id", "", "client id (default: like oidc-auth, e.g. "+settings.EnvAuthClientID+")")
		issuerFlag := fl.String("issuer", "", "issuer URL (with --client-id: no network access)")
		removeConfig := fl.Bool("remove-config", false, "also remove the provider's entry from auth-config.json")
		revoke := fl.Bool("revoke", false, "revoke the refresh token at the identity provider before deleting it")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		ac, rt, err := a.files()
		if err != nil {
			return err
		}
		pid, cid, issuer := strings.TrimSpace(*providerID), strings.TrimSpace(*clientID), strings.TrimSpace(*issuerFlag)
		var grant *flows.GrantConfig // nil when the back-end was not asked
		switch {
		case issuer != "" && cid == "":
			return usagef("--issuer needs --client-id")
		case issuer != "":
			if *removeConfig && pid == "" {
				return usagef("--remove-config with --issuer needs --provider-id")
			}
		default:
			target, err := a.resolveOIDC(ctx, b, ac, rt, oidcRequest{providerID: pid, clientID: cid, noRetries: true})
			if err != nil {
				var ue *usageError
				if errors.As(err, &ue) {
					return err
				}
				if cid == "" {
					cid = a.envClient().ID.Value // as resolveOIDC would have
				}
				entryPID, entry, ok := a.offlineEntry(ac, b, pid)
				if !ok || (entry.ClientID == nil && cid == "") || entry.Issuer == "" {
					return fmt.Errorf("cannot find the provider and client of %s (%w); use --issuer and --client-id to log out without the back-end", b.url, err)
				}
				fmt.Fprintf(a.errw, "WARNING: the back-end could not be asked (%v); using the issuer stored in %s.\n", err, ac.Path())
				pid, issuer = entryPID, entry.Issuer
				if cid == "" {
					cid = *entry.ClientID
				}
			} else {
				grant = target.grant
				pid, cid, issuer = grant.Provider.ID, grant.ClientID, grant.Provider.Issuer
			}
		}
		issuer = flows.NormalizeURL(issuer)
		if *revoke {
			if err := a.revokeRefreshToken(ctx, ac, rt, b, grant, pid, cid, issuer); err != nil {
				return err
			}
		}
		removed, err := rt.Remove(issuer, cid)
		if err != nil {
			return err
		}
		if removed {
			fmt.Fprintf(a.out, "Removed refresh token for issuer %s (client %s) from %s.\n", quote(issuer), quote(cid), rt.Path())
			if others := a.sharedIssuer(ac, b, issuer, cid); len(others) > 0 {
				fmt.Fprintf(a.out, "Note: refresh tokens are stored per issuer and client, so this also logs out %s.\n",
					strings.Join(others, ", "))
			}
		} else {
			fmt.Fprintf(a.out, "No refresh token for issuer %s (client %s) in %s.\n", quote(issuer), quote(cid), rt.Path())
		}
		if *removeConfig {
			ok, err := ac.RemoveOIDCProvider(b.url, pid)
			if err != nil {
				return err
			}
			if ok {
				fmt.Fprintf(a.out, "Removed provider %s of %s from %s.\n", quote(pid), quote(b.url), ac.Path())
			} else {
				fmt.Fprintf(a.out, "No provider %s for %s in %s.\n", quote(pid), quote(b.url), ac.Path())
			}
		}
		return nil
	},
}

// revokeRefreshToken revokes the stored refresh token of (issuer, cid) at
// the identity provider. Only reading the file can fail the command; a
// failed revocation is a warning. grant is the session's, or nil when the
// back-end was not asked: then the issuer's discovery document gives the
// revocation endpoint. A missing client secret is taken from
// [settings.EnvAuthClientSecret] when the client is [settings.EnvAuthClientID], else
// from the back-end's auth-config.json entry of the same client.
func (a *app) revokeRefreshToken(ctx context.Context, ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens, b backend,
	grant *flows.GrantConfig, pid, cid, issuer string) error {
	token, found, err := rt.RefreshToken(issuer, cid)
	if err != nil || !found {
		return err
	}
	opts := a.httpOptions()
	opts.Timeout = 10 * time.Second
	c := flows.NewClient(opts)
	g := flows.GrantConfig{Provider: flows.Provider{ID: pid, Issuer: issuer}, ClientID: cid}
	if grant != nil {
		g = *grant
	} else if g.Metadata, err = c.Discover(ctx, issuer); err != nil {
		if ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(a.errw, "WARNING: the refresh token was not revoked (%v); it is only deleted locally.\n", err)
		return nil
	}
	if c := a.envClient(); g.ClientSecret == "" && cid == c.ID.Value {
		g.ClientSecret = c.Secret.Value
	}
	if g.ClientSecret == "" {
		if _, e, ok := a.offlineEntry(ac, b, pid); ok && e.ClientID != nil && *e.ClientID == cid && e.ClientSecret != nil {
			g.ClientSecret = *e.ClientSecret
		}
	}
	if err := c.RevokeToken(ctx, &g, token, flows.TokenTypeHintRefreshToken); err != nil {
		if ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(a.errw, "WARNING: the refresh token was not revoked (%v); it is only deleted locally.\n", err)
		return nil
	}
	fmt.Fprintf(a.out, "Revoked the refresh token for issuer %s (client %s) at the identity provider.\n", quote(issuer), quote(cid))
	return nil
}

// offlineEntry is the auth-config.json provider entry of a back-end: the
// given provider, or the only one.
func (a *app) offlineEntry(ac *authfiles.AuthConfig, b backend, pid string) (string, authfiles.OIDCEntry, bool) {
	if pid == "" {
		ids, err := ac.OIDCProviderIDs(b.url)
		if err != nil || len(ids) != 1 {
			return "", authfiles.OIDCEntry{}, false
		}
		pid = ids[0]
	}
	e, found, err := ac.OIDCProvider(b.url, pid)
	if err != nil || !found {
		return "", authfiles.OIDCEntry{}, false
	}
	return pid, e, true
}

// sharedIssuer lists the other back-ends in auth-config.json configured
// with the same issuer and client.
func (a *app) sharedIssuer(ac *authfiles.AuthConfig, b backend, issuer, cid string) []string {
	entries, err := ac.Entries()
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if flows.NormalizeURL(e.Backend) == b.url {
			continue
		}
		for _, p := range e.OIDCProviders {
			if p.HasIssuer && flows.NormalizeURL(p.Issuer) == issuer && (p.ClientID == nil || *p.ClientID == cid) {
				out = append(out, quote(e.Backend))
				break
			}
		}
	}
	return out
}

// secondsLeft is the token's remaining lifetime, measured on the clock flows
// used for its expiry (it was obtained just now).
func secondsLeft(t *flows.Token) int64 {
	return int64(time.Until(t.Expiry).Round(time.Second) / time.Second)
}

// expiresIn is the seconds left of t, or nil when it has no expiry.
func expiresIn(t *flows.Token) *int64 {
	if t.Expiry.IsZero() {
		return nil
	}
	in := secondsLeft(t)
	return &in
}

// printIssued ends the line that begins with lead (what the identity
// provider did) with the token's validity and scope.
func (a *app) printIssued(lead string, tok *flows.Token, in *int64) {
	fmt.Fprint(a.out, lead)
	if in != nil {
		fmt.Fprintf(a.out, ", valid for %s", (time.Duration(*in) * time.Second).String())
	}
	if tok.Scope != "" {
		fmt.Fprintf(a.out, ", scope %s", quote(tok.Scope))
	}
	fmt.Fprintln(a.out, ").")
}

// checkAccount asks the back-end at url who the session's token belongs to
// (GET /me) and prints it unless jsonOut; a refusal is an *authError with
// refused as its message.
func (a *app) checkAccount(ctx context.Context, s *flows.Session, url, refused string, jsonOut bool) (*ccAccount, error) {
	acct, err := s.Account(ctx)
	if err != nil {
		if exitCode(ctx, err) == ExitAuth || flows.IsCode(err, flows.CodePermissionsInsufficient) {
			return nil, &authError{msg: refused, err: err}
		}
		return nil, err
	}
	if !jsonOut {
		name := ""
		if acct.Name != "" && acct.Name != acct.UserID {
			name = " (" + acct.Name + ")"
		}
		fmt.Fprintf(a.out, "The back-end %s accepts it: user_id %s%s.\n", quote(url), quote(acct.UserID), name)
	}
	return &ccAccount{UserID: acct.UserID, Name: acct.Name}, nil
}
