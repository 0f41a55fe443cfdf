package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// clientConfig is what the merge needs from the openEO client config file
// (openeo-client-config.ini): lower-cased "section.option" keys.
type clientConfig struct {
	Path   string
	Values map[string]string
	// Warnings are candidate files that were skipped, as sentences.
	Warnings []string
}

// clientConfigLoader finds and parses the client config file. explicitPath is
// the provider's client_config_path ("" means the Python client's search order).
// It returns a nil config and no error when there is no file.
type clientConfigLoader func(explicitPath string, getenv func(string) string) (*clientConfig, error)

// mergeInput is the provider block decoded into plain Terraform values.
type mergeInput struct {
	providerModel
	basic      basicModel
	basicState blockState
	oidc       oidcModel
	oidcState  blockState
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
	return in, diags
}

// value is one configuration field in the merge.
type value struct {
	path    string // attribute path, e.g. "oidc.client_id"
	str     types.String
	unknown bool
}

func (v value) set() bool { return !v.unknown && !v.str.IsNull() && v.str.ValueString() != "" }

// merger decides every field: explicit attribute > environment > files.
type merger struct {
	in        mergeInput
	getenv    func(string) string
	loadINI   clientConfigLoader
	ini       *clientConfig
	iniLoaded bool
	out       pd.Settings
	diags     diag.Diagnostics
}

// merge is pure apart from reading the client config file through loadINI.
// getenv is the environment of this process; nothing else is consulted.
func merge(in mergeInput, getenv func(string) string, loadINI clientConfigLoader) (pd.Settings, diag.Diagnostics) {
	m := &merger{in: in, getenv: getenv, loadINI: loadINI}
	m.out.Sources = map[string]pd.Source{}
	m.run()
	return m.out, m.diags
}

func (m *merger) field(p string, s types.String, block blockState) value {
	v := value{path: p, str: s}
	if block == blockUnknown || s.IsUnknown() {
		v.unknown = true
		m.out.Unknown = append(m.out.Unknown, p)
	}
	return v
}

func (m *merger) env(name string) string { return strings.TrimSpace(m.getenv(name)) }

// pick resolves one string: the attribute when set, else the env var (if any).
func (m *merger) pick(v value, envName string) string {
	switch {
	case v.unknown:
		return ""
	case v.set():
		m.out.Sources[v.path] = pd.SourceAttribute
		return v.str.ValueString()
	case envName != "" && m.env(envName) != "":
		m.out.Sources[v.path] = pd.SourceEnv
		return m.env(envName)
	}
	return ""
}

func (m *merger) clientConfig() *clientConfig {
	if m.iniLoaded {
		return m.ini
	}
	m.iniLoaded = true
	if m.in.ClientConfigPath.IsUnknown() || m.loadINI == nil {
		return nil
	}
	cfg, err := m.loadINI(m.in.ClientConfigPath.ValueString(), m.getenv)
	if err != nil {
		m.diags.AddAttributeError(path.Root("client_config_path"), "Unreadable openEO Client Config File",
			fmt.Sprintf("The openEO client config file could not be read: %s. Fix or remove the file, or point "+
				"client_config_path (or OPENEO_CLIENT_CONFIG) at a valid .ini file.", err))
		return nil
	}
	if cfg != nil {
		for _, w := range cfg.Warnings {
			m.diags.AddWarning("openEO Client Config File Skipped",
				w+". The provider reads the same files as the Python client; fix or remove the file to silence this warning.")
		}
		if cfg.Path == "" {
			cfg = nil // no file was loaded
		}
	}
	m.ini = cfg
	return cfg
}

