package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// rigApprove runs `scripts/rig.sh approve args...` (OPENEO_TEST_ISSUER names the IdP) and
// returns its output and exit status.
func rigApprove(t *testing.T, args ...string) (string, int) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "..", "scripts", "rig.sh"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), script, append([]string{"approve"}, args...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("running %s: %v", script, err)
		return "", -1
	}
}

// A device login started at the IdP and approved from the shell with `scripts/rig.sh approve`
// yields tokens for the user named there.
func TestRigShApproveDeviceLogin(t *testing.T) {
	p := testrig.IdP(t)
	c := p.RegisterClient(t, testrig.ClientSpec{Public: true})
	ctx := t.Context()
	da, err := p.StartDevice(ctx, c, "openid offline_access", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollDevice(ctx, c, da.DeviceCode, ""); testrig.ErrorCode(err) != "authorization_pending" {
		t.Fatalf("before approval: %v", err)
	}
	out, code := rigApprove(t, da.UserCode, testrig.Bob.Name)
	if code != 0 || !strings.Contains(out, "approved the device login "+da.UserCode+" as bob") {
		t.Fatalf("rig.sh approve: exit %d:\n%s", code, out)
	}
	tok, err := p.PollDevice(ctx, c, da.DeviceCode, "")
	if err != nil {
		t.Fatalf("after rig.sh approve: %v", err)
	}
	if in := p.Introspect(t, tok.AccessToken); in["sub"] != testrig.Bob.Name {
		t.Errorf("token of %v, want bob", in["sub"])
	}

	// The default user is alice.
	da2, err := p.StartDevice(ctx, c, "openid", "")
	if err != nil {
		t.Fatal(err)
	}
	if out, code := rigApprove(t, da2.UserCode); code != 0 || !strings.Contains(out, " as alice ") {
		t.Fatalf("rig.sh approve without a user: exit %d:\n%s", code, out)
	}

	// A code that is already used, an unknown user, no code at all.
	if out, code := rigApprove(t, da.UserCode); code != 1 || !strings.Contains(out, "not accepted") {
		t.Errorf("used code: exit %d:\n%s", code, out)
	}
	if out, code := rigApprove(t, "ABCD-EFGH", "mallory"); code != 2 || !strings.Contains(out, "alice, bob") {
		t.Errorf("unknown user: exit %d:\n%s", code, out)
	}
	if out, code := rigApprove(t); code != 2 || !strings.Contains(out, "usage:") {
		t.Errorf("no code: exit %d:\n%s", code, out)
	}
}

// `scripts/rig.sh start` reports on stderr only ("rig: IdP ready ..."): its
// stdout stays empty, so no bare URL line lands among a caller's output.
// `env` is the way to get the issuer. A private RIG_STATE_DIR keeps this IdP
// apart from the one the other tests use.
func TestRigShStartPrintsNoBareURL(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("Node.js is not on PATH: the test IdP cannot run (install Node.js 20+ with npm)")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "..", "scripts", "rig.sh"))
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "RIG_STATE_DIR="+t.TempDir())
	rig := func(arg string) (string, string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), script, arg)
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("rig.sh %s: %v\n%s%s", arg, err, stdout.String(), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	t.Cleanup(func() {
		cmd := exec.Command(script, "stop") // in t.Cleanup, where t.Context() is already cancelled
		cmd.Env = env
		_ = cmd.Run()
	})
	for _, round := range []string{"start", "start again (already running)"} {
		stdout, stderr := rig("start")
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing", round, stdout)
		}
		if !strings.Contains(stderr, "rig: IdP ") || !strings.Contains(stderr, "http://127.0.0.1:") {
			t.Errorf("%s: stderr %q does not report the IdP", round, stderr)
		}
	}
	if stdout, _ := rig("env"); !strings.HasPrefix(stdout, "export "+testrig.EnvIssuer+"=http://127.0.0.1:") {
		t.Errorf("rig.sh env: %q", stdout)
	}
}
