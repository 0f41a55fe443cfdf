package acceptance_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
)

// TestUnusedCredentialsWarning: a provider block with credentials its auth
// method does not use passes, but the CLI shows a warning that names them
// (and not their values).
func TestUnusedCredentialsWarning(t *testing.T) {
	r := acctest.RigPreCheck(t)
	const secret = "unused-client-secret-5e1d"
	d := acctest.NewWorkDir(t, r.Dirs, fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "basic"
  basic {
    username = %s
    password = %s
  }
  oidc {
    client_id     = "some-client"
    client_secret = %s
  }
}

data "openeo_account" "me" {}
`, q(r.Backend.URL()), q(acctest.BasicUser), q(acctest.BasicPassword), q(secret)))
	res := d.Run(nil, "plan", "-input=false", "-no-color")
	noCrash(t, "plan", res.Output)
	if res.Err != nil {
		t.Fatalf("plan failed: %v\n%s", res.Err, res.Output)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(res.Output, "│", " ")), " ")
	for _, want := range []string{"Warning: Unused Provider Credentials",
		`oidc.client_id, oidc.client_secret are set in the provider block, but the auth method is "basic" (set by ` +
			`auth_method), which does not use them: they are ignored. Remove them from the provider block, or set ` +
			`auth_method to the method that uses them.`} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, res.Output)
		}
	}
	if strings.Contains(res.Output, secret) {
		t.Error("the output shows the client secret")
	}
}
