package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/clientconfig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// cfg builds a provider block: keys are attribute paths ("url",
// "basic.username", "oidc.scopes"); a value is a string, unknownValue, a
// bool, an int64 or a []string.
type cfg map[string]any

type unknownValue struct{}

var unknown = unknownValue{}

func (c cfg) model(t *testing.T) providerModel {
	t.Helper()
	str := func(k string) types.String {
		switch v := c[k].(type) {
		case nil:
			return types.StringNull()
		case unknownValue:
			return types.StringUnknown()
		case string:
			return types.StringValue(v)
		}
		t.Fatalf("bad value for %s: %#v", k, c[k])
		return types.String{}
	}
	m := providerModel{
		URL: str("url"), AuthMethod: str("auth_method"), BearerToken: str("bearer_token"),
		AuthConfigPath: str("auth_config_path"), RefreshTokenStorePath: str("refresh_token_store_path"),
		ClientConfigPath: str("client_config_path"), RequestTimeout: str("request_timeout"), CACertFile: str("ca_cert_file"),
		MaxRetries: types.Int64Null(), AllowInsecureBasicAuth: types.BoolNull(),
		Basic: types.ObjectNull(basicAttrTypes), OIDC: types.ObjectNull(oidcAttrTypes),
	}
	if v, ok := c["max_retries"].(int64); ok {
		m.MaxRetries = types.Int64Value(v)
	}
	if v, ok := c["allow_insecure_basic_auth"].(bool); ok {
		m.AllowInsecureBasicAuth = types.BoolValue(v)
	}
	block := func(name string, types_ map[string]attr.Type) types.Object {
		if c[name] == unknown {
			return types.ObjectUnknown(types_)
		}
		present := c[name] != nil
		vals := map[string]attr.Value{}
		for a, ty := range types_ {
			k := name + "." + a
			if _, ok := c[k]; ok {
				present = true
			}
			switch ty {
			case types.StringType:
				vals[a] = str(k)
			case types.BoolType:
				switch v := c[k].(type) {
				case bool:
					vals[a] = types.BoolValue(v)
				case unknownValue:
					vals[a] = types.BoolUnknown()
				default:
					vals[a] = types.BoolNull()
				}
			default: // list of strings
				switch v := c[k].(type) {
				case []string:
					l, d := stringListValue(v)
					if d.HasError() {
						t.Fatal(d)
					}
					vals[a] = l
				case unknownValue:
					vals[a] = types.ListUnknown(types.StringType)
				default:
					vals[a] = types.ListNull(types.StringType)
				}
			}
		}
		if !present {
			return types.ObjectNull(types_)
		}
		o, d := types.ObjectValue(types_, vals)
		if d.HasError() {
			t.Fatal(d)
		}
		return o
	}
	m.Basic = block("basic", basicAttrTypes)
	m.OIDC = block("oidc", oidcAttrTypes)
	return m
}

func stringListValue(v []string) (types.List, diag.Diagnostics) {
	vals := make([]attr.Value, len(v))
	for i, s := range v {
		vals[i] = types.StringValue(s)
	}
	return types.ListValue(types.StringType, vals)
}

// iniValues is a client config file for the tests.
func iniValues(values map[string]string) clientConfigLoader {
	return func(string, func(string) string) (*settings.ClientConfigFile, error) {
		if values == nil {
			return nil, nil
		}
		// Keys are "section.option" (the option may contain dots).
		sections := map[string][]string{}
		for k, v := range values {
			section, option, _ := strings.Cut(k, ".")
			sections[section] = append(sections[section], option+" = "+v)
		}
		var ini strings.Builder
		for section, lines := range sections {
			fmt.Fprintf(&ini, "[%s]\n%s\n", section, strings.Join(lines, "\n"))
		}
		c, err := clientconfig.Parse([]byte(ini.String()))
		if err != nil {
			return nil, err
		}
		return &settings.ClientConfigFile{Path: "/test/openeo-client-config.ini", Config: c}, nil
	}
}

// runMerge merges c with the process environment (set by t.Setenv).
func runMerge(t *testing.T, c cfg, ini map[string]string) (pd.Settings, diag.Diagnostics) {
	t.Helper()
	in, diags := decodeConfig(t.Context(), c.model(t))
	if diags.HasError() {
		t.Fatalf("decode: %v", diags)
	}
	return merge(in, os.Getenv, iniValues(ini))
}

