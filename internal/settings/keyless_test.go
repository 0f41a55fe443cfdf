package settings

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// Secret values of the keyless tests: distinct, so that a problem's detail
// can be searched for each of them.
const (
	kSubject      = "eyJ-explicit-subject-token-5d1e"
	kActionsToken = "actions-request-bearer-7a2c"
	kGitLab       = "eyJ-gitlab-id-token-0f9b"
	kHCP          = "eyJ-hcp-workload-token-3c4d"
	kHCPTagged    = "eyJ-hcp-tagged-token-8e7f"
	kAssertion    = "eyJ-ready-made-assertion-6b5a"
	kClientSecret = "client-secret-of-keyless-2d3e"
)

// keylessEnv is a getenv that records which variables Keyless asks for.
type keylessEnv struct {
	vars map[string]string
	read []string
}

func (e *keylessEnv) get(name string) string {
	e.read = append(e.read, name)
	return e.vars[name]
}

// TestKeylessSubjectTokenSources: which source a token exchange uses, in
// the documented order, and which environment variables are read for it.
func TestKeylessSubjectTokenSources(t *testing.T) {
	ci := map[string]string{
		EnvActionsIDTokenRequestURL:     "https://ci.example/token?api-version=2.0",
		EnvActionsIDTokenRequestToken:   kActionsToken,
		"GITLAB_OIDC_TOKEN":             kGitLab,
		EnvHCPTerraformToken:            kHCP,
		EnvHCPTerraformToken + "_VAULT": kHCPTagged,
	}
	without := func(names ...string) map[string]string {
		out := map[string]string{}
		for k, v := range ci {
			if !slices.Contains(names, k) {
				out[k] = v
			}
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		explicit map[string]string
		env      map[string]string
		want     flows.SubjectTokenKind
		// wantValue is what the source gives without a request (the value,
		// the file content, the variable).
		wantValue string
	}{
		{"subject_token wins over everything", map[string]string{OIDCSubjectToken: kSubject, OIDCSubjectTokenFile: "/nope",
			OIDCSubjectTokenEnv: "GITLAB_OIDC_TOKEN"}, ci, flows.SubjectFromValue, kSubject},
		{"subject_token_file before the CI environment", map[string]string{OIDCSubjectTokenFile: "FILE",
			OIDCSubjectTokenEnv: "GITLAB_OIDC_TOKEN"}, ci, flows.SubjectFromFile, "from-the-file"},
		{"GitHub Actions before subject_token_env", map[string]string{OIDCSubjectTokenEnv: "GITLAB_OIDC_TOKEN"}, ci,
			flows.SubjectFromGitHubActions, ""},
		{"the Actions URL without its bearer is no source", map[string]string{OIDCSubjectTokenEnv: "GITLAB_OIDC_TOKEN"},
			without(EnvActionsIDTokenRequestToken), flows.SubjectFromEnv, kGitLab},
		{"subject_token_env before HCP Terraform", map[string]string{OIDCSubjectTokenEnv: "GITLAB_OIDC_TOKEN"},
			without(EnvActionsIDTokenRequestURL), flows.SubjectFromEnv, kGitLab},
		{"HCP Terraform's untagged token", nil, without(EnvActionsIDTokenRequestURL), flows.SubjectFromHCPTerraform, kHCP},
		{"HCP Terraform's tagged token with hcp_terraform_tag", map[string]string{OIDCHCPTerraformTag: "VAULT"},
			without(EnvActionsIDTokenRequestURL), flows.SubjectFromHCPTerraform, kHCPTagged},
		{"a tagged token alone is not used without hcp_terraform_tag", nil,
			map[string]string{EnvHCPTerraformToken + "_VAULT": kHCPTagged}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			explicit := map[string]string{AuthMethodPath: "token_exchange", OIDCAudience: "https://idp.example"}
			for k, v := range tc.explicit {
				if v == "FILE" {
					v = filepath.Join(t.TempDir(), "token")
					if err := os.WriteFile(v, []byte("from-the-file\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				explicit[k] = v
			}
			e := &keylessEnv{vars: tc.env}
			k, problems := Keyless(resolve(t, explicit, nil, ""), e.get, nil)
			if k.SubjectTokenType != DefaultSubjectTokenType || k.Audience != "https://idp.example" {
				t.Errorf("type %q, audience %q", k.SubjectTokenType, k.Audience)
			}
			src, err := flows.NewSubjectTokenSource(k.SubjectToken)
			if tc.want == "" {
				if err == nil || len(problems) != 1 || problems[0].Path != OIDCSubjectToken ||
					problems[0].Summary != "No Subject Token for the Token Exchange" {
					t.Fatalf("want the missing subject token problem, got %v, %+v", err, problems)
				}
				return
			}
			if err != nil || len(problems) != 0 {
				t.Fatalf("%v, %+v", err, problems)
			}
			if src.Kind() != tc.want {
				t.Errorf("source %s, want %s", src.Kind(), tc.want)
			}
			if tc.wantValue != "" {
				got, err := src.Token(t.Context(), nil)
				if err != nil || got != tc.wantValue {
					t.Errorf("token %q, %v; want %q", got, err, tc.wantValue)
				}
			}
			if tc.want == flows.SubjectFromGitHubActions && (k.SubjectToken.Env.ActionsRequestToken != kActionsToken ||
				k.SubjectToken.Audience != "https://idp.example") {
				t.Errorf("the Actions request lacks its bearer or audience: %v", k.SubjectToken)
			}
		})
	}
}

// TestKeylessReadsOnlyItsVariables: the variable that subject_token_env
// names is read only when it is set, TFC_WORKLOAD_IDENTITY_TOKEN_<TAG> only
// for hcp_terraform_tag, and no other CI variable is read.
func TestKeylessReadsOnlyItsVariables(t *testing.T) {
	base := []string{EnvActionsIDTokenRequestURL, EnvActionsIDTokenRequestToken, EnvHCPTerraformToken}
	for _, tc := range []struct {
		name     string
		explicit map[string]string
		want     []string
	}{
		{"no names", nil, base},
		{"subject_token_env", map[string]string{OIDCSubjectTokenEnv: "MY_ID_TOKEN"}, append(slices.Clone(base), "MY_ID_TOKEN")},
		{"hcp_terraform_tag", map[string]string{OIDCHCPTerraformTag: "AWS"}, append(slices.Clone(base), EnvHCPTerraformToken+"_AWS")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &keylessEnv{vars: map[string]string{}}
			_, _ = Keyless(resolve(t, tc.explicit, nil, ""), e.get, nil)
			got := slices.Clone(e.read)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("read %v, want %v", got, want)
			}
		})
	}
}

// TestKeylessProblems: each misconfiguration is one problem on the right
// attribute, with a fix, and no problem's text shows a secret.
func TestKeylessProblems(t *testing.T) {
	key := testrig.NewSigningKey(t, "ES256")
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, key.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	secrets := []string{kSubject, kActionsToken, kGitLab, kHCP, kHCPTagged, kAssertion, kClientSecret, string(key.PEM)}
	for _, tc := range []struct {
		name     string
		explicit map[string]string
		env      map[string]string
		path     string
		summary  string
		// detail are words the detail must hold (the fix).
		detail []string
	}{
		{"no subject token", map[string]string{AuthMethodPath: "token_exchange"}, map[string]string{EnvActionsIDTokenRequestURL: "https://ci.example/x"},
			OIDCSubjectToken, "No Subject Token for the Token Exchange", []string{"oidc.subject_token_file", EnvActionsIDTokenRequestToken, "id-token: write"}},
		{"subject_token_env names an empty variable", map[string]string{AuthMethodPath: "token_exchange", OIDCSubjectTokenEnv: "CI_ID_TOKEN"},
			map[string]string{EnvHCPTerraformToken: kHCP}, OIDCSubjectToken, "No Subject Token for the Token Exchange", []string{"CI_ID_TOKEN", "id_tokens"}},
		{"hcp_terraform_tag without its token", map[string]string{AuthMethodPath: "token_exchange", OIDCHCPTerraformTag: "GCP"},
			map[string]string{EnvHCPTerraformToken: kHCP}, OIDCSubjectToken, "No Subject Token for the Token Exchange",
			[]string{EnvHCPTerraformToken + "_GCP", "TFC_WORKLOAD_IDENTITY_AUDIENCE_GCP"}},
		{"hcp_terraform_tag and no HCP Terraform token at all", map[string]string{AuthMethodPath: "token_exchange", OIDCHCPTerraformTag: "GCP"},
			nil, OIDCSubjectToken, "No Subject Token for the Token Exchange",
			[]string{EnvHCPTerraformToken + "_GCP", "TFC_WORKLOAD_IDENTITY_AUDIENCE_GCP"}},
		{"unreadable key file", map[string]string{AuthMethodPath: "client_credentials", OIDCClientID: "c",
			OIDCClientAssertionKeyFile: filepath.Join(t.TempDir(), "missing.pem")}, nil,
			OIDCClientAssertionKeyFile, "Client Assertion Key File Unreadable", []string{"missing.pem", "PEM private key"}},
		{"a key that is no key", map[string]string{AuthMethodPath: "client_credentials", OIDCClientID: "c",
			OIDCClientAssertionKey: "-----BEGIN PRIVATE KEY-----\n" + kSubject + "\n-----END PRIVATE KEY-----\n"}, nil,
			OIDCClientAssertionKey, "Unusable Client Assertion Key", []string{"oidc.client_assertion_key"}},
		{"two assertions", map[string]string{AuthMethodPath: "client_credentials", OIDCClientID: "c",
			OIDCClientAssertionKeyFile: keyFile, OIDCClientAssertionAlg: "ES256", OIDCClientAssertion: kAssertion}, nil,
			OIDCClientAssertion, "Two Client Assertions", []string{OIDCClientAssertionKeyFile, "oidc.client_assertion", "only one"}},
		{"client_secret and an assertion", map[string]string{AuthMethodPath: "client_credentials", OIDCClientID: "c",
			OIDCClientSecret: kClientSecret, OIDCClientAssertion: kAssertion}, nil,
			OIDCClientSecret, "Client Secret and Client Assertion", []string{"remove oidc.client_secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, problems := Keyless(resolve(t, tc.explicit, nil, ""), envOf(tc.env), nil)
			if len(problems) != 1 {
				t.Fatalf("want one problem, got %+v", problems)
			}
			p := problems[0]
			if p.Path != tc.path || p.Summary != tc.summary || p.Warning {
				t.Errorf("got %s %q (warning %v), want %s %q", p.Path, p.Summary, p.Warning, tc.path, tc.summary)
			}
			for _, w := range tc.detail {
				if !strings.Contains(p.Detail, w) {
					t.Errorf("the detail lacks %q: %s", w, p.Detail)
				}
			}
			for _, s := range secrets {
				if l := testrig.FindSecrets(p.Summary+"\n"+p.Detail, s); len(l) > 0 {
					t.Errorf("the problem shows the secret %.12s… (%s): %s", s, l[0].Encoding, p.Detail)
				}
			}
			if tc.summary == "Client Secret and Client Assertion" && (k.ClientAssertion == nil || k.ClientAssertion.JWT != kAssertion) {
				t.Errorf("the ready-made assertion was not kept: %v", k.ClientAssertion)
			}
		})
	}
}

// TestKeylessClientAssertion: a key from client_assertion_key_file signs
// fresh assertions; a ready-made client_assertion is kept as it is; a client
// secret from the environment does not conflict with an explicit assertion.
func TestKeylessClientAssertion(t *testing.T) {
	key := testrig.NewSigningKey(t, "PS256")
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, key.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	r := resolve(t, map[string]string{AuthMethodPath: "client_credentials", OIDCClientID: "c", OIDCClientAssertionKeyFile: keyFile,
		OIDCClientAssertionAlg: "PS256", OIDCClientAssertionKeyID: key.KeyID}, map[string]string{EnvAuthClientSecret: kClientSecret}, "")
	k, problems := Keyless(r, nil, nil)
	if len(problems) != 0 || k.ClientAssertion == nil || k.ClientAssertion.Key == nil || k.ClientAssertion.JWT != "" {
		t.Fatalf("%+v, %+v", k.ClientAssertion, problems)
	}
	if k.Exec != nil {
		t.Errorf("an exec helper without an exec block: %+v", k.Exec)
	}
	r = resolve(t, map[string]string{AuthMethodPath: "token_exchange", OIDCSubjectToken: kSubject, OIDCClientID: "c",
		OIDCClientAssertion: kAssertion}, nil, "")
	k, problems = Keyless(r, nil, nil)
	if len(problems) != 0 || k.ClientAssertion == nil || k.ClientAssertion.JWT != kAssertion || k.ClientAssertion.Key != nil {
		t.Fatalf("%+v, %+v", k.ClientAssertion, problems)
	}
	for _, s := range []string{kSubject, kAssertion} {
		if !slices.Contains(k.Secrets(), s) {
			t.Errorf("Secrets() lacks %.12s…", s)
		}
	}
}
