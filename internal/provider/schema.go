package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// providerModel is the provider block as Terraform sends it.
type providerModel struct {
	URL                    types.String `tfsdk:"url"`
	AuthMethod             types.String `tfsdk:"auth_method"`
	BearerToken            types.String `tfsdk:"bearer_token"`
	AuthConfigPath         types.String `tfsdk:"auth_config_path"`
	RefreshTokenStorePath  types.String `tfsdk:"refresh_token_store_path"`
	ClientConfigPath       types.String `tfsdk:"client_config_path"`
	RequestTimeout         types.String `tfsdk:"request_timeout"`
	MaxRetries             types.Int64  `tfsdk:"max_retries"`
	AllowInsecureBasicAuth types.Bool   `tfsdk:"allow_insecure_basic_auth"`
	CACertFile             types.String `tfsdk:"ca_cert_file"`
	Basic                  types.Object `tfsdk:"basic"`
	OIDC                   types.Object `tfsdk:"oidc"`
	Exec                   types.Object `tfsdk:"exec"`
}

type execModel struct {
	Command types.String `tfsdk:"command"`
	Args    types.List   `tfsdk:"args"`
	Env     types.Map    `tfsdk:"env"`
}

type basicModel struct {
	Username types.String `tfsdk:"username"`
	Password types.String `tfsdk:"password"`
}

type oidcModel struct {
	ProviderID        types.String `tfsdk:"provider_id"`
	ClientID          types.String `tfsdk:"client_id"`
	ClientSecret      types.String `tfsdk:"client_secret"`
	Username          types.String `tfsdk:"username"`
	Password          types.String `tfsdk:"password"`
	RefreshToken      types.String `tfsdk:"refresh_token"`
	AccessToken       types.String `tfsdk:"access_token"`
	Scopes            types.List   `tfsdk:"scopes"`
	StoreRefreshToken types.Bool   `tfsdk:"store_refresh_token"`
	MaxPollTime       types.String `tfsdk:"max_poll_time"`
	// RefreshTokenWarning is oidc.refresh_token_warning.
	RefreshTokenWarning types.String `tfsdk:"refresh_token_warning"`

	SubjectToken           types.String `tfsdk:"subject_token"`
	SubjectTokenFile       types.String `tfsdk:"subject_token_file"`
	SubjectTokenEnv        types.String `tfsdk:"subject_token_env"`
	SubjectTokenType       types.String `tfsdk:"subject_token_type"`
	Audience               types.String `tfsdk:"audience"`
	RequestedTokenType     types.String `tfsdk:"requested_token_type"`
	HCPTerraformTag        types.String `tfsdk:"hcp_terraform_tag"`
	ClientAssertionKey     types.String `tfsdk:"client_assertion_key"`
	ClientAssertionKeyFile types.String `tfsdk:"client_assertion_key_file"`
	ClientAssertionKeyID   types.String `tfsdk:"client_assertion_key_id"`
	ClientAssertionAlg     types.String `tfsdk:"client_assertion_alg"`
	ClientAssertion        types.String `tfsdk:"client_assertion"`
}

var basicAttrTypes = map[string]attr.Type{
	"username": types.StringType,
	"password": types.StringType,
}

var oidcAttrTypes = map[string]attr.Type{
	"provider_id":           types.StringType,
	"client_id":             types.StringType,
	"client_secret":         types.StringType,
	"username":              types.StringType,
	"password":              types.StringType,
	"refresh_token":         types.StringType,
	"access_token":          types.StringType,
	"scopes":                types.ListType{ElemType: types.StringType},
	"store_refresh_token":   types.BoolType,
	"max_poll_time":         types.StringType,
	"refresh_token_warning": types.StringType,

	"subject_token":             types.StringType,
	"subject_token_file":        types.StringType,
	"subject_token_env":         types.StringType,
	"subject_token_type":        types.StringType,
	"audience":                  types.StringType,
	"requested_token_type":      types.StringType,
	"hcp_terraform_tag":         types.StringType,
	"client_assertion_key":      types.StringType,
	"client_assertion_key_file": types.StringType,
	"client_assertion_key_id":   types.StringType,
	"client_assertion_alg":      types.StringType,
	"client_assertion":          types.StringType,
}

