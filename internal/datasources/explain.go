package datasources

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// problem is an error turned into a diagnostic: a short Title-Case summary
// and a detail made of full sentences that say how to fix it. Neither ever
// contains a secret of the settings.
type problem struct {
	Summary string
	Detail  string
	// NotReady is true when provider values are unknown (a deferral is possible).
	NotReady bool
}

// explainIn is what a row of the catalogue reads: the error, the settings
// of the provider instance and the operation ("read the openEO account").
type explainIn struct {
	err  error
	s    pd.Settings
	what string
}

// explanation is one row of the catalogue: a kind of error (matched with
// errors.Is / errors.As, never by the words of a message), its title, and
// the detail: the cause and the fix.
type explanation struct {
	is     func(in explainIn) bool
	title  string
	detail func(in explainIn) string
}

// explain turns an error from the session into a problem: the first row of
// the catalogue whose kind matches. Errors that carry their own title (a
// *pd.ConfigError, an *authfiles.FileError) keep it.
func explain(err error, s pd.Settings, what string) problem {
	p := explainRaw(explainIn{err: err, s: s, what: what})
	// Every URL in a diagnostic goes through flows.LogURL; the user info and
	// query of the back-end URL are also removed from the texts of other errors.
	secrets := append(s.Secrets(), urlSecrets(s.URL)...)
	// Server text may have reached the texts: no control characters or
	// bidi overrides reach the terminal.
	p.Summary = flows.CleanText(flows.Scrub(p.Summary, secrets...))
	p.Detail = flows.CleanText(flows.Scrub(p.Detail, secrets...))
	return p
}

func explainRaw(in explainIn) problem {
	if cfg, ok := as[*pd.ConfigError](in.err); ok {
		return problem{Summary: cfg.Summary, Detail: cfg.Detail}
	}
	if fe, ok := as[*authfiles.FileError](in.err); ok {
		return problem{Summary: fe.Title(), Detail: fmt.Sprintf("Cannot %s: %s", in.what, fe.Detail())}
	}
	for _, e := range catalogue {
		if e.is(in) {
			return problem{Summary: e.title, Detail: e.detail(in), NotReady: isA[*pd.NotReadyError](in)}
		}
	}
	return problem{
		Summary: "openEO Request Failed",
		Detail: fmt.Sprintf("Cannot %s: %s Check the provider configuration and the back-end.", in.what,
			ensureSentence(in.err.Error())),
	}
}

