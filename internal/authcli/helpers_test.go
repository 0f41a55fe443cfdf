package authcli_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const providerID = "testidp"

// fixedNow is the clock of every command run, so that file dates are known.
var fixedNow = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

var userCodeRE = regexp.MustCompile(`user code '([^']+)'`)

// harness runs commands in-process with an isolated environment: its own
// OPENEO_CONFIG_HOME, HOME and no other variables unless set.
type harness struct {
	t   *testing.T
	dir string
	env map[string]string
	// tty makes stdin and stderr terminals (prompts allowed, \r status line).
	tty bool
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "openeo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, dir: dir, env: map[string]string{
		"OPENEO_CONFIG_HOME": dir,
		"HOME":               filepath.Join(root, "home"),
	}}
}

func (h *harness) authConfigPath() string    { return filepath.Join(h.dir, "auth-config.json") }
func (h *harness) refreshTokensPath() string { return filepath.Join(h.dir, "refresh-tokens.json") }

func (h *harness) lookup(k string) (string, bool) {
	v, ok := h.env[k]
	return v, ok
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.stdout + "\n--- stderr:\n" + r.stderr
}

func (h *harness) envFor(stdin string, stdout, stderr *testrig.SyncBuffer) authcli.Process {
	return authcli.Process{
		Stdin:            strings.NewReader(stdin),
		Stdout:           stdout,
		Stderr:           stderr,
		StdinIsTerminal:  h.tty,
		StderrIsTerminal: h.tty,
		LookupEnv:        h.lookup,
		Now:              func() time.Time { return fixedNow },
		Version:          "test",
		PollInterval:     200 * time.Millisecond,
		StatusTick:       100 * time.Millisecond,
	}
}

// run runs one command to completion.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	out, errw := new(testrig.SyncBuffer), new(testrig.SyncBuffer)
	ctx, cancel := testrig.DetachedContext(h.t)
	defer cancel()
	code := authcli.Run(ctx, args, h.envFor(stdin, out, errw))
	r := result{code: code, stdout: out.String(), stderr: errw.String()}
	if testing.Verbose() {
		h.t.Logf("openeo-auth %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

// runDevice runs a command that starts a device flow and approves it as
// user (unless user is empty) once the user code shows up on stderr.
func (h *harness) runDevice(idp *testrig.OpenIDProvider, user testrig.User, args ...string) result {
	h.t.Helper()
	return h.runDeviceInput("", idp, user, args...)
}

// runDeviceInput is runDevice with stdin.
func (h *harness) runDeviceInput(stdin string, idp *testrig.OpenIDProvider, user testrig.User, args ...string) result {
	h.t.Helper()
	out, errw := new(testrig.SyncBuffer), new(testrig.SyncBuffer)
	ctx, cancel := testrig.DetachedContext(h.t)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- authcli.Run(ctx, args, h.envFor(stdin, out, errw)) }()
	approveErr := make(chan error, 1)
	if user.Name != "" {
		go func() {
			m, ok := errw.WaitFor(ctx, userCodeRE)
			if !ok {
				approveErr <- ctx.Err()
				return
			}
			approveErr <- idp.ApproveDevice(ctx, m[1], user.Name, user.Password)
		}()
	} else {
		approveErr <- nil
	}
	code := <-done
	cancel()
	r := result{code: code, stdout: out.String(), stderr: errw.String()}
	if testing.Verbose() {
		h.t.Logf("openeo-auth %s\n%s", strings.Join(args, " "), r)
	}
	if err := <-approveErr; err != nil && code == 0 {
		h.t.Errorf("approving the device flow: %v", err)
	}
	return r
}

func (h *harness) authConfig() *authfiles.AuthConfig {
	h.t.Helper()
	ac, err := authfiles.OpenAuthConfig(h.authConfigPath(), authfiles.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	return ac
}

func (h *harness) refreshTokens() *authfiles.RefreshTokens {
	h.t.Helper()
	rt, err := authfiles.OpenRefreshTokens(h.refreshTokensPath(), authfiles.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	return rt
}

// rig is the test IdP plus a back-end whose provider "testidp" lists a
// public client registered for this test as its default client.
type rig struct {
	idp    *testrig.OpenIDProvider
	be     *testbackend.Server
	public testrig.Client
}

func newRig(t *testing.T, mods ...func(*testbackend.Config)) *rig {
	t.Helper()
	idp := testrig.IdP(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	p := testbackend.ProviderFor(providerID, idp.Issuer())
	p.DefaultClients = []testbackend.DefaultClient{{ID: pub.ID,
		GrantTypes: []string{testbackend.GrantDeviceCodePKCE, testbackend.GrantRefreshToken}}}
	cfg := testbackend.Config{
		Providers:  []testbackend.Provider{p},
		BasicUsers: map[string]string{"alice": "basic-pw-alice-1"},
	}
	for _, m := range mods {
		m(&cfg)
	}
	if testing.Verbose() {
		cfg.Log = testbackend.TestLog(t)
	}
	return &rig{idp: idp, be: testbackend.Start(t, cfg), public: pub}
}

func ctxT(t *testing.T) context.Context { return testrig.Context(t) }

// providerSession is what the Terraform provider's "oidc" method does:
// a session on the same files that may never start a device flow.
func providerSession(t *testing.T, h *harness, backendURL string) *flows.Session {
	t.Helper()
	s, err := flows.NewSession(ctxT(t), flows.Config{
		BackendURL:    backendURL,
		Method:        flows.MethodOIDC,
		AuthConfig:    h.authConfig(),
		RefreshTokens: h.refreshTokens(),
		OIDC:          flows.OIDCSettings{StoreRefreshToken: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
}

func mustNotContain(t *testing.T, what, text string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if b != "" && strings.Contains(text, b) {
			t.Errorf("%s contains %q:\n%s", what, b, text)
		}
	}
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit code %d, got %s", code, r)
	}
}