func (m *merger) run() {
	in := m.in
	urlV := m.field("url", in.URL, blockAbsent)
	methodV := m.field("auth_method", in.AuthMethod, blockAbsent)
	bearerV := m.field("bearer_token", in.BearerToken, blockAbsent)
	acPath := m.field("auth_config_path", in.AuthConfigPath, blockAbsent)
	rtPath := m.field("refresh_token_store_path", in.RefreshTokenStorePath, blockAbsent)
	m.field("client_config_path", in.ClientConfigPath, blockAbsent)
	timeoutV := m.field("request_timeout", in.RequestTimeout, blockAbsent)
	caV := m.field("ca_cert_file", in.CACertFile, blockAbsent)
	if in.MaxRetries.IsUnknown() {
		m.out.Unknown = append(m.out.Unknown, "max_retries")
	}
	if in.AllowInsecureBasicAuth.IsUnknown() {
		m.out.Unknown = append(m.out.Unknown, "allow_insecure_basic_auth")
	}

	bu := m.field("basic.username", in.basic.Username, in.basicState)
	bp := m.field("basic.password", in.basic.Password, in.basicState)
	o := in.oidc
	ostate := in.oidcState
	oProvider := m.field("oidc.provider_id", o.ProviderID, ostate)
	oClientID := m.field("oidc.client_id", o.ClientID, ostate)
	oSecret := m.field("oidc.client_secret", o.ClientSecret, ostate)
	oUser := m.field("oidc.username", o.Username, ostate)
	oPass := m.field("oidc.password", o.Password, ostate)
	oRefresh := m.field("oidc.refresh_token", o.RefreshToken, ostate)
	oAccess := m.field("oidc.access_token", o.AccessToken, ostate)
	oPoll := m.field("oidc.max_poll_time", o.MaxPollTime, ostate)
	if ostate != blockUnknown && o.Scopes.IsUnknown() {
		m.out.Unknown = append(m.out.Unknown, "oidc.scopes")
	}
	if ostate != blockUnknown && o.StoreRefreshToken.IsUnknown() {
		m.out.Unknown = append(m.out.Unknown, "oidc.store_refresh_token")
	}

	// URL: attribute > OPENEO_BACKEND_URL > connection.default_backend.
	urlFromDefaultBackend := false
	m.out.URL = m.pick(urlV, pd.EnvBackendURL)
	switch m.out.Sources["url"] {
	case pd.SourceAttribute:
		m.out.URLSource = pd.SourceAttribute
	case pd.SourceEnv:
		m.out.URLSource, m.out.URLDetail = pd.SourceEnv, pd.EnvBackendURL
	}
	if m.out.URL == "" && !urlV.unknown {
		if cc := m.clientConfig(); cc != nil && strings.TrimSpace(cc.Values["connection.default_backend"]) != "" {
			m.out.URL = strings.TrimSpace(cc.Values["connection.default_backend"])
			m.out.URLSource, m.out.URLDetail = pd.SourceFile, cc.Path
			m.out.Sources["url"] = pd.SourceFile
			urlFromDefaultBackend = true
		}
	}
	if m.out.URL != "" && !strings.Contains(m.out.URL, "://") {
		// As the Python client: a URL without scheme means https.
		m.out.URL = "https://" + m.out.URL
		m.out.SchemeAssumed = true
	}

	// Auth method.
	creds := map[string]value{
		"bearer_token": bearerV, "basic.username": bu, "basic.password": bp,
		"oidc.provider_id": oProvider, "oidc.client_id": oClientID, "oidc.client_secret": oSecret,
		"oidc.username": oUser, "oidc.password": oPass, "oidc.refresh_token": oRefresh, "oidc.access_token": oAccess,
	}
	m.out.Method, m.out.MethodSource, m.out.MethodDetail = m.method(methodV, urlFromDefaultBackend, creds,
		in.basicState == blockPresent, ostate == blockPresent)
	if m.out.Method != "" {
		m.out.Sources["auth_method"] = m.out.MethodSource
		m.warnUnused(creds)
	}

	// Credentials, per field.
	m.out.BearerToken = m.pick(bearerV, "")
	m.out.Basic.Username = m.pick(bu, pd.EnvAuthUsername)
	m.out.Basic.Password = m.pick(bp, pd.EnvAuthPassword)
	m.out.OIDC.ProviderID = m.pick(oProvider, pd.EnvAuthProviderID)
	m.out.OIDC.ClientID = m.pick(oClientID, pd.EnvAuthClientID)
	m.out.OIDC.ClientSecret = m.pick(oSecret, pd.EnvAuthClientSecret)
	userEnv, passEnv := "", ""
	if m.out.Method == pd.MethodPassword {
		userEnv, passEnv = pd.EnvAuthUsername, pd.EnvAuthPassword
	}
	m.out.OIDC.Username = m.pick(oUser, userEnv)
	m.out.OIDC.Password = m.pick(oPass, passEnv)
	m.out.OIDC.RefreshToken = m.pick(oRefresh, "")
	m.out.OIDC.AccessToken = m.pick(oAccess, "")
	if ostate == blockPresent && !o.Scopes.IsNull() && !o.Scopes.IsUnknown() {
		for _, e := range o.Scopes.Elements() {
			if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() && s.ValueString() != "" {
				m.out.OIDC.Scopes = append(m.out.OIDC.Scopes, s.ValueString())
			} else if ok && s.IsUnknown() {
				m.out.Unknown = append(m.out.Unknown, "oidc.scopes")
			}
		}
	}
	m.out.OIDC.StoreRefreshToken = m.out.Method == pd.MethodOIDC
	if ostate == blockPresent && !o.StoreRefreshToken.IsNull() && !o.StoreRefreshToken.IsUnknown() {
		m.out.OIDC.StoreRefreshToken = o.StoreRefreshToken.ValueBool()
		m.out.Sources["oidc.store_refresh_token"] = pd.SourceAttribute
	}
	m.out.OIDC.MaxPollTime = m.duration(oPoll, pd.DefaultMaxPollTime)

	// Files and HTTP.
	m.out.AuthConfigPath = m.pick(acPath, "")
	m.out.RefreshTokenStorePath = m.pick(rtPath, "")
	if !in.ClientConfigPath.IsUnknown() {
		m.out.ClientConfigPath = in.ClientConfigPath.ValueString()
	}
	if m.ini != nil {
		m.out.ClientConfigPath = m.ini.Path
	}
	m.out.RequestTimeout = m.duration(timeoutV, pd.DefaultRequestTimeout)
	m.out.MaxRetries = pd.DefaultMaxRetries
	if !in.MaxRetries.IsNull() && !in.MaxRetries.IsUnknown() {
		m.out.MaxRetries = int(in.MaxRetries.ValueInt64())
		m.out.Sources["max_retries"] = pd.SourceAttribute
	}
	m.out.AllowInsecureBasicAuth = !in.AllowInsecureBasicAuth.IsNull() && !in.AllowInsecureBasicAuth.IsUnknown() &&
		in.AllowInsecureBasicAuth.ValueBool()

	m.out.CACertFile = m.pick(caV, "")
	if m.out.CACertFile != "" {
		m.out.Sources["ca_cert_file"] = pd.SourceAttribute
		if _, err := flows.LoadCertPool(m.out.CACertFile); err != nil {
			m.diags.AddAttributeError(path.Root("ca_cert_file"), "CA Certificate File Unusable",
				fmt.Sprintf("ca_cert_file: %s. Give the path of a PEM file with one or more \"CERTIFICATE\" blocks "+
					"(the certificates of the private certificate authorities to trust), or remove the attribute.", err))
		}
	}

	m.checkInsecureBasic()
}