// catalogue lists the kinds of error in the order they are tried: the
// specific kinds before the general ones of the same type.
var catalogue = []explanation{
	{isA[*pd.NotReadyError], "Provider Configuration Not Yet Known", func(in explainIn) string {
		nr, _ := as[*pd.NotReadyError](in.err)
		return fmt.Sprintf("Cannot %s yet: the provider value(s) %s depend on something that is only known after "+
			"apply, and openEO authentication needs every provider value. Apply the resources the provider "+
			"configuration depends on first (for example with -target), or set these values statically or "+
			"through their environment variables.", in.what, nr.FieldList())
	}},

	// Before the interactive login: a refused refresh token without a person
	// at a terminal is wrapped in a NeedsInteractiveLoginError.
	{refreshFailed(flows.RefreshAnswerLost, nil), "Refresh Token Answer Lost", func(in explainIn) string {
		r, token, login := refreshParts(in)
		return fmt.Sprintf("Cannot %s: %s was sent to the identity provider, but no answer came back (%s). The "+
			"identity provider may have rotated the refresh token, and then the new one is lost. The request was "+
			"not sent again, because identity providers that detect reuse end the whole login when a spent refresh "+
			"token is presented twice. %s", in.what, token, clause(r.Err.Error()), login)
	}},
	{refreshFailed("", new(true)), "Stored Refresh Token No Longer Valid", refreshRefused},
	{refreshFailed("", new(false)), "Refresh Token No Longer Valid", refreshRefused},

	{interactive(true), "Interactive OIDC Login Required", func(in explainIn) string {
		// device_code never reads stored tokens: storing one helps only
		// with a method that does.
		e, _ := as[*flows.NeedsInteractiveLoginError](in.err)
		return fmt.Sprintf("Cannot %s: %s. Terraform cannot show a device code login here (TF_IN_AUTOMATION "+
			"is set or no terminal can be opened), and auth_method \"device_code\" always asks for a new login: "+
			"it never reads stored refresh tokens. Run `%s` in a terminal%s to log in once and store a refresh "+
			"token in %s, then set auth_method = \"oidc\" (or \"refresh_token\") in the provider block and run "+
			"Terraform again (or use auth_method \"client_credentials\" for automation).",
			in.what, clause(interactiveReason(e)), oidcAuthCommand(in.s, interactiveURL(e, in.s), e.ProviderID),
			oidcAuthStdinNote(in.s), storePath(in))
	}},
	{interactive(false), "Interactive OIDC Login Required", func(in explainIn) string {
		e, _ := as[*flows.NeedsInteractiveLoginError](in.err)
		return fmt.Sprintf("Cannot %s: %s. Terraform cannot show a device code login here, and no usable refresh "+
			"token was found in %s. Run `%s` in a terminal%s to log in once and store a refresh "+
			"token, then run Terraform again (or use auth_method \"client_credentials\" for automation).",
			in.what, clause(interactiveReason(e)), storePath(in),
			oidcAuthCommand(in.s, interactiveURL(e, in.s), e.ProviderID), oidcAuthStdinNote(in.s))
	}},

	// Error answers (4xx, 5xx) of an openEO endpoint.
	{answerWhere(func(a answer, s pd.Settings) bool {
		return s.Method == flows.MethodBasic && a.code != string(flows.CodeTokenInvalid) &&
			(a.code == string(flows.CodeCredentialsInvalid) || a.status == 401 || a.status == 403)
	}), "Basic Authentication Failed", func(in explainIn) string {
		a, _ := answerOf(in.err)
		return fmt.Sprintf("Cannot %s: the back-end rejected the basic credentials (%s). Check the user name "+
			"and password%s.", in.what, a.text, basicSources(in.s))
	}},
	{answerWhere(func(a answer, _ pd.Settings) bool { return a.code == string(flows.CodeTokenInvalid) }),
		"openEO Token Rejected", func(in explainIn) string {
			a, _ := answerOf(in.err)
			return fmt.Sprintf("Cannot %s: the back-end rejected the token even after renewing it (%s). Check that "+
				"the auth method and OIDC provider are the ones this back-end accepts.", in.what, a.text)
		}},
	{answerWhere(func(a answer, _ pd.Settings) bool { return a.status == 429 }), "openEO Back-End Busy", func(in explainIn) string {
		a, _ := answerOf(in.err)
		return fmt.Sprintf("Cannot %s: %s. The back-end limits how often it may be asked: try again later, or "+
			"raise max_retries (now %d) so that the provider waits and retries longer.", in.what, a.text, in.s.MaxRetries)
	}},
	{answerWhere(func(a answer, _ pd.Settings) bool { return a.status >= 500 }), "openEO Back-End Error", func(in explainIn) string {
		a, _ := answerOf(in.err)
		retry := ""
		if a.status == 502 || a.status == 503 || a.status == 504 {
			retry = fmt.Sprintf(" (or raise max_retries, now %d)", in.s.MaxRetries)
		}
		report := "report it to the back-end's operator"
		if a.ref != "" {
			report += " with the reference " + a.ref
		}
		return fmt.Sprintf("Cannot %s: %s. The back-end or a proxy in front of it failed: try again later%s, and "+
			"if the error persists, %s.", in.what, a.text, retry, report)
	}},
	{answerWhere(func(answer, pd.Settings) bool { return true }), "openEO Back-End Error", func(in explainIn) string {
		a, _ := answerOf(in.err)
		return fmt.Sprintf("Cannot %s: %s. Check the back-end URL and the credentials.", in.what, a.text)
	}},

	// Connection problems that are not transient and therefore not retried.
	{isA[*flows.RedirectRefusedError], "OIDC Endpoint Redirected", func(in explainIn) string {
		rre, _ := as[*flows.RedirectRefusedError](in.err)
		return fmt.Sprintf("Cannot %s: %s. Requests to an identity provider's token, device authorization and "+
			"revocation endpoints carry credentials (client secret, password, refresh token or device code), so the "+
			"provider never follows their redirects: nothing was sent to %s. The endpoint %s is named by the "+
			"identity provider's discovery document; ask its operator to name the final URL there, or, if %s is a "+
			"proxy in front of it, to make the proxy answer instead of redirecting.",
			in.what, clause(in.err.Error()), rre.Target, flows.LogURL(rre.Endpoint), flows.LogURL(rre.Endpoint))
	}},
	{isA[*tls.CertificateVerificationError], "TLS Certificate Not Trusted", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s. The server's certificate could not be verified, so no request was sent "+
			"(this is not retried: it does not go away by waiting). If the server uses a certificate from a private "+
			"certificate authority, set ca_cert_file in the provider block to a PEM file with that authority's "+
			"certificate (it is added to the system's trusted roots), or set the environment variable SSL_CERT_FILE "+
			"to a PEM bundle that replaces the system's roots. Otherwise check the host name in the URL and the "+
			"server's certificate (expired, or issued for another name). The provider has no option to skip "+
			"verification.", in.what, clause(in.err.Error()))
	}},
	{is(flows.ErrPlainHTTPServer), "Server Answers Plain HTTP, Not HTTPS", func(in explainIn) string {
		fix := "The URL says https://, but the server answers plain http: check the port, or write the URL with " +
			"http:// if the server only speaks plain http."
		if in.s.SchemeAssumed {
			fix = fmt.Sprintf("The back-end URL was given without a scheme, so https:// was assumed (as the Python "+
				"client does), but the server answers plain http. Write the scheme in the URL: url = \"http://%s\" if "+
				"the server only speaks plain http (basic authentication then needs a loopback host or "+
				"allow_insecure_basic_auth), or give the server's https:// address.",
				strings.TrimPrefix(flows.LogURL(in.s.URL), "https://"))
		}
		return fmt.Sprintf("Cannot %s: %s. %s", in.what, clause(in.err.Error()), fix)
	}},

	// The identity provider answered, but not with what OIDC defines.
	{oidcError(flows.ErrMissingTokenEndpoint, ""), "OIDC Discovery Document Incomplete", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		return fmt.Sprintf("Cannot %s: %s. The identity provider answered GET %s, but its discovery document "+
			"has no token_endpoint, which every OIDC login needs. Check that the issuer URL the back-end lists "+
			"for this provider (see the openeo_oidc_providers data source) is the identity provider's issuer; "+
			"if it is, the identity provider's configuration lacks token_endpoint: ask its operator to fix it.",
			in.what, o.Error(), flows.LogURL(o.Endpoint))
	}},
	{oidcError(flows.ErrInvalidDiscoveryDocument, ""), "OIDC Discovery Document Invalid", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		return fmt.Sprintf("Cannot %s: %s. GET %s answered with something other than an OIDC discovery "+
			"document (a JSON object). Check that the issuer URL the back-end lists for this provider (see the "+
			"openeo_oidc_providers data source) is the identity provider's issuer and that no proxy or login "+
			"page answers in its place; if it is, ask the identity provider's operator to fix it.",
			in.what, o.Error(), flows.LogURL(o.Endpoint))
	}},
	{oidcError(flows.ErrInvalidTokenResponse, ""), "OIDC Token Response Invalid", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		return fmt.Sprintf("Cannot %s: %s. The identity provider's token endpoint (%s) answered, but not with "+
			"an OAuth token response. Check that the token_endpoint of the identity provider's discovery "+
			"document points at its token endpoint and that no proxy or login page answers in its place; if it "+
			"does, ask the identity provider's operator to fix it.",
			in.what, o.Error(), flows.LogURL(o.Endpoint))
	}},
	// A refused token exchange says where the subject token came from and
	// what to change (its own fix for each OAuth error code; a rejected
	// client assertion names the key to check, as for client credentials).
	{isA[*flows.TokenExchangeError], "Token Exchange Refused", func(in explainIn) string {
		x, _ := as[*flows.TokenExchangeError](in.err)
		fix := x.Fix
		if o, ok := as[*flows.OIDCError](in.err); ok && o.Code == "invalid_client" && clientAssertionFix(in.s) != "" {
			fix = clientAssertionFix(in.s)
		}
		return fmt.Sprintf("Cannot %s: the identity provider refused the token exchange with the subject token from %s "+
			"(%s). %s", in.what, x.Source, clause(x.Err.Error()), ensureSentence(fix))
	}},
	{oidcError(nil, "invalid_client", "unauthorized_client"), "OIDC Client Authentication Failed", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		if fix := clientAssertionFix(in.s); fix != "" {
			return fmt.Sprintf("Cannot %s: the identity provider rejected the OIDC client (%s). %s", in.what, o.Error(), fix)
		}
		return fmt.Sprintf("Cannot %s: the identity provider rejected the OIDC client (%s). Check oidc.client_id "+
			"and oidc.client_secret (or %s and %s, or the client stored for this back-end in auth-config.json).",
			in.what, o.Error(), settings.EnvAuthClientID, settings.EnvAuthClientSecret)
	}},
	{oidcError(nil, "invalid_grant"), "OIDC Login Failed", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		fix := "Check the credentials of the auth method."
		switch in.s.Method {
		case flows.MethodPassword:
			fix = fmt.Sprintf("Check oidc.username and oidc.password (or %s and %s).", settings.EnvAuthUsername, settings.EnvAuthPassword)
		case flows.MethodRefreshToken, flows.MethodOIDC:
			fix = fmt.Sprintf("The refresh token is invalid or expired: run `%s`%s to log in again.",
				oidcAuthCommand(in.s, flows.LogURL(in.s.URL), ""), oidcAuthStdinNote(in.s))
		}
		return fmt.Sprintf("Cannot %s: the identity provider refused the grant (%s). %s", in.what, o.Error(), fix)
	}},
	{isA[*flows.OIDCError], "OIDC Request Failed", func(in explainIn) string {
		o, _ := as[*flows.OIDCError](in.err)
		return fmt.Sprintf("Cannot %s: %s. Check that the identity provider is reachable and that the OIDC "+
			"settings of the provider block are right.", in.what, clause(o.Error()))
	}},

	{transport(true), "openEO Back-End Answer Incomplete", func(in explainIn) string {
		t, _ := as[*flows.TransportError](in.err)
		return fmt.Sprintf("Cannot %s: %s. The answer broke off before its end (the connection was dropped or "+
			"timed out): check the back-end and any proxy in front of it and try again, or raise request_timeout "+
			"if the back-end is slow.", in.what, t.Error())
	}},
	{transport(false), "openEO Back-End Unreachable", func(in explainIn) string {
		t, _ := as[*flows.TransportError](in.err)
		return fmt.Sprintf("Cannot %s: %s. Check the URL and the network, or raise request_timeout and max_retries.",
			in.what, t.Error())
	}},

	{isA[*flows.ExecError], "Credential Helper Failed", func(in explainIn) string {
		e, _ := as[*flows.ExecError](in.err)
		return fmt.Sprintf("Cannot %s: %s", in.what, ensureSentence(e.Error()))
	}},

	// What the settings lack for a login (*flows.ClientError).
	{clientError(is(flows.ErrBasicUnsupported)), "Basic Authentication Not Supported", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s The back-end does not list GET /credentials/basic in its capabilities. "+
			"Use an OIDC auth method (see the openeo_oidc_providers data source).", in.what, clientMessage(in))
	}},
	{clientError(is(flows.ErrNoCredentials)), "Missing Basic Credentials", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s Set basic.username and basic.password in the provider block, the "+
			"environment variables %s and %s, or store them for %s in auth-config.json.",
			in.what, clientMessage(in), settings.EnvAuthUsername, settings.EnvAuthPassword, flows.LogURL(in.s.URL))
	}},
	{clientError(is(flows.ErrNoClientID)), "Missing OIDC Client", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s Set oidc.client_id (and oidc.client_secret for a confidential client), "+
			"the environment variables %s and %s, or store a client for this back-end in auth-config.json.",
			in.what, clientMessage(in), settings.EnvAuthClientID, settings.EnvAuthClientSecret)
	}},
	{clientError(is(flows.ErrNoRefreshToken)), "Missing Refresh Token", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s Set oidc.refresh_token, or run `%s`%s to store one.",
			in.what, clientMessage(in), oidcAuthCommand(in.s, flows.LogURL(in.s.URL), ""), oidcAuthStdinNote(in.s))
	}},
	{clientError(is(flows.ErrNoOIDCProviders)), "No OIDC Providers Listed", func(in explainIn) string {
		ce, _ := as[*flows.ClientError](in.err)
		list := "/credentials/oidc of " + flows.LogURL(in.s.URL)
		if ce.Endpoint != "" {
			list = flows.LogURL(ce.Endpoint)
		}
		return fmt.Sprintf("Cannot %s: %s GET %s lists no usable OIDC provider (none with an id and an issuer), "+
			"so no OIDC auth method can work with this back-end. Use auth_method = \"basic\" if the back-end "+
			"supports it, or ask the back-end's operator to list an OIDC provider; check GET %s again afterwards.",
			in.what, clientMessage(in), list, list)
	}},
	{clientError(isA[*flows.ProviderNotAvailableError]), "OIDC Provider Not Available", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s Set oidc.provider_id (or %s) to one of these ids, or leave it unset "+
			"to use the back-end's default provider (see the openeo_oidc_providers data source).",
			in.what, clientMessage(in), settings.EnvAuthProviderID)
	}},
	{clientError(is(flows.ErrSubjectToken)), "Subject Token Unusable", func(in explainIn) string {
		// The message says what to do; it may begin with an attribute name,
		// which keeps its case.
		ce, _ := as[*flows.ClientError](in.err)
		return fmt.Sprintf("Cannot %s: %s.", in.what, clause(ce.Error()))
	}},
	{isA[*flows.ClientError], "openEO Authentication Failed", func(in explainIn) string {
		return fmt.Sprintf("Cannot %s: %s Check the provider configuration.", in.what, clientMessage(in))
	}},
}

