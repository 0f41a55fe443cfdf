package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openeo-tf/terraform-provider-openeo/internal/pyrepr"
)

// ErrorCode is an openEO error code (the "code" field of an openEO error
// object). An ErrorCode is also an error value, so the constants below work
// with [errors.Is]:
//
//	if errors.Is(err, flows.CodeTokenInvalid) { ... }
type ErrorCode string

// Error returns the code itself.
func (c ErrorCode) Error() string { return string(c) }

// openEO error codes related to authentication (errors.json, "Account
// Management"), plus a few that are useful to recognise.
const (
	CodeAuthenticationRequired      ErrorCode = "AuthenticationRequired"
	CodeAuthenticationSchemeInvalid ErrorCode = "AuthenticationSchemeInvalid"
	CodeTokenInvalid                ErrorCode = "TokenInvalid"
	CodeCredentialsInvalid          ErrorCode = "CredentialsInvalid"
	CodePermissionsInsufficient     ErrorCode = "PermissionsInsufficient"
	CodePaymentRequired             ErrorCode = "PaymentRequired"
	CodeFeatureUnsupported          ErrorCode = "FeatureUnsupported"
	CodeUnsupportedAPIVersion       ErrorCode = "UnsupportedApiVersion"
	CodeInternal                    ErrorCode = "Internal"
)

// APIError is an openEO error object returned by a back-end for a 4xx or 5xx
// response.
type APIError struct {
	Status  int    // HTTP status code
	Code    string // openEO error code, e.g. "TokenInvalid"
	Message string // human readable message
	ID      string // optional back-end reference, shown as "(ref: ...)"
	URL     string // optional link to documentation about the error

	// Method and Endpoint name the request that got this answer (Endpoint
	// without user info, query and fragment); empty when unknown, e.g. for
	// errors made by [ParseErrorResponse] alone.
	Method   string
	Endpoint string
	// Attempts is the number of attempts sent (1 + retries); 0 when unknown.
	Attempts int
}

// Error formats the error like the Python client:
// "[403] TokenInvalid: Authorization token has expired or is invalid. (ref: abc)".
// It does not name the request; see [APIError.Request] and
// [APIError.Describe].
func (e *APIError) Error() string {
	s := fmt.Sprintf("[%d] %s: %s", e.Status, e.Code, e.Message)
	if e.ID != "" {
		s += " (ref: " + e.ID + ")"
	}
	return s
}

// Request returns "GET https://host/openeo/1.2/me" (method and URL of the
// request that got this answer), or "" when unknown.
func (e *APIError) Request() string { return requestText(e.Method, e.Endpoint) }

// Describe returns the error with the request that got it, e.g.
// "GET https://host/openeo/1.2/me answered [403] TokenInvalid: ... (after 2
// attempts)"; without a known request it returns "the back-end answered ...".
func (e *APIError) Describe() string { return describeAnswer(e.Request(), e.Error(), e.Attempts) }

// Is reports whether target is the same openEO error code (an [ErrorCode]),
// or an *APIError whose non-zero fields (Status, Code) match.
func (e *APIError) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return e.Code == string(t)
	case *APIError:
		return (t.Code == "" || t.Code == e.Code) && (t.Status == 0 || t.Status == e.Status)
	}
	return false
}

// IsCode reports whether err (or an error it wraps) is an *APIError with one
// of the given openEO error codes.
func IsCode(err error, codes ...ErrorCode) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.Code == string(c) {
			return true
		}
	}
	return false
}

// isTokenInvalid is the reactive renewal trigger of the Python client:
// status 401 or 403 with code TokenInvalid.
func isTokenInvalid(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) &&
		ae.Code == string(CodeTokenInvalid)
}

// PlainError is a 4xx/5xx response that carried no openEO error object, for
// example an HTML page from a proxy. Body holds a readable excerpt: tags
// removed, white space collapsed and cut to about 200 characters.
type PlainError struct {
	Status int
	Body   string

	// Method, Endpoint and Attempts are those of [APIError].
	Method   string
	Endpoint string
	Attempts int
}

