package providerdata

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Problem is an error turned into a diagnostic: a short Title-Case summary
// and a detail made of full sentences that say how to fix it. Neither ever
// contains a secret of the settings.
type Problem struct {
	Summary string
	Detail  string
	// NotReady is true when provider values are unknown (a deferral is possible).
	NotReady bool
}

// Explain turns an error from the session into a Problem. what names the
// operation, e.g. "read the openEO account".
func Explain(err error, s Settings, what string) Problem {
	p := explain(err, s, what)
	// Every URL in a diagnostic goes through LogURL; the user info and query
	// of the back-end URL are also removed from the texts of other errors.
	secrets := append(s.Secrets(), urlSecrets(s.URL)...)
	// Server text may have reached the texts: no control characters or
	// bidi overrides reach the terminal.
	p.Summary = flows.CleanText(flows.Scrub(p.Summary, secrets...))
	p.Detail = flows.CleanText(flows.Scrub(p.Detail, secrets...))
	return p
}

func explain(err error, s Settings, what string) Problem {
	var notReady *NotReadyError
	if errors.As(err, &notReady) {
		return Problem{
			NotReady: true,
			Summary:  "Provider Configuration Not Yet Known",
			Detail: fmt.Sprintf("Cannot %s yet: the provider value(s) %s depend on something that is only known after "+
				"apply, and openEO authentication needs every provider value. Apply the resources the provider "+
				"configuration depends on first (for example with -target), or set these values statically or "+
				"through their environment variables.", what, quoteList(notReady.Fields)),
		}
	}
	var cfg *ConfigError
	if errors.As(err, &cfg) {
		return Problem{Summary: cfg.Summary, Detail: cfg.Detail}
	}
	if p, ok := FileProblem(err, what); ok {
		return p
	}

	// Before the interactive login: a refused refresh token without a person
	// at a terminal is wrapped in a NeedsInteractiveLoginError.
	var refresh *flows.RefreshTokenError
	if errors.As(err, &refresh) {
		return explainRefresh(refresh, storePath(err, s), s, what)
	}

	var interactive *flows.NeedsInteractiveLoginError
	if errors.As(err, &interactive) {
		u := interactive.BackendURL
		if u == "" {
			u = s.URL
		}
		u = flows.LogURL(u)
		store := storePath(err, s)
		if s.Method == MethodDeviceCode {
			// device_code never reads stored tokens: storing one helps only
			// with a method that does.
			return Problem{
				Summary: "Interactive OIDC Login Required",
				Detail: fmt.Sprintf("Cannot %s: %s. Terraform cannot show a device code login here (TF_IN_AUTOMATION "+
					"is set or no terminal can be opened), and auth_method \"device_code\" always asks for a new login: "+
					"it never reads stored refresh tokens. Run `%s` in a terminal%s to log in once and store a refresh "+
					"token in %s, then set auth_method = \"oidc\" (or \"refresh_token\") in the provider block and run "+
					"Terraform again (or use auth_method \"client_credentials\" for automation).",
					what, strings.TrimSuffix(strings.TrimSpace(interactiveReason(interactive)), "."),
					s.OIDCAuthCommand(u, interactive.ProviderID), s.oidcAuthStdinNote(), store),
			}
		}
		return Problem{
			Summary: "Interactive OIDC Login Required",
			Detail: fmt.Sprintf("Cannot %s: %s. Terraform cannot show a device code login here, and no usable refresh "+
				"token was found in %s. Run `%s` in a terminal%s to log in once and store a refresh "+
				"token, then run Terraform again (or use auth_method \"client_credentials\" for automation).",
				what, strings.TrimSuffix(strings.TrimSpace(interactiveReason(interactive)), "."), store,
				s.OIDCAuthCommand(u, interactive.ProviderID), s.oidcAuthStdinNote()),
		}
	}

	if a, ok := answerOf(err); ok {
		return explainAnswer(a, s, what)
	}
	if p, ok := explainConnection(err, s, what); ok {
		return p
	}

	var oidcErr *flows.OIDCError
	if errors.As(err, &oidcErr) {
		// The identity provider answered, but not with what OIDC defines.
		switch {
		case errors.Is(err, flows.ErrMissingTokenEndpoint):
			return Problem{
				Summary: "OIDC Discovery Document Incomplete",
				Detail: fmt.Sprintf("Cannot %s: %s. The identity provider answered GET %s, but its discovery document "+
					"has no token_endpoint, which every OIDC login needs. Check that the issuer URL the back-end lists "+
					"for this provider (see the openeo_oidc_providers data source) is the identity provider's issuer; "+
					"if it is, the identity provider's configuration lacks token_endpoint: ask its operator to fix it.",
					what, oidcErr.Error(), flows.LogURL(oidcErr.Endpoint)),
			}
		case errors.Is(err, flows.ErrInvalidDiscoveryDocument):
			return Problem{
				Summary: "OIDC Discovery Document Invalid",
				Detail: fmt.Sprintf("Cannot %s: %s. GET %s answered with something other than an OIDC discovery "+
					"document (a JSON object). Check that the issuer URL the back-end lists for this provider (see the "+
					"openeo_oidc_providers data source) is the identity provider's issuer and that no proxy or login "+
					"page answers in its place; if it is, ask the identity provider's operator to fix it.",
					what, oidcErr.Error(), flows.LogURL(oidcErr.Endpoint)),
			}
		case errors.Is(err, flows.ErrInvalidTokenResponse):
			return Problem{
				Summary: "OIDC Token Response Invalid",
				Detail: fmt.Sprintf("Cannot %s: %s. The identity provider's token endpoint (%s) answered, but not with "+
					"an OAuth token response. Check that the token_endpoint of the identity provider's discovery "+
					"document points at its token endpoint and that no proxy or login page answers in its place; if it "+
					"does, ask the identity provider's operator to fix it.",
					what, oidcErr.Error(), flows.LogURL(oidcErr.Endpoint)),
			}
		}
		switch oidcErr.Code {
		case "invalid_client", "unauthorized_client":
			return Problem{
				Summary: "OIDC Client Authentication Failed",
				Detail: fmt.Sprintf("Cannot %s: the identity provider rejected the OIDC client (%s). Check oidc.client_id "+
					"and oidc.client_secret (or %s and %s, or the client stored for this back-end in auth-config.json).",
					what, oidcErr.Error(), EnvAuthClientID, EnvAuthClientSecret),
			}
		case "invalid_grant":
			fix := "Check the credentials of the auth method."
			switch s.Method {
			case MethodPassword:
				fix = fmt.Sprintf("Check oidc.username and oidc.password (or %s and %s).", EnvAuthUsername, EnvAuthPassword)
			case MethodRefreshToken, MethodOIDC:
				fix = fmt.Sprintf("The refresh token is invalid or expired: run `%s`%s to log in again.",
					s.OIDCAuthCommand(flows.LogURL(s.URL), ""), s.oidcAuthStdinNote())
			}
			return Problem{
				Summary: "OIDC Login Failed",
				Detail:  fmt.Sprintf("Cannot %s: the identity provider refused the grant (%s). %s", what, oidcErr.Error(), fix),
			}
		}
		return Problem{
			Summary: "OIDC Request Failed",
			Detail: fmt.Sprintf("Cannot %s: %s. Check that the identity provider is reachable and that the OIDC "+
				"settings of the provider block are right.", what, clause(oidcErr.Error())),
		}
	}

	var transport *flows.TransportError
	if errors.As(err, &transport) {
		if transport.Status != 0 {
			return Problem{
				Summary: "openEO Back-End Answer Incomplete",
				Detail: fmt.Sprintf("Cannot %s: %s. The answer broke off before its end (the connection was dropped or "+
					"timed out): check the back-end and any proxy in front of it and try again, or raise request_timeout "+
					"if the back-end is slow.", what, transport.Error()),
			}
		}
		return Problem{
			Summary: "openEO Back-End Unreachable",
			Detail: fmt.Sprintf("Cannot %s: %s. Check the URL and the network, or raise request_timeout and max_retries.",
				what, transport.Error()),
		}
	}

	var clientErr *flows.ClientError
	if errors.As(err, &clientErr) {
		msg := ensureSentence(clientErr.Error())
		var notListed *flows.ProviderNotAvailableError
		switch {
		case errors.Is(err, flows.ErrBasicUnsupported):
			return Problem{
				Summary: "Basic Authentication Not Supported",
				Detail: fmt.Sprintf("Cannot %s: %s The back-end does not list GET /credentials/basic in its capabilities. "+
					"Use an OIDC auth method (see the openeo_oidc_providers data source).", what, msg),
			}
		case errors.Is(err, flows.ErrNoCredentials):
			return Problem{
				Summary: "Missing Basic Credentials",
				Detail: fmt.Sprintf("Cannot %s: %s Set basic.username and basic.password in the provider block, the "+
					"environment variables %s and %s, or store them for %s in auth-config.json.",
					what, msg, EnvAuthUsername, EnvAuthPassword, flows.LogURL(s.URL)),
			}
		case errors.Is(err, flows.ErrNoClientID):
			return Problem{
				Summary: "Missing OIDC Client",
				Detail: fmt.Sprintf("Cannot %s: %s Set oidc.client_id (and oidc.client_secret for a confidential client), "+
					"the environment variables %s and %s, or store a client for this back-end in auth-config.json.",
					what, msg, EnvAuthClientID, EnvAuthClientSecret),
			}
		case errors.Is(err, flows.ErrNoRefreshToken):
			return Problem{
				Summary: "Missing Refresh Token",
				Detail: fmt.Sprintf("Cannot %s: %s Set oidc.refresh_token, or run `%s`%s to store one.",
					what, msg, s.OIDCAuthCommand(flows.LogURL(s.URL), ""), s.oidcAuthStdinNote()),
			}
		case errors.Is(err, flows.ErrNoOIDCProviders):
			list := "/credentials/oidc of " + flows.LogURL(s.URL)
			if clientErr.Endpoint != "" {
				list = flows.LogURL(clientErr.Endpoint)
			}
			return Problem{
				Summary: "No OIDC Providers Listed",
				Detail: fmt.Sprintf("Cannot %s: %s GET %s lists no usable OIDC provider (none with an id and an issuer), "+
					"so no OIDC auth method can work with this back-end. Use auth_method = \"basic\" if the back-end "+
					"supports it, or ask the back-end's operator to list an OIDC provider; check GET %s again afterwards.",
					what, msg, list, list),
			}
		case errors.As(err, &notListed):
			return Problem{
				Summary: "OIDC Provider Not Available",
				Detail: fmt.Sprintf("Cannot %s: %s Set oidc.provider_id (or %s) to one of these ids, or leave it unset "+
					"to use the back-end's default provider (see the openeo_oidc_providers data source).",
					what, msg, EnvAuthProviderID),
			}
		}
		return Problem{
			Summary: "openEO Authentication Failed",
			Detail:  fmt.Sprintf("Cannot %s: %s Check the provider configuration.", what, msg),
		}
	}

	return Problem{
		Summary: "openEO Request Failed",
		Detail:  fmt.Sprintf("Cannot %s: %s Check the provider configuration and the back-end.", what, ensureSentence(err.Error())),
	}
}