func (m *merger) duration(v value, def time.Duration) time.Duration {
	if !v.set() {
		return def
	}
	d, err := time.ParseDuration(v.str.ValueString())
	if err != nil || d <= 0 {
		// The schema validator has already reported it.
		return def
	}
	m.out.Sources[v.path] = pd.SourceAttribute
	return d
}

// method decides the auth method: attribute > OPENEO_AUTH_METHOD > inferred
// from explicit attributes > client config file > inferred from environment
// credentials > none.
func (m *merger) method(attr value, urlFromDefaultBackend bool, vals map[string]value, basicBlock, oidcBlock bool) (string, pd.Source, string) {
	if attr.unknown {
		return "", pd.SourceUnset, ""
	}
	if attr.set() {
		return attr.str.ValueString(), pd.SourceAttribute, "auth_method"
	}
	if e := strings.ToLower(m.env(pd.EnvAuthMethod)); e != "" {
		for _, ok := range pd.Methods {
			if e == ok {
				return m.envMethod(e, vals)
			}
		}
		m.diags.AddAttributeError(path.Root("auth_method"), "Invalid OPENEO_AUTH_METHOD",
			fmt.Sprintf("The environment variable %s is set to %q, which is not an auth method of this provider. "+
				"Set it to one of %s, unset it, or set auth_method in the provider block (which takes precedence).",
				pd.EnvAuthMethod, e, strings.Join(pd.Methods, ", ")))
		return "", pd.SourceUnset, ""
	}

	// Inferred from the credentials given as attributes: not possible while
	// one of them is unknown (nothing can run before they are known anyway).
	for _, v := range vals {
		if v.unknown {
			return "", pd.SourceUnset, ""
		}
	}
	cands := inferMethods(vals, basicBlock, oidcBlock)
	if len(cands) > 1 {
		var parts []string
		for _, c := range cands {
			parts = append(parts, fmt.Sprintf("%s (from %s)", c.method, strings.Join(c.attrs, ", ")))
		}
		m.diags.AddAttributeError(path.Root("auth_method"), "Ambiguous Authentication Method",
			fmt.Sprintf("The provider block sets credentials for more than one auth method: %s. "+
				"Set auth_method to the method this provider instance should use.", strings.Join(parts, "; ")))
		return "", pd.SourceUnset, ""
	}
	if len(cands) == 1 {
		return cands[0].method, pd.SourceInferred, strings.Join(cands[0].attrs, ", ")
	}

	// Client config file.
	if cc := m.clientConfig(); cc != nil {
		keys := []string{"connection.auto_authenticate"}
		if urlFromDefaultBackend {
			keys = []string{"connection.default_backend.auto_authenticate", "connection.auto_authenticate"}
		}
		off := ""
		for _, k := range keys {
			switch v := strings.ToLower(strings.TrimSpace(cc.Values[k])); v {
			case pd.MethodBasic, pd.MethodOIDC:
				return v, pd.SourceFile, k + " in " + cc.Path
			case "":
			default:
				if off == "" {
					off = k
				}
			}
		}
		if off != "" {
			// "off" or anything else: no auto-authentication, as the Python client.
			return pd.MethodNone, pd.SourceFile, off + " in " + cc.Path
		}
	}

	// Inferred from credentials in the environment.
	switch {
	case m.env(pd.EnvAuthUsername) != "":
		return pd.MethodBasic, pd.SourceInferred, pd.EnvAuthUsername
	case m.env(pd.EnvAuthClientID) != "" && m.env(pd.EnvAuthClientSecret) != "":
		return pd.MethodClientCredentials, pd.SourceInferred, pd.EnvAuthClientID + " and " + pd.EnvAuthClientSecret
	}
	return pd.MethodNone, pd.SourceDefault, ""
}

