// Package settings is the one resolver of the openEO configuration: for one
// provider instance (one provider block or alias) or one openeo-auth command
// it decides every field as explicit value (attribute, flag) >
// OPENEO_AUTH_* / OPENEO_* environment variable > file (the client config
// file, auth-config.json, refresh-tokens.json) > default. The rules are the
// table [Fields], not code per field; the environment variable names appear
// nowhere else in the module's production code.
//
// Files are the last fallback. The client config file is read here
// (connection.default_backend, the auto_authenticate keys); auth-config.json
// and refresh-tokens.json are read by internal/flows when a login needs them,
// because their entries are keyed by the OIDC provider the back-end lists.
//
// A client id and its secret are one credential (see [Client]). There is no
// Terraform import here: the provider converts [Problem]s into diagnostics.
package settings

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Environment variables of the Python client (and the provider's
// OPENEO_AUTH_USERNAME and OPENEO_AUTH_PASSWORD).
const (
	EnvBackendURL       = "OPENEO_BACKEND_URL"
	EnvAuthMethod       = "OPENEO_AUTH_METHOD"
	EnvAuthUsername     = "OPENEO_AUTH_USERNAME"
	EnvAuthPassword     = "OPENEO_AUTH_PASSWORD"
	EnvAuthProviderID   = "OPENEO_AUTH_PROVIDER_ID"
	EnvAuthClientID     = "OPENEO_AUTH_CLIENT_ID"
	EnvAuthClientSecret = "OPENEO_AUTH_CLIENT_SECRET"
)

// File is the file a field falls back to after the environment.
type File string

// The files of the Python client.
const (
	NoFile        File = ""
	ClientConfig  File = "openeo-client-config.ini"
	AuthConfig    File = "auth-config.json"
	RefreshTokens File = "refresh-tokens.json"
)

// Defaults of the optional settings.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 3
	DefaultMaxPollTime    = 5 * time.Minute
	// DefaultRefreshTokenWarning is how long before a stored refresh token
	// expires the provider starts to warn (oidc.refresh_token_warning).
	DefaultRefreshTokenWarning = 7 * 24 * time.Hour
)

// Field is one row of the table: an attribute path of the provider block,
// the environment variable that is its fallback, the file after that and
// the default.
type Field struct {
	// Path is the attribute path, e.g. "oidc.client_id"; openeo-auth's
	// flags resolve through the same paths.
	Path string
	// Env is the environment fallback; "" for none.
	Env string
	// EnvFor restricts Env to these auth methods (nil: every method).
	EnvFor []flows.Method
	// File is the file fallback (read where noted in the package doc).
	File File
	// Default is the value when nothing is set ("" for none).
	Default string
	// Secret marks values that must never be shown.
	Secret bool
	// Credential marks the credentials from which an auth method is inferred.
	Credential bool
}

// Attribute paths.
const (
	URL                   = "url"
	AuthMethodPath        = "auth_method"
	BearerToken           = "bearer_token"
	AuthConfigPath        = "auth_config_path"
	RefreshTokenStorePath = "refresh_token_store_path"
	ClientConfigPath      = "client_config_path"
	RequestTimeout        = "request_timeout"
	MaxRetries            = "max_retries"
	CACertFile            = "ca_cert_file"
	BasicUsername         = "basic.username"
	BasicPassword         = "basic.password"
	OIDCProviderID        = "oidc.provider_id"
	OIDCClientID          = "oidc.client_id"
	OIDCClientSecret      = "oidc.client_secret"
	OIDCUsername          = "oidc.username"
	OIDCPassword          = "oidc.password"
	OIDCRefreshToken      = "oidc.refresh_token"
	OIDCAccessToken       = "oidc.access_token"
	OIDCMaxPollTime       = "oidc.max_poll_time"
	// OIDCRefreshTokenWarning is the warning window before a stored refresh
	// token expires; "0" turns the warning off.
	OIDCRefreshTokenWarning = "oidc.refresh_token_warning"

	OIDCSubjectToken           = "oidc.subject_token"
	OIDCSubjectTokenFile       = "oidc.subject_token_file"
	OIDCSubjectTokenEnv        = "oidc.subject_token_env"
	OIDCSubjectTokenType       = "oidc.subject_token_type"
	OIDCAudience               = "oidc.audience"
	OIDCRequestedTokenType     = "oidc.requested_token_type"
	OIDCHCPTerraformTag        = "oidc.hcp_terraform_tag"
	OIDCClientAssertionKey     = "oidc.client_assertion_key"
	OIDCClientAssertionKeyFile = "oidc.client_assertion_key_file"
	OIDCClientAssertionKeyID   = "oidc.client_assertion_key_id"
	OIDCClientAssertionAlg     = "oidc.client_assertion_alg"
	OIDCClientAssertion        = "oidc.client_assertion"
	ExecCommand                = "exec.command"
)

