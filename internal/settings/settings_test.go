package settings

import (
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/clientconfig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func envOf(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

// TestClientIsOneCredential: the documented rule for mixing sources.
func TestClientIsOneCredential(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		id, secret            string
		env                   map[string]string
		wantID, wantSecret    string
		wantIDSrc, wantSecSrc Source
	}{
		{"explicit pair", "a", "as", map[string]string{EnvAuthClientID: "e", EnvAuthClientSecret: "es"}, "a", "as", SourceAttribute, SourceAttribute},
		{"an environment secret completes an explicit id", "a", "", map[string]string{EnvAuthClientID: "e", EnvAuthClientSecret: "es"}, "a", "es", SourceAttribute, SourceEnv},
		{"environment pair", "", "", map[string]string{EnvAuthClientID: "e", EnvAuthClientSecret: "es"}, "e", "es", SourceEnv, SourceEnv},
		{"an environment id alone is a public client", "", "", map[string]string{EnvAuthClientID: "e"}, "e", "", SourceEnv, SourceUnset},
		{"blank values are unset", " ", "", map[string]string{EnvAuthClientID: "  ", EnvAuthClientSecret: "es"}, "", "", SourceUnset, SourceUnset},
		{"a secret without an id is no client", "", "as", map[string]string{EnvAuthClientSecret: "es"}, "", "", SourceUnset, SourceUnset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Client(tc.id, tc.secret, envOf(tc.env))
			if c.ID != (Value{tc.wantID, tc.wantIDSrc}) || c.Secret != (Value{tc.wantSecret, tc.wantSecSrc}) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestDynamic(t *testing.T) {
	for env, want := range map[string][2]string{
		"":                     {"oidc", ""},
		"client_credentials":   {"client_credentials", ""},
		" client_credentials ": {"client_credentials", ""},
		"device":               {"oidc", "device"},
	} {
		m, other := Dynamic(envOf(map[string]string{EnvAuthMethod: env}))
		if string(m) != want[0] || other != want[1] {
			t.Errorf("%q: got %s, %q", env, m, other)
		}
	}
}

// TestTableNamesEveryEnvFallback: each environment variable is a row's
// fallback, and Lookup finds each row.
func TestTableNamesEveryEnvFallback(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		if g, ok := Lookup(f.Path); !ok || g.Path != f.Path {
			t.Errorf("Lookup(%q) = %+v, %v", f.Path, g, ok)
		}
		seen[f.Env] = true
	}
	for _, e := range []string{EnvBackendURL, EnvAuthMethod, EnvAuthUsername, EnvAuthPassword, EnvAuthProviderID, EnvAuthClientID, EnvAuthClientSecret} {
		if !seen[e] {
			t.Errorf("%s is no row's fallback", e)
		}
	}
	if _, ok := Lookup("oidc.nope"); ok {
		t.Error("unknown path found")
	}
}

func resolve(t *testing.T, explicit, env map[string]string, ini string) Result {
	t.Helper()
	in := Input{Explicit: explicit, Getenv: envOf(env)}
	if ini != "" {
		in.LoadClientConfig = func() (*ClientConfigFile, error) {
			c, err := clientconfig.Parse([]byte(ini))
			return &ClientConfigFile{Path: "/x/openeo-client-config.ini", Config: c}, err
		}
	}
	return Resolve(in)
}

func TestResolveMethod(t *testing.T) {
	// Explicit oidc is authenticate_oidc(): the environment may switch it
	// to client credentials, and the client comes from the environment.
	r := resolve(t, map[string]string{AuthMethodPath: "oidc"},
		map[string]string{EnvAuthMethod: "client_credentials", EnvAuthClientID: "e", EnvAuthClientSecret: "es"}, "")
	if r.Method != flows.MethodClientCredentials || r.MethodSource != SourceEnv || r.Get(OIDCClientID) != "e" || r.Get(OIDCClientSecret) != "es" {
		t.Errorf("%+v", r)
	}
	// Two methods' credentials without auth_method: an error naming both.
	r = resolve(t, map[string]string{BasicUsername: "u", OIDCClientSecret: "s"}, nil, "")
	if !r.HasError() || !strings.Contains(r.Problems[0].Detail, "basic (from basic.username); client_credentials (from oidc.client_secret)") ||
		!strings.Contains(r.Problems[0].Detail, "Set auth_method") {
		t.Errorf("%+v", r.Problems)
	}
	// The client config file through clientconfig's keys; "off" is none.
	r = resolve(t, nil, nil, "[connection]\ndefault_backend = openeo.example\ndefault_backend.auto_authenticate = off\nauto_authenticate = basic\n")
	if r.Get(URL) != "https://openeo.example" || !r.SchemeAssumed || r.Method != flows.MethodBasic ||
		r.MethodDetail != "connection.auto_authenticate in /x/openeo-client-config.ini" {
		t.Errorf("%+v", r)
	}
	r = resolve(t, map[string]string{URL: "https://b.example"}, nil, "[connection]\nauto_authenticate = off\n")
	if r.Method != flows.MethodNone || r.MethodSource != SourceFile {
		t.Errorf("%+v", r)
	}
	// Password method: the username and password variables fill the oidc fields.
	r = resolve(t, map[string]string{AuthMethodPath: "password"}, map[string]string{EnvAuthUsername: "u", EnvAuthPassword: "p"}, "")
	if r.Get(OIDCUsername) != "u" || r.Get(OIDCPassword) != "p" || r.Get(BasicUsername) != "u" {
		t.Errorf("%+v", r.Values)
	}
	r = resolve(t, map[string]string{AuthMethodPath: "basic"}, map[string]string{EnvAuthUsername: "u"}, "")
	if r.Get(OIDCUsername) != "" {
		t.Errorf("oidc.username from the environment outside the password method: %+v", r.Values)
	}
}
