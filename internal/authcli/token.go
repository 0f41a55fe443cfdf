package authcli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

var tokenCommand = &command{
	name:    "token",
	args:    "<backend>",
	summary: "print a fresh openEO bearer token for scripts (never interactive)",
	help: `Prints a fresh openEO bearer token for the back-end on stdout, e.g. for
  curl -H "Authorization: Bearer $(openeo-auth token https://openeo.example.org)" ...

--method selects how (default oidc: the stored refresh token, like the
provider's "oidc" method and the Python client's authenticate_oidc(); it
honours OPENEO_AUTH_METHOD=client_credentials with OPENEO_AUTH_CLIENT_ID and
OPENEO_AUTH_CLIENT_SECRET like they do). Other methods: refresh_token,
client_credentials (client from flags, the environment or auth-config.json) and
basic (credentials from flags, OPENEO_AUTH_PASSWORD or auth-config.json).
This command never starts a device flow: without a usable refresh token it
fails (exit code 3) and names the 'openeo-auth oidc-auth' command to run.
A refresh token rotated by the identity provider is stored (--no-store: not).

--access-token prints the bare access token instead of the bearer
("oidc/<provider>/<token>" for openEO API 1.x back-ends); --json prints the
bearer, access token, expiry and identities as JSON.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("token")
		method := fl.String("method", "oidc", "oidc, refresh_token, client_credentials or basic")
		providerID := fl.String("provider-id", "", "provider id (default: like the provider's oidc method)")
		clientID := fl.String("client-id", "", "client id (default: auth-config.json, else the default client)")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+EnvClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		username := fl.String("username", "", "user name for --method basic (default: auth-config.json)")
		passwordStdin := fl.Bool("password-stdin", false, "read the password for --method basic from stdin")
		accessOnly := fl.Bool("access-token", false, "print the bare access token instead of the bearer")
		noStore := fl.Bool("no-store", false, "do not store a rotated refresh token")
		jsonOut := fl.Bool("json", false, "print JSON")
		pos, err := a.parse(fl, args, 1, 1)
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
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		cfg := flows.Config{BackendURL: b.url, Method: m, HTTP: a.httpOptions(), Getenv: a.env.getenv}
		cfg.OIDC = flows.OIDCSettings{ProviderID: strings.TrimSpace(*providerID), ClientID: strings.TrimSpace(*clientID),
			StoreRefreshToken: !*noStore}
		if m == flows.MethodBasic {
			cfg.Basic.Username = *username
			if *username != "" {
				pw, ok, err := a.resolveSecret(secretSource{flagName: "password", envName: EnvPassword, fromStdin: *passwordStdin})
				if err != nil {
					return err
				}
				if !ok {
					return a.needFlag("a password for --username", "--password-stdin or "+EnvPassword)
				}
				cfg.Basic.Password = pw
			}
		} else if *username != "" || *passwordStdin {
			return usagef("--username and --password-stdin are for --method basic")
		}
		if cfg.OIDC.ClientID != "" {
			if cfg.OIDC.ClientSecret, _, err = a.resolveSecret(secretSource{flagName: "client-secret", envName: EnvClientSecret,
				plain: *secret, fromStdin: *secretStdin}); err != nil {
				return err
			}
		} else if *secret != "" || *secretStdin {
			return usagef("a client secret needs --client-id")
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
			return a.tokenError(err, b)
		}
		if *jsonOut {
			return a.writeJSON(tokenJSON(tok))
		}
		if *accessOnly {
			fmt.Fprintln(a.out, tok.AccessToken)
		} else {
			fmt.Fprintln(a.out, tok.Bearer)
		}
		return nil
	},
}

// tokenError adds the oidc-auth command to failed refresh token logins.
func (a *app) tokenError(err error, b backend) error {
	var ne *flows.NeedsInteractiveLoginError
	if errors.As(err, &ne) {
		return err // its message names `openeo-auth oidc-auth <url>`
	}
	var oe *flows.OIDCError
	if errors.As(err, &oe) && oe.Code == "invalid_grant" {
		return &authError{msg: fmt.Sprintf("the refresh token was refused; run `openeo-auth oidc-auth %s` to log in again", b.url), err: err}
	}
	return err
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

Client: --client-id with --client-secret-stdin, --client-secret,
$OPENEO_AUTH_CLIENT_SECRET or a prompt without echo; else
$OPENEO_AUTH_CLIENT_ID with $OPENEO_AUTH_CLIENT_SECRET; else the client stored
for the provider in auth-config.json (like the provider does).`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("client-credentials-test")
		providerID := fl.String("provider-id", "", "provider id (default: like the provider)")
		clientID := fl.String("client-id", "", "client id (default: OPENEO_AUTH_CLIENT_ID, else auth-config.json)")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+EnvClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		idpOnly := fl.Bool("idp-only", false, "only check the token grant, not the back-end (GET /me)")
		jsonOut := fl.Bool("json", false, "print JSON")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		cfg := flows.Config{Method: flows.MethodClientCredentials, HTTP: a.httpOptions(), Getenv: a.env.getenv}
		cfg.OIDC = flows.OIDCSettings{ProviderID: strings.TrimSpace(*providerID), ClientID: strings.TrimSpace(*clientID)}
		source := "--client-id"
		if cfg.OIDC.ClientID != "" {
			s, ok, err := a.resolveSecret(secretSource{flagName: "client-secret", envName: EnvClientSecret, plain: *secret, fromStdin: *secretStdin})
			if err != nil {
				return err
			}
			if !ok {
				if !a.interactive() {
					return a.needFlag("the client secret", "--client-secret-stdin or "+EnvClientSecret)
				}
				if s, err = a.promptSecret("Enter client_secret and press enter: "); err != nil {
					return err
				}
			}
			cfg.OIDC.ClientSecret = s
		} else if *secret != "" || *secretStdin {
			return usagef("a client secret needs --client-id")
		} else if a.env.getenv(flows.EnvAuthClientID) != "" && a.env.getenv(flows.EnvAuthClientSecret) != "" {
			source = flows.EnvAuthClientID
		} else {
			source = "auth-config"
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
		tok, err := s.Token(ctx)
		if err != nil {
			var oe *flows.OIDCError
			if errors.As(err, &oe) && (oe.Code == "invalid_client" || oe.Code == "unauthorized_client" || oe.Status == 401) {
				return &authError{msg: "the identity provider refused the client", err: err}
			}
			var ce *flows.ClientError
			if errors.As(err, &ce) && source == "auth-config" {
				return &usageError{msg: err.Error() + " (give --client-id, or set OPENEO_AUTH_CLIENT_ID and OPENEO_AUTH_CLIENT_SECRET)"}
			}
			return err
		}
		out := ccOutput{OK: true, ProviderID: tok.ProviderID, Issuer: tok.Issuer, ClientID: tok.ClientID, ClientSource: source,
			Scope: tok.Scope}
		if !tok.Expiry.IsZero() {
			in := secondsLeft(tok)
			out.ExpiresIn = &in
		}
		if !*jsonOut {
			fmt.Fprintf(a.out, "The identity provider %s issued an access token to client %s (provider %s",
				quote(tok.Issuer), quote(tok.ClientID), quote(tok.ProviderID))
			if out.ExpiresIn != nil {
				fmt.Fprintf(a.out, ", valid for %s", (time.Duration(*out.ExpiresIn) * time.Second).String())
			}
			if tok.Scope != "" {
				fmt.Fprintf(a.out, ", scope %s", quote(tok.Scope))
			}
			fmt.Fprintln(a.out, ").")
		}
		if !*idpOnly {
			acct, err := s.Account(ctx)
			if err != nil {
				if exitCode(ctx, err) == ExitAuth || flows.IsCode(err, flows.CodePermissionsInsufficient) {
					return &authError{msg: "the identity provider accepted the client, but the back-end refused its token", err: err}
				}
				return err
			}
			out.Account = &ccAccount{UserID: acct.UserID, Name: acct.Name}
			if !*jsonOut {
				name := ""
				if acct.Name != "" && acct.Name != acct.UserID {
					name = " (" + acct.Name + ")"
				}
				fmt.Fprintf(a.out, "The back-end %s accepts it: user_id %s%s.\n", quote(b.url), quote(acct.UserID), name)
			}
		}
		if *jsonOut {
			return a.writeJSON(out)
		}
		return nil
	},
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
	summary: "remove the refresh token of a back-end (and optionally its config entry)",
	help: `Removes the refresh token that the provider's "oidc" method (and
'openeo-auth oidc-auth') use for the back-end from refresh-tokens.json; the
other tokens stay. Provider and client are found like oidc-auth finds them
(--provider-id, --client-id). When the back-end cannot be reached, the issuer
and client stored in auth-config.json are used; --issuer with --client-id
works fully offline.

Refresh tokens are stored per issuer and client, not per back-end (a Python
client limitation): other back-ends that use the same identity provider and
client are logged out as well; the command names those it knows of.

--remove-config also removes the back-end's entry for that provider from
auth-config.json. The token is only deleted locally; it is not revoked at the
identity provider.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("logout")
		providerID := fl.String("provider-id", "", "provider id (default: like oidc-auth)")
		clientID := fl.String("client-id", "", "client id (default: like oidc-auth)")
		issuerFlag := fl.String("issuer", "", "issuer URL (with --client-id: no network access)")
		removeConfig := fl.Bool("remove-config", false, "also remove the provider's entry from auth-config.json")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
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
		pid, cid, issuer := strings.TrimSpace(*providerID), strings.TrimSpace(*clientID), strings.TrimSpace(*issuerFlag)
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
				entryPID, entry, ok := a.offlineEntry(ac, b, pid)
				if !ok || entry.ClientID == nil || entry.Issuer == "" {
					return fmt.Errorf("cannot find the provider and client of %s (%w); use --issuer and --client-id to log out without the back-end", b.url, err)
				}
				fmt.Fprintf(a.errw, "WARNING: the back-end could not be asked (%v); using the client stored in %s.\n", err, ac.Path())
				pid, issuer = entryPID, entry.Issuer
				if cid == "" {
					cid = *entry.ClientID
				}
			} else {
				pid, cid, issuer = target.grant.Provider.ID, target.grant.ClientID, target.grant.Provider.Issuer
			}
		}
		issuer = authfiles.NormalizeURL(issuer)
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
		if authfiles.NormalizeURL(e.Backend) == b.url {
			continue
		}
		for _, p := range e.OIDCProviders {
			if p.HasIssuer && authfiles.NormalizeURL(p.Issuer) == issuer && (p.ClientID == nil || *p.ClientID == cid) {
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
