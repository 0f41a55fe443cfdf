package resources_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// secretsConfig declares one resource of each type with a sensitive secret
// and (writeOnly) one with a write-only secret. The secrets come from
// sensitive variables (set through TF_VAR_*, see secretsEnv), as they would
// from a secret store: a literal in the configuration would show up in
// Terraform's own source snippets of diagnostics.
func secretsConfig(ac, rt string, version int, writeOnly bool) string {
	cfg := sensitiveVariables("s1", "s2", "s3") + fmt.Sprintf(`
resource "openeo_auth_config_basic" "legacy" {
  file     = %[1]s
  url      = "https://legacy.example.org"
  username = "john"
  password = var.s1
}

resource "openeo_auth_config_oidc" "legacy" {
  file          = %[1]s
  url           = "https://legacy.example.org"
  provider_id   = "egi"
  client_id     = "client"
  client_secret = var.s2
}

resource "openeo_refresh_token" "legacy" {
  file          = %[2]s
  issuer        = "https://legacy-idp.example.org"
  client_id     = "client"
  refresh_token = var.s3
}
`, q(ac), q(rt))
	if writeOnly {
		cfg += sensitiveVariables("s4", "s5", "s6") + fmt.Sprintf(`
resource "openeo_auth_config_basic" "wo" {
  file                = %[1]s
  url                 = "https://wo.example.org"
  username            = "john"
  password_wo         = var.s4
  password_wo_version = %[3]d
}

resource "openeo_auth_config_oidc" "wo" {
  file                     = %[1]s
  url                      = "https://wo.example.org"
  provider_id              = "egi"
  client_id                = "client"
  client_secret_wo         = var.s5
  client_secret_wo_version = %[3]d
}

resource "openeo_refresh_token" "wo" {
  file                     = %[2]s
  issuer                   = "https://wo-idp.example.org"
  client_id                = "client"
  refresh_token_wo         = var.s6
  refresh_token_wo_version = %[3]d
}
`, q(ac), q(rt), version)
	}
	return cfg
}

// sensitiveVariables declares sensitive string variables.
func sensitiveVariables(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\nvariable %q {\n  type      = string\n  sensitive = true\n}\n", n)
	}
	return b.String()
}

// secretsEnv sets the variables of secretsConfig; sfx makes new values.
func secretsEnv(sfx string) []string {
	return []string{
		"TF_VAR_s1=legacy-pw-SECRET-1" + sfx, "TF_VAR_s2=legacy-cs-SECRET-2" + sfx, "TF_VAR_s3=legacy-rt-SECRET-3" + sfx,
		"TF_VAR_s4=wo-pw-SECRET-4" + sfx, "TF_VAR_s5=wo-cs-SECRET-5" + sfx, "TF_VAR_s6=wo-rt-SECRET-6" + sfx,
	}
}