// clientAssertionFix is what to check when a client that authenticates with
// a client assertion is rejected; "" when the settings have none.
func clientAssertionFix(s pd.Settings) string {
	a := s.OIDC.Keyless.ClientAssertion
	switch {
	case a == nil:
		return ""
	case a.Key == nil:
		return fmt.Sprintf("Check oidc.client_id and %s: the identity provider must trust the assertion for this "+
			"client (its iss and sub the client id, its aud the token endpoint, not expired, not used before: "+
			"a ready-made assertion is accepted once, so give a fresh one for every run).", settings.OIDCClientAssertion)
	}
	key := settings.OIDCClientAssertionKeyFile
	if _, inline := s.Sources[settings.OIDCClientAssertionKey]; inline {
		key = settings.OIDCClientAssertionKey
	}
	return fmt.Sprintf("Check oidc.client_id and the key: the public key of %s must be in the JWKS registered for "+
		"the client with the key id %q (%s; by default the key's thumbprint), and the client must accept %s "+
		"signatures (%s).", key, a.Key.KeyID(), settings.OIDCClientAssertionKeyID, a.Key.Alg(), settings.OIDCClientAssertionAlg)
}

// as is errors.As for a target type.
func as[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

// isA matches errors that have a T in their chain.
func isA[T error](in explainIn) bool {
	_, ok := as[T](in.err)
	return ok
}

// is matches errors that are (or wrap) target.
func is(target error) func(explainIn) bool {
	return func(in explainIn) bool { return errors.Is(in.err, target) }
}

// refreshFailed matches a *flows.RefreshTokenError: with failure (when not
// "") and whether the token was a stored one (when stored is not nil).
func refreshFailed(failure flows.RefreshFailure, stored *bool) func(explainIn) bool {
	return func(in explainIn) bool {
		r, ok := as[*flows.RefreshTokenError](in.err)
		return ok && (failure == "" || r.Failure == failure) && (stored == nil || r.Stored == *stored)
	}
}

// refreshParts names the refresh token an error is about and the
// openeo-auth command that replaces it.
func refreshParts(in explainIn) (r *flows.RefreshTokenError, token, login string) {
	r, _ = as[*flows.RefreshTokenError](in.err)
	command, note := oidcAuthCommand(in.s, flows.LogURL(in.s.URL), r.ProviderID), oidcAuthStdinNote(in.s)
	if !r.Stored {
		return r, "the refresh token of oidc.refresh_token", fmt.Sprintf("Set oidc.refresh_token to a valid refresh "+
			"token, or remove it and run `%s`%s in a terminal to log in and store one.", command, note)
	}
	return r, fmt.Sprintf("the refresh token stored in %s for issuer '%s' and client '%s'", storePath(in),
			flows.LogURL(r.Issuer), r.ClientID),
		fmt.Sprintf("Run `%s`%s in a terminal to log in again and store a new refresh token, then run Terraform again.",
			command, note)
}

// refreshRefused is the detail of a refresh token the identity provider refused.
func refreshRefused(in explainIn) string {
	r, token, login := refreshParts(in)
	return fmt.Sprintf("Cannot %s: the identity provider refused %s (%s). The refresh token is no longer valid: "+
		"another program rotated it, or it was revoked or has expired. %s", in.what, token, clause(r.Err.Error()), login)
}

// interactive matches a *flows.NeedsInteractiveLoginError of the
// device_code method (deviceCode) or of another one.
func interactive(deviceCode bool) func(explainIn) bool {
	return func(in explainIn) bool {
		return isA[*flows.NeedsInteractiveLoginError](in) && (in.s.Method == flows.MethodDeviceCode) == deviceCode
	}
}

func interactiveURL(e *flows.NeedsInteractiveLoginError, s pd.Settings) string {
	if e.BackendURL != "" {
		return flows.LogURL(e.BackendURL)
	}
	return flows.LogURL(s.URL)
}

func interactiveReason(e *flows.NeedsInteractiveLoginError) string {
	r := e.Reason
	if r == "" {
		r = "an interactive OIDC login is needed"
	}
	if e.Err != nil {
		r += " (" + e.Err.Error() + ")"
	}
	return r
}

// storePath is the refresh-token file an error is about: the session's
// (see pd.StoreError), else the configured one.
func storePath(in explainIn) string {
	if se, ok := as[*pd.StoreError](in.err); ok && se.Path != "" {
		return se.Path
	}
	if in.s.RefreshTokenStorePath != "" {
		return in.s.RefreshTokenStorePath
	}
	return "refresh-tokens.json"
}

// answer is an error answer (4xx or 5xx) of an openEO endpoint: a
// *flows.APIError or a *flows.PlainError (no openEO error object, e.g. a
// proxy's HTML page).
type answer struct {
	status int
	code   string // openEO error code; "" without an error object
	ref    string // the back-end's reference of the error, if any
	// text names the request and the answer, e.g. "GET https://host/me
	// answered [502] Bad Gateway: nginx (after 4 attempts)".
	text string
}

func answerOf(err error) (answer, bool) {
	if apiErr, ok := as[*flows.APIError](err); ok {
		return answer{status: apiErr.Status, code: apiErr.Code, ref: apiErr.ID, text: apiErr.Describe()}, true
	}
	if plain, ok := as[*flows.PlainError](err); ok {
		return answer{status: plain.Status, text: plain.Describe()}, true
	}
	return answer{}, false
}

// answerWhere matches an error answer for which cond holds.
func answerWhere(cond func(answer, pd.Settings) bool) func(explainIn) bool {
	return func(in explainIn) bool {
		a, ok := answerOf(in.err)
		return ok && cond(a, in.s)
	}
}

// oidcError matches a *flows.OIDCError that is kind (when not nil) or has
// one of the OAuth error codes (when given).
func oidcError(kind error, codes ...string) func(explainIn) bool {
	return func(in explainIn) bool {
		o, ok := as[*flows.OIDCError](in.err)
		if !ok || (kind != nil && !errors.Is(in.err, kind)) {
			return false
		}
		if len(codes) == 0 {
			return true
		}
		for _, c := range codes {
			if o.Code == c {
				return true
			}
		}
		return false
	}
}

// transport matches a *flows.TransportError whose answer broke off
// (broken) or that got no answer.
func transport(broken bool) func(explainIn) bool {
	return func(in explainIn) bool {
		t, ok := as[*flows.TransportError](in.err)
		return ok && (t.Status != 0) == broken
	}
}

// clientError matches a *flows.ClientError for which kind holds.
func clientError(kind func(explainIn) bool) func(explainIn) bool {
	return func(in explainIn) bool { return isA[*flows.ClientError](in) && kind(in) }
}

func clientMessage(in explainIn) string {
	ce, _ := as[*flows.ClientError](in.err)
	return ensureSentence(ce.Error())
}

// oidcAuthCommand is the `openeo-auth oidc-auth` command line that stores
// the refresh token this provider instance looks for, given the settings it
// was configured with: the back-end URL, plus
//   - --provider-id when oidc.provider_id was set (or came from
//     [settings.EnvAuthProviderID] and is the provider that was selected:
//     selectedProviderID, "" when not known);
//   - --client-id when oidc.client_id was set (attribute or
//     [settings.EnvAuthClientID]), with --client-secret-stdin when the client
//     secret is a provider attribute (openeo-auth reads
//     [settings.EnvAuthClientSecret] itself);
//   - --auth-config / --refresh-tokens when auth_config_path /
//     refresh_token_store_path name other files than the default ones.
//
// Arguments are quoted for a POSIX shell when needed.
func oidcAuthCommand(s pd.Settings, backendURL, selectedProviderID string) string {
	l := authcli.OIDCAuthLine{BackendURL: backendURL, ClientID: s.OIDC.ClientID, ClientSecretStdin: clientSecretFromAttribute(s)}
	switch s.Sources["oidc.provider_id"] {
	case settings.SourceAttribute:
		l.ProviderID = s.OIDC.ProviderID
	case settings.SourceEnv:
		if selectedProviderID == "" || selectedProviderID == s.OIDC.ProviderID {
			l.ProviderID = s.OIDC.ProviderID
		}
	}
	l.AuthConfig, l.RefreshTokens = customFilePaths(s)
	return l.String()
}

func clientSecretFromAttribute(s pd.Settings) bool {
	return s.OIDC.ClientID != "" && s.OIDC.ClientSecret != "" && s.Sources["oidc.client_secret"] == settings.SourceAttribute
}

// oidcAuthStdinNote completes the sentence that names oidcAuthCommand when
// the command reads the client secret from stdin.
func oidcAuthStdinNote(s pd.Settings) string {
	if !clientSecretFromAttribute(s) {
		return ""
	}
	return " (with the client secret of oidc.client_secret on its standard input)"
}

// customFilePaths returns the files of auth_config_path and
// refresh_token_store_path, resolved as the session resolves them, when they
// differ from the default files ("" otherwise).
func customFilePaths(s pd.Settings) (authConfig, refreshTokens string) {
	if s.AuthConfigPath != "" {
		p, err := authfiles.OpenAuthConfig(s.AuthConfigPath, authfiles.Options{})
		d, derr := authfiles.OpenAuthConfig("", authfiles.Options{})
		switch {
		case err != nil:
			authConfig = s.AuthConfigPath
		case derr != nil || p.Path() != d.Path():
			authConfig = p.Path()
		}
	}
	if s.RefreshTokenStorePath != "" {
		p, err := authfiles.OpenRefreshTokens(s.RefreshTokenStorePath, authfiles.Options{})
		d, derr := authfiles.OpenRefreshTokens("", authfiles.Options{})
		switch {
		case err != nil:
			refreshTokens = s.RefreshTokenStorePath
		case derr != nil || p.Path() != d.Path():
			refreshTokens = p.Path()
		}
	}
	return authConfig, refreshTokens
}

func basicSources(s pd.Settings) string {
	where := func(p, env string) string {
		switch s.Sources[p] {
		case settings.SourceAttribute:
			return "the provider block"
		case settings.SourceEnv:
			return env
		}
		return "auth-config.json"
	}
	u, p := where("basic.username", settings.EnvAuthUsername), where("basic.password", settings.EnvAuthPassword)
	if u == p {
		return " (both come from " + u + ")"
	}
	return " (the user name comes from " + u + ", the password from " + p + ")"
}

// urlSecrets returns the parts of rawURL that flows.LogURL leaves out and
// that may hold secrets: the user info (whole, and its password) and the query.
func urlSecrets(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		out = append(out, u.User.String())
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
	}
	if u.RawQuery != "" {
		out = append(out, u.RawQuery)
	}
	return out
}

