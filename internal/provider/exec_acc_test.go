package provider_test

// Terraform CLI acceptance tests of auth_method = "exec": a credential
// helper script (testrig.CredentialHelper) prints an access token the test
// obtained from the test IdP; the back-end validates it by introspection.

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// execProvider is a provider block with auth_method = "exec" that runs h
// with args (HCL list elements) and env (HCL map entries); extra is more
// HCL in the block (e.g. an oidc block).
func execProvider(r *acctest.Rig, h testrig.CredentialHelper, args, env, extra string) string {
	return acctest.ProviderBlock{URL: r.Backend.URL(), Method: "exec", Extra: fmt.Sprintf(`  exec {
    command = %s
    args    = [%s]
    env     = {%s}
  }
%s`, q(h.Path), args, env, extra)}.HCL()
}

// twoReadsApart reads the account twice during apply, with a pause of two
// seconds between the reads (a local-exec sleep in terraform_data), so that
// a token that lives one second has expired at the second read and one
// that lives an hour has not. The pause only makes the gap at least that
// long; nothing depends on how long the run takes.
const twoReadsApart = `
resource "terraform_data" "start" {}

data "openeo_account" "first" {
  depends_on = [terraform_data.start]
}

resource "terraform_data" "pause" {
  triggers_replace = [data.openeo_account.first.user_id]
  provisioner "local-exec" {
    command = "sleep 2"
  }
}

data "openeo_account" "second" {
  depends_on = [terraform_data.pause]
}
`

// bearerAfterPause is one more use of the token after the pause (with a
// token that lives an hour: one with a short life could expire between it
// and data.openeo_account.second).
const bearerAfterPause = `
data "openeo_bearer_token" "t" {
  depends_on = [terraform_data.pause]
}
`

// runsSince checks that the helper ran want times since *before (set by a
// PreConfig).
func runsSince(t *testing.T, h testrig.CredentialHelper, before *int, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := h.Runs(t) - *before; got != want {
			return fmt.Errorf("the credential helper ran %d times during the apply, want %d", got, want)
		}
		return nil
	}
}

// TestAccExecHelper: the data sources read the account with the token the
// helper prints. Its JSON expires_in decides when it runs again: with an
// hour, both reads of one apply use its first token (one run); with one
// second, the token has expired at the second read and the helper runs
// again (two runs). A bare token (no JSON) works with oidc.provider_id.
func TestAccExecHelper(t *testing.T) {
	r := acctest.RigPreCheck(t)
	at := r.IdP.ClientCredentialsToken(t, r.Client, "openid").AccessToken
	h := testrig.NewCredentialHelper(t, at, "")
	var before int
	count := func() { before = h.Runs(t) }
	accounts := []statecheck.StateCheck{
		account("first", knownvalue.StringExact(r.Client.ID)),
		account("second", knownvalue.StringExact(r.Client.ID)),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				PreConfig: count,
				Config:    execProvider(r, h, `"json", "3600", "testidp"`, "", "") + twoReadsApart + bearerAfterPause,
				ConfigStateChecks: append([]statecheck.StateCheck{
					token("t", "auth_method", knownvalue.StringExact("exec")),
					token("t", "provider_id", knownvalue.StringExact(acctest.ProviderID)), // from the JSON
				}, accounts...),
				Check: runsSince(t, h, &before, 1),
			},
			{
				// terraform_data.start replaced: the reads happen during apply again.
				PreConfig:         count,
				Config:            execProvider(r, h, `"json", "1", "testidp"`, "", "") + twoReadsApart,
				ConfigStateChecks: accounts,
				Check:             runsSince(t, h, &before, 2),
				Taint:             []string{"terraform_data.start"},
			},
			{
				PreConfig: count,
				Config: execProvider(r, h, `"bare"`, "", fmt.Sprintf("  oidc {\n    provider_id = %s\n  }", q(acctest.ProviderID))) + `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(r.Client.ID)),
					token("t", "auth_method", knownvalue.StringExact("exec")),
					token("t", "provider_id", knownvalue.StringExact(acctest.ProviderID)),
				},
			},
		},
	})
	if h.Runs(t) < 4 {
		t.Errorf("the credential helper ran %d times, want at least 4", h.Runs(t))
	}
}

// TestAccExecHelperFails: a helper that exits with a non-zero status fails
// the read with a diagnostic that shows its standard error, with the value
// it was given in exec.env (a secret) replaced by <redacted>. A bare token
// without a provider id is refused with the fix.
func TestAccExecHelperFails(t *testing.T) {
	r := acctest.RigPreCheck(t)
	const secret = "helper-Secret/+=&-8d1e"
	h := testrig.NewCredentialHelper(t, "not-used-token-4b7c", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				Config: execProvider(r, h, `"fail"`, fmt.Sprintf(" HELPER_SECRET = %s ", q(secret)), "") + `
data "openeo_account" "me" {}
`,
				ExpectError: regexp.MustCompile(`(?s)Error: Credential Helper Failed.*credential-helper.sh'\s+exited\s+with\s+status\s+3;` +
					`\s+its\s+standard\s+error:\s+credential\s+helper:\s+the\s+vault\s+refused\s+the\s+secret\s+<redacted>\.`),
			},
			{
				Config: execProvider(r, h, `"bare"`, "", "") + `
data "openeo_account" "me" {}
`,
				ExpectError: regexp.MustCompile(`(?s)printed\s+no\s+provider_id\s+and\s+none\s+is\s+configured`),
			},
		},
	})
}