// candidate is an auth method implied by credentials set in the provider
// block, with the attributes that imply it.
type candidate struct {
	method string
	attrs  []string
}

// inferMethods lists the methods the credentials set in the provider block
// imply (vals: the credential attributes by path). An empty basic or oidc
// block counts only when basicBlock or oidcBlock is true.
func inferMethods(vals map[string]value, basicBlock, oidcBlock bool) []candidate {
	set := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if v := vals[n]; v.set() {
				out = append(out, n)
			}
		}
		return out
	}
	var cands []candidate
	add := func(method string, attrs []string) {
		if len(attrs) > 0 {
			cands = append(cands, candidate{method, attrs})
		}
	}
	add(pd.MethodBearer, set("bearer_token"))
	add(pd.MethodAccessToken, set("oidc.access_token"))
	add(pd.MethodRefreshToken, set("oidc.refresh_token"))
	add(pd.MethodPassword, set("oidc.username", "oidc.password"))
	basicAttrs := set("basic.username", "basic.password")
	if len(basicAttrs) == 0 && basicBlock {
		basicAttrs = []string{"basic"} // an empty basic block: credentials from env or auth-config.json
	}
	add(pd.MethodBasic, basicAttrs)
	if len(cands) == 0 {
		add(pd.MethodClientCredentials, set("oidc.client_secret"))
	}
	if len(cands) == 0 {
		oidcAttrs := set("oidc.provider_id", "oidc.client_id")
		if len(oidcAttrs) == 0 && oidcBlock {
			oidcAttrs = []string{"oidc"} // an oidc block without credentials: dynamic selection
		}
		add(pd.MethodOIDC, oidcAttrs)
	}
	return cands
}

// methodUses lists the provider block's credential attributes each auth
// method reads.
var methodUses = map[string][]string{
	pd.MethodNone:              nil,
	pd.MethodBasic:             {"basic.username", "basic.password"},
	pd.MethodOIDC:              {"oidc.provider_id", "oidc.client_id", "oidc.client_secret", "oidc.refresh_token"},
	pd.MethodClientCredentials: {"oidc.provider_id", "oidc.client_id", "oidc.client_secret"},
	pd.MethodPassword:          {"oidc.provider_id", "oidc.client_id", "oidc.client_secret", "oidc.username", "oidc.password"},
	pd.MethodRefreshToken:      {"oidc.provider_id", "oidc.client_id", "oidc.client_secret", "oidc.refresh_token"},
	pd.MethodDeviceCode:        {"oidc.provider_id", "oidc.client_id", "oidc.client_secret"},
	pd.MethodAccessToken:       {"oidc.provider_id", "oidc.access_token"},
	pd.MethodBearer:            {"bearer_token"},
}