// explainRefresh explains a refresh token that the identity provider
// refused, or whose refresh got no answer, and names the stored entry and
// the openeo-auth command that replaces it.
func explainRefresh(r *flows.RefreshTokenError, store string, s Settings, what string) Problem {
	token := "the refresh token of oidc.refresh_token"
	if r.Stored {
		token = fmt.Sprintf("the refresh token stored in %s for issuer '%s' and client '%s'", store, flows.LogURL(r.Issuer), r.ClientID)
	}
	login := fmt.Sprintf("Run `%s`%s in a terminal to log in again and store a new refresh token, then run Terraform again.",
		s.OIDCAuthCommand(flows.LogURL(s.URL), r.ProviderID), s.oidcAuthStdinNote())
	if !r.Stored {
		login = fmt.Sprintf("Set oidc.refresh_token to a valid refresh token, or remove it and run `%s`%s in a terminal "+
			"to log in and store one.", s.OIDCAuthCommand(flows.LogURL(s.URL), r.ProviderID), s.oidcAuthStdinNote())
	}
	if r.Failure == flows.RefreshAnswerLost {
		return Problem{
			Summary: "Refresh Token Answer Lost",
			Detail: fmt.Sprintf("Cannot %s: %s was sent to the identity provider, but no answer came back (%s). The "+
				"identity provider may have rotated the refresh token, and then the new one is lost. The request was "+
				"not sent again, because identity providers that detect reuse end the whole login when a spent refresh "+
				"token is presented twice. %s", what, token, clause(r.Err.Error()), login),
		}
	}
	summary := "Refresh Token No Longer Valid"
	if r.Stored {
		summary = "Stored Refresh Token No Longer Valid"
	}
	return Problem{
		Summary: summary,
		Detail: fmt.Sprintf("Cannot %s: the identity provider refused %s (%s). The refresh token is no longer valid: "+
			"another program rotated it, or it was revoked or has expired. %s", what, token, clause(r.Err.Error()), login),
	}
}

