package main

// End-to-end tests of the real binary: built with go build into a temporary
// folder, run as a separate process against the rig (test IdP plus an
// in-process openEO back-end), the device flow completed by
// testrig.ApproveDevice with the user code read from the process's stderr.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// binary builds the command into the test's temporary folder (the build
// cache makes every build after the first one a link step).
func binary(t *testing.T) string {
	t.Helper()
	if p, ok := built.Load(t.Name()); ok {
		return p.(string) //nolint:forcetypeassert // only strings are stored
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to build openeo-auth: %v", err)
	}
	p := filepath.Join(t.TempDir(), "openeo-auth")
	cmd := exec.Command(goBin, "build", "-o", p, "-ldflags", "-X main.version=9.9.9-e2e", ".")
	cmd.Env = testrig.GoCommandEnv() // tests move HOME; Go's caches stay where they are
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	built.Store(t.Name(), p)
	return p
}

var built sync.Map

type run struct {
	code           int
	stdout, stderr string
}

func (r run) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// exe runs the binary with env (nothing else from the test's environment
// but PATH) and stdin. When approve is not nil it is called with the user
// code as soon as it appears on stderr.
func exe(t *testing.T, env []string, stdin string, approve func(code string) error, args ...string) run {
	t.Helper()
	bin := binary(t) // built before the run starts: a build on a busy machine is slow
	ctx := testrig.Context(t)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr testrig.SyncBuffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	approveErr := make(chan error, 1)
	if approve != nil {
		go func() {
			re := regexp.MustCompile(`user code '([^']+)'`)
			for ctx.Err() == nil {
				if m := re.FindStringSubmatch(stderr.String()); m != nil {
					approveErr <- approve(m[1])
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
			approveErr <- ctx.Err()
		}()
	}
	err := cmd.Wait()
	r := run{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running openeo-auth: %v", err)
	}
	if approve != nil {
		if err := <-approveErr; err != nil {
			t.Errorf("approving the device flow: %v\n%s", err, r)
		}
	}
	t.Logf("openeo-auth %s\n%s", strings.Join(args, " "), r)
	return r
}

func wantExit(t *testing.T, r run, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit code %d, got %s", code, r)
	}
}

func backend(t *testing.T, idp *testrig.OpenIDProvider) (*testbackend.Server, testrig.Client) {
	t.Helper()
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	p := testbackend.ProviderFor("testidp", idp.Issuer())
	p.DefaultClients = []testbackend.DefaultClient{{ID: pub.ID, GrantTypes: []string{testbackend.GrantDeviceCodePKCE, testbackend.GrantRefreshToken}}}
	be := testbackend.Start(t, testbackend.Config{Providers: []testbackend.Provider{p}, BasicUsers: map[string]string{"alice": "alice-basic-pw-e2e"}})
	return be, pub
}

// TestBinaryEndToEnd: a stranger's session with the real binary, no
// Python, no browser: oidc-auth stores a refresh token, token uses it, the
// files are the Python client's, logout removes it again. Exit codes are
// checked along the way.
func TestBinaryEndToEnd(t *testing.T) {
	idp := testrig.IdP(t)
	be, pub := backend(t, idp)
	home := t.TempDir()
	cfgHome := filepath.Join(home, "openeo")
	env := []string{"HOME=" + home, "OPENEO_CONFIG_HOME=" + cfgHome}
	refreshPath := filepath.Join(cfgHome, "refresh-tokens.json")

	wantExit(t, exe(t, env, "", nil, "--version"), 0)
	r := exe(t, env, "", nil, "version")
	if strings.TrimSpace(r.stdout) != "openeo-auth 9.9.9-e2e" {
		t.Errorf("version: %s", r)
	}
	wantExit(t, exe(t, env, "", nil, "add-basic"), 2)
	wantExit(t, exe(t, env, "", nil, "tokens"), 4)
	r = exe(t, env, "", nil, "token", be.URL())
	wantExit(t, r, 3)
	if !strings.Contains(r.stderr, "`openeo-auth oidc-auth "+be.URL()+"`") {
		t.Errorf("token without a refresh token does not name the command: %s", r)
	}

	// The device flow, approved by "the user" once the code is on stderr.
	r = exe(t, env, "", func(code string) error {
		return idp.ApproveDevice(t.Context(), code, testrig.Alice.Name, testrig.Alice.Password)
	}, "oidc-auth", be.URL())
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "Stored refresh token in '"+refreshPath+"'") ||
		!strings.Contains(r.stderr, "] Authorized successfully") || strings.Contains(r.stderr, "\r") {
		t.Errorf("oidc-auth output: %s", r)
	}

	// The file is the Python client's: {issuer: {client_id: {date, refresh_token}}}, mode 0600.
	st, err := os.Stat(refreshPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("refresh-tokens.json: %v %v", st, err)
	}
	raw, _ := os.ReadFile(refreshPath)
	var doc map[string]map[string]struct {
		Date         string `json:"date"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	entry := doc[idp.Issuer()][pub.ID]
	if entry.RefreshToken == "" || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(entry.Date) ||
		!bytes.HasPrefix(raw, []byte("{\n  \"")) || bytes.HasSuffix(raw, []byte("\n")) {
		t.Fatalf("refresh-tokens.json is not in the Python client's format:\n%s", raw)
	}

	r = exe(t, env, "", nil, "token-dump")
	wantExit(t, r, 0)
	if strings.Contains(r.stdout, entry.RefreshToken) || !strings.Contains(r.stdout, `"refresh_token": "<redacted>"`) {
		t.Errorf("token-dump: %s", r)
	}

	// A bearer for scripts, accepted by the back-end.
	r = exe(t, env, "", nil, "token", be.URL())
	wantExit(t, r, 0)
	acct, err := flows.NewClient(flows.HTTPOptions{}).Account(t.Context(), be.APIURL(), strings.TrimSpace(r.stdout))
	if err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("the printed bearer: %+v %v", acct, err)
	}

	// Basic credentials: wrong password exit 3, right one stored.
	wantExit(t, exe(t, env, "nope\n", nil, "add-basic", be.URL(), "--username", "alice", "--password-stdin"), 3)
	wantExit(t, exe(t, append(env, "OPENEO_AUTH_PASSWORD=alice-basic-pw-e2e"), "", nil, "add-basic", be.URL(), "--username", "alice"), 0)
	r = exe(t, env, "", nil, "config", "--json")
	wantExit(t, r, 0)
	if strings.Contains(r.stdout, "alice-basic-pw-e2e") || !strings.Contains(r.stdout, `"`+be.URL()+`": {`) {
		t.Errorf("config --json: %s", r)
	}

	// Logout, and the oidc method fails again with the command to run.
	wantExit(t, exe(t, env, "", nil, "token-clear"), 2) // no terminal, no -f
	wantExit(t, exe(t, env, "", nil, "logout", be.URL()), 0)
	r = exe(t, env, "", nil, "token", be.URL())
	wantExit(t, r, 3)

	if st := idp.Stats(t, pub.ID); st.DeviceRequests != 1 {
		t.Errorf("device requests %d, want 1", st.DeviceRequests)
	}
}

// publicClientRig is the rig of a Terraform run after `openeo-auth
// oidc-auth`: the back-end's default client is a fresh public client of the
// IdP (pub), and env gives the binary the environment that PreCheck
// isolated (OPENEO_CONFIG_HOME, HOME, XDG_*).
func publicClientRig(t *testing.T) (rg *acctest.Rig, pub testrig.Client, env []string) {
	t.Helper()
	rg = acctest.RigPreCheck(t, func(c *testbackend.Config) {
		idp := testrig.IdP(t)
		pub = idp.RegisterClient(t, testrig.ClientSpec{Public: true})
		c.Providers[0].DefaultClients = []testbackend.DefaultClient{{ID: pub.ID,
			GrantTypes: []string{testbackend.GrantDeviceCodePKCE, testbackend.GrantRefreshToken}}}
	})
	for _, k := range []string{"HOME", "OPENEO_CONFIG_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		env = append(env, k+"="+os.Getenv(k))
	}
	return rg, pub, env
}

// TestBinaryBootstrapThenTerraformApply is the "done" criterion:
// bootstrap a refresh token with the binary, then run Terraform with
// auth_method = "oidc" where no device flow can be shown.
func TestBinaryBootstrapThenTerraformApply(t *testing.T) {
	rg, pub, env := publicClientRig(t)
	r := exe(t, env, "", func(code string) error {
		return rg.IdP.ApproveDevice(t.Context(), code, testrig.Bob.Name, testrig.Bob.Password)
	}, "oidc-auth", rg.Backend.URL())
	wantExit(t, r, 0)
	stored := storedRefreshToken(t, rg.Dirs.RefreshTokensPath(), rg.IdP.Issuer(), pub.ID)

	acctest.Test(t, resource.TestCase{
		PreCheck:                 func() {}, // done above; a second one would point OPENEO_CONFIG_HOME elsewhere
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, acctest.NoInteraction)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "openeo" {
  url         = %s
  auth_method = "oidc"
}

data "openeo_account" "me" {}
`, acctest.HCLString(rg.Backend.URL())),
			Check: resource.TestCheckResourceAttr("data.openeo_account.me", "user_id", testrig.Bob.Name),
		}},
	})
	if st := rg.IdP.Stats(t, pub.ID); st.DeviceRequests != 1 || st.ByGrant["refresh_token"] < 1 {
		t.Errorf("IdP stats %+v: want the one device flow of openeo-auth, then refresh grants only", st)
	}
	// The apply logged in with the stored token: the IdP rotates the refresh
	// tokens of public clients, and the provider stored the rotated one in
	// the same entry.
	if now := storedRefreshToken(t, rg.Dirs.RefreshTokensPath(), rg.IdP.Issuer(), pub.ID); now == stored {
		t.Error("the stored refresh token is unchanged: the apply did not use (and rotate) it")
	}
}

// storedRefreshToken reads the refresh token of (issuer, client) from
// refresh-tokens.json; the test fails without one.
func storedRefreshToken(t *testing.T, path, issuer, clientID string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	rt := doc[issuer][clientID].RefreshToken
	if rt == "" {
		t.Fatalf("no refresh token for issuer %s and client %s in %s", issuer, clientID, path)
	}
	return rt
}

// TestBinaryEnvClientIDThenTerraformApply: with OPENEO_AUTH_CLIENT_ID in the
// environment (as on runners that also use client credentials), the
// provider's oidc method uses that client, and so does `openeo-auth
// oidc-auth <url>` in the same environment: the apply after it finds the
// token. The apply before it names the command with --client-id.
func TestBinaryEnvClientIDThenTerraformApply(t *testing.T) {
	var pub, ci testrig.Client
	rg := acctest.RigPreCheck(t, func(c *testbackend.Config) {
		idp := testrig.IdP(t)
		pub = idp.RegisterClient(t, testrig.ClientSpec{Public: true})
		ci = idp.RegisterClient(t, testrig.ClientSpec{Public: true, Name: "ci"})
		c.Providers[0].DefaultClients = []testbackend.DefaultClient{{ID: pub.ID,
			GrantTypes: []string{testbackend.GrantDeviceCodePKCE, testbackend.GrantRefreshToken}}}
	})
	t.Setenv("OPENEO_AUTH_CLIENT_ID", ci.ID)
	var env []string
	for _, k := range []string{"HOME", "OPENEO_CONFIG_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "OPENEO_AUTH_CLIENT_ID"} {
		env = append(env, k+"="+os.Getenv(k))
	}
	config := fmt.Sprintf(`
provider "openeo" {
  url         = %s
  auth_method = "oidc"
}
data "openeo_account" "me" {}
`, acctest.HCLString(rg.Backend.URL()))
	factories := acctest.Factories(acctest.Options(nil, acctest.NoInteraction))

	acctest.Test(t, resource.TestCase{
		PreCheck:                 func() {},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			ExpectError: regexp.MustCompile("`openeo-auth\\s+oidc-auth\\s+" + regexp.QuoteMeta(rg.Backend.URL()) +
				"\\s+--client-id\\s+" + regexp.QuoteMeta(ci.ID) + "`"),
		}},
	})

	r := exe(t, env, "", func(code string) error {
		return rg.IdP.ApproveDevice(t.Context(), code, testrig.Bob.Name, testrig.Bob.Password)
	}, "oidc-auth", rg.Backend.URL())
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "Using client ID '"+ci.ID+"' (from $OPENEO_AUTH_CLIENT_ID)") {
		t.Errorf("oidc-auth did not use OPENEO_AUTH_CLIENT_ID: %s", r)
	}

	acctest.Test(t, resource.TestCase{
		PreCheck:                 func() {},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: config,
			Check:  resource.TestCheckResourceAttr("data.openeo_account.me", "user_id", testrig.Bob.Name),
		}},
	})
	if st := rg.IdP.Stats(t, ci.ID); st.DeviceRequests != 1 || st.ByGrant["refresh_token"] < 1 {
		t.Errorf("IdP stats of the client of OPENEO_AUTH_CLIENT_ID %+v: want the one device flow, then refresh grants", st)
	}
	if st := rg.IdP.Stats(t, pub.ID); st.TokenRequests != 0 || st.DeviceRequests != 0 {
		t.Errorf("the default client was used: %+v", st)
	}
}
