package acceptance_test

// The keyless CI guide's configurations (examples/guides/keyless-ci) run
// with the real CLI against the rig: each one with the placeholders of the
// guide replaced by the rig's URLs and ids, and the environment its CI system
// gives a job. The pipelines' YAML is checked for the settings the provider
// relies on.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const guideDir = "../../examples/guides/keyless-ci"

// guidePlaceholders are the made-up values of the guide's configurations.
const (
	guideBackendURL = "https://openeo.example.org"
	guideProviderID = `provider_id = "egi"`
	guideClientID   = `"openeo-ci"`
	guideAudience   = "https://aai.example.org/auth/realms/openeo"
	guideTokenFile  = "/var/run/secrets/openeo/token"
)

// terraformBlock is the example's own terraform { required_providers }
// block, which the work directory writes itself.
var terraformBlock = regexp.MustCompile(`(?s)^terraform \{.*?\n\}\n`)

// guideConfig reads examples/guides/keyless-ci/<name>/main.tf with the
// placeholders replaced, failing when one the guide relies on is missing.
func guideConfig(t *testing.T, name string, repl map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(guideDir, name, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := terraformBlock.ReplaceAllString(string(b), "")
	for from, to := range repl {
		if !strings.Contains(cfg, from) {
			t.Fatalf("%s/main.tf no longer holds %q: update this test with the guide", name, from)
		}
		cfg = strings.ReplaceAll(cfg, from, to)
	}
	return cfg + "\noutput \"guide_test_user\" {\n  value = data.openeo_account.me.user_id\n}\n"
}

// guideFile reads a pipeline of the guide and fails unless it holds every
// one of want.
func guideFile(t *testing.T, rel string, want ...string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(guideDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(string(b), w) {
			t.Errorf("%s does not hold %q, which the provider configuration of the guide relies on", rel, w)
		}
	}
}

func TestAccKeylessGuideConfigurations(t *testing.T) {
	r := acctest.RigPreCheck(t)
	ci := testrig.CI(t)
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Public: true, GrantTypes: []string{testrig.GrantTokenExchange}})
	aud := r.IdP.Issuer()
	repl := func(extra map[string]string) map[string]string {
		m := map[string]string{guideBackendURL: r.Backend.URL(), guideProviderID: `provider_id = "` + acctest.ProviderID + `"`,
			guideClientID: `"` + client.ID + `"`}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	mint := func(sub string) string { return ci.Mint(t, testrig.MintSpec{Sub: sub, Aud: aud}) }
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(mint(testrig.SubjectKubernetes)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	guideFile(t, "github-actions/workflow.yml", "id-token: write")
	guideFile(t, "gitlab-ci/gitlab-ci.yml", "OPENEO_ID_TOKEN:", "aud: "+guideAudience)

	cases := []struct {
		name string
		repl map[string]string
		env  func() map[string]string
		user testrig.User
	}{
		{"github-actions", map[string]string{guideAudience: aud},
			func() map[string]string { return ci.ActionsEnv(t, testrig.ActionsJob{}).Vars() }, testrig.Alice},
		{"gitlab-ci", nil,
			func() map[string]string { return map[string]string{"OPENEO_ID_TOKEN": mint(testrig.SubjectGitLab)} }, testrig.Bob},
		{"hcp-terraform", nil, func() map[string]string {
			return map[string]string{"TFC_WORKLOAD_IDENTITY_TOKEN_OPENEO": mint(testrig.SubjectHCPTerraform)}
		}, testrig.Alice},
		{"kubernetes", map[string]string{guideTokenFile: tokenFile}, func() map[string]string { return nil }, testrig.Bob},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := acctest.NewWorkDir(t, r.Dirs, guideConfig(t, c.name, repl(c.repl)))
			var env []string
			for k, v := range c.env() {
				env = append(env, k+"="+v)
			}
			res := d.Apply(env...)
			noCrash(t, "apply", res.Output)
			if res.Err != nil {
				t.Fatalf("apply of the guide's %s configuration failed: %v\n%s", c.name, res.Err, errorBlocks(res.Output))
			}
			if got := strings.TrimSpace(d.Must("output", "-raw", "guide_test_user")); got != c.user.Name {
				t.Errorf("the %s configuration logged in as %q, want %q (the IdP maps its subject to that user)", c.name, got, c.user.Name)
			}
		})
	}
}
