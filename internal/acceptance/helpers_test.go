package acceptance_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
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