// storePath is the refresh-token file an error is about: the session's
// (see storeError), else the configured one.
func storePath(err error, s Settings) string {
	var se *storeError
	if errors.As(err, &se) && se.path != "" {
		return se.path
	}
	return storeName(s)
}

// clause is a message without its final period, to go before "." or ")".
func clause(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), ".")
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
	var apiErr *flows.APIError
	if errors.As(err, &apiErr) {
		return answer{status: apiErr.Status, code: apiErr.Code, ref: apiErr.ID, text: apiErr.Describe()}, true
	}
	var plain *flows.PlainError
	if errors.As(err, &plain) {
		return answer{status: plain.Status, text: plain.Describe()}, true
	}
	return answer{}, false
}

func explainAnswer(a answer, s Settings, what string) Problem {
	switch {
	case s.Method == MethodBasic && a.code != string(flows.CodeTokenInvalid) &&
		(a.code == string(flows.CodeCredentialsInvalid) || a.status == 401 || a.status == 403):
		return Problem{
			Summary: "Basic Authentication Failed",
			Detail: fmt.Sprintf("Cannot %s: the back-end rejected the basic credentials (%s). Check the user name "+
				"and password%s.", what, a.text, basicSources(s)),
		}
	case a.code == string(flows.CodeTokenInvalid):
		return Problem{
			Summary: "openEO Token Rejected",
			Detail: fmt.Sprintf("Cannot %s: the back-end rejected the token even after renewing it (%s). Check that "+
				"the auth method and OIDC provider are the ones this back-end accepts.", what, a.text),
		}
	case a.status == 429:
		return Problem{
			Summary: "openEO Back-End Busy",
			Detail: fmt.Sprintf("Cannot %s: %s. The back-end limits how often it may be asked: try again later, or "+
				"raise max_retries (now %d) so that the provider waits and retries longer.", what, a.text, s.MaxRetries),
		}
	case a.status >= 500:
		retry := ""
		if a.status == 502 || a.status == 503 || a.status == 504 {
			retry = fmt.Sprintf(" (or raise max_retries, now %d)", s.MaxRetries)
		}
		report := "report it to the back-end's operator"
		if a.ref != "" {
			report += " with the reference " + a.ref
		}
		return Problem{
			Summary: "openEO Back-End Error",
			Detail: fmt.Sprintf("Cannot %s: %s. The back-end or a proxy in front of it failed: try again later%s, and "+
				"if the error persists, %s.", what, a.text, retry, report),
		}
	}
	return Problem{
		Summary: "openEO Back-End Error",
		Detail:  fmt.Sprintf("Cannot %s: %s. Check the back-end URL and the credentials.", what, a.text),
	}
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

// OIDCAuthCommand is the `openeo-auth oidc-auth` command line that stores
// the refresh token this provider instance looks for, given the settings it
// was configured with: the back-end URL, plus
//   - --provider-id when oidc.provider_id was set (or came from
//     [EnvAuthProviderID] and is the provider that was selected:
//     selectedProviderID, "" when not known);
//   - --client-id when oidc.client_id was set (attribute or
//     [EnvAuthClientID]), with --client-secret-stdin when the client
//     secret is a provider attribute (openeo-auth reads
//     [EnvAuthClientSecret] itself);
//   - --auth-config / --refresh-tokens when auth_config_path /
//     refresh_token_store_path name other files than the default ones.
//
// Arguments are quoted for a POSIX shell when needed.
func (s Settings) OIDCAuthCommand(backendURL, selectedProviderID string) string {
	l := authcli.OIDCAuthLine{BackendURL: backendURL, ClientID: s.OIDC.ClientID, ClientSecretStdin: s.clientSecretFromAttribute()}
	switch s.Sources["oidc.provider_id"] {
	case SourceAttribute:
		l.ProviderID = s.OIDC.ProviderID
	case SourceEnv:
		if selectedProviderID == "" || selectedProviderID == s.OIDC.ProviderID {
			l.ProviderID = s.OIDC.ProviderID
		}
	}
	l.AuthConfig, l.RefreshTokens = s.customFilePaths()
	return l.String()
}

func (s Settings) clientSecretFromAttribute() bool {
	return s.OIDC.ClientID != "" && s.OIDC.ClientSecret != "" && s.Sources["oidc.client_secret"] == SourceAttribute
}

// oidcAuthStdinNote completes the sentence that names OIDCAuthCommand when
// the command reads the client secret from stdin.
func (s Settings) oidcAuthStdinNote() string {
	if !s.clientSecretFromAttribute() {
		return ""
	}
	return " (with the client secret of oidc.client_secret on its standard input)"
}

// customFilePaths returns the files of auth_config_path and
// refresh_token_store_path, resolved as the session resolves them, when they
// differ from the default files ("" otherwise).
func (s Settings) customFilePaths() (authConfig, refreshTokens string) {
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

func storeName(s Settings) string {
	if s.RefreshTokenStorePath != "" {
		return s.RefreshTokenStorePath
	}
	return "refresh-tokens.json"
}

func basicSources(s Settings) string {
	where := func(p, env string) string {
		switch s.Sources[p] {
		case SourceAttribute:
			return "the provider block"
		case SourceEnv:
			return env
		}
		return "auth-config.json"
	}
	u, p := where("basic.username", EnvAuthUsername), where("basic.password", EnvAuthPassword)
	if u == p {
		return " (both come from " + u + ")"
	}
	return " (the user name comes from " + u + ", the password from " + p + ")"
}

// urlSecrets returns the parts of rawURL that LogURL leaves out and that may
// hold secrets: the user info (whole, and its password) and the query.
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
