package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// clientConfigLoader finds and parses the client config file. explicitPath is
// the provider's client_config_path ("" means the Python client's search order).
// It returns a nil config and no error when there is no file.
type clientConfigLoader func(explicitPath string, getenv func(string) string) (*settings.ClientConfigFile, error)

// mergeInput is the provider block decoded into plain Terraform values.
type mergeInput struct {
	providerModel
	basic      basicModel
	basicState blockState
	oidc       oidcModel
	oidcState  blockState
	exec       execModel
	execState  blockState
}

type blockState int

const (
	blockAbsent blockState = iota
	blockPresent
	blockUnknown
)

// decodeConfig turns the model into a mergeInput, reading the two blocks.
func decodeConfig(ctx context.Context, m providerModel) (mergeInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := mergeInput{providerModel: m}
	switch {
	case m.Basic.IsUnknown():
		in.basicState = blockUnknown
	case !m.Basic.IsNull():
		in.basicState = blockPresent
		diags.Append(m.Basic.As(ctx, &in.basic, objectAsOptions)...)
	}
	switch {
	case m.OIDC.IsUnknown():
		in.oidcState = blockUnknown
	case !m.OIDC.IsNull():
		in.oidcState = blockPresent
		diags.Append(m.OIDC.As(ctx, &in.oidc, objectAsOptions)...)
	}
	switch {
	case m.Exec.IsUnknown():
		in.execState = blockUnknown
	case !m.Exec.IsNull():
		in.execState = blockPresent
		diags.Append(m.Exec.As(ctx, &in.exec, objectAsOptions)...)
	}
	return in, diags
}