func methodList() string {
	q := settings.MethodNames()
	for i, m := range q {
		q[i] = "`" + m + "`"
	}
	return strings.Join(q, ", ")
}

// Schema describes the provider block.
func (p *openeoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The openEO provider authenticates against an [openEO](https://openeo.org) back-end " +
			"the way the openEO Python client does (basic and OpenID Connect, the same environment variables and the same " +
			"`auth-config.json` / `refresh-tokens.json` files) and exposes the account, the bearer token, the OIDC providers " +
			"and the capabilities of the back-end.\n\n" +
			"Every value is optional in the configuration and is merged per field: **explicit attribute > environment variable > " +
			"files**. Two provider instances (aliases) never share values. Authentication is lazy: it happens the first time a " +
			"data source or ephemeral resource needs a token, once per provider instance and Terraform run.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of the openEO back-end, e.g. `https://openeo.example.org` (version discovery through " +
					"`/.well-known/openeo` is done). Environment fallback: `" + settings.EnvBackendURL + "`; then " +
					"`connection.default_backend` from the openEO client config file (`openeo-client-config.ini`). No default.",
			},
			"auth_method": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How to authenticate: one of " + methodList() + ". `oidc` is the Python client's dynamic " +
					"selection (stored refresh token, else device code flow when a terminal is available); as in " +
					"`authenticate_oidc()`, `" + settings.EnvAuthMethod + "=client_credentials` switches it to `client_credentials`. " +
					"Environment fallback: `" + settings.EnvAuthMethod + "`, except when the credentials set in this provider block " +
					"imply exactly one other method and the variable's method would not use all of them: explicit " +
					"configuration beats the environment, so the block's method is used, with a warning. When neither is " +
					"set, the method is inferred from the " +
					"credentials given as attributes (`bearer_token` → `bearer`, `oidc.access_token` → `access_token`, " +
					"`oidc.refresh_token` → `refresh_token`, `oidc.username`/`password` → `password`, a `basic` block → `basic`, " +
					"`oidc.client_secret` → `client_credentials`, any other `oidc` block → `oidc`; credentials of two methods, " +
					"such as a `basic` block with `oidc.client_secret`, are an error), then from the client config " +
					"file (`connection.default_backend.auto_authenticate` when the URL is the file's default back-end, " +
					"`connection.auto_authenticate`), then from credentials in the environment (`" + settings.EnvAuthUsername + "` → " +
					"`basic`, `" + settings.EnvAuthClientID + "` and `" + settings.EnvAuthClientSecret + "` → `client_credentials`). " +
					"Default: `none` (anonymous).",
				Validators: []validator.String{stringvalidator.OneOf(settings.MethodNames()...)},
			},
			"bearer_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A complete openEO bearer string (e.g. `basic//abc` or `oidc/egi/eyJ...`) used as is with " +
					"`auth_method = \"bearer\"`. No environment fallback. No default.",
			},
			"auth_config_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the openEO client's `auth-config.json` (basic credentials and OIDC client settings " +
					"per back-end, the last fallback for `basic` and `oidc` values). No environment variable of its own; the " +
					"default follows the environment like the Python client: `auth-config.json` in " +
					"`$OPENEO_CONFIG_HOME` when it is set (for both files, whether the folder exists or not), else the first " +
					"existing folder of `$XDG_CONFIG_HOME/openeo-python-client` and `~/.config/openeo-python-client`.",
			},
			"refresh_token_store_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the openEO client's `refresh-tokens.json`, read by the `oidc` and " +
					"`refresh_token` methods and written when the identity provider rotates a token read from it (and, with " +
					"`oidc.store_refresh_token`, after a new login). No environment variable of its " +
					"own; the default follows the environment like the Python client: `refresh-tokens.json` in " +
					"`$OPENEO_CONFIG_HOME` when it is set (for both files, whether the folder exists or not), else the first " +
					"existing folder of `$XDG_DATA_HOME/openeo-python-client` and `~/.local/share/openeo-python-client`.",
			},
			"client_config_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of the openEO client config file (`.ini`) read for `url` and `auth_method` fallbacks. " +
					"Environment fallback: `OPENEO_CLIENT_CONFIG`. Default: the Python client's search order: `$OPENEO_CLIENT_CONFIG`, `./openeo-client-config.ini`, " +
					"`$OPENEO_CONFIG_HOME/openeo-client-config.ini`, `$XDG_CONFIG_HOME/openeo-python-client/openeo-client-config.ini`, " +
					"`~/.openeo-client-config.ini`.",
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Timeout of each HTTP request to the back-end and the identity provider, as a "+
					"Go duration (e.g. `30s`, `2m`). No environment fallback. Default: `%s`.", settings.ShortDuration(settings.DefaultRequestTimeout)),
				Validators: []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a connection error or an HTTP "+
					"429/502/503/504 answer, with exponential back-off. `0` disables retries. No environment fallback. Default: `%d`.",
					settings.DefaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, 10)},
			},
			"ca_cert_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of a PEM file with the certificates of private certificate authorities to trust for " +
					"`https://` connections to the back-end and the identity provider, in addition to the system's trusted " +
					"roots. No environment fallback (the environment variable `SSL_CERT_FILE` replaces the system's roots " +
					"with a PEM bundle instead). Default: only the system's roots. There is no option to skip certificate " +
					"verification.",
			},
			"allow_insecure_basic_auth": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow `basic` authentication to send the username and password over plain `http://` to a " +
					"host that is not loopback (`localhost`, `127.0.0.0/8`, `::1`). Only for test set-ups. No environment " +
					"fallback. Default: `false`.",
			},
		},
		Blocks: map[string]schema.Block{
			"basic": schema.SingleNestedBlock{
				MarkdownDescription: "Credentials for `auth_method = \"basic\"` (`GET /credentials/basic`). Each field falls back " +
					"to its environment variable, then to the `auth-config.json` entry of the back-end URL.",
				Attributes: map[string]schema.Attribute{
					"username": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "User name. Environment fallback: `" + settings.EnvAuthUsername + "`; then the " +
							"`auth-config.json` entry for the back-end. No default.",
					},
					"password": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Password. Environment fallback: `" + settings.EnvAuthPassword + "`; then the " +
							"`auth-config.json` entry for the back-end (only used together with a username found there). No default.",
					},
				},
			},
			"oidc": schema.SingleNestedBlock{
				MarkdownDescription: "OpenID Connect settings for the methods `oidc`, `client_credentials`, `password`, " +
					"`refresh_token`, `device_code`, `access_token` and `token_exchange`.",
				Attributes: map[string]schema.Attribute{
					"provider_id": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Id of the back-end's OIDC provider (see the `openeo_oidc_providers` data source). " +
							"Environment fallback: `" + settings.EnvAuthProviderID + "` (used only when the back-end lists it); then the " +
							"single provider configured in `auth-config.json`. Default: the back-end's first (default) provider.",
					},
					"client_id": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "OIDC client id. Environment fallback: `" + settings.EnvAuthClientID + "`; then the " +
							"`auth-config.json` entry for the back-end and provider (with that entry's secret). Default: a matching " +
							"default client listed by the back-end (not for `client_credentials` and `password`). The id and its " +
							"secret are one credential: a client id from the environment never takes the secret of the " +
							"`auth-config.json` entry.",
					},
					"client_secret": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "OIDC client secret of the client id given as `oidc.client_id` or `" +
							settings.EnvAuthClientID + "`. Environment fallback: `" + settings.EnvAuthClientSecret + "` (it completes a " +
							"configured `oidc.client_id`). Without a given client id, the client and secret of the " +
							"`auth-config.json` entry for the back-end and provider are used instead. Default: none (public client).",
					},
					"username": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "User name for `auth_method = \"password\"` (resource owner password grant). " +
							"Environment fallback (only for that method): `" + settings.EnvAuthUsername + "`. No default.",
					},
					"password": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Password for `auth_method = \"password\"`. Environment fallback (only for that " +
							"method): `" + settings.EnvAuthPassword + "`. No default.",
					},
					"refresh_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Refresh token for `auth_method = \"refresh_token\"`. No environment fallback; " +
							"falls back to the token stored in `refresh-tokens.json` for the provider's issuer and client id " +
							"(as written by `openeo-auth oidc-auth <url>`). No default.",
					},
					"access_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "An OIDC access token for `auth_method = \"access_token\"`; sent as " +
							"`oidc/<provider_id>/<access_token>` and never renewed. No environment fallback. No default.",
					},
					"scopes": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						MarkdownDescription: "Extra scopes to request on top of `openid` and the scopes the back-end lists " +
							"for the provider. No environment fallback. Default: none.",
					},
					"store_refresh_token": schema.BoolAttribute{
						Optional: true,
						MarkdownDescription: "Write the refresh token of a new login (device code flow, password, or " +
							"`oidc.refresh_token`) to `refresh-tokens.json`. A refresh token read from that file is always " +
							"written back when the identity provider rotates it, whatever this says. No environment fallback. " +
							"Default: `true` for `auth_method = \"oidc\"`, `false` otherwise (as the Python client).",
					},
					"max_poll_time": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("How long the device code flow waits for the user to approve, as a "+
							"Go duration (e.g. `5m`). No environment fallback. Default: `%s`.", settings.ShortDuration(settings.DefaultMaxPollTime)),
						Validators: []validator.String{durationValidator{}},
					},
					"refresh_token_warning": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("Warn at plan time when the refresh token stored in "+
							"`refresh-tokens.json` for the selected provider's issuer and client (the one the provider logs in "+
							"with and will use again) expires within this window, or has expired, as far as the identity provider "+
							"told its expiry (`refresh_expires_in`, or the `exp` of a JWT refresh token). A Go duration "+
							"(e.g. `72h`); `0` turns the warning off. No environment fallback. Default: `%s` (7 days).",
							settings.ShortDuration(settings.DefaultRefreshTokenWarning)),
						Validators: []validator.String{durationValidator{allowZero: true}},
					},
					"subject_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "The subject token of `auth_method = \"token_exchange\"` (RFC 8693), e.g. a CI " +
							"system's OIDC identity token. A provider attribute accepts ephemeral values, so an ephemeral " +
							"resource or an ephemeral variable can feed it without the token reaching plan or state. Taken " +
							"as it is for every exchange (use a source below to get a fresh one for each renewal). No " +
							"environment fallback. When unset, the first of these sources is used: `subject_token_file`, " +
							"GitHub Actions (`" + settings.EnvActionsIDTokenRequestURL + "` and `" + settings.EnvActionsIDTokenRequestToken +
							"`, requested with `audience`), the variable named by `subject_token_env`, `" + settings.EnvHCPTerraformToken +
							"` (or `" + settings.EnvHCPTerraformToken + "_<TAG>` with `hcp_terraform_tag`). No default.",
					},
					"subject_token_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "A file holding the subject token of a token exchange (e.g. a Kubernetes projected " +
							"service account token); read again for every exchange, so a rotated token is picked up. No " +
							"environment fallback. No default.",
					},
					"subject_token_env": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The name of an environment variable holding the subject token of a token exchange, " +
							"e.g. the variable GitLab CI's `id_tokens:` writes (`OPENEO_ID_TOKEN` for `id_tokens: { OPENEO_ID_TOKEN: " +
							"{ aud: ... } }`). No environment fallback. No default.",
					},
					"subject_token_type": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The `subject_token_type` of a token exchange. No environment fallback. Default: `" +
							settings.DefaultSubjectTokenType + "`.",
					},
					"audience": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The `audience` of a token exchange, also the audience requested from GitHub " +
							"Actions for its identity token (the identity provider checks it: usually its issuer URL or the " +
							"client id it was told to trust). No environment fallback. Default: none (GitHub Actions' default " +
							"audience).",
					},
					"requested_token_type": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The `requested_token_type` of a token exchange. No environment fallback. Default: " +
							"none (the identity provider's choice, an access token).",
					},
					"hcp_terraform_tag": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The tag of the HCP Terraform / Terraform Enterprise workload identity token to " +
							"exchange: `TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>` (from `TFC_WORKLOAD_IDENTITY_AUDIENCE_<TAG>`). No " +
							"environment fallback. Default: none (`TFC_WORKLOAD_IDENTITY_TOKEN`).",
					},
					"client_assertion_key": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "A PEM private key (PKCS#8, PKCS#1 or SEC1) with which the client authenticates " +
							"by a signed JWT (RFC 7523 `private_key_jwt`) for `client_credentials` and `token_exchange`, " +
							"instead of `client_secret`: a fresh assertion (`iss` = `sub` = client id, `aud` = token endpoint, " +
							"unique `jti`, short-lived) per request. Accepts ephemeral values. No environment fallback. No default.",
					},
					"client_assertion_key_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "A file holding the PEM private key of `client_assertion_key` (used when that is " +
							"unset). No environment fallback. No default.",
					},
					"client_assertion_key_id": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The `kid` header of the signed client assertions (the key's id in the JWKS " +
							"registered for the client). No environment fallback. Default: the key's RFC 7638 thumbprint.",
					},
					"client_assertion_alg": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The signing algorithm of the client assertions: `RS256`, `PS256` (RSA keys) or " +
							"`ES256` (P-256 keys). No environment fallback. Default: `RS256` for an RSA key, `ES256` for an EC key.",
						Validators: []validator.String{stringvalidator.OneOf(settings.ClientAssertionAlgs...)},
					},
					"client_assertion": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "A ready-made client assertion JWT for `client_credentials` and `token_exchange` " +
							"(e.g. a CI identity token the identity provider trusts as a federated client credential), " +
							"sent as it is. Accepts ephemeral values. No environment fallback. No default.",
					},
				},
			},
			"exec": schema.SingleNestedBlock{
				MarkdownDescription: "An external credential helper for `auth_method = \"exec\"`, run when a token is " +
					"needed and again when it expires. Its standard output is a bare access token or JSON " +
					"`{\"access_token\": ..., \"expires_in\" | \"expires_at\": ..., \"provider_id\": ...}`; a non-zero exit " +
					"fails with its standard error (secrets removed). `openeo-auth token` is such a helper.",
				Attributes: map[string]schema.Attribute{
					"command": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "The helper program (a path, or a name looked up in `PATH`). No environment fallback. No default.",
					},
					"args": schema.ListAttribute{
						Optional:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "Arguments of the helper. No environment fallback. Default: none.",
					},
					"env": schema.MapAttribute{
						Optional:    true,
						ElementType: types.StringType,
						MarkdownDescription: "Environment variables added to the provider's environment for the helper " +
							"(their values are kept out of its error messages). No environment fallback. Default: none.",
					},
				},
			},
		},
	}
}

// durationValidator accepts positive Go durations such as "30s" or "5m"
// (and zero with allowZero, for a setting that "0" turns off).
type durationValidator struct {
	allowZero bool
}

func (v durationValidator) Description(context.Context) string {
	if v.allowZero {
		return "value must be a duration such as `30s` or `72h`, or `0`"
	}
	return "value must be a positive duration such as `30s` or `5m`"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if v.allowZero && err == nil && d == 0 {
		return
	}
	if err != nil || d <= 0 {
		fix := "Use a number with a unit, such as \"30s\", \"2m\" or \"1h\"."
		if v.allowZero {
			fix = "Use a number with a unit, such as \"72h\", or \"0\" to turn this off."
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("The value %q is not a positive duration. %s", req.ConfigValue.ValueString(), fix))
	}
}
