package provider_test

// Protocol-level tests: they drive the provider server directly, as Terraform
// would, and need no Terraform CLI, no IdP and no back-end.

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

type unknownMarker struct{}

var unknown = unknownMarker{}

// objectValue builds a value of type ty from a Go map; missing attributes are null.
func objectValue(t *testing.T, ty tftypes.Type, v any) tftypes.Value {
	t.Helper()
	if v == nil {
		return tftypes.NewValue(ty, nil)
	}
	if _, ok := v.(unknownMarker); ok {
		return tftypes.NewValue(ty, tftypes.UnknownValue)
	}
	switch ty := ty.(type) {
	case tftypes.Object:
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("want a map for %s, got %#v", ty, v)
		}
		vals := map[string]tftypes.Value{}
		for name, at := range ty.AttributeTypes {
			vals[name] = objectValue(t, at, m[name])
		}
		for name := range m {
			if _, ok := ty.AttributeTypes[name]; !ok {
				t.Fatalf("no attribute %q", name)
			}
		}
		return tftypes.NewValue(ty, vals)
	case tftypes.List:
		var elems []tftypes.Value
		strs, ok := v.([]string)
		if !ok {
			t.Fatalf("want []string for %s, got %#v", ty, v)
		}
		for _, s := range strs {
			elems = append(elems, tftypes.NewValue(ty.ElementType, s))
		}
		return tftypes.NewValue(ty, elems)
	}
	switch x := v.(type) {
	case int64:
		return tftypes.NewValue(ty, big.NewFloat(float64(x)))
	default:
		return tftypes.NewValue(ty, v)
	}
}

func dynamic(t *testing.T, ty tftypes.Type, v any) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(ty, objectValue(t, ty, v))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

type harness struct {
	t       *testing.T
	srv     tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
	mu      sync.Mutex
	clients []*pd.Client
}

func newHarness(t *testing.T, opts provider.Options) *harness {
	t.Helper()
	h := &harness{t: t}
	next := opts.OnConfigure
	opts.OnConfigure = func(c *pd.Client) {
		h.mu.Lock()
		h.clients = append(h.clients, c)
		h.mu.Unlock()
		if next != nil {
			next(c)
		}
	}
	h.srv = providerserver.NewProtocol6(provider.NewWithOptions("test", opts)())()
	resp, err := h.srv.GetProviderSchema(h.t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("schema diagnostics: %v", diagsText(resp.Diagnostics))
	}
	h.schemas = resp
	return h
}

