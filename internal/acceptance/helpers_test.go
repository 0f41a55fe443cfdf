package acceptance_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tfrun.Cleanup()
	if authBin.dir != "" {
		_ = os.RemoveAll(authBin.dir)
	}
	os.Exit(code)
}

var q = acctest.HCLString

// requireCLI11 skips the test below Terraform 1.11 / OpenTofu 1.11 (ephemeral
// resources and variables, write-only attributes). Call it after PreCheck.
func requireCLI11(t *testing.T) {
	t.Helper()
	info, err := acctest.DetectCLI(t.Context())
	if err != nil {
		t.Fatalf("detecting the Terraform CLI: %v", err)
	}
	if info.Version.Segments()[0] == 1 && info.Version.Segments()[1] < 11 {
		t.Skipf("%s %s: this test needs ephemeral values and write-only attributes (>= 1.11)", info.Kind, info.Version)
	}
}

// tfDir is a Terraform working directory that uses the provider binary.
type tfDir struct {
	t     *testing.T
	setup *tfrun.Setup
	dir   string
	// env is added to every command (after the base environment).
	env []string
}

// newTFDir builds the provider (once per test binary) and writes config,
// after the required_providers block, to a fresh working directory. Call it
// after acctest.PreCheck (or RigPreCheck). The openEO files of the provider
// are those of dirs.
func newTFDir(t *testing.T, dirs acctest.Dirs, config string) *tfDir {
	t.Helper()
	s, err := tfrun.Shared(t.Context())
	if err != nil {
		t.Fatalf("building the provider: %v", err)
	}
	d := &tfDir{t: t, setup: s, dir: t.TempDir(), env: []string{"OPENEO_CONFIG_HOME=" + dirs.ConfigHome}}
	d.write(config)
	return d
}

func (d *tfDir) write(config string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(tfrun.RequiredProviders()+config), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// run runs one command; extra environment entries win over d.env. It is
// bounded only by the test binary's deadline (testrig.Context): a run takes
// as long as the machine needs.
func (d *tfDir) run(extraEnv []string, args ...string) tfrun.Result {
	d.t.Helper()
	env := append(append([]string(nil), d.env...), extraEnv...)
	res := d.setup.Run(testrig.Context(d.t), tfrun.Cmd{Dir: d.dir, Args: args, Env: env})
	if res.TimedOut {
		d.t.Fatalf("terraform %s hung until the test deadline: killed\n%s", strings.Join(args, " "), res.Output)
	}
	return res
}

// apply runs terraform apply -auto-approve.
func (d *tfDir) apply(extraEnv ...string) tfrun.Result {
	d.t.Helper()
	return d.run(extraEnv, "apply", "-input=false", "-no-color", "-auto-approve")
}

// crashSigns are what Terraform prints when a provider panics or dies.
var crashSigns = regexp.MustCompile(`(?i)panic:|goroutine \d+ \[|Plugin did not respond|plugin encountered an error|` +
	`plugin exited|crash\.log|Stack trace from the`)

// noCrash fails the test when the output shows a panic or a dead plugin.
func noCrash(t *testing.T, what, output string) {
	t.Helper()
	if m := crashSigns.FindString(output); m != "" {
		t.Errorf("%s shows a crash (%q):\n%s", what, m, output)
	}
}

// errorBlocks returns the "Error: ..." diagnostics of Terraform's output.
func errorBlocks(output string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(output, "\n") {
		trimmed := strings.TrimLeft(line, "│╷╵ ")
		if strings.HasPrefix(trimmed, "Error: ") {
			in = true
		}
		if in {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// clientCredentialsProvider is a provider block for the client credentials
// grant; the secret comes from OPENEO_AUTH_CLIENT_SECRET (see secretEnv).
func clientCredentialsProvider(url, clientID, extra string) string {
	return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
%s
  oidc {
    client_id = %s
  }
}
`, q(url), extra, q(clientID))
}

func secretEnv(secret string) string { return "OPENEO_AUTH_CLIENT_SECRET=" + secret }

// dataSources declares n openeo_account data sources.
func dataSources(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "data \"openeo_account\" \"a%d\" {}\n", i)
	}
	return b.String()
}

// accountAndTokenChain is the part of a configuration that exercises every
// way a token is used: an openeo_account read with the default provider, the
// ephemeral bearer token, and a second provider (alias with_token) that reads
// the account with that bearer.
func accountAndTokenChain(backendURL string) string {
	return fmt.Sprintf(`
data "openeo_account" "me" {}

ephemeral "openeo_bearer_token" "t" {}

provider "openeo" {
  alias        = "with_token"
  url          = %s
  bearer_token = ephemeral.openeo_bearer_token.t.bearer
}

data "openeo_account" "via_token" {
  provider = openeo.with_token
}
`, q(backendURL))
}
