package authcli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestTokenOutputModes: --output exec prints one line of the exec helper
// JSON (access token, expiry, provider id) and nothing else on stdout;
// --output access-token and json are --access-token and --json; modes that
// contradict each other, an unknown mode and exec with basic are usage
// errors.
func TestTokenOutputModes(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	cc := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	h.env["OPENEO_AUTH_CLIENT_ID"], h.env["OPENEO_AUTH_CLIENT_SECRET"] = cc.ID, cc.Secret

	r := h.run("", "token", "--method", "client_credentials", "--output", "exec", be)
	wantCode(t, r, 0)
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("not one line of JSON (%v): %s", err, r)
	}
	at, _ := out["access_token"].(string)
	exp, err := time.Parse(time.RFC3339, out["expires_at"].(string)) //nolint:forcetypeassert // a panic fails the test too
	if len(out) != 3 || at == "" || out["provider_id"] != providerID || err != nil || time.Until(exp) < time.Minute {
		t.Errorf("exec output %v, expires_at %v", out, err)
	}
	mustNotContain(t, "stderr", r.stderr, at, cc.Secret)

	r = h.run("", "token", "--method", "client_credentials", "--output", "access-token", be)
	wantCode(t, r, 0)
	if tok := strings.TrimSpace(r.stdout); tok == "" || strings.Contains(tok, "/") || strings.Contains(tok, "{") {
		t.Errorf("--output access-token: %s", r)
	}
	r = h.run("", "token", "--method", "client_credentials", "--output", "json", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, `"bearer": "oidc/`+providerID+`/`, `"method": "client_credentials"`)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", "exec", "--json"}, "--json and --output exec (or its flag) ask for different outputs"},
		{[]string{"--access-token", "--json"}, "--json and --output access-token (or its flag) ask for different outputs"},
		{[]string{"--output", "yaml"}, "--output 'yaml' is not an output mode (want bearer, access-token, json or exec)"},
		{[]string{"--output", "exec", "--method", "basic"}, "--output exec is for OpenID Connect tokens"},
	} {
		r := h.run("", append(append([]string{"token"}, tc.args...), be)...)
		wantCode(t, r, authcli.ExitUsage)
		mustContain(t, "stderr", r.stderr, tc.want)
		if r.stdout != "" {
			t.Errorf("%v: stdout %q", tc.args, r.stdout)
		}
	}
}