func (h *harness) configure(cfg map[string]any) []*tfprotov6.Diagnostic {
	h.t.Helper()
	ty := h.schemas.Provider.Block.ValueType()
	resp, err := h.srv.ConfigureProvider(h.t.Context(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4", Config: dynamic(h.t, ty, cfg)})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.Diagnostics
}

func (h *harness) readDataSource(name string, deferralAllowed bool) *tfprotov6.ReadDataSourceResponse {
	h.t.Helper()
	s, ok := h.schemas.DataSourceSchemas[name]
	if !ok {
		h.t.Fatalf("no data source %s", name)
	}
	resp, err := h.srv.ReadDataSource(h.t.Context(), &tfprotov6.ReadDataSourceRequest{
		TypeName: name, Config: dynamic(h.t, s.Block.ValueType(), map[string]any{}),
		ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: deferralAllowed}})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

func (h *harness) openEphemeral(deferralAllowed bool) *tfprotov6.OpenEphemeralResourceResponse {
	h.t.Helper()
	const name = "openeo_bearer_token"
	s := h.schemas.EphemeralResourceSchemas[name]
	resp, err := h.srv.OpenEphemeralResource(h.t.Context(), &tfprotov6.OpenEphemeralResourceRequest{
		TypeName: name, Config: dynamic(h.t, s.Block.ValueType(), map[string]any{}),
		ClientCapabilities: &tfprotov6.OpenEphemeralResourceClientCapabilities{DeferralAllowed: deferralAllowed}})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

func (h *harness) lastClient() *pd.Client {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients) == 0 {
		h.t.Fatal("the provider was not configured")
	}
	return h.clients[len(h.clients)-1]
}

func diagsText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func TestProviderSchemaValid(t *testing.T) {
	h := newHarness(t, provider.Options{})
	for _, name := range []string{"openeo_account", "openeo_bearer_token", "openeo_oidc_providers", "openeo_capabilities"} {
		if _, ok := h.schemas.DataSourceSchemas[name]; !ok {
			t.Errorf("data source %s missing", name)
		}
	}
	if _, ok := h.schemas.EphemeralResourceSchemas["openeo_bearer_token"]; !ok {
		t.Error("ephemeral resource openeo_bearer_token missing")
	}
	// Every provider attribute documents itself; secrets are sensitive.
	sensitive := map[string]bool{"bearer_token": true, "basic.password": true, "oidc.client_secret": true,
		"oidc.password": true, "oidc.refresh_token": true, "oidc.access_token": true,
		"oidc.subject_token": true, "oidc.client_assertion_key": true, "oidc.client_assertion": true}
	var walk func(prefix string, b *tfprotov6.SchemaBlock)
	seen := map[string]bool{}
	walk = func(prefix string, b *tfprotov6.SchemaBlock) {
		for _, a := range b.Attributes {
			p := prefix + a.Name
			seen[p] = true
			if a.Description == "" {
				t.Errorf("%s has no description", p)
			}
			if a.Sensitive != sensitive[p] {
				t.Errorf("%s: sensitive = %v, want %v", p, a.Sensitive, sensitive[p])
			}
			if !strings.Contains(a.Description, "nvironment") {
				t.Errorf("%s: description does not mention its environment fallback (or that there is none): %q", p, a.Description)
			}
			if !strings.Contains(a.Description, "efault") {
				t.Errorf("%s: description does not mention its default: %q", p, a.Description)
			}
		}
		for _, nb := range b.BlockTypes {
			walk(prefix+nb.TypeName+".", nb.Block)
		}
	}
	walk("", h.schemas.Provider.Block)
	for p := range sensitive {
		if !seen[p] {
			t.Errorf("attribute %s missing", p)
		}
	}
	tokenSensitive := map[string]bool{"bearer": true, "access_token": true, "authorization_header": true}
	for kind, s := range map[string]*tfprotov6.Schema{
		"data source": h.schemas.DataSourceSchemas["openeo_bearer_token"],
		"ephemeral":   h.schemas.EphemeralResourceSchemas["openeo_bearer_token"],
	} {
		for _, a := range s.Block.Attributes {
			if a.Sensitive != tokenSensitive[a.Name] {
				t.Errorf("%s openeo_bearer_token.%s: sensitive = %v", kind, a.Name, a.Sensitive)
			}
		}
	}
	ds := h.schemas.DataSourceSchemas["openeo_bearer_token"].Block.Description
	if !strings.Contains(ds, "stored in the Terraform state") || !strings.Contains(ds, "ephemeral resource") {
		t.Errorf("the data source docs must say the values are stored in state and point to the ephemeral twin: %q", ds)
	}
}

func TestConfigureUnknownIsLazy(t *testing.T) {
	acctest.IsolateEnv(t)
	be := testbackend.Start(t, testbackend.Config{})
	h := newHarness(t, provider.Options{Interaction: noInteraction})
	diags := h.configure(map[string]any{
		"url": be.URL(), "auth_method": "client_credentials",
		"oidc": map[string]any{"client_id": "cid", "client_secret": unknown},
	})
	if hasError(diags) {
		t.Fatalf("Configure must not fail on unknown values: %s", diagsText(diags))
	}
	if got := h.lastClient().Settings().Unknown; len(got) != 1 || got[0] != "oidc.client_secret" {
		t.Errorf("Unknown = %v", got)
	}

	for _, name := range []string{"openeo_account", "openeo_bearer_token", "openeo_capabilities", "openeo_oidc_providers"} {
		resp := h.readDataSource(name, false)
		text := diagsText(resp.Diagnostics)
		if !hasError(resp.Diagnostics) || !strings.Contains(text, "Provider Configuration Not Yet Known") ||
			!strings.Contains(text, "`oidc.client_secret`") {
			t.Errorf("%s: want a clear not-yet-known error naming oidc.client_secret, got %s", name, text)
		}
		resp = h.readDataSource(name, true)
		if hasError(resp.Diagnostics) || resp.Deferred == nil || resp.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown {
			t.Errorf("%s: with deferral allowed, want a deferral, got %+v %s", name, resp.Deferred, diagsText(resp.Diagnostics))
		}
	}
	resp := h.openEphemeral(false)
	if text := diagsText(resp.Diagnostics); !strings.Contains(text, "Provider Configuration Not Yet Known") {
		t.Errorf("ephemeral: want not-yet-known, got %s", text)
	}
	resp = h.openEphemeral(true)
	if resp.Deferred == nil || hasError(resp.Diagnostics) {
		t.Errorf("ephemeral: want a deferral, got %s", diagsText(resp.Diagnostics))
	}
	if n := be.Counts(); len(n) != 0 {
		t.Errorf("no request may be sent while values are unknown, the back-end saw %v", n)
	}
}

// TestConfigureAbsentBlocks: without blocks and credentials the method is none.
func TestConfigureAbsentBlocks(t *testing.T) {
	acctest.IsolateEnv(t)
	h := newHarness(t, provider.Options{})
	if d := h.configure(map[string]any{"url": "https://x.example"}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s := h.lastClient().Settings(); s.Method != "none" || s.MethodSource != settings.SourceDefault {
		t.Errorf("absent blocks: %+v", s)
	}
	if d := h.configure(map[string]any{"url": "https://x.example", "oidc": map[string]any{}}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s := h.lastClient().Settings(); s.Method != "oidc" {
		t.Errorf("empty oidc block: %+v", s)
	}
}

func TestConfigureUnknownBlockAndURL(t *testing.T) {
	acctest.IsolateEnv(t)
	h := newHarness(t, provider.Options{})
	diags := h.configure(map[string]any{"url": unknown, "basic": unknown})
	if hasError(diags) {
		t.Fatalf("Configure must not fail on unknown values: %s", diagsText(diags))
	}
	if u := h.lastClient().Settings().Unknown; len(u) != 3 || u[0] != "url" {
		t.Errorf("Unknown = %v", u)
	}
}

func TestConfigureEnvFallbacks(t *testing.T) {
	acctest.IsolateEnv(t)
	t.Setenv("OPENEO_BACKEND_URL", "https://env.example")
	t.Setenv("OPENEO_AUTH_METHOD", "client_credentials")
	t.Setenv("OPENEO_AUTH_CLIENT_ID", "env-client")
	t.Setenv("OPENEO_AUTH_CLIENT_SECRET", "env-client-secret")
	t.Setenv("OPENEO_AUTH_PROVIDER_ID", "env-provider")
	h := newHarness(t, provider.Options{})
	if d := h.configure(map[string]any{}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	s := h.lastClient().Settings()
	if s.Method != "client_credentials" || s.MethodSource != settings.SourceEnv {
		t.Errorf("method from env: %+v", s)
	}
	if s.URL != "https://env.example" || s.Method != "client_credentials" || s.OIDC.ClientID != "env-client" ||
		s.OIDC.ClientSecret != "env-client-secret" || s.OIDC.ProviderID != "env-provider" {
		t.Errorf("env fallbacks not applied: %+v", s)
	}
	// Explicit attributes win, per field; the environment secret completes
	// the explicit client id.
	if d := h.configure(map[string]any{"url": "https://attr.example", "auth_method": "device_code",
		"oidc": map[string]any{"client_id": "attr-client"}}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	s = h.lastClient().Settings()
	if s.URL != "https://attr.example" || s.Method != "device_code" || s.OIDC.ClientID != "attr-client" ||
		s.OIDC.ClientSecret != "env-client-secret" {
		t.Errorf("explicit attributes must win per field: %+v", s)
	}
	// auth_method = "oidc" is authenticate_oidc(): OPENEO_AUTH_METHOD=client_credentials
	// switches it to client credentials, as in the Python client.
	if d := h.configure(map[string]any{"auth_method": "oidc"}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s = h.lastClient().Settings(); s.Method != "client_credentials" || s.OIDC.ClientID != "env-client" {
		t.Errorf("oidc with OPENEO_AUTH_METHOD=client_credentials: %+v", s)
	}
}

// TestConfigureTwoInstances configures two provider instances (as two
// aliases would be) with different methods in the same environment.
func TestConfigureTwoInstances(t *testing.T) {
	acctest.IsolateEnv(t)
	t.Setenv("OPENEO_AUTH_USERNAME", "env-user")
	t.Setenv("OPENEO_AUTH_PASSWORD", "env-password")
	a := newHarness(t, provider.Options{})
	b := newHarness(t, provider.Options{})
	if d := a.configure(map[string]any{"url": "https://a.example", "auth_method": "client_credentials",
		"oidc": map[string]any{"client_id": "cid-a", "client_secret": "secret-a"}}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if d := b.configure(map[string]any{"url": "http://127.0.0.1:1"}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	sa, sb := a.lastClient().Settings(), b.lastClient().Settings()
	if sa.Method != "client_credentials" || sa.Basic.Username != "env-user" || sa.OIDC.ClientSecret != "secret-a" {
		t.Errorf("instance a: %+v", sa)
	}
	if sb.Method != "basic" || sb.OIDC.ClientID != "" || sb.OIDC.ClientSecret != "" || sb.URL != "http://127.0.0.1:1" {
		t.Errorf("instance b: %+v", sb)
	}
	if a.lastClient() == b.lastClient() {
		t.Error("two instances share a client")
	}
}

func TestConfigureInsecureBasicRefused(t *testing.T) {
	acctest.IsolateEnv(t)
	h := newHarness(t, provider.Options{})
	diags := h.configure(map[string]any{"url": "http://openeo.example", "basic": map[string]any{"username": "u", "password": "pw-not-shown"}})
	text := diagsText(diags)
	if !hasError(diags) || !strings.Contains(text, "Insecure Basic Authentication") || strings.Contains(text, "pw-not-shown") {
		t.Fatalf("want Insecure Basic Authentication without the password, got %s", text)
	}
	if len(diags) == 0 || diags[0].Attribute == nil || diags[0].Attribute.String() != tftypes.NewAttributePath().WithAttributeName("url").String() {
		t.Errorf("the error must be an attribute error on url, got %+v", diags[0].Attribute)
	}
	if d := h.configure(map[string]any{"url": "http://openeo.example", "allow_insecure_basic_auth": true,
		"basic": map[string]any{"username": "u", "password": "p"}}); hasError(d) {
		t.Errorf("the opt-in must allow it: %s", diagsText(d))
	}
}

func TestConfigureInvalidValues(t *testing.T) {
	acctest.IsolateEnv(t)
	h := newHarness(t, provider.Options{})
	ty := h.schemas.Provider.Block.ValueType()
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"auth_method": "kerberos"}, "auth_method"},
		{map[string]any{"request_timeout": "soon"}, "Invalid Duration"},
		{map[string]any{"oidc": map[string]any{"max_poll_time": "-5m"}}, "Invalid Duration"},
		{map[string]any{"oidc": map[string]any{"max_poll_time": "0"}}, "Invalid Duration"},
		{map[string]any{"oidc": map[string]any{"refresh_token_warning": "-1h"}}, "Invalid Duration"},
		{map[string]any{"oidc": map[string]any{"refresh_token_warning": "a week"}}, "Invalid Duration"},
		{map[string]any{"max_retries": int64(99)}, "max_retries"},
	} {
		resp, err := h.srv.ValidateProviderConfig(h.t.Context(), &tfprotov6.ValidateProviderConfigRequest{
			Config: dynamic(t, ty, tc.cfg)})
		if err != nil {
			t.Fatal(err)
		}
		text := diagsText(resp.Diagnostics)
		for _, d := range resp.Diagnostics {
			if d.Attribute != nil {
				text += d.Attribute.String()
			}
		}
		if !hasError(resp.Diagnostics) || !strings.Contains(text, tc.want) {
			t.Errorf("%v: want an error about %q, got %s", tc.cfg, tc.want, text)
		}
	}
	// "0" turns the refresh token warning off: valid there.
	for _, v := range []string{"0", "0s", "72h"} {
		resp, err := h.srv.ValidateProviderConfig(h.t.Context(), &tfprotov6.ValidateProviderConfigRequest{
			Config: dynamic(t, ty, map[string]any{"oidc": map[string]any{"refresh_token_warning": v}})})
		if err != nil {
			t.Fatal(err)
		}
		if hasError(resp.Diagnostics) {
			t.Errorf("refresh_token_warning = %q: %s", v, diagsText(resp.Diagnostics))
		}
	}
}

// TestDataSourcesShareOneSession reads every data source and opens the
// ephemeral token of one provider instance against the test back-end: one
// basic login serves them all, and each shows what the back-end answered.
func TestDataSourcesShareOneSession(t *testing.T) {
	acctest.IsolateEnv(t)
	const user, password = "dora", "dora-basic-Pw-77c2"
	be := testbackend.Start(t, testbackend.Config{BasicUsers: map[string]string{user: password},
		Providers: []testbackend.Provider{testbackend.ProviderFor("egi", "https://idp.example")}})
	h := newHarness(t, provider.Options{Interaction: noInteraction})
	if d := h.configure(map[string]any{"url": be.URL(), "auth_method": "basic",
		"basic": map[string]any{"username": user, "password": password}}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	get := func(dv *tfprotov6.DynamicValue, ty tftypes.Type) map[string]tftypes.Value {
		v, err := dv.Unmarshal(ty)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]tftypes.Value{}
		if err := v.As(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	str := func(v tftypes.Value) string {
		var s string
		if err := v.As(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	resp := h.readDataSource("openeo_bearer_token", false)
	if hasError(resp.Diagnostics) {
		t.Fatal(diagsText(resp.Diagnostics))
	}
	tok := get(resp.State, h.schemas.DataSourceSchemas["openeo_bearer_token"].Block.ValueType())
	header := str(tok["authorization_header"])
	if !strings.HasPrefix(header, "Bearer basic//") || str(tok["bearer"]) != strings.TrimPrefix(header, "Bearer ") ||
		str(tok["auth_method"]) != "basic" || !tok["expires_at"].IsNull() {
		t.Errorf("token: %v (a basic login's token has no expiry the back-end announces)", tok)
	}
	eresp := h.openEphemeral(false)
	if hasError(eresp.Diagnostics) {
		t.Fatal(diagsText(eresp.Diagnostics))
	}
	etok := get(eresp.Result, h.schemas.EphemeralResourceSchemas["openeo_bearer_token"].Block.ValueType())
	if str(etok["bearer"]) != str(tok["bearer"]) {
		t.Errorf("the ephemeral token is not the data source's: one token per provider instance")
	}
	resp = h.readDataSource("openeo_account", false)
	if hasError(resp.Diagnostics) {
		t.Fatal(diagsText(resp.Diagnostics))
	}
	acc := get(resp.State, h.schemas.DataSourceSchemas["openeo_account"].Block.ValueType())
	if str(acc["user_id"]) != user || str(acc["default_plan"]) != "free" {
		t.Errorf("account: %v", acc)
	}
	if me := be.Requests("/me"); len(me) != 1 || me[0].Authorization != header {
		t.Errorf("want one GET /me with the token of the data source, got %d", len(me))
	}
	resp = h.readDataSource("openeo_capabilities", false)
	caps := get(resp.State, h.schemas.DataSourceSchemas["openeo_capabilities"].Block.ValueType())
	var auth []tftypes.Value
	_ = caps["auth_endpoints"].As(&auth)
	if len(auth) != 3 || str(auth[0]) != "GET /credentials/basic" || str(auth[1]) != "GET /credentials/oidc" || str(auth[2]) != "GET /me" {
		t.Errorf("auth_endpoints: %v", auth)
	}
	resp = h.readDataSource("openeo_oidc_providers", false)
	provs := get(resp.State, h.schemas.DataSourceSchemas["openeo_oidc_providers"].Block.ValueType())
	if str(provs["default_provider_id"]) != "egi" {
		t.Errorf("providers: %v", provs)
	}
	if n := be.Count("/credentials/basic"); n != 1 {
		t.Errorf("the back-end saw %d basic logins: the provider instance must log in once for all its data sources", n)
	}
}

func TestMissingURLIsClear(t *testing.T) {
	acctest.IsolateEnv(t)
	h := newHarness(t, provider.Options{})
	if d := h.configure(map[string]any{"auth_method": "client_credentials"}); hasError(d) {
		t.Fatalf("a missing URL is reported on use, not in Configure: %s", diagsText(d))
	}
	resp := h.readDataSource("openeo_capabilities", false)
	if text := diagsText(resp.Diagnostics); !strings.Contains(text, "Missing openEO Back-End URL") || !strings.Contains(text, "OPENEO_BACKEND_URL") {
		t.Errorf("got %s", text)
	}
}

func TestConfigureClientConfigFile(t *testing.T) {
	dirs := acctest.IsolateEnv(t)
	ini := "[Connection]\ndefault_backend = https://ini.example\ndefault_backend.auto_authenticate = Basic\n"
	if err := os.WriteFile(dirs.ClientConfigPath(), []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, provider.Options{})
	if d := h.configure(map[string]any{}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	s := h.lastClient().Settings()
	if s.URL != "https://ini.example" || s.Method != "basic" || s.URLSource != settings.SourceFile || s.MethodSource != settings.SourceFile {
		t.Errorf("from the client config file found through OPENEO_CONFIG_HOME: %+v", s)
	}
	// The env beats the file, per field.
	t.Setenv("OPENEO_AUTH_METHOD", "oidc")
	if d := h.configure(map[string]any{}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s := h.lastClient().Settings(); s.URL != "https://ini.example" || s.Method != "oidc" {
		t.Errorf("env over file: %+v", s)
	}
	// An explicit client_config_path.
	other := filepath.Join(t.TempDir(), "other.ini")
	if err := os.WriteFile(other, []byte("[connection]\ndefault_backend = https://other.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d := h.configure(map[string]any{"client_config_path": other}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s := h.lastClient().Settings(); s.URL != "https://other.example" {
		t.Errorf("client_config_path: %+v", s)
	}
	// A missing explicit file is an attribute error.
	d := h.configure(map[string]any{"client_config_path": filepath.Join(t.TempDir(), "missing.ini")})
	if !hasError(d) || d[0].Attribute == nil || !strings.Contains(diagsText(d), "Unreadable openEO Client Config File") {
		t.Errorf("missing client_config_path: %s", diagsText(d))
	}
}

// TestConfigureEnvMethodVersusBlockCredentials: Configure applies the merge
// rule that explicit credentials in the block beat OPENEO_AUTH_METHOD, and
// shows its warning to the user.
func TestConfigureEnvMethodVersusBlockCredentials(t *testing.T) {
	acctest.IsolateEnv(t)
	t.Setenv("OPENEO_AUTH_METHOD", "basic")
	h := newHarness(t, provider.Options{})
	d := h.configure(map[string]any{"url": "https://openeo.example",
		"oidc": map[string]any{"client_id": "cid", "client_secret": "block-secret-9f2"}})
	if hasError(d) {
		t.Fatal(diagsText(d))
	}
	if s := h.lastClient().Settings(); s.Method != flows.MethodClientCredentials || s.MethodSource != settings.SourceInferred {
		t.Errorf("method = %q (%s), want client_credentials inferred from the block", s.Method, s.MethodSource)
	}
	if len(d) != 1 || d[0].Severity != tfprotov6.DiagnosticSeverityWarning || d[0].Summary != "OPENEO_AUTH_METHOD Ignored" ||
		!strings.Contains(d[0].Detail, `OPENEO_AUTH_METHOD is set to "basic"`) || strings.Contains(d[0].Detail, "block-secret-9f2") {
		t.Errorf("want one warning naming the ignored OPENEO_AUTH_METHOD, got %s", diagsText(d))
	}
	// Without credentials in the block the variable decides, silently.
	d = h.configure(map[string]any{"url": "https://openeo.example"})
	if len(d) != 0 || h.lastClient().Settings().Method != flows.MethodBasic {
		t.Errorf("method = %q, diagnostics %s; want basic from OPENEO_AUTH_METHOD", h.lastClient().Settings().Method, diagsText(d))
	}
}