// clearEnv empties every variable the merge reads.
func clearEnv(t *testing.T) {
	for _, v := range []string{settings.EnvBackendURL, settings.EnvAuthMethod, settings.EnvAuthUsername, settings.EnvAuthPassword,
		settings.EnvAuthProviderID, settings.EnvAuthClientID, settings.EnvAuthClientSecret} {
		t.Setenv(v, "")
	}
}

func TestMergePrecedence(t *testing.T) {
	type want struct {
		url, method   string
		methodSource  settings.Source
		user, pass    string
		provider      string
		clientID      string
		clientSecret  string
		oidcUser      string
		oidcPass      string
		store         bool
		sources       map[string]settings.Source
		errorContains string
	}
	tests := []struct {
		name string
		cfg  cfg
		env  map[string]string
		ini  map[string]string
		want want
	}{
		{
			name: "attribute beats env beats file for url",
			cfg:  cfg{"url": "https://attr.example"},
			env:  map[string]string{settings.EnvBackendURL: "https://env.example"},
			ini:  map[string]string{"connection.default_backend": "https://ini.example"},
			want: want{url: "https://attr.example", method: "none", methodSource: settings.SourceDefault,
				sources: map[string]settings.Source{"url": settings.SourceAttribute}},
		},
		{
			name: "env beats file for url",
			env:  map[string]string{settings.EnvBackendURL: "https://env.example"},
			ini:  map[string]string{"connection.default_backend": "https://ini.example"},
			want: want{url: "https://env.example", method: "none", methodSource: settings.SourceDefault,
				sources: map[string]settings.Source{"url": settings.SourceEnv}},
		},
		{
			name: "file default back-end and its auto_authenticate",
			ini: map[string]string{"connection.default_backend": "openeo.example",
				"connection.default_backend.auto_authenticate": "OIDC"},
			want: want{url: "https://openeo.example", method: "oidc", methodSource: settings.SourceFile, store: true,
				sources: map[string]settings.Source{"url": settings.SourceFile}},
		},
		{
			name: "default_backend.auto_authenticate ignored when the url is not the file's",
			cfg:  cfg{"url": "https://attr.example"},
			ini: map[string]string{"connection.default_backend": "https://ini.example",
				"connection.default_backend.auto_authenticate": "basic"},
			want: want{url: "https://attr.example", method: "none", methodSource: settings.SourceDefault},
		},
		{
			name: "connection.auto_authenticate applies to any url",
			cfg:  cfg{"url": "https://attr.example"},
			ini:  map[string]string{"connection.auto_authenticate": "basic"},
			want: want{url: "https://attr.example", method: "basic", methodSource: settings.SourceFile},
		},
		{
			name: "auto_authenticate off",
			cfg:  cfg{"url": "https://attr.example"},
			ini:  map[string]string{"connection.auto_authenticate": "off"},
			env:  map[string]string{settings.EnvAuthUsername: "envuser"},
			want: want{url: "https://attr.example", method: "none", methodSource: settings.SourceFile, user: "envuser"},
		},
		{
			name: "explicit method beats OPENEO_AUTH_METHOD",
			cfg:  cfg{"url": "https://x.example", "auth_method": "device_code"},
			env:  map[string]string{settings.EnvAuthMethod: "client_credentials"},
			want: want{url: "https://x.example", method: "device_code", methodSource: settings.SourceAttribute},
		},
		{
			// As the Python client's authenticate_oidc().
			name: "OPENEO_AUTH_METHOD=client_credentials switches the dynamic oidc method",
			cfg:  cfg{"url": "https://x.example", "auth_method": "oidc"},
			env: map[string]string{settings.EnvAuthMethod: "client_credentials", settings.EnvAuthClientID: "ecid",
				settings.EnvAuthClientSecret: "esecret"},
			want: want{url: "https://x.example", method: "client_credentials", methodSource: settings.SourceEnv,
				clientID: "ecid", clientSecret: "esecret",
				sources: map[string]settings.Source{"oidc.client_id": settings.SourceEnv, "oidc.client_secret": settings.SourceEnv}},
		},
		{
			name: "another OPENEO_AUTH_METHOD does not switch an explicit oidc",
			cfg:  cfg{"url": "https://x.example", "auth_method": "oidc"},
			env:  map[string]string{settings.EnvAuthMethod: "device_code"},
			want: want{url: "https://x.example", method: "oidc", methodSource: settings.SourceAttribute, store: true},
		},
		{
			name: "inference from attributes beats the file",
			cfg:  cfg{"url": "https://x.example", "oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			ini:  map[string]string{"connection.auto_authenticate": "basic"},
			want: want{url: "https://x.example", method: "client_credentials", methodSource: settings.SourceInferred,
				clientID: "cid", clientSecret: "csecret"},
		},
		{
			name: "basic per field: attribute username, env password",
			cfg:  cfg{"url": "https://x.example", "basic.username": "attruser"},
			env:  map[string]string{settings.EnvAuthUsername: "envuser", settings.EnvAuthPassword: "envpass"},
			want: want{url: "https://x.example", method: "basic", methodSource: settings.SourceInferred, user: "attruser", pass: "envpass",
				sources: map[string]settings.Source{"basic.username": settings.SourceAttribute, "basic.password": settings.SourceEnv}},
		},
		{
			name: "basic inferred from env credentials",
			cfg:  cfg{"url": "https://x.example"},
			env:  map[string]string{settings.EnvAuthUsername: "envuser", settings.EnvAuthPassword: "envpass"},
			want: want{url: "https://x.example", method: "basic", methodSource: settings.SourceInferred, user: "envuser", pass: "envpass"},
		},
		{
			name: "client_credentials inferred from env client",
			cfg:  cfg{"url": "https://x.example"},
			env:  map[string]string{settings.EnvAuthClientID: "envcid", settings.EnvAuthClientSecret: "envsecret"},
			want: want{url: "https://x.example", method: "client_credentials", methodSource: settings.SourceInferred,
				clientID: "envcid", clientSecret: "envsecret"},
		},
		{
			name: "oidc per field",
			cfg:  cfg{"url": "https://x.example", "auth_method": "client_credentials", "oidc.client_id": "attrcid"},
			env: map[string]string{settings.EnvAuthClientID: "envcid", settings.EnvAuthClientSecret: "envsecret",
				settings.EnvAuthProviderID: "envprov"},
			want: want{url: "https://x.example", method: "client_credentials", methodSource: settings.SourceAttribute,
				clientID: "attrcid", clientSecret: "envsecret", provider: "envprov",
				sources: map[string]settings.Source{"oidc.client_id": settings.SourceAttribute, "oidc.client_secret": settings.SourceEnv,
					"oidc.provider_id": settings.SourceEnv}},
		},
		{
			name: "password method takes the env user for the grant",
			cfg:  cfg{"url": "https://x.example", "auth_method": "password"},
			env:  map[string]string{settings.EnvAuthUsername: "envuser", settings.EnvAuthPassword: "envpass"},
			want: want{url: "https://x.example", method: "password", methodSource: settings.SourceAttribute,
				user: "envuser", pass: "envpass", oidcUser: "envuser", oidcPass: "envpass"},
		},
		{
			name: "store_refresh_token explicit",
			cfg:  cfg{"url": "https://x.example", "auth_method": "oidc", "oidc.store_refresh_token": false},
			want: want{url: "https://x.example", method: "oidc", methodSource: settings.SourceAttribute, store: false},
		},
		{
			name: "an empty basic block means basic",
			cfg:  cfg{"url": "https://x.example", "basic": true},
			env:  map[string]string{settings.EnvAuthUsername: "envuser"},
			want: want{url: "https://x.example", method: "basic", methodSource: settings.SourceInferred, user: "envuser"},
		},
		{
			name: "an empty oidc block means oidc",
			cfg:  cfg{"url": "https://x.example", "oidc": true},
			want: want{url: "https://x.example", method: "oidc", methodSource: settings.SourceInferred, store: true},
		},
		{
			name: "invalid OPENEO_AUTH_METHOD",
			cfg:  cfg{"url": "https://x.example"},
			env:  map[string]string{settings.EnvAuthMethod: "kerberos"},
			want: want{errorContains: "OPENEO_AUTH_METHOD"},
		},
		{
			name: "ambiguous inference",
			cfg:  cfg{"url": "https://x.example", "basic.username": "u", "bearer_token": "basic//tok3n"},
			want: want{errorContains: "Set auth_method"},
		},
		{
			// docs/index.md: credentials for two methods are an error, not
			// silently basic.
			name: "a basic block and oidc.client_secret are two methods",
			cfg:  cfg{"url": "https://x.example", "basic": true, "oidc.client_secret": "csecret"},
			want: want{errorContains: "basic (from basic); client_credentials (from oidc.client_secret). Set auth_method"},
		},
		{
			name: "basic credentials and oidc.client_id are two methods",
			cfg:  cfg{"url": "https://x.example", "basic.username": "u", "oidc.client_id": "cid"},
			want: want{errorContains: "basic (from basic.username); oidc (from oidc.client_id). Set auth_method"},
		},
		{
			name: "auth_method settles a basic block with oidc.client_secret",
			cfg:  cfg{"url": "https://x.example", "auth_method": "basic", "basic.username": "u", "oidc.client_secret": "csecret"},
			want: want{url: "https://x.example", method: "basic", methodSource: settings.SourceAttribute, user: "u",
				clientSecret: "csecret"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			s, diags := runMerge(t, tc.cfg, tc.ini)
			if tc.want.errorContains != "" {
				if !diags.HasError() || !strings.Contains(diagText(diags), tc.want.errorContains) {
					t.Fatalf("want an error containing %q, got %v", tc.want.errorContains, diags)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			w := tc.want
			got := want{url: s.URL, method: string(s.Method), methodSource: s.MethodSource, user: s.Basic.Username,
				pass: s.Basic.Password, provider: s.OIDC.ProviderID, clientID: s.OIDC.ClientID,
				clientSecret: s.OIDC.ClientSecret, oidcUser: s.OIDC.Username, oidcPass: s.OIDC.Password,
				store: s.OIDC.StoreRefreshToken}
			wCmp, gCmp := w, got
			wCmp.sources, gCmp.sources = nil, nil
			if !reflect.DeepEqual(wCmp, gCmp) {
				t.Errorf("merged settings\n got %+v\nwant %+v", gCmp, wCmp)
			}
			for k, src := range w.sources {
				if s.Sources[k] != src {
					t.Errorf("source of %s = %q, want %q", k, s.Sources[k], src)
				}
			}
		})
	}
}

func TestMergeDefaultsAndOverrides(t *testing.T) {
	clearEnv(t)
	s, diags := runMerge(t, cfg{"url": "https://x.example"}, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.RequestTimeout != settings.DefaultRequestTimeout || s.MaxRetries != settings.DefaultMaxRetries ||
		s.OIDC.MaxPollTime != settings.DefaultMaxPollTime || s.AllowInsecureBasicAuth ||
		s.OIDC.RefreshTokenWarning != 7*24*time.Hour {
		t.Errorf("defaults: %+v", s)
	}
	s, diags = runMerge(t, cfg{"url": "https://x.example", "request_timeout": "2m", "max_retries": int64(0),
		"oidc.max_poll_time": "90s", "oidc.scopes": []string{"a", "b"}, "auth_config_path": "/a/auth.json",
		"refresh_token_store_path": "/a/rt.json"}, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.RequestTimeout != 2*time.Minute || s.MaxRetries != 0 || s.OIDC.MaxPollTime != 90*time.Second ||
		!reflect.DeepEqual(s.OIDC.Scopes, []string{"a", "b"}) || s.AuthConfigPath != "/a/auth.json" ||
		s.RefreshTokenStorePath != "/a/rt.json" {
		t.Errorf("overrides: %+v", s)
	}
	// An oidc block with only scopes means the dynamic oidc method.
	if s.Method != flows.MethodOIDC {
		t.Errorf("method = %q, want oidc (inferred from the oidc block)", s.Method)
	}
}

func TestMergeRefreshTokenWarning(t *testing.T) {
	clearEnv(t)
	for value, want := range map[string]time.Duration{"72h": 72 * time.Hour, "0": 0, "0s": 0, "90m": 90 * time.Minute} {
		s, diags := runMerge(t, cfg{"url": "https://x.example", "oidc.refresh_token_warning": value}, nil)
		if diags.HasError() {
			t.Fatalf("%s: %v", value, diags)
		}
		if s.OIDC.RefreshTokenWarning != want {
			t.Errorf("refresh_token_warning %q: %v, want %v", value, s.OIDC.RefreshTokenWarning, want)
		}
	}
}

func TestMergeUnknownValues(t *testing.T) {
	clearEnv(t)
	t.Setenv(settings.EnvBackendURL, "https://env.example")
	for _, tc := range []struct {
		cfg  cfg
		want []string
	}{
		{cfg{"url": unknown}, []string{"url"}},
		{cfg{"url": "https://x.example", "basic.password": unknown, "basic.username": "u"}, []string{"basic.password"}},
		{cfg{"url": "https://x.example", "oidc": unknown}, []string{"oidc.provider_id", "oidc.client_id", "oidc.client_secret",
			"oidc.username", "oidc.password", "oidc.refresh_token", "oidc.access_token", "oidc.max_poll_time",
			"oidc.refresh_token_warning", "oidc.subject_token", "oidc.subject_token_file", "oidc.subject_token_env", "oidc.subject_token_type", "oidc.audience",
			"oidc.requested_token_type", "oidc.hcp_terraform_tag", "oidc.client_assertion_key", "oidc.client_assertion_key_file",
			"oidc.client_assertion_key_id", "oidc.client_assertion_alg", "oidc.client_assertion"}},
		{cfg{"url": "https://x.example", "auth_method": unknown}, []string{"auth_method"}},
		{cfg{"url": "https://x.example", "oidc.scopes": unknown}, []string{"oidc.scopes"}},
	} {
		s, diags := runMerge(t, tc.cfg, map[string]string{"connection.default_backend": "https://ini.example"})
		if diags.HasError() {
			t.Fatalf("%v: unknown values must not fail the merge: %v", tc.cfg, diags)
		}
		if !reflect.DeepEqual(s.Unknown, tc.want) {
			t.Errorf("%v: Unknown = %v, want %v", tc.cfg, s.Unknown, tc.want)
		}
		if tc.cfg["url"] == unknown && s.URL != "" {
			t.Errorf("an unknown url must not fall back to env or file, got %q", s.URL)
		}
	}
}

func TestMergeInsecureBasic(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     cfg
		env     string
		wantErr string
	}{
		{name: "https", cfg: cfg{"url": "https://openeo.example", "auth_method": "basic"}},
		{name: "loopback ip", cfg: cfg{"url": "http://127.0.0.1:8080", "auth_method": "basic"}},
		{name: "localhost", cfg: cfg{"url": "http://localhost:8080/openeo", "auth_method": "basic"}},
		{name: "ipv6 loopback", cfg: cfg{"url": "http://[::1]:8080", "auth_method": "basic"}},
		{name: "http remote", cfg: cfg{"url": "http://openeo.example", "auth_method": "basic", "basic.password": "hunter22"},
			wantErr: "allow_insecure_basic_auth"},
		{name: "http remote from env", cfg: cfg{"auth_method": "basic"}, env: "http://openeo.example",
			wantErr: "environment variable OPENEO_BACKEND_URL"},
		{name: "opt-in", cfg: cfg{"url": "http://openeo.example", "auth_method": "basic", "allow_insecure_basic_auth": true}},
		{name: "oidc over http is not basic", cfg: cfg{"url": "http://openeo.example", "auth_method": "client_credentials"}},
		// Go resolves *.localhost through DNS: not loopback for sure.
		{name: "*.localhost", cfg: cfg{"url": "http://openeo.localhost:8080", "auth_method": "basic"}, wantErr: "allow_insecure_basic_auth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(settings.EnvBackendURL, tc.env)
			_, diags := runMerge(t, tc.cfg, nil)
			text := diagText(diags)
			if tc.wantErr == "" && diags.HasError() {
				t.Fatalf("unexpected error: %s", text)
			}
			if tc.wantErr != "" {
				if !diags.HasError() || !strings.Contains(text, tc.wantErr) || !strings.Contains(text, "Insecure Basic Authentication") {
					t.Fatalf("want an Insecure Basic Authentication error mentioning %q, got %s", tc.wantErr, text)
				}
				if strings.Contains(text, "hunter22") {
					t.Fatal("the password appears in the diagnostic")
				}
				if p := diags.Errors()[0]; p == nil {
					t.Fatal("no error")
				}
			}
		})
	}
}

// TestMergeAliasesIndependent merges two provider blocks in the same
// environment: nothing of one instance reaches the other, and env values
// only fill fields an instance left empty.
func TestMergeAliasesIndependent(t *testing.T) {
	clearEnv(t)
	t.Setenv(settings.EnvAuthMethod, "basic")
	t.Setenv(settings.EnvAuthUsername, "envuser")
	t.Setenv(settings.EnvAuthPassword, "envpass")
	a, diags := runMerge(t, cfg{"url": "https://a.example", "auth_method": "client_credentials",
		"oidc.client_id": "cid-a", "oidc.client_secret": "secret-a"}, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	b, diags := runMerge(t, cfg{"url": "https://b.example", "basic.username": "bob"}, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if a.Method != "client_credentials" || a.OIDC.ClientID != "cid-a" || a.OIDC.ClientSecret != "secret-a" || a.URL != "https://a.example" {
		t.Errorf("alias a: %+v", a)
	}
	if b.Method != "basic" || b.Basic.Username != "bob" || b.Basic.Password != "envpass" || b.OIDC.ClientID != "" ||
		b.OIDC.ClientSecret != "" || b.URL != "https://b.example" {
		t.Errorf("alias b: %+v", b)
	}
}

// TestMergeEnvMethodAgainstBlockCredentials: OPENEO_AUTH_METHOD fills
// auth_method only as far as the provider block's own credentials allow.
// When the block's credentials imply exactly one method and the env method
// would not use some of them, the explicit configuration wins, with a
// warning that names the ignored value and how to choose.
func TestMergeEnvMethodAgainstBlockCredentials(t *testing.T) {
	tests := []struct {
		name       string
		cfg        cfg
		envMethod  string
		env        map[string]string
		wantMethod string
		wantSource settings.Source
		warn       bool
		// unused: the credentials the Unused Provider Credentials warning names.
		unused string
	}{
		{name: "oidc client in the block, env basic", envMethod: "basic",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			wantMethod: "client_credentials", wantSource: settings.SourceInferred, warn: true},
		{name: "basic credentials in the block, env client_credentials (any case)", envMethod: "Client_Credentials",
			cfg:        cfg{"basic.username": "u", "basic.password": "p4ssw0rd"},
			wantMethod: "basic", wantSource: settings.SourceInferred, warn: true},
		{name: "bearer_token in the block, env password", envMethod: "password",
			cfg:        cfg{"bearer_token": "basic//tok3n"},
			wantMethod: "bearer", wantSource: settings.SourceInferred, warn: true},
		{name: "refresh token in the block, env client_credentials", envMethod: "client_credentials",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.refresh_token": "rt-123"},
			wantMethod: "refresh_token", wantSource: settings.SourceInferred, warn: true},
		{name: "basic credentials in the block, env none", envMethod: "none",
			cfg:        cfg{"basic.username": "u"},
			wantMethod: "basic", wantSource: settings.SourceInferred, warn: true},
		// The env method uses every credential of the block: it stays.
		{name: "oidc client in the block, env oidc", envMethod: "oidc",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			wantMethod: "oidc", wantSource: settings.SourceEnv},
		{name: "oidc client in the block, env password with env user", envMethod: "password",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			env:        map[string]string{settings.EnvAuthUsername: "envuser", settings.EnvAuthPassword: "envpass"},
			wantMethod: "password", wantSource: settings.SourceEnv},
		{name: "client id in the block, env client_credentials with env secret", envMethod: "client_credentials",
			cfg: cfg{"oidc.client_id": "cid"}, env: map[string]string{settings.EnvAuthClientSecret: "envsecret"},
			wantMethod: "client_credentials", wantSource: settings.SourceEnv},
		{name: "refresh token and client in the block, env oidc (which tries that token first)", envMethod: "oidc",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.refresh_token": "rt-123"},
			wantMethod: "oidc", wantSource: settings.SourceEnv},
		{name: "refresh token in the block, env device_code", envMethod: "device_code",
			cfg:        cfg{"oidc.refresh_token": "rt-123"},
			wantMethod: "refresh_token", wantSource: settings.SourceInferred, warn: true},
		{name: "provider id only, env device_code", envMethod: "device_code",
			cfg: cfg{"oidc.provider_id": "egi"}, wantMethod: "device_code", wantSource: settings.SourceEnv},
		{name: "same method", envMethod: "basic",
			cfg: cfg{"basic.username": "u", "basic.password": "p4ssw0rd"}, wantMethod: "basic", wantSource: settings.SourceEnv},
		// No credentials in the block: the env method applies.
		{name: "no credentials", envMethod: "basic", cfg: cfg{},
			env: map[string]string{settings.EnvAuthUsername: "envuser"}, wantMethod: "basic", wantSource: settings.SourceEnv},
		{name: "empty basic block, env oidc", envMethod: "oidc", cfg: cfg{"basic": true},
			wantMethod: "oidc", wantSource: settings.SourceEnv},
		{name: "empty oidc block, env basic", envMethod: "basic", cfg: cfg{"oidc": true},
			wantMethod: "basic", wantSource: settings.SourceEnv},
		{name: "only scopes in the oidc block, env basic", envMethod: "basic", cfg: cfg{"oidc.scopes": []string{"openid"}},
			wantMethod: "basic", wantSource: settings.SourceEnv},
		// Credentials for two methods: the block implies no single method,
		// the env method decides (without it this is an error).
		{name: "credentials of two methods, env basic", envMethod: "basic",
			cfg:        cfg{"basic.username": "u", "bearer_token": "basic//tok3n"},
			wantMethod: "basic", wantSource: settings.SourceEnv, unused: "bearer_token is set"},
		// auth_method in the block beats both, silently.
		{name: "auth_method set", envMethod: "basic",
			cfg:        cfg{"auth_method": "oidc", "oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			wantMethod: "oidc", wantSource: settings.SourceAttribute},
		// An unknown credential: nothing can run yet; the env method stays
		// until the value is known.
		{name: "unknown credential", envMethod: "basic",
			cfg:        cfg{"oidc.client_id": "cid", "oidc.client_secret": unknown},
			wantMethod: "basic", wantSource: settings.SourceEnv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(settings.EnvAuthMethod, tc.envMethod)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c := cfg{"url": "https://x.example"}
			for k, v := range tc.cfg {
				c[k] = v
			}
			s, diags := runMerge(t, c, nil)
			if diags.HasError() {
				t.Fatalf("unexpected errors: %s", diagText(diags))
			}
			if string(s.Method) != tc.wantMethod || s.MethodSource != tc.wantSource {
				t.Errorf("method = %q (%s), want %q (%s)", s.Method, s.MethodSource, tc.wantMethod, tc.wantSource)
			}
			var warnings diag.Diagnostics
			for _, w := range diags.Warnings() {
				if w.Summary() == "Unused Provider Credentials" {
					if tc.unused == "" || !strings.Contains(w.Detail(), tc.unused) {
						t.Errorf("unexpected warning: %s: %s", w.Summary(), w.Detail())
					}
					continue
				}
				warnings = append(warnings, w)
			}
			if tc.unused != "" && len(warnings) == len(diags.Warnings()) {
				t.Errorf("no warning about %s: %s", tc.unused, diagText(diags))
			}
			if !tc.warn {
				if len(warnings) > 0 {
					t.Errorf("unexpected warnings: %s", diagText(diags))
				}
				return
			}
			if len(warnings) != 1 {
				t.Fatalf("want one warning, got %s", diagText(diags))
			}
			w := warnings[0]
			env := strings.ToLower(tc.envMethod)
			for _, want := range []string{settings.EnvAuthMethod + ` is set to "` + env + `"`, `uses "` + tc.wantMethod + `"`,
				"set auth_method in the provider block", "Explicit configuration takes precedence"} {
				if !strings.Contains(w.Detail(), want) {
					t.Errorf("the warning lacks %q: %s", want, w.Detail())
				}
			}
			if w.Summary() != "OPENEO_AUTH_METHOD Ignored" {
				t.Errorf("summary = %q", w.Summary())
			}
			for _, secret := range []string{"csecret", "p4ssw0rd", "tok3n", "rt-123"} {
				if strings.Contains(diagText(diags), secret) {
					t.Errorf("the warning shows the value %q", secret)
				}
			}
		})
	}
}

func diagText(d diag.Diagnostics) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteString(x.Summary() + ": " + x.Detail() + "\n")
	}
	return b.String()
}

func TestMergeCACertFileAndAssumedScheme(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("no certificates here"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, diags := runMerge(t, cfg{"url": "https://openeo.example", "ca_cert_file": bad}, nil)
	if text := diagText(diags); !diags.HasError() || !strings.Contains(text, "CA Certificate File Unusable") ||
		!strings.Contains(text, "ca_cert_file") || !strings.Contains(text, "holds no PEM certificate") {
		t.Errorf("a file without certificates: %s", text)
	}
	_, diags = runMerge(t, cfg{"url": "https://openeo.example", "ca_cert_file": filepath.Join(dir, "missing.pem")}, nil)
	if !diags.HasError() || !strings.Contains(diagText(diags), "reading the CA certificate file") {
		t.Errorf("a missing file: %s", diagText(diags))
	}

	s, diags := runMerge(t, cfg{"url": "openeo.example:8080"}, nil)
	if diags.HasError() || s.URL != "https://openeo.example:8080" || !s.SchemeAssumed {
		t.Errorf("no scheme: %q assumed=%v %s", s.URL, s.SchemeAssumed, diagText(diags))
	}
	if s, _ := runMerge(t, cfg{"url": "https://openeo.example"}, nil); s.SchemeAssumed {
		t.Error("an explicit https:// counts as assumed")
	}
}

// TestMergeWarnsUnusedCredentials: credentials set in the provider block
// that the decided method does not read get a warning naming them (never
// their values); credentials the method reads, and blocks with values still
// unknown, get none.
func TestMergeWarnsUnusedCredentials(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  cfg
		want string // "" : no warning
	}{
		{"basic with an oidc client", cfg{"auth_method": "basic", "basic.username": "u", "basic.password": "p4ssw0rd",
			"oidc.client_id": "cid", "oidc.client_secret": "csecret"},
			`oidc.client_id, oidc.client_secret are set in the provider block, but the auth method is "basic" (set by ` +
				`auth_method), which does not use them: they are ignored. Remove them from the provider block, or set ` +
				`auth_method to the method that uses them.`},
		{"device_code with a basic password", cfg{"auth_method": "device_code", "basic.password": "p4ssw0rd"},
			`basic.password is set in the provider block, but the auth method is "device_code" (set by auth_method), ` +
				`which does not use it: it is ignored.`},
		{"none with a user name", cfg{"auth_method": "none", "basic.username": "u"},
			`basic.username is set in the provider block, but the auth method is "none"`},
		{"inferred bearer with a provider id", cfg{"bearer_token": "basic//tok3n", "oidc.provider_id": "egi"},
			`oidc.provider_id is set in the provider block, but the auth method is "bearer" (inferred from bearer_token)`},
		{"refresh_token with a user and an access token", cfg{"auth_method": "refresh_token", "oidc.refresh_token": "rt-123",
			"oidc.username": "u", "oidc.access_token": "at-456"},
			`oidc.access_token, oidc.username are set in the provider block, but the auth method is "refresh_token"`},
		{"all used", cfg{"auth_method": "password", "oidc.client_id": "cid", "oidc.username": "u", "oidc.password": "p4ssw0rd"}, ""},
		{"oidc with client and refresh token", cfg{"auth_method": "oidc", "oidc.client_id": "cid", "oidc.refresh_token": "rt-123"}, ""},
		{"an unknown credential", cfg{"auth_method": "basic", "oidc.client_id": unknown}, ""},
		{"empty blocks", cfg{"auth_method": "bearer", "bearer_token": "basic//tok3n", "basic": true, "oidc": true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			c := cfg{"url": "https://x.example"}
			for k, v := range tc.cfg {
				c[k] = v
			}
			_, diags := runMerge(t, c, nil)
			if diags.HasError() {
				t.Fatalf("unexpected errors: %s", diagText(diags))
			}
			var got []string
			for _, w := range diags.Warnings() {
				if w.Summary() == "Unused Provider Credentials" {
					got = append(got, w.Detail())
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("unexpected warning: %s", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("warnings %q, want one with %q", got, tc.want)
			}
			for _, secret := range []string{"csecret", "p4ssw0rd", "tok3n", "rt-123", "at-456"} {
				if strings.Contains(diagText(diags), secret) {
					t.Errorf("a diagnostic shows the value %q", secret)
				}
			}
		})
	}
}