// DefaultSubjectTokenType is the subject_token_type of a token exchange
// when none is set: a JWT (a CI system's OIDC identity token).
const DefaultSubjectTokenType = "urn:ietf:params:oauth:token-type:jwt"

// Fields is the resolution table: explicit value > Env > File > Default,
// per field and per provider instance.
var Fields = []Field{
	{Path: URL, Env: EnvBackendURL, File: ClientConfig},
	{Path: AuthMethodPath, Env: EnvAuthMethod, File: ClientConfig, Default: string(flows.MethodNone)},
	{Path: BearerToken, Secret: true, Credential: true},
	{Path: AuthConfigPath, File: AuthConfig},
	{Path: RefreshTokenStorePath, File: RefreshTokens},
	{Path: ClientConfigPath, File: ClientConfig},
	{Path: RequestTimeout, Default: DefaultRequestTimeout.String()},
	{Path: MaxRetries, Default: strconv.Itoa(DefaultMaxRetries)},
	{Path: CACertFile},
	{Path: BasicUsername, Env: EnvAuthUsername, File: AuthConfig, Credential: true},
	{Path: BasicPassword, Env: EnvAuthPassword, File: AuthConfig, Secret: true, Credential: true},
	{Path: OIDCProviderID, Env: EnvAuthProviderID, File: AuthConfig, Credential: true},
	{Path: OIDCClientID, Env: EnvAuthClientID, File: AuthConfig, Credential: true},
	{Path: OIDCClientSecret, Env: EnvAuthClientSecret, File: AuthConfig, Secret: true, Credential: true},
	{Path: OIDCUsername, Env: EnvAuthUsername, EnvFor: []flows.Method{flows.MethodPassword}, Credential: true},
	{Path: OIDCPassword, Env: EnvAuthPassword, EnvFor: []flows.Method{flows.MethodPassword}, Secret: true, Credential: true},
	{Path: OIDCRefreshToken, File: RefreshTokens, Secret: true, Credential: true},
	{Path: OIDCAccessToken, Secret: true, Credential: true},
	{Path: OIDCMaxPollTime, Default: DefaultMaxPollTime.String()},
	{Path: OIDCRefreshTokenWarning, Default: DefaultRefreshTokenWarning.String()},
	{Path: OIDCSubjectToken, Secret: true},
	{Path: OIDCSubjectTokenFile},
	{Path: OIDCSubjectTokenEnv},
	{Path: OIDCSubjectTokenType, Default: DefaultSubjectTokenType},
	{Path: OIDCAudience},
	{Path: OIDCRequestedTokenType},
	{Path: OIDCHCPTerraformTag},
	{Path: OIDCClientAssertionKey, Secret: true},
	{Path: OIDCClientAssertionKeyFile},
	{Path: OIDCClientAssertionKeyID},
	{Path: OIDCClientAssertionAlg},
	{Path: OIDCClientAssertion, Secret: true},
	{Path: ExecCommand},
}

// Lookup returns the table row of path; ok is false for an unknown path.
func Lookup(path string) (Field, bool) {
	i := slices.IndexFunc(Fields, func(f Field) bool { return f.Path == path })
	if i < 0 {
		return Field{}, false
	}
	return Fields[i], true
}

// field is Lookup for the package's own paths, which are all in the table.
func field(path string) Field {
	f, ok := Lookup(path)
	if !ok {
		panic("settings: no table row for " + path)
	}
	return f
}

// EnvName is the environment fallback of path ("" for none).
func EnvName(path string) string { return field(path).Env }

// Default is the default of path ("" for none).
func Default(path string) string { return field(path).Default }

// MethodNames lists every auth method's name, in documentation order.
func MethodNames() []string {
	out := make([]string, len(flows.Methods))
	for i, m := range flows.Methods {
		out[i] = string(m)
	}
	return out
}

// ShortDuration prints a duration without trailing zero units, as people
// write it: 5m0s as 5m, 168h0m0s as 168h.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