// merge decides every field with the one resolver, internal/settings
// (explicit attribute > environment > files, per field and per provider
// instance), and converts its problems into diagnostics. It is pure apart
// from reading the client config file through loadINI. getenv is the
// environment of this process; nothing else is consulted.
func merge(in mergeInput, getenv func(string) string, loadINI clientConfigLoader) (pd.Settings, diag.Diagnostics) {
	var out pd.Settings
	var diags diag.Diagnostics
	rin := settings.Input{Explicit: map[string]string{}, Unknown: map[string]bool{}, Getenv: getenv,
		BasicBlock: in.basicState == blockPresent, OIDCBlock: in.oidcState == blockPresent}
	str := func(p string, v types.String, block blockState) {
		if block == blockUnknown || v.IsUnknown() {
			rin.Unknown[p] = true
			out.Unknown = append(out.Unknown, p)
			return
		}
		if !v.IsNull() {
			rin.Explicit[p] = v.ValueString()
		}
	}
	str(settings.URL, in.URL, blockAbsent)
	str(settings.AuthMethodPath, in.AuthMethod, blockAbsent)
	str(settings.BearerToken, in.BearerToken, blockAbsent)
	str(settings.AuthConfigPath, in.AuthConfigPath, blockAbsent)
	str(settings.RefreshTokenStorePath, in.RefreshTokenStorePath, blockAbsent)
	str(settings.ClientConfigPath, in.ClientConfigPath, blockAbsent)
	str(settings.RequestTimeout, in.RequestTimeout, blockAbsent)
	str(settings.CACertFile, in.CACertFile, blockAbsent)
	if in.MaxRetries.IsUnknown() {
		out.Unknown = append(out.Unknown, "max_retries")
	}
	if in.AllowInsecureBasicAuth.IsUnknown() {
		out.Unknown = append(out.Unknown, "allow_insecure_basic_auth")
	}
	str(settings.BasicUsername, in.basic.Username, in.basicState)
	str(settings.BasicPassword, in.basic.Password, in.basicState)
	o, ostate := in.oidc, in.oidcState
	str(settings.OIDCProviderID, o.ProviderID, ostate)
	str(settings.OIDCClientID, o.ClientID, ostate)
	str(settings.OIDCClientSecret, o.ClientSecret, ostate)
	str(settings.OIDCUsername, o.Username, ostate)
	str(settings.OIDCPassword, o.Password, ostate)
	str(settings.OIDCRefreshToken, o.RefreshToken, ostate)
	str(settings.OIDCAccessToken, o.AccessToken, ostate)
	str(settings.OIDCMaxPollTime, o.MaxPollTime, ostate)
	str(settings.OIDCRefreshTokenWarning, o.RefreshTokenWarning, ostate)
	str(settings.OIDCSubjectToken, o.SubjectToken, ostate)
	str(settings.OIDCSubjectTokenFile, o.SubjectTokenFile, ostate)
	str(settings.OIDCSubjectTokenEnv, o.SubjectTokenEnv, ostate)
	str(settings.OIDCSubjectTokenType, o.SubjectTokenType, ostate)
	str(settings.OIDCAudience, o.Audience, ostate)
	str(settings.OIDCRequestedTokenType, o.RequestedTokenType, ostate)
	str(settings.OIDCHCPTerraformTag, o.HCPTerraformTag, ostate)
	str(settings.OIDCClientAssertionKey, o.ClientAssertionKey, ostate)
	str(settings.OIDCClientAssertionKeyFile, o.ClientAssertionKeyFile, ostate)
	str(settings.OIDCClientAssertionKeyID, o.ClientAssertionKeyID, ostate)
	str(settings.OIDCClientAssertionAlg, o.ClientAssertionAlg, ostate)
	str(settings.OIDCClientAssertion, o.ClientAssertion, ostate)
	str(settings.ExecCommand, in.exec.Command, in.execState)
	if in.execState != blockUnknown && (in.exec.Args.IsUnknown() || in.exec.Env.IsUnknown()) {
		out.Unknown = append(out.Unknown, "exec")
	}
	if ostate != blockUnknown && o.Scopes.IsUnknown() {
		out.Unknown = append(out.Unknown, "oidc.scopes")
	}
	if ostate != blockUnknown && o.StoreRefreshToken.IsUnknown() {
		out.Unknown = append(out.Unknown, "oidc.store_refresh_token")
	}
	if loadINI != nil {
		explicitPath := in.ClientConfigPath.ValueString()
		rin.LoadClientConfig = func() (*settings.ClientConfigFile, error) { return loadINI(explicitPath, getenv) }
	}

	r := settings.Resolve(rin)
	for _, p := range r.Problems {
		at := attributePath(p.Path)
		switch {
		case p.Warning && p.Path == "":
			diags.AddWarning(p.Summary, p.Detail)
		case p.Warning:
			diags.AddAttributeWarning(at, p.Summary, p.Detail)
		case p.Path == "":
			diags.AddError(p.Summary, p.Detail)
		default:
			diags.AddAttributeError(at, p.Summary, p.Detail)
		}
	}

	out.Sources = r.Sources
	out.URL, out.URLSource, out.URLDetail, out.SchemeAssumed = r.Get(settings.URL), r.Sources[settings.URL], r.URLDetail, r.SchemeAssumed
	out.Method, out.MethodSource, out.MethodDetail = r.Method, r.MethodSource, r.MethodDetail
	out.BearerToken = r.Get(settings.BearerToken)
	out.Basic = pd.BasicSettings{Username: r.Get(settings.BasicUsername), Password: r.Get(settings.BasicPassword)}
	out.OIDC = pd.OIDCSettings{
		ProviderID: r.Get(settings.OIDCProviderID), ClientID: r.Get(settings.OIDCClientID),
		ClientSecret: r.Get(settings.OIDCClientSecret), Username: r.Get(settings.OIDCUsername),
		Password: r.Get(settings.OIDCPassword), RefreshToken: r.Get(settings.OIDCRefreshToken),
		AccessToken: r.Get(settings.OIDCAccessToken),
	}
	if ostate == blockPresent && !o.Scopes.IsNull() && !o.Scopes.IsUnknown() {
		for _, e := range o.Scopes.Elements() {
			if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() && s.ValueString() != "" {
				out.OIDC.Scopes = append(out.OIDC.Scopes, s.ValueString())
			} else if ok && s.IsUnknown() {
				out.Unknown = append(out.Unknown, "oidc.scopes")
			}
		}
	}
	out.OIDC.StoreRefreshToken = out.Method == flows.MethodOIDC
	if ostate == blockPresent && !o.StoreRefreshToken.IsNull() && !o.StoreRefreshToken.IsUnknown() {
		out.OIDC.StoreRefreshToken = o.StoreRefreshToken.ValueBool()
		out.Sources["oidc.store_refresh_token"] = settings.SourceAttribute
	}
	out.OIDC.MaxPollTime = duration(r, settings.OIDCMaxPollTime)
	out.OIDC.RefreshTokenWarning = window(r, settings.OIDCRefreshTokenWarning)
	var exec *flows.ExecCredential
	if in.execState == blockPresent {
		exec = &flows.ExecCredential{ProviderID: out.OIDC.ProviderID}
		for _, e := range in.exec.Args.Elements() {
			if a, ok := e.(types.String); ok && !a.IsUnknown() {
				exec.Args = append(exec.Args, a.ValueString())
			}
		}
		for n, e := range in.exec.Env.Elements() {
			if v, ok := e.(types.String); ok && !v.IsUnknown() {
				if exec.Env == nil {
					exec.Env = map[string]string{}
				}
				exec.Env[n] = v.ValueString()
			}
		}
	}
	if len(out.Unknown) == 0 {
		var problems []settings.Problem
		out.OIDC.Keyless, problems = settings.Keyless(r, getenv, exec)
		for _, p := range problems {
			diags.AddAttributeError(attributePath(p.Path), p.Summary, p.Detail)
		}
	}

	// Files and HTTP.
	out.AuthConfigPath = r.Get(settings.AuthConfigPath)
	out.RefreshTokenStorePath = r.Get(settings.RefreshTokenStorePath)
	out.ClientConfigPath = r.Get(settings.ClientConfigPath)
	delete(out.Sources, settings.ClientConfigPath)
	out.RequestTimeout = duration(r, settings.RequestTimeout)
	out.MaxRetries = settings.DefaultMaxRetries
	if !in.MaxRetries.IsNull() && !in.MaxRetries.IsUnknown() {
		out.MaxRetries = int(in.MaxRetries.ValueInt64())
		out.Sources[settings.MaxRetries] = settings.SourceAttribute
	}
	out.AllowInsecureBasicAuth = !in.AllowInsecureBasicAuth.IsNull() && !in.AllowInsecureBasicAuth.IsUnknown() &&
		in.AllowInsecureBasicAuth.ValueBool()

	out.CACertFile = r.Get(settings.CACertFile)
	if out.CACertFile != "" {
		if _, err := flows.LoadCertPool(out.CACertFile); err != nil {
			diags.AddAttributeError(path.Root("ca_cert_file"), "CA Certificate File Unusable",
				fmt.Sprintf("ca_cert_file: %s. Give the path of a PEM file with one or more \"CERTIFICATE\" blocks "+
					"(the certificates of the private certificate authorities to trust), or remove the attribute.", err))
		}
	}
	checkInsecureBasic(out, &diags)
	return out, diags
}