// Error returns "[502] Bad Gateway: <excerpt>". It does not name the
// request; see [PlainError.Request] and [PlainError.Describe].
func (e *PlainError) Error() string {
	s := fmt.Sprintf("[%d]", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		s += " " + t
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Request returns "GET https://host/openeo/1.2/credentials/oidc", or ""
// when unknown.
func (e *PlainError) Request() string { return requestText(e.Method, e.Endpoint) }

// Describe returns the error with the request that got it, e.g.
// "GET https://host/openeo/1.2/credentials/oidc answered [502] Bad Gateway:
// nginx (after 4 attempts)".
func (e *PlainError) Describe() string { return describeAnswer(e.Request(), e.Error(), e.Attempts) }

func requestText(method, endpoint string) string {
	if endpoint == "" {
		return ""
	}
	return orString(method, http.MethodGet) + " " + endpoint
}

func describeAnswer(request, answer string, attempts int) string {
	if request == "" {
		request = "the back-end"
	}
	s := request + " answered " + answer
	if attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", attempts)
	}
	return s
}

// withRequest records the request (method, URL without secrets, attempts) in
// an *APIError or *PlainError made by [ParseErrorResponse] and returns it.
func withRequest(err error, method, rawURL string, attempts int) error {
	method = orString(method, http.MethodGet)
	var ae *APIError
	var pe *PlainError
	switch {
	case errors.As(err, &ae):
		ae.Method, ae.Endpoint, ae.Attempts = method, logURL(rawURL), attempts
	case errors.As(err, &pe):
		pe.Method, pe.Endpoint, pe.Attempts = method, logURL(rawURL), attempts
	}
	return err
}

// OIDCError is a failed request to an OpenID Connect provider: discovery,
// device authorization, token or revocation endpoint.
type OIDCError struct {
	// Op says what was attempted, ending in a preposition, e.g.
	// "retrieve access token at".
	Op string
	// Endpoint is the URL that was requested. Error shows it without user
	// info, query and fragment.
	Endpoint string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// Code and Description are the OAuth "error" and "error_description"
	// fields, when the response had them.
	Code        string
	Description string
	// Body is a readable excerpt of a response that was not an OAuth error
	// object.
	Body string
	// Err is the underlying transport or parse error, if any.
	Err error
}

// Error reads like the Python client's messages, for example
// "Failed to retrieve access token at 'https://idp/token': [400] invalid_grant: bad code".
func (e *OIDCError) Error() string {
	var b strings.Builder
	b.WriteString("Failed to ")
	b.WriteString(e.Op)
	b.WriteString(" '")
	b.WriteString(logURL(e.Endpoint))
	b.WriteString("'")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": [%d]", e.Status)
		switch {
		case e.Code != "":
			b.WriteString(" " + e.Code)
			if e.Description != "" {
				b.WriteString(": " + e.Description)
			}
		case e.Body != "":
			b.WriteString(" " + e.Body)
		default:
			b.WriteString(" " + http.StatusText(e.Status))
		}
	}
	if e.Err != nil {
		var te *TransportError
		if errors.As(e.Err, &te) {
			b.WriteString(": " + te.cause())
		} else {
			b.WriteString(": " + e.Err.Error())
		}
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *OIDCError) Unwrap() error { return e.Err }

// NeedsInteractiveLoginError is returned when authentication needs a person
// (an OIDC device flow) but [OIDCSettings.AllowInteraction] is false and no
// usable refresh token exists.
type NeedsInteractiveLoginError struct {
	BackendURL string
	ProviderID string
	ClientID   string
	Issuer     string
	// Reason says why no token could be obtained without a person.
	Reason string
	// Err is the failed refresh attempt, if there was one.
	Err error
}

func (e *NeedsInteractiveLoginError) Error() string {
	backend := logURL(e.BackendURL)
	s := fmt.Sprintf("openEO back-end '%s' needs an interactive OIDC login (provider '%s', client '%s', issuer '%s')",
		backend, e.ProviderID, e.ClientID, e.Issuer)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s + fmt.Sprintf(". Run `openeo-auth oidc-auth %s` to log in and store a refresh token.", backend)
}