// envMethod applies OPENEO_AUTH_METHOD (env, a valid method) when
// auth_method is not set. Explicit configuration beats the environment: when
// the credentials set in this provider block imply exactly one method, and
// env would not use some of them, the block's method wins and a warning says
// which value of OPENEO_AUTH_METHOD was ignored. Without credentials in the
// block (or while one of them is unknown), env applies.
func (m *merger) envMethod(env string, vals map[string]value) (string, pd.Source, string) {
	for _, v := range vals {
		if v.unknown {
			return env, pd.SourceEnv, pd.EnvAuthMethod
		}
	}
	// Only values count: an empty basic or oidc block holds no credentials.
	cands := inferMethods(vals, false, false)
	if len(cands) != 1 || cands[0].method == env {
		return env, pd.SourceEnv, pd.EnvAuthMethod
	}
	var unused []string
	for p, v := range vals {
		if v.set() && !slices.Contains(methodUses[env], p) {
			unused = append(unused, p)
		}
	}
	if len(unused) == 0 {
		// env uses every credential of the block (e.g. oidc with a client id
		// and secret): nothing explicit contradicts it.
		return env, pd.SourceEnv, pd.EnvAuthMethod
	}
	slices.Sort(unused)
	c := cands[0]
	m.diags.AddAttributeWarning(path.Root("auth_method"), "OPENEO_AUTH_METHOD Ignored",
		fmt.Sprintf("The environment variable %[1]s is set to %[2]q, but this provider block sets credentials for the "+
			"%[3]q method (%[4]s), and %[2]q would not use %[5]s. Explicit configuration takes precedence over the "+
			"environment, so this provider instance uses %[3]q and ignores %[1]s. To choose the method yourself, set "+
			"auth_method in the provider block; to use %[2]q, remove those credentials from the block.",
			pd.EnvAuthMethod, env, c.method, strings.Join(c.attrs, ", "), strings.Join(unused, ", ")))
	return c.method, pd.SourceInferred, strings.Join(c.attrs, ", ")
}

// warnUnused warns about credentials set in the provider block that the
// decided method does not read: they would be ignored without a word.
func (m *merger) warnUnused(creds map[string]value) {
	var unused []string
	for p, v := range creds {
		if v.unknown {
			return // the method may still change; the warning comes when all are known
		}
		if v.set() && !slices.Contains(methodUses[m.out.Method], p) {
			unused = append(unused, p)
		}
	}
	if len(unused) == 0 {
		return
	}
	slices.Sort(unused)
	from := ""
	switch m.out.MethodSource {
	case pd.SourceAttribute:
		from = " (set by auth_method)"
	case pd.SourceEnv:
		from = " (from the environment variable " + pd.EnvAuthMethod + ")"
	case pd.SourceInferred:
		from = " (inferred from " + m.out.MethodDetail + ")"
	case pd.SourceFile:
		from = " (from " + m.out.MethodDetail + ")"
	}
	them, they, are := "it", "it", "is"
	if len(unused) > 1 {
		them, they, are = "them", "they", "are"
	}
	first := strings.Split(unused[0], ".")
	at := path.Root(first[0])
	if len(first) == 2 {
		at = at.AtName(first[1])
	}
	m.diags.AddAttributeWarning(at, "Unused Provider Credentials",
		fmt.Sprintf("%s %s set in the provider block, but the auth method is %q%s, which does not use %s: %s %s "+
			"ignored. Remove %s from the provider block, or set auth_method to the method that uses %s.",
			strings.Join(unused, ", "), are, m.out.Method, from, them, they, are, them, them))
}

// checkInsecureBasic refuses basic auth over plain http to a non-loopback host.
func (m *merger) checkInsecureBasic() {
	if m.out.Method != pd.MethodBasic || m.out.URL == "" || m.out.AllowInsecureBasicAuth {
		return
	}
	if err := pd.CheckBasicTransport(m.out.URL); err != nil {
		where := "the url attribute"
		switch m.out.URLSource {
		case pd.SourceEnv:
			where = "the environment variable " + pd.EnvBackendURL
		case pd.SourceFile:
			where = "connection.default_backend in " + m.out.URLDetail
		}
		m.diags.AddAttributeError(path.Root("url"), "Insecure Basic Authentication",
			fmt.Sprintf("The back-end URL (from %s) uses plain http:// to a host that is not loopback, so basic "+
				"authentication would send the password unencrypted. Use an https:// URL, or set "+
				"allow_insecure_basic_auth = true in the provider block if you accept this risk.", where))
	}
}
