package authcli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

var tokenExchangeTestCommand = &command{
	name:    "token-exchange-test",
	args:    "<backend>",
	summary: "check a keyless CI login (OAuth 2.0 token exchange) as the provider does it",
	help: `Runs the token exchange of the provider's auth_method = "token_exchange" (RFC
8693) with the same settings, so that a pipeline can check its identity token
and client before 'terraform apply': it finds the subject token, shows whose it
is (its issuer, subject, audience and expiry claims, never the token), exchanges
it at the back-end's identity provider and asks the back-end who the access
token belongs to (GET /me; --idp-only skips that). Nothing is stored, and no
token, key or assertion is printed. Exit code 0 when the exchange (and the
back-end) accept it, 3 when one refuses it: then the identity provider's error
and what to change are on stderr.

The flags are the provider's oidc attributes (--subject-token-file is
oidc.subject_token_file). The subject token is, in this order:
--subject-token-stdin, --subject-token-file (read as the exchange runs),
GitHub Actions' ` + settings.EnvActionsIDTokenRequestURL + ` and
` + settings.EnvActionsIDTokenRequestToken + ` (requested with --audience as its audience),
the variable that --subject-token-env names (GitLab CI's id_tokens),
` + settings.EnvHCPTerraformToken + ` (or ` + settings.EnvHCPTerraformToken + `_<TAG> with
--hcp-terraform-tag).

The client is --client-id, else $` + settings.EnvAuthClientID + `, else the client
stored for the provider in auth-config.json. It authenticates with its secret
(--client-secret-stdin, $` + settings.EnvAuthClientSecret + `), with a key that signs a
fresh assertion for each request (--client-assertion-key-file, with
--client-assertion-key-id and --client-assertion-alg RS256, PS256 or ES256),
with a ready-made assertion (--client-assertion-stdin), or as a public client.`,
	run: func(a *app, ctx context.Context, args []string) error {
		fl := a.newFlagSet("token-exchange-test")
		providerID := fl.String("provider-id", "", "provider id (default: like the provider)")
		clientID := fl.String("client-id", "", "client id (default: "+settings.EnvAuthClientID+", else auth-config.json)")
		secret := fl.String("client-secret", "", "client secret (visible in ps; prefer --client-secret-stdin or "+settings.EnvAuthClientSecret+")")
		secretStdin := fl.Bool("client-secret-stdin", false, "read the client secret from stdin")
		subjectStdin := fl.Bool("subject-token-stdin", false, "read the subject token from stdin (oidc.subject_token)")
		explicit := map[string]*string{}
		for _, f := range []struct{ path, usage string }{
			{settings.OIDCSubjectTokenFile, "`path` of a file that holds the subject token, e.g. a Kubernetes projected service-account token"},
			{settings.OIDCSubjectTokenEnv, "`name` of the environment variable that holds the subject token (GitLab CI id_tokens)"},
			{settings.OIDCSubjectTokenType, "subject_token_type (default " + settings.Default(settings.OIDCSubjectTokenType) + ")"},
			{settings.OIDCAudience, "audience of the exchange, also of the GitHub Actions token request"},
			{settings.OIDCRequestedTokenType, "requested_token_type (default: the identity provider's)"},
			{settings.OIDCHCPTerraformTag, "`tag` of " + settings.EnvHCPTerraformToken + "_<TAG> to use"},
			{settings.OIDCClientAssertionKeyFile, "`path` of the PEM private key that signs the client assertions"},
			{settings.OIDCClientAssertionKeyID, "`kid` of the client assertion key"},
			{settings.OIDCClientAssertionAlg, "`alg` of the client assertions: " + strings.Join(settings.ClientAssertionAlgs, ", ")},
		} {
			name := strings.ReplaceAll(strings.TrimPrefix(f.path, "oidc."), "_", "-")
			explicit[f.path] = fl.String(name, "", f.usage)
		}
		assertionStdin := fl.Bool("client-assertion-stdin", false, "read a ready-made client assertion (a JWT) from stdin")
		idpOnly := fl.Bool("idp-only", false, "only run the token exchange, not the back-end check (GET /me)")
		jsonOut := fl.Bool("json", false, "print JSON")
		pos, err := a.parse(fl, args, 1, 1)
		if err != nil {
			return err
		}
		b, err := a.normalizeBackend(pos[0])
		if err != nil {
			return err
		}
		in := settings.Input{Explicit: map[string]string{settings.URL: b.url,
			settings.AuthMethodPath: string(flows.MethodTokenExchange)}, OIDCBlock: true, Getenv: a.env.getenv}
		for path, v := range explicit {
			in.Explicit[path] = strings.TrimSpace(*v)
		}
		for _, s := range []struct {
			set      bool
			flagName string
			path     string
		}{{*subjectStdin, "subject-token-stdin", settings.OIDCSubjectToken}, {*assertionStdin, "client-assertion-stdin", settings.OIDCClientAssertion}} {
			if s.set {
				if in.Explicit[s.path], err = a.readStdinSecret(s.flagName); err != nil {
					return err
				}
			}
		}
		c, err := a.clientCredential(*clientID, *secret, *secretStdin)
		if err != nil {
			return err
		}
		if c.ID.Source == settings.SourceAttribute {
			in.Explicit[settings.OIDCClientID] = c.ID.Value
		}
		if c.Secret.Source == settings.SourceAttribute {
			in.Explicit[settings.OIDCClientSecret] = c.Secret.Value
		}
		r := settings.Resolve(in)
		k, problems := settings.Keyless(r, a.env.getenv, nil)
		if err := problemError(append(r.Problems, problems...)); err != nil {
			return err
		}

		cfg := flows.Config{BackendURL: b.url, Method: flows.MethodTokenExchange, HTTP: a.httpOptions()}
		cfg.OIDC = flows.OIDCSettings{ProviderID: strings.TrimSpace(*providerID), Keyless: k}
		if cfg.OIDC.ProviderID == "" {
			cfg.OIDC.FallbackProviderID = settings.Pick(settings.OIDCProviderID, "", a.env.getenv).Value
		}
		cfg.OIDC.ClientID, cfg.OIDC.ClientSecret, cfg.OIDC.ClientSource = c.ID.Value, c.Secret.Value, c.FlowsClientSource()
		if cfg.AuthConfig, err = a.authConfig(); err != nil {
			return err
		}
		s, err := flows.NewSession(ctx, cfg)
		if err != nil {
			return err
		}
		out := exchangeOutput{}
		if err := a.describeSubject(ctx, k, &out, *jsonOut); err != nil {
			return err
		}
		// Provider and client first, so that an error below is about the exchange.
		g, err := s.GrantConfig(ctx)
		if err != nil {
			if errors.Is(err, flows.ErrNoClientID) {
				return &usageError{msg: err.Error() + " (give --client-id, or set " + settings.EnvAuthClientID + ")"}
			}
			return err
		}
		out.ClientSource = ccClientSource(g.Selection.ClientSource)
		out.ClientAuth = "client_secret"
		switch {
		case k.ClientAssertion != nil:
			out.ClientAuth = "client_assertion"
		case g.ClientSecret == "":
			out.ClientAuth = "none"
		}
		tok, err := s.Token(ctx)
		if err != nil {
			var te *flows.TokenExchangeError
			if errors.As(err, &te) {
				return &authError{msg: "the identity provider refused the token exchange", err: err}
			}
			return err
		}
		out.OK, out.ProviderID, out.Issuer, out.ClientID, out.Scope = true, tok.ProviderID, tok.Issuer, tok.ClientID, tok.Scope
		out.ExpiresIn = expiresIn(tok)
		if !*jsonOut {
			a.printIssued(fmt.Sprintf("The identity provider %s exchanged it for an access token for client %s (provider %s, client authentication %s",
				quote(tok.Issuer), quote(tok.ClientID), quote(tok.ProviderID), out.ClientAuth), tok, out.ExpiresIn)
		}
		if !*idpOnly {
			if out.Account, err = a.checkAccount(ctx, s, b.url,
				"the identity provider exchanged the token, but the back-end refused the access token", *jsonOut); err != nil {
				return err
			}
		}
		if *jsonOut {
			return a.writeJSON(out)
		}
		return nil
	},
}

