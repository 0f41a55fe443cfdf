package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestBinaryIsTheProvidersExecHelper: `openeo-auth token --output exec` is
// an exec credential helper as the provider's auth_method = "exec" runs it
// (flows.ExecCredential in a session): the real binary refreshes the stored
// refresh token and prints the helper JSON, the session's bearer is
// accepted by the back-end as the user who logged in, and a helper that
// cannot log in fails with its exit code and (the start of) its stderr,
// without a token in the message.
func TestBinaryIsTheProvidersExecHelper(t *testing.T) {
	idp := testrig.IdP(t)
	be, _ := backend(t, idp)
	conf := idp.RegisterClient(t, testrig.ClientSpec{})
	home := t.TempDir()
	cfgHome := filepath.Join(home, "openeo")
	if err := os.MkdirAll(cfgHome, 0o700); err != nil {
		t.Fatal(err)
	}
	ac, err := authfiles.OpenAuthConfig(filepath.Join(cfgHome, "auth-config.json"), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetOIDCProvider(be.URL(), "testidp", authfiles.OIDCClientConfig{ClientID: &conf.ID, ClientSecret: &conf.Secret, Issuer: idp.Issuer()}); err != nil {
		t.Fatal(err)
	}
	rts, err := authfiles.OpenRefreshTokens(filepath.Join(cfgHome, "refresh-tokens.json"), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rts.SetRefreshToken(idp.Issuer(), conf.ID, idp.PasswordToken(t, conf, testrig.Alice, "openid offline_access").RefreshToken, time.Time{}); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "OPENEO_CONFIG_HOME=" + cfgHome}

	// What a script sees: one line of JSON with exactly the helper's keys.
	r := exe(t, env, "", nil, "token", "--output", "exec", be.URL())
	wantExit(t, r, 0)
	if strings.Count(r.stdout, "\n") != 1 || !strings.HasSuffix(r.stdout, "}\n") {
		t.Fatalf("stdout is not one line of JSON: %s", r)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	at, _ := out["access_token"].(string)
	exp, _ := out["expires_at"].(string)
	expiry, err := time.Parse(time.RFC3339, exp)
	if len(out) != 3 || at == "" || out["provider_id"] != "testidp" || err != nil || !expiry.After(time.Now()) {
		t.Errorf("helper JSON %v (expires_at: %v)", out, err)
	}
	if strings.Contains(r.stderr, at) {
		t.Errorf("the access token is on stderr: %s", r)
	}

	// The provider's exec method runs the binary (in its environment, which may choose the exec
	// method with OPENEO_AUTH_METHOD): the back-end knows the user.
	helper := &flows.ExecCredential{Command: binary(t), Args: []string{"token", "--output", "exec", be.URL()},
		Env:     map[string]string{"OPENEO_CONFIG_HOME": cfgHome, "HOME": home, "OPENEO_AUTH_METHOD": "exec"},
		Environ: []string{"PATH=" + os.Getenv("PATH")}}
	s, err := flows.NewSession(t.Context(), flows.Config{BackendURL: be.URL(), Method: flows.MethodExec,
		OIDC: flows.OIDCSettings{Keyless: flows.KeylessSettings{Exec: helper}}})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := s.Account(t.Context())
	if err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("account through the exec helper: %+v, %v", acct, err)
	}
	tok, err := s.Token(t.Context())
	if err != nil || tok.Method != flows.MethodExec || tok.ProviderID != "testidp" ||
		tok.Bearer != "oidc/testidp/"+tok.AccessToken || tok.Expiry.IsZero() {
		t.Errorf("session token: method %s, provider %q, expiry %v, %v", tok.Method, tok.ProviderID, tok.Expiry, err)
	}
	// Renewal runs it again: another refresh at the IdP.
	if again, err := helper.Token(t.Context()); err != nil || again.AccessToken == "" || again.AccessToken == tok.AccessToken {
		t.Errorf("second run: %v (same token: %v)", err, err == nil && again.AccessToken == tok.AccessToken)
	}
	if st := idp.Stats(t, conf.ID); st.ByGrant["refresh_token"] != 3 {
		t.Errorf("IdP stats %+v: want 3 refreshes (one per run)", st)
	}

	// No login stored: the helper fails, the provider shows (the start of) its stderr.
	empty := t.TempDir()
	broken := &flows.ExecCredential{Command: helper.Command, Args: helper.Args,
		Env: map[string]string{"OPENEO_CONFIG_HOME": empty, "HOME": empty}, Environ: helper.Environ}
	_, err = broken.Token(t.Context())
	var ee *flows.ExecError
	if !errors.As(err, &ee) || ee.ExitCode != 3 || !strings.Contains(ee.Stderr, "needs an interactive OIDC login") {
		t.Fatalf("helper without a login: %v", err)
	}
	if strings.Contains(err.Error(), at) || strings.Contains(err.Error(), tok.AccessToken) {
		t.Errorf("error shows a token: %v", err)
	}
}

// TestBinaryExecHelperThenTerraformApply: the login stored with oidc-auth
// serves Terraform through auth_method = "exec" with the real binary as the
// helper (`openeo-auth token --output exec <url>`): the apply reads the
// account of the user who logged in, and the helper's refresh rotated the
// stored refresh token.
func TestBinaryExecHelperThenTerraformApply(t *testing.T) {
	rg, pub, env := publicClientRig(t)
	wantExit(t, exe(t, env, "", func(code string) error {
		return rg.IdP.ApproveDevice(t.Context(), code, testrig.Bob.Name, testrig.Bob.Password)
	}, "oidc-auth", rg.Backend.URL()), 0)
	stored := storedRefreshToken(t, rg.Dirs.RefreshTokensPath(), rg.IdP.Issuer(), pub.ID)

	acctest.Test(t, resource.TestCase{
		PreCheck:                 func() {}, // done above
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, acctest.NoInteraction)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "openeo" {
  url         = %[1]s
  auth_method = "exec"
  exec {
    command = %[2]s
    args    = ["token", "--output", "exec", %[1]s]
  }
}

data "openeo_account" "me" {}
`, acctest.HCLString(rg.Backend.URL()), acctest.HCLString(binary(t))),
			Check: resource.TestCheckResourceAttr("data.openeo_account.me", "user_id", testrig.Bob.Name),
		}},
	})
	if now := storedRefreshToken(t, rg.Dirs.RefreshTokensPath(), rg.IdP.Issuer(), pub.ID); now == stored {
		t.Error("the stored refresh token is unchanged: the helper did not refresh (and rotate) it")
	}
	if st := rg.IdP.Stats(t, pub.ID); st.DeviceRequests != 1 || st.ByGrant["refresh_token"] < 1 || st.RefreshTokenReuse != 0 {
		t.Errorf("IdP stats %+v: want the one device flow of oidc-auth, then refreshes by the helper, no reuse", st)
	}
}
