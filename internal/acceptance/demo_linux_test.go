//go:build linux

package acceptance_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// TestDemoScript runs `make demo`'s script (scripts/demo.sh) as a newcomer
// would, with its output to a pipe, on a terminal, and on a terminal with
// NO_COLOR set. Every run shows the three parts (provider authentication, the
// auth-config.json entry written and read back, `openeo-auth config-dump`);
// escape sequences appear on the terminal only, and never with NO_COLOR.
// Each run has its own rig folder (RIG_STATE_DIR), so it starts and stops an
// IdP of its own and never stops one that other tests use.
func TestDemoScript(t *testing.T) {
	acctest.PreCheck(t)
	if acctest.IsOpenTofu(t) {
		t.Skip("the demo installs the provider for Terraform's registry address; it runs with Terraform only")
	}
	tf, err := tfrun.TerraformPath()
	if err != nil {
		t.Fatal(err)
	}
	root, err := tfrun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		terminal  bool
		noColor   bool
		wantColor bool
	}{
		{name: "pipe"},
		{name: "terminal", terminal: true, wantColor: true},
		{name: "terminal_NO_COLOR", terminal: true, noColor: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The real HOME (PreCheck moved it), so that the demo's go build finds Go's caches.
			env := append(testrig.GoCommandEnv(), tfrun.EnvTerraformPath+"="+tf, "RIG_STATE_DIR="+t.TempDir(), "NO_COLOR=", "TERM=xterm")
			if tc.noColor {
				env = append(env, "NO_COLOR=1")
			}
			cmd := exec.CommandContext(t.Context(), filepath.Join(root, "scripts", "demo.sh"))
			cmd.Dir = root
			cmd.Env = env
			out, err := runDemo(t, cmd, tc.terminal)
			if err != nil {
				t.Fatalf("demo.sh: %v\n%s", err, out)
			}
			for _, want := range []string{
				"1. Provider authentication",
				"account via OIDC client credentials:",
				`"user_id":"openeo-tf"`,
				"account via basic auth (provider alias):",
				`"user_id":"demo"`,
				"2. File resources: the openEO Python client's auth-config.json",
				"openeo_auth_config_basic.demo: Creation complete",
				"entry written (openeo_auth_config_basic):",
				"basic entries read back (openeo_auth_config):",
				`"has_password":true`,
				"3. The openeo-auth command: `openeo-auth config-dump`",
				`"username": "demo"`,
				`"password": "<redacted>"`,
				"stopped everything it started",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("the demo's output lacks %q:\n%s", want, out)
				}
			}
			if got := strings.Contains(out, "\x1b["); got != tc.wantColor {
				t.Errorf("escape sequences in the output: %v, want %v:\n%q", got, tc.wantColor, out)
			}
			if tc.wantColor && !strings.Contains(out, "\x1b[1mdemo:\x1b[0m") {
				t.Errorf("no bold \"demo:\" labels on a terminal:\n%q", out)
			}
		})
	}
}

// runDemo runs cmd with stdout and stderr to one pipe, or to a new
// pseudo-terminal (its controlling terminal) when terminal is set, and returns
// the output.
func runDemo(t *testing.T, cmd *exec.Cmd, terminal bool) (string, error) {
	t.Helper()
	if !terminal {
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	master, slave, err := openPTY()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer master.Close()
	cmd.Stdout, cmd.Stderr = slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1}
	if err := cmd.Start(); err != nil {
		slave.Close()
		t.Fatal(err)
	}
	slave.Close()
	var buf bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(&buf, master)
		copied <- err
	}()
	runErr := cmd.Wait()
	// The terminal reads EIO once no process holds it open any more; a
	// process that still does (none should) must not block the test.
	_ = master.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("reading the terminal: %v", err)
	}
	return strings.ReplaceAll(buf.String(), "\r\n", "\n"), runErr
}