// TestAccSecretsNotLogged runs create, update, a failing plan (diagnostics)
// and destroy with TF_LOG=trace for Terraform and the provider, and checks
// that no secret appears in the CLI output, in either log, and (for the
// write-only attributes) in the state file.
func TestAccSecretsNotLogged(t *testing.T) {
	dirs := acctest.PreCheck(t)
	ac, rt := dirs.AuthConfigPath(), dirs.RefreshTokensPath()
	writeOnly, why := acctest.CLISupports(t, acctest.WriteOnlyAttributes)
	if !writeOnly {
		t.Logf("write-only attributes are not exercised: %s", why)
	}
	tfLog := filepath.Join(t.TempDir(), "terraform.log")
	d := acctest.NewWorkDir(t, dirs, secretsConfig(ac, rt, 1, writeOnly))
	// The provider's log lines (TF_LOG_PROVIDER) reach Terraform's log
	// through the plugin's stderr, prefixed with the plugin's name.
	logEnv := []string{"TF_LOG=trace", "TF_LOG_PROVIDER=trace", "TF_LOG_PATH=" + tfLog}
	env := append(logEnv, secretsEnv("")...)

	var cli bytes.Buffer
	step := func(wantErr bool, args ...string) {
		t.Helper()
		res := d.Run(env, args...)
		cli.WriteString(res.Output)
		if (res.Err != nil) != wantErr {
			t.Fatalf("terraform %v: err=%v, want error %v\n%s", args, res.Err, wantErr, res.Output)
		}
	}
	step(false, "apply", "-no-color", "-input=false", "-auto-approve")
	d.Write(secretsConfig(ac, rt, 2, writeOnly))
	env = append(logEnv, secretsEnv("-b")...)
	step(false, "apply", "-no-color", "-input=false", "-auto-approve")
	step(false, "plan", "-no-color", "-input=false")
	// Diagnostics: a file that is not private fails refresh and apply.
	if err := os.Chmod(ac, 0o644); err != nil {
		t.Fatal(err)
	}
	step(true, "apply", "-no-color", "-input=false", "-auto-approve")
	if err := os.Chmod(ac, 0o600); err != nil {
		t.Fatal(err)
	}
	step(false, "destroy", "-no-color", "-input=false", "-auto-approve")

	all := []string{"SECRET-1", "SECRET-2", "SECRET-3", "SECRET-4", "SECRET-5", "SECRET-6"}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"the Terraform CLI output", cli.Bytes()},
		{"the TF_LOG=trace log of Terraform and the provider", testrig.ReadFile(t, tfLog)},
	} {
		if err := testrig.SecretFree(c.name, string(c.data), all...); err != nil {
			t.Error(err)
		}
	}
	// The checks above must be able to fail: the logs are at trace level and
	// name the entries, and the state holds the legacy secrets.
	if !bytes.Contains(testrig.ReadFile(t, tfLog), []byte("[TRACE]")) {
		t.Error("the Terraform log has no trace lines")
	}
	if providerLines := providerLogLines(testrig.ReadFile(t, tfLog)); !bytes.Contains(providerLines, []byte("writing basic credentials")) {
		t.Errorf("the log lacks the provider's debug lines (%d bytes of provider lines)", len(providerLines))
	}
	t.Logf("checked %d bytes of CLI output, %d of log (%d of them lines of the provider)",
		cli.Len(), len(testrig.ReadFile(t, tfLog)), len(providerLogLines(testrig.ReadFile(t, tfLog))))
}

// TestAccWriteOnlyStateFile checks the raw state file (and its backup):
// sensitive attributes are there by design, write-only ones never.
func TestAccWriteOnlyStateFile(t *testing.T) {
	dirs := acctest.PreCheck(t)
	acctest.RequireCLI(t, acctest.WriteOnlyAttributes)
	d := acctest.NewWorkDir(t, dirs, secretsConfig(dirs.AuthConfigPath(), dirs.RefreshTokensPath(), 1, true))
	base := d.Env
	d.Env = append(base[:len(base):len(base)], secretsEnv("")...)
	d.Must("apply", "-no-color", "-input=false", "-auto-approve")
	d.Write(secretsConfig(dirs.AuthConfigPath(), dirs.RefreshTokensPath(), 2, true))
	d.Env = append(base[:len(base):len(base)], secretsEnv("-b")...)
	d.Must("apply", "-no-color", "-input=false", "-auto-approve")
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
		state := testrig.ReadFile(t, filepath.Join(d.Dir, name))
		if err := testrig.SecretFree(name, string(state), "SECRET-4", "SECRET-5", "SECRET-6"); err != nil {
			t.Error(err)
		}
		if !bytes.Contains(state, []byte("legacy-pw-SECRET-1")) {
			t.Errorf("%s lacks the sensitive (non write-only) password: the check cannot work", name)
		}
	}
	// The files do hold the write-only secrets.
	if !bytes.Contains(testrig.ReadFile(t, dirs.AuthConfigPath()), []byte("wo-pw-SECRET-4-b")) ||
		!bytes.Contains(testrig.ReadFile(t, dirs.RefreshTokensPath()), []byte("wo-rt-SECRET-6-b")) {
		t.Error("the write-only secrets were not written to the files")
	}
	d.Must("destroy", "-no-color", "-input=false", "-auto-approve")
}

// providerLogLines are the lines of a Terraform log that the provider
// plugin wrote (Terraform prefixes them with the plugin's name).
func providerLogLines(log []byte) []byte {
	var out []byte
	for line := range bytes.Lines(log) {
		if bytes.Contains(line, []byte("provider.terraform-provider-openeo")) {
			out = append(out, line...)
		}
	}
	return out
}
