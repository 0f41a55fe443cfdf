package authcli_test

import (
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

// TestErrorKindsDecideMessagesAndCodes: the commands tell flows errors apart
// by their kinds: an empty provider list gets the Python tool's message, and
// an unlisted --provider-id is a usage error.
func TestErrorKindsDecideMessagesAndCodes(t *testing.T) {
	t.Parallel()
	empty := newRig(t, func(c *testbackend.Config) { c.EmptyProviders = true })
	h := newHarness(t)
	r := h.run("", "add-oidc", empty.be.URL(), "--use-default-client")
	wantCode(t, r, authcli.ExitError)
	mustContain(t, "stderr", r.stderr, "No OpenID Connect providers listed by backend '"+empty.be.URL()+"'.")

	rg := newRig(t)
	r = h.run("", "oidc-auth", "--provider-id", "nope", rg.be.URL())
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "Requested OIDC provider 'nope' not available. Should be one of ['"+providerID+"'].")
}