// describeSubject finds the subject token as the exchange will and notes
// where it came from and its claims in out (printed at once without
// --json, so that they are there when the exchange is refused). The token
// is fetched once more by the exchange itself (a file is read again, a
// GitHub Actions token requested again), exactly as the provider does.
func (a *app) describeSubject(ctx context.Context, k flows.KeylessSettings, out *exchangeOutput, jsonOut bool) error {
	x, err := k.TokenExchange("")
	if err != nil {
		return err
	}
	out.SubjectTokenSource, out.SubjectTokenFrom = string(x.Subject.Kind()), x.Subject.Describe()
	tok, err := x.Subject.Token(ctx, a.client())
	if err != nil {
		return err
	}
	line := "Subject token from " + out.SubjectTokenFrom
	if c, ok := flows.ReadJWTClaims(tok); ok {
		sc := &subjectClaims{Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience}
		line += fmt.Sprintf(": issuer %s, subject %s, audience %s", quote(c.Issuer), quote(c.Subject), quote(strings.Join(c.Audience, " ")))
		if !c.Expiry.IsZero() {
			at := c.Expiry.UTC().Format(time.RFC3339)
			sc.ExpiresAt = &at
			line += ", expires " + at
		}
		out.Subject = sc
	} else {
		line += " (not a JWT: no claims to show)"
	}
	if !jsonOut {
		fmt.Fprintln(a.out, line+".")
	}
	return nil
}

// problemError is the first error of the resolver's problems as a usage
// error (the settings came from flags and the environment). Problems name
// the provider's attributes, which are the flags' names.
func problemError(problems []settings.Problem) error {
	for _, p := range problems {
		if !p.Warning {
			return &usageError{msg: p.Summary + ": " + p.Detail + " (The flags are named like the provider's attributes: " +
				"oidc.subject_token_file is --subject-token-file, oidc.subject_token is --subject-token-stdin.)"}
		}
	}
	return nil
}

type exchangeOutput struct {
	OK bool `json:"ok"`
	// SubjectTokenSource is the source's kind (subject_token,
	// subject_token_file, github_actions, subject_token_env, hcp_terraform),
	// SubjectTokenFrom its description.
	SubjectTokenSource string         `json:"subject_token_source"`
	SubjectTokenFrom   string         `json:"subject_token_from"`
	Subject            *subjectClaims `json:"subject_token_claims"`
	ProviderID         string         `json:"provider_id,omitempty"`
	Issuer             string         `json:"issuer,omitempty"`
	ClientID           string         `json:"client_id,omitempty"`
	ClientSource       string         `json:"client_source,omitempty"`
	ClientAuth         string         `json:"client_auth,omitempty"`
	Scope              string         `json:"scope,omitempty"`
	ExpiresIn          *int64         `json:"expires_in"`
	Account            *ccAccount     `json:"account,omitempty"`
}

type subjectClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  []string `json:"aud"`
	ExpiresAt *string  `json:"expires_at"`
}