// clause is a message without its final period, to go before "." or ")".
func clause(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ".")
}

func ensureSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// refreshTokenWarning is the warning about a stored refresh token that
// expires within oidc.refresh_token_warning or has expired (never the
// token itself): when, for which issuer and client, and how to log in again.
func refreshTokenWarning(n pd.RefreshTokenNotice, s pd.Settings) (summary, detail string) {
	command, note := oidcAuthCommand(s, flows.LogURL(s.URL), n.ProviderID), oidcAuthStdinNote(s)
	login := fmt.Sprintf("the issuer %s and the client %q", n.Issuer, n.ClientID)
	fix := fmt.Sprintf("Log in again before then, e.g. with `%s` in a terminal%s, or with the device code flow and "+
		"oidc.store_refresh_token = true, so that a new refresh token is stored; or raise oidc.refresh_token_warning "+
		"(\"0\" turns this warning off).", command, note)
	when := n.ExpiresAt.UTC().Format(time.RFC3339)
	if n.Expired {
		return "Stored Refresh Token Has Expired", fmt.Sprintf("The refresh token stored for %s (in %s) expired at %s, "+
			"as the identity provider told when it issued it: the provider cannot log in with it any more. %s",
			login, cmp.Or(n.StorePath, storePath(explainIn{s: s})), when, strings.Replace(fix, "Log in again before then", "Log in again", 1))
	}
	return "Stored Refresh Token Expires Soon", fmt.Sprintf("The refresh token stored for %s (in %s) expires at %s, "+
		"within oidc.refresh_token_warning (%s). After that the provider can no longer log in with it. %s",
		login, cmp.Or(n.StorePath, storePath(explainIn{s: s})), when, settings.ShortDuration(s.OIDC.RefreshTokenWarning), fix)
}
