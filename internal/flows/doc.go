// Package flows authenticates against openEO back-ends the way the openEO
// Python client does, as a small plain-Go library on golang.org/x/oauth2.
//
// The high-level entry point is [NewSession]: it takes a [Config] (back-end
// URL, [Method], credentials, stores) and returns a [Session] whose
// [Session.Token] yields a cached, automatically renewed [Token] and whose
// [Session.Do] sends openEO requests with the bearer attached, renewing the
// token once when the back-end answers TokenInvalid.
//
// The building blocks are exported as well, for the openeo-auth command and
// for tests: [Client] performs the openEO and OIDC HTTP requests
// ([Client.ResolveRoot], [Client.Capabilities], [Client.OIDCProviders],
// [Client.Discover], [Client.ClientCredentialsGrant], [Client.DeviceAuthorize],
// [Client.PollDeviceToken], [Client.RevokeToken], ...), and the pure
// functions [SelectProvider], [SelectClient], [ScopeString], [BuildBearer]
// and [ParseBearer] implement the Python client's selection rules.
// [Session.GrantConfig] resolves provider and client without a token and
// says why they were chosen ([GrantConfig.Selection]); [Session.DeviceLogin]
// runs the device flow on request.
//
// # What golang.org/x/oauth2 does, and what stays here
//
// x/oauth2 builds and parses every token request: the client credentials
// grant (clientcredentials.Config), the password grant
// (Config.PasswordCredentialsToken), the refresh token grant
// (Config.TokenSource), each device-flow poll, client authentication as form
// fields (AuthStyleInParams: auto-detection would send a refused refresh
// token a second time), the token answer (id_token, scope and
// expires_in come from Token.Extra) and OAuth errors in JSON or form-encoded
// bodies (*oauth2.RetrieveError, mapped onto [*OIDCError]). Its requests go
// through this package's HTTP client (the oauth2.HTTPClient context key), so
// they keep its timeouts, retries, redirect refusal, bounded reads and
// scrubbing. PKCE verifiers and challenges are x/oauth2's (GenerateVerifier,
// S256ChallengeFromVerifier). What stays here, and why:
//
//   - The token cache (source.go): x/oauth2's ReuseTokenSource cannot be
//     told that a back-end rejected a token, so it has no forced renewal
//     after TokenInvalid.
//   - Refresh token rotation (auth_refresh_token.go): x/oauth2 keeps a
//     rotated refresh token in memory only; the session writes it back
//     through [RefreshTokenStore.RotateRefreshToken] and never sends a
//     refresh token twice (request.oneTime in http.go).
//   - The device poll loop (device.go): x/oauth2's DeviceAccessToken
//     reports no per-poll status and polls in whole seconds; so
//     VerifierOption, which only it and Exchange take, is not used either.
//   - The device authorization request (device.go): x/oauth2's DeviceAuth
//     builds its request without the context, sends no client_secret and
//     reads interval and expires_in only as integers; so S256ChallengeOption,
//     which only it and AuthCodeURL take, is not used either.
//   - Error bodies of discovery, device authorization and revocation
//     (parseOIDCError): x/oauth2 parses only the answers of its own token
//     requests; revocation (RFC 7009) is not in x/oauth2.
//   - The retry loop (http.go): go-retryablehttp bounds an attempt only by
//     the Timeout of its one http.Client (device polls need 5 s, other
//     requests [HTTPOptions.Timeout]), and the one-time rule (retry a
//     refresh token only when it cannot have been sent, or after 429/503)
//     would have to reach its CheckRetry through the context.
//
// Errors keep the Python client's messages and are classified without
// reading them: [errors.As] finds the typed errors ([*APIError],
// [*PlainError], [*OIDCError], [*TransportError], [*ClientError], [*RefreshTokenError],
// [*ProviderNotAvailableError], [*NeedsInteractiveLoginError]), and
// [errors.Is] the sentinels ([ErrNoOIDCProviders], [ErrProviderNotAvailable],
// [ErrNoClientID], [ErrNoRefreshToken], [ErrNoCredentials],
// [ErrBasicUnsupported], [ErrMissingTokenEndpoint],
// [ErrInvalidDiscoveryDocument], [ErrInvalidTokenResponse]) and the openEO
// error codes ([ErrorCode]).
//
// # Deliberate differences from the Python client
//
//   - Version discovery compares api_version values as SemVer, not as
//     strings ("1.10.0" is newer than "1.9.0").
//   - The bearer is the plain access token (no "oidc/<provider>/" prefix)
//     when the back-end's capabilities conform to
//     https://api.openeo.org/<version>/authentication/jwt (openEO API 1.3)
//     and the access token is a JWT with an "iss" claim; any other token
//     keeps the "oidc/<provider>/" form. Basic tokens are always
//     "basic//<token>".
//   - Tokens are renewed proactively shortly before they expire (see
//     [Config.RenewBefore]) in addition to the reactive renewal on
//     TokenInvalid that the Python client does.
//   - The [RefreshTokenStore] is the one source of truth for a stored
//     refresh token: a refresh that starts from a stored token runs under
//     the store's cross-process lock ([RefreshTokenStore.RotateRefreshToken]),
//     with the token stored at that moment (another process may have
//     rotated it), and a rotated token is written back before the lock is
//     released, whatever [OIDCSettings.StoreRefreshToken] says (that setting
//     decides only whether the token of a new login is stored). The Python
//     client keeps using the refresh token it started with within one
//     session and never shares a rotation with other processes; with
//     identity providers that rotate refresh tokens and detect reuse, two
//     processes on one stored token would end the login.
//   - The refresh token grant is never sent twice (see
//     [Client.RefreshTokenGrant]); a refused refresh token, or a refresh
//     whose answer was lost, is a [*RefreshTokenError].
//   - Every request has a timeout and bounded retries (also for OIDC token
//     requests, which the Python client never retries; the refresh token
//     grant only when it cannot have reached the identity provider or it
//     answered 429 or 503). openEO API and OIDC
//     requests use [HTTPOptions.Timeout] per attempt (the provider's
//     request_timeout, default 30 s) where the Python client waits up to
//     20 minutes for openEO requests; device-flow polls use 5 s, like the
//     Python client (never more than [HTTPOptions.Timeout]).
//   - Capability endpoint methods are compared case-insensitively.
//   - No environment variable is read here: the caller resolves them
//     (internal/settings) and passes the values in [Config], e.g. the
//     client as [OIDCSettings.ClientID] with its [OIDCSettings.ClientSource]
//     and a provider id from the environment as
//     [OIDCSettings.FallbackProviderID].
//   - [OIDCSettings.StoreRefreshToken] is false unless set, also for
//     [MethodOIDC] (authenticate_oidc stores by default). MethodOIDC still
//     asks for offline_access in its device fallback, like the Python client.
//   - A device-flow login renews with its refresh token whenever the
//     provider returned one, not only when it is stored.
//   - A back-end provider's authorization_parameters cannot override
//     client_id, scope or the PKCE fields of the device authorization request.
//   - Providers without a title are accepted (the id is used as title);
//     providers without id or issuer are skipped.
//   - The device flow, which needs a person, only runs with
//     [OIDCSettings.AllowInteraction]; otherwise a
//     [*NeedsInteractiveLoginError] says what to run.
//   - A confidential client (one with a client secret) authenticates at the
//     device authorization endpoint too: client_secret is sent as a form
//     field (client_secret_post, like at the token endpoint), as RFC 8628
//     §3.1 asks, and it is also sent in the device-flow polls when PKCE is
//     used. The Python client sends only client_id and scope there (and no
//     secret in PKCE polls), which fails at identity providers that require
//     client authentication. Public clients send exactly what the Python
//     client sends.
//   - [Client.RevokeToken] revokes tokens (RFC 7009), which the Python
//     client cannot do.
//   - Error messages never contain secrets: response bodies are scrubbed of
//     the secrets that were sent, in every encoding a server may echo them
//     in (see [Scrub]), and token responses are never quoted. Server text
//     is cleaned of control characters (see [CleanText]).
//   - OIDC POSTs (token, device authorization, revocation) never follow
//     redirects ([RedirectRefusedError]): the Python client's requests
//     session would re-send their secrets to the redirect target.
//
// The package imports no Terraform code and does no file I/O of its own: the
// auth-config.json and refresh-tokens.json files are reached through
// [AuthConfigReader] and [RefreshTokenStore].
package flows
