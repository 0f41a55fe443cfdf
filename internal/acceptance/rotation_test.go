package acceptance_test

// Refresh token rotation with the real CLI: the test IdP rotates every
// refresh token of the test's client and revokes the whole login when a
// spent one is presented again (as Keycloak with "Revoke Refresh Token"
// does). Provider processes, saved plans and openeo-auth share one stored
// token; the IdP must never see one refresh token twice.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// rotatingLogin turns on rotation for the rig's client, configures it for
// the back-end in auth-config.json (so that the provider and openeo-auth
// pick it without flags) and stores a refresh token of alice for it under
// issuer. It returns the stored token.
func rotatingLogin(t *testing.T, r *acctest.Rig, issuer string) string {
	t.Helper()
	r.IdP.RotateRefreshTokens(t, r.Client.ID, true)
	ac, err := authfiles.OpenAuthConfig(r.Dirs.AuthConfigPath(), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetOIDCProvider(r.Backend.URL(), acctest.ProviderID, authfiles.OIDCClientConfig{
		ClientID: &r.Client.ID, ClientSecret: &r.Client.Secret, Issuer: issuer}); err != nil {
		t.Fatal(err)
	}
	rt := r.IdP.PasswordToken(t, r.Client, testrig.Alice, "openid email offline_access").RefreshToken
	if rt == "" {
		t.Fatal("the IdP returned no refresh token")
	}
	if err := refreshTokens(t, r).SetRefreshToken(issuer, r.Client.ID, rt, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r.IdP.ResetStats(t, r.Client.ID)
	return rt
}

func refreshTokens(t *testing.T, r *acctest.Rig) *authfiles.RefreshTokens {
	t.Helper()
	s, err := authfiles.OpenRefreshTokens(r.Dirs.RefreshTokensPath(), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func storedToken(t *testing.T, r *acctest.Rig, issuer string) string {
	t.Helper()
	rt, _, err := refreshTokens(t, r).RefreshToken(issuer, r.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// checkRefreshes fails unless the IdP saw exactly want refresh grants, all
// answered 200, and never one refresh token twice.
func checkRefreshes(t *testing.T, r *acctest.Rig, want int) {
	t.Helper()
	st := r.IdP.Stats(t, r.Client.ID)
	if st.ByGrant["refresh_token"] != want || st.ByStatus["200"] != st.TokenRequests || st.RefreshTokenReuse != 0 {
		t.Errorf("IdP stats %+v: want %d refresh grants, all 200, and no refresh token presented twice", st, want)
	}
}

func plan(d *acctest.WorkDir, extra ...string) tfrun.Result {
	d.T.Helper()
	return d.Run(nil, append([]string{"plan", "-input=false", "-no-color"}, extra...)...)
}

// TestAccRotationTwoAliasesParallel: two aliases with auth_method = "oidc"
// (two plugin processes) read their data sources in parallel from one stored
// token, ten runs in a row: every run succeeds, every refresh is written back
// and the IdP never sees a refresh token twice.
func TestAccRotationTwoAliasesParallel(t *testing.T) {
	r := acctest.RigPreCheck(t)
	first := rotatingLogin(t, r, r.IdP.Issuer())
	d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "oidc"}.HCL()+acctest.ProviderBlock{Alias: "b", URL: r.Backend.URL(), Method: "oidc"}.HCL()+`
data "openeo_account" "a" {}
data "openeo_account" "b" {
  provider = openeo.b
}
`)
	const runs = 10
	for i := range runs {
		res := plan(d)
		noCrash(t, "plan", res.Output)
		if res.Err != nil {
			t.Fatalf("run %d failed: %v\n%s", i+1, res.Err, errorBlocks(res.Output))
		}
	}
	checkRefreshes(t, r, 2*runs)
	if storedToken(t, r, r.IdP.Issuer()) == first {
		t.Error("the stored refresh token never changed: the IdP did not rotate, or nothing was written back")
	}
}

// TestAccRotationRefreshTokenPlanApply: auth_method = "refresh_token" from
// the store (store_refresh_token unset, so false): plan -out, a pause, apply
// of that plan, then a third plan. Each run spends the stored token and
// writes the rotated one back, so all three succeed.
func TestAccRotationRefreshTokenPlanApply(t *testing.T) {
	r := acctest.RigPreCheck(t)
	rotatingLogin(t, r, r.IdP.Issuer())
	// "now" is read at plan time; "later" waits for terraform_data and is
	// read during apply, by the apply's own provider process.
	d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "refresh_token"}.HCL()+`
resource "terraform_data" "x" {
  input = "1"
}
data "openeo_account" "now" {}
data "openeo_account" "later" {
  depends_on = [terraform_data.x]
}
`)
	steps := [][]string{{"plan", "-input=false", "-no-color", "-out=p"}, nil, {"apply", "-input=false", "-no-color", "p"},
		{"plan", "-input=false", "-no-color"}}
	for _, args := range steps {
		if args == nil {
			time.Sleep(2 * time.Second) // the pause between plan and apply
			continue
		}
		res := d.Run(nil, args...)
		noCrash(t, args[0], res.Output)
		if res.Err != nil {
			t.Fatalf("terraform %s failed: %v\n%s", strings.Join(args, " "), res.Err, errorBlocks(res.Output))
		}
	}
	checkRefreshes(t, r, 3)
}

// TestAccRotationFourProcesses: two `terraform plan` and two `openeo-auth
// token` start at once on one stored token: all four succeed and no refresh
// token reaches the IdP twice.
func TestAccRotationFourProcesses(t *testing.T) {
	r := acctest.RigPreCheck(t)
	rotatingLogin(t, r, r.IdP.Issuer())
	bin := openeoAuthBinary(t)
	config := acctest.ProviderBlock{URL: r.Backend.URL(), Method: "oidc"}.HCL() + "data \"openeo_account\" \"a\" {}\n"
	dirs := []*acctest.WorkDir{acctest.NewWorkDir(t, r.Dirs, config), acctest.NewWorkDir(t, r.Dirs, config)}
	ctx := testrig.Context(t)
	var wg sync.WaitGroup
	errs := make([]string, 4)
	for i, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := d.Setup.Run(ctx, tfrun.Cmd{Dir: d.Dir, Args: []string{"plan", "-input=false", "-no-color"}, Env: d.Env})
			if res.Err != nil {
				errs[i] = fmt.Sprintf("terraform plan: %v\n%s", res.Err, errorBlocks(res.Output))
			}
		}()
	}
	for i := 2; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, bin, "token", r.Backend.URL())
			cmd.Env = append(os.Environ(), "OPENEO_CONFIG_HOME="+r.Dirs.ConfigHome)
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs[i] = fmt.Sprintf("openeo-auth token: %v\n%s", err, out)
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	checkRefreshes(t, r, 4)
}

