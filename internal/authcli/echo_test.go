package authcli_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// An IdP that echoes the token request in its error answer, in every echo
// mode: openeo-auth's stderr (at -vv) shows the secret in no form.
func TestEchoedSecretNotOnStderr(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	cc := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	h := newHarness(t)
	secret := `Cs3cr/t+x=&<y>-9f1 "q'`
	q := url.QueryEscape(secret)
	forms := []string{secret, q, strings.ReplaceAll(q, "+", "%20"), html.EscapeString(secret), "Cs3cr", "Cs3cr%2F"}
	for _, mode := range testrig.EchoModes {
		rg.idp.InjectFault(t, cc.ID, testrig.Fault{Status: 400, Echo: mode})
		r := h.run(secret+"\n", "-vv", "client-credentials-test", rg.be.URL(), "--client-id", cc.ID, "--client-secret-stdin")
		if r.code == authcli.ExitOK {
			t.Fatalf("%s: the login succeeded against an echoing IdP:\n%s", mode, r)
		}
		mustContain(t, mode+" stderr", r.stderr, "<redacted>")
		mustNotContain(t, mode+" output", r.stdout+r.stderr, forms...)
	}
}