// Unwrap returns the failed refresh attempt, if any.
func (e *NeedsInteractiveLoginError) Unwrap() error { return e.Err }

// RefreshFailure says why a refresh token grant failed in a way that
// concerns the refresh token itself (see [RefreshTokenError]).
type RefreshFailure string

// Refresh failures.
const (
	// RefreshRefused: the identity provider refused the refresh token
	// (invalid_grant, or invalid_request about the refresh token, as dex
	// answers): it was rotated by another program, revoked or has expired.
	RefreshRefused RefreshFailure = "refused"
	// RefreshAnswerLost: the grant may have reached the identity provider,
	// but no complete answer came back. It was not sent again: the provider
	// may have rotated the token, and a spent refresh token presented again
	// ends the whole login at providers that detect reuse.
	RefreshAnswerLost RefreshFailure = "answer lost"
)

// RefreshTokenError is a refresh token grant that failed because of its
// refresh token: refused by the identity provider, or sent without an
// answer. It wraps the [*OIDCError] of the grant.
type RefreshTokenError struct {
	Failure RefreshFailure
	// Issuer (normalised, the [RefreshTokenStore] key), ProviderID and
	// ClientID identify the refresh token's login.
	Issuer     string
	ProviderID string
	ClientID   string
	// Stored is true when the refresh token is the RefreshTokenStore entry
	// of (Issuer, ClientID).
	Stored bool
	Err    error
}

func (e *RefreshTokenError) Error() string {
	if e.Failure == RefreshAnswerLost {
		return e.Err.Error() + " (the refresh token was sent, but no answer came back; it was not sent again)"
	}
	return e.Err.Error()
}

// Unwrap returns the error of the grant.
func (e *RefreshTokenError) Unwrap() error { return e.Err }

// refreshFailure classifies an error of [Client.RefreshTokenGrant]; "" when
// it is not about the refresh token.
func refreshFailure(err error) RefreshFailure {
	var oe *OIDCError
	if !errors.As(err, &oe) {
		return ""
	}
	if oe.Status != 0 && oe.Err == nil {
		desc := strings.ToLower(oe.Description)
		if oe.Code == "invalid_grant" ||
			(oe.Code == "invalid_request" && (strings.Contains(desc, "refresh token") || strings.Contains(desc, "refresh_token"))) {
			return RefreshRefused
		}
		return ""
	}
	var te *TransportError
	if errors.As(err, &te) && !te.unsent {
		return RefreshAnswerLost
	}
	return ""
}

// Sentinel errors that classify the failures of this package. Match them with
// [errors.Is]: the errors that wrap them carry the messages people read (the
// Python client's, where it has one), so the sentinels' own texts appear
// only where noted.
var (
	// ErrNoOIDCProviders: GET /credentials/oidc lists no usable provider
	// ("Backend lists no OIDC providers."). The *ClientError names the
	// request in its Endpoint when it is known.
	ErrNoOIDCProviders = errors.New("no OIDC providers listed")
	// ErrProviderNotAvailable: the requested provider id is not listed;
	// [errors.As] gives the [*ProviderNotAvailableError] with the id and the
	// listed ids.
	ErrProviderNotAvailable = errors.New("requested OIDC provider not available")
	// ErrNoClientID: no OIDC client id was given or found ("No client_id
	// found.").
	ErrNoClientID = errors.New("no client_id found")
	// ErrNoRefreshToken: a refresh token is needed but none was given or
	// stored ("No refresh token given or found").
	ErrNoRefreshToken = errors.New("no refresh token given or found")
	// ErrNoCredentials: basic authentication without a user name
	// ("No username/password given or found.").
	ErrNoCredentials = errors.New("no username/password given or found")
	// ErrBasicUnsupported: the back-end's capabilities do not list GET
	// /credentials/basic ("This openEO back-end does not support basic
	// authentication.").
	ErrBasicUnsupported = errors.New("basic authentication not supported")
	// ErrMissingTokenEndpoint: an OIDC discovery document without
	// token_endpoint; wrapped by the *OIDCError of [Client.Discover], whose
	// message shows this text.
	ErrMissingTokenEndpoint = errors.New("discovery document has no token_endpoint")
	// ErrInvalidDiscoveryDocument: an OIDC discovery document that is not a
	// JSON object; wrapped by the *OIDCError of [Client.Discover].
	ErrInvalidDiscoveryDocument = errors.New("invalid OIDC discovery document")
	// ErrInvalidTokenResponse: a 200 answer of a token endpoint that is not
	// a usable token response (not JSON, no access_token, a token_type other
	// than Bearer); wrapped by the *OIDCError of the grant.
	ErrInvalidTokenResponse = errors.New("invalid OIDC token response")
	// ErrSubjectToken: a token exchange has no usable subject token (none
	// configured, a file that is missing, unreadable or empty, an expired
	// token, a failed GitHub Actions token request); the *ClientError's
	// message says which and what to do.
	ErrSubjectToken = errors.New("no usable subject token")
)

