package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// examples-check with the real CLI and provider: a valid example (without
// required_providers, as registry examples are) passes, an invalid one is
// reported with Terraform's error, and the run fails.
func TestExamplesCheck(t *testing.T) {
	if _, err := tfrun.TerraformPath(); err != nil {
		t.Skipf("needs a Terraform CLI: %v", err)
	}
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("good/main.tf", "data \"openeo_capabilities\" \"c\" {}\n")
	write("nested/bad/main.tf", "resource \"openeo_no_such_thing\" \"x\" {}\n")
	write("good/.terraform/skipped.tf", "not HCL at all\n")
	var stdout, stderr testrig.SyncBuffer
	code := run(t.Context(), []string{"examples-check", dir}, &stdout, &stderr)
	out := stderr.String()
	if code != 1 {
		t.Errorf("exit code %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"ok   " + filepath.Join(dir, "good") + "\n",
		"FAIL " + filepath.Join(dir, "nested", "bad") + "\n",
		"Error: Invalid resource type",
		"examples-check: some examples do not validate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, ".terraform") {
		t.Errorf("a .terraform folder was checked:\n%s", out)
	}
}

// run passes the script's configuration inputs and provider settings on,
// never the CLI's own setup variables of the caller.
func TestPassedEnv(t *testing.T) {
	t.Setenv("TF_VAR_x", "1")
	t.Setenv("TF_LOG", "debug")
	t.Setenv("OPENEO_CONFIG_HOME", "/somewhere")
	t.Setenv("TF_CLI_CONFIG_FILE", "/users/own/terraformrc")
	t.Setenv("TF_DATA_DIR", "/users/own/data")
	got := strings.Join(passedEnv(), "\n")
	for _, want := range []string{"TF_VAR_x=1", "TF_LOG=debug", "OPENEO_CONFIG_HOME=/somewhere"} {
		if !strings.Contains(got, want) {
			t.Errorf("passedEnv lacks %s", want)
		}
	}
	for _, bad := range []string{"TF_CLI_CONFIG_FILE", "TF_DATA_DIR", "PATH="} {
		if strings.Contains(got, bad) {
			t.Errorf("passedEnv has %s", bad)
		}
	}
}