// TestAccRotationLostAnswer: a proxy in front of the IdP forwards the
// refresh grant and cuts the connection once the IdP has answered (so the
// IdP rotated the token). The provider does not send the grant again, and
// the diagnostic says what happened, names the stored entry and gives the
// command that logs in again.
func TestAccRotationLostAnswer(t *testing.T) {
	idp := testrig.IdP(t)
	proxy := idp.NewDropProxy(t)
	r := acctest.RigPreCheck(t, func(c *testbackend.Config) {
		c.Providers = []testbackend.Provider{testbackend.ProviderFor(acctest.ProviderID, proxy.URL)}
	})
	rotatingLogin(t, r, proxy.URL)
	proxy.DropAnswers(1, testrig.IsRefreshGrant)
	d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "oidc"}.HCL()+"data \"openeo_account\" \"a\" {}\n")
	res := plan(d)
	noCrash(t, "plan", res.Output)
	if res.Err == nil {
		t.Fatalf("plan succeeded although the refresh's answer was dropped:\n%s", res.Output)
	}
	if proxy.Dropped() != 1 {
		t.Fatalf("the proxy dropped %d answers, want 1", proxy.Dropped())
	}
	if st := r.IdP.Stats(t, r.Client.ID); st.ByGrant["refresh_token"] != 1 || st.RefreshTokenReuse != 0 {
		t.Errorf("IdP stats %+v: the refresh grant was sent again", st)
	}
	diag := strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╷", " ", "╵", " ").Replace(errorBlocks(res.Output))), " ")
	for _, want := range []string{
		"Error: Refresh Token Answer Lost",
		"the refresh token stored in " + r.Dirs.RefreshTokensPath() + " for issuer '" + proxy.URL + "' and client '" + r.Client.ID + "'",
		"was sent to the identity provider, but no answer came back",
		"The request was not sent again",
		"Run `openeo-auth oidc-auth " + r.Backend.URL() + "` in a terminal to log in again",
	} {
		if !strings.Contains(diag, want) {
			t.Errorf("the diagnostic lacks %q:\n%s", want, diag)
		}
	}
	if regexp.MustCompile(`\.\.`).MatchString(diag) {
		t.Errorf("doubled period in the diagnostic:\n%s", diag)
	}
}

var authBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// openeoAuthBinary builds cmd/openeo-auth once per test binary.
func openeoAuthBinary(t *testing.T) string {
	t.Helper()
	authBin.once.Do(func() {
		root, err := tfrun.ModuleRoot()
		if err != nil {
			authBin.err = err
			return
		}
		//nolint:usetesting // one binary for the whole test binary (t.TempDir would go with the first test); TestMain removes it
		if authBin.dir, err = os.MkdirTemp("", "openeo-auth-bin-"); err != nil {
			authBin.err = err
			return
		}
		authBin.path = filepath.Join(authBin.dir, "openeo-auth")
		cmd := exec.Command("go", "build", "-o", authBin.path, "./cmd/openeo-auth")
		cmd.Dir = root
		cmd.Env = testrig.GoCommandEnv() // Go's caches, not the test's private HOME
		if out, err := cmd.CombinedOutput(); err != nil {
			authBin.err = fmt.Errorf("go build ./cmd/openeo-auth: %w\n%s", err, out)
		}
	})
	if authBin.err != nil {
		t.Fatal(authBin.err)
	}
	return authBin.path
}