// ClientError is a failure detected by this package before or instead of an
// HTTP error, worded like the Python client's OpenEoClientException (for
// example "No client_id found." or "Backend lists no OIDC providers.").
type ClientError struct {
	Message string
	Err     error
	// Kind classifies the error for [errors.Is] and [errors.As] (for
	// example [ErrNoClientID], or a [*ProviderNotAvailableError]); its text
	// is not part of Error. nil for unclassified errors.
	Kind error
	// Endpoint is the URL (without user info, query and fragment) of the
	// request whose answer led to the error, e.g. GET /credentials/oidc for
	// [ErrNoOIDCProviders]; "" when none or unknown.
	Endpoint string
}

func (e *ClientError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause and the kind, when set.
func (e *ClientError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Err, e.Kind} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// kindErrorf returns a *ClientError of the given kind with the formatted
// message.
func kindErrorf(kind error, format string, args ...any) error {
	return &ClientError{Message: fmt.Sprintf(format, args...), Kind: kind}
}

func clientErrorf(format string, args ...any) error {
	return &ClientError{Message: fmt.Sprintf(format, args...)}
}

// ProviderNotAvailableError is the Kind of the *ClientError that
// [SelectProvider] returns when the requested provider is not listed. It
// matches [ErrProviderNotAvailable].
type ProviderNotAvailableError struct {
	// ProviderID is the requested id.
	ProviderID string
	// Available are the ids the back-end lists, in its order.
	Available []string
}

// Error returns the Python client's message: "Requested OIDC provider 'x'
// not available. Should be one of ['a', 'b'].".
func (e *ProviderNotAvailableError) Error() string {
	return fmt.Sprintf("Requested OIDC provider '%s' not available. Should be one of %s.", e.ProviderID, pyrepr.List(e.Available))
}

// Is reports whether target is [ErrProviderNotAvailable].
func (e *ProviderNotAvailableError) Is(target error) bool { return target == ErrProviderNotAvailable }

// kindError is an error with its own text that also matches kind (a
// sentinel) and wraps err, when set.
type kindError struct {
	text string
	kind error
	err  error
}

func (e *kindError) Error() string { return e.text }

func (e *kindError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

// ParseErrorResponse turns an openEO error response into an *APIError when
// the body is a JSON object with string "code" and "message" fields, and
// into a *PlainError otherwise. It is the one place where openEO error
// bodies are parsed. The result names no request: this package's own
// requests fill in Method, Endpoint and Attempts; callers of [Session.Do]
// may set them.
func ParseErrorResponse(status int, contentType string, body []byte) error {
	return parseErrorResponse(status, contentType, body, nil)
}

// parseErrorResponse is ParseErrorResponse for a response to a request that
// carried secrets: every form of them is removed from the body before it is
// parsed and from the texts taken from it (see [Scrub]), and every text is
// cleaned of control characters (see [CleanText]) before it is cut short.
func parseErrorResponse(status int, contentType string, body []byte, secrets []string) error {
	body = scrubBytes(body, secrets)
	var obj struct {
		Code    *string         `json:"code"`
		Message *string         `json:"message"`
		ID      json.RawMessage `json:"id"`
		URL     json.RawMessage `json:"url"`
	}
	if json.Unmarshal(body, &obj) == nil && obj.Code != nil && obj.Message != nil {
		return &APIError{
			Status:  status,
			Code:    serverText(*obj.Code, secrets),
			Message: serverText(*obj.Message, secrets),
			ID:      serverText(jsonScalar(obj.ID), secrets),
			URL:     serverText(jsonScalar(obj.URL), secrets),
		}
	}
	return &PlainError{Status: status, Body: excerpt(contentType, body, secrets)}
}

// serverText makes a text from a server's answer fit for messages and
// logs: secrets scrubbed, control characters and bidi overrides removed.
func serverText(s string, secrets []string) string { return CleanText(Scrub(s, secrets...)) }

// CleanText removes what must not reach a terminal or a log from a text a
// server supplied: invalid UTF-8 (replaced by U+FFFD), control characters
// (NUL, ESC of ANSI escape sequences, carriage returns, C1 controls; tabs
// and newlines become spaces) and the bidirectional formatting characters
// (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) that reorder how
// text is displayed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}

// jsonScalar renders a JSON string or number as text; other values give "".
func jsonScalar(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// maxExcerpt is the length of body excerpts kept in errors.
const maxExcerpt = 200

// excerpt makes a response body readable for an error message: invalid UTF-8
// replaced, HTML tags (and script/style contents) removed, white space
// collapsed, and the result cut to about maxExcerpt characters.
func excerpt(contentType string, body []byte, secrets []string) string {
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	trimmed := strings.TrimSpace(s)
	if strings.Contains(strings.ToLower(contentType), "html") || strings.HasPrefix(trimmed, "<") {
		s = stripTags(s)
	}
	s = strings.Join(strings.FieldsFunc(serverText(s, secrets), unicode.IsSpace), " ")
	return truncate(s, maxExcerpt)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// stripTags removes markup from an HTML document, keeping the text. It is a
// readability aid for error messages, not an HTML parser.
func stripTags(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			b.WriteByte(s[i])
			i++
			continue
		}
		// Skip the contents of script and style elements entirely.
		skipped := false
		for _, el := range []string{"script", "style"} {
			if strings.HasPrefix(lower[i:], "<"+el) {
				if end := strings.Index(lower[i:], "</"+el); end >= 0 {
					if gt := strings.IndexByte(s[i+end:], '>'); gt >= 0 {
						i += end + gt + 1
						skipped = true
					}
				}
			}
		}
		if skipped {
			b.WriteByte(' ')
			continue
		}
		gt := strings.IndexByte(s[i:], '>')
		if gt < 0 {
			break // unterminated tag: drop the rest
		}
		i += gt + 1
		b.WriteByte(' ')
	}
	return html.UnescapeString(b.String())
}

// parseOIDCError builds the *OIDCError for a non-success answer of an
// OpenID provider outside the token endpoint (discovery, device
// authorization, revocation), whose JSON error bodies x/oauth2 does not
// parse; the token endpoint's errors are x/oauth2's (see
// oauthTransport.oidcError).
func parseOIDCError(op, endpoint string, status int, contentType string, body []byte, secrets []string) *OIDCError {
	var obj struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(scrubBytes(body, secrets), &obj)
	return answerError(op, endpoint, status, contentType, body, secrets, obj.Error, obj.ErrorDescription)
}

// answerError is the *OIDCError of an answer with an OAuth error code and
// description; without a code, it holds an excerpt of the body. Secrets of
// the request are scrubbed and server text is cleaned as in
// parseErrorResponse.
func answerError(op, endpoint string, status int, contentType string, body []byte, secrets []string,
	code, description string) *OIDCError {
	e := &OIDCError{Op: op, Endpoint: endpoint, Status: status}
	if code == "" {
		e.Body = excerpt(contentType, scrubBytes(body, secrets), secrets)
		return e
	}
	e.Code = truncate(serverText(code, secrets), maxExcerpt)
	e.Description = truncate(serverText(description, secrets), maxExcerpt)
	return e
}