// attributePath turns "oidc.client_id" into a Terraform attribute path.
func attributePath(p string) path.Path {
	parts := strings.Split(p, ".")
	at := path.Root(parts[0])
	for _, n := range parts[1:] {
		at = at.AtName(n)
	}
	return at
}

// duration is the resolved duration of p, else its table default. An
// invalid value has been reported by the schema validator already.
func duration(r settings.Result, p string) time.Duration {
	def, _ := time.ParseDuration(settings.Default(p))
	v := r.Get(p)
	if v == "" {
		delete(r.Sources, p)
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		delete(r.Sources, p)
		return def
	}
	return d
}

// window is duration for a setting where zero turns a check off: "0" (or
// any zero duration) is kept as zero instead of taking the default.
func window(r settings.Result, p string) time.Duration {
	if d, err := time.ParseDuration(r.Get(p)); err == nil && d == 0 {
		return 0
	}
	return duration(r, p)
}

// checkInsecureBasic refuses basic auth over plain http to a non-loopback host.
func checkInsecureBasic(s pd.Settings, diags *diag.Diagnostics) {
	if s.Method != flows.MethodBasic || s.URL == "" || s.AllowInsecureBasicAuth {
		return
	}
	if err := pd.CheckBasicTransport(s.URL); err != nil {
		where := "the url attribute"
		switch s.URLSource {
		case settings.SourceEnv:
			where = "the environment variable " + settings.EnvBackendURL
		case settings.SourceFile:
			where = "connection.default_backend in " + s.URLDetail
		}
		diags.AddAttributeError(path.Root("url"), "Insecure Basic Authentication",
			fmt.Sprintf("The back-end URL (from %s) uses plain http:// to a host that is not loopback, so basic "+
				"authentication would send the password unencrypted. Use an https:// URL, or set "+
				"allow_insecure_basic_auth = true in the provider block if you accept this risk.", where))
	}
}
