package acctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// WorkDir is a Terraform working directory for tests that run the CLI
// themselves (instead of resource.Test): the provider binary built once per
// test binary (tfrun.Shared, installed through dev_overrides), a private
// plugin socket folder per command. Call tfrun.Cleanup in TestMain after
// m.Run.
type WorkDir struct {
	T *testing.T
	// Setup is the shared build and CLI configuration.
	Setup *tfrun.Setup
	// Dir holds main.tf and the state.
	Dir string
	// Env is added to every command (after tfrun's base environment, which
	// has no TF_* or OPENEO_* variable of the test process): at first
	// OPENEO_CONFIG_HOME of the test's Dirs.
	Env []string
}

// NewWorkDir builds the provider (once per test binary) and writes config,
// after the required_providers block, to a fresh working directory. Call it
// after PreCheck (or RigPreCheck). The openEO files of the provider are
// those of dirs.
func NewWorkDir(t *testing.T, dirs Dirs, config string) *WorkDir {
	t.Helper()
	s, err := tfrun.Shared(t.Context())
	if err != nil {
		t.Fatalf("building the provider: %v", err)
	}
	d := &WorkDir{T: t, Setup: s, Dir: t.TempDir(), Env: []string{"OPENEO_CONFIG_HOME=" + dirs.ConfigHome}}
	d.Write(config)
	return d
}

// Write replaces main.tf with the required_providers block and config.
func (d *WorkDir) Write(config string) {
	d.T.Helper()
	if err := os.WriteFile(filepath.Join(d.Dir, "main.tf"), []byte(tfrun.RequiredProviders()+config), 0o600); err != nil {
		d.T.Fatal(err)
	}
}

// Cmd is a command in this directory with d.Env and then extraEnv (later
// entries win); callers may set its other fields (Started, Prepare).
func (d *WorkDir) Cmd(extraEnv []string, args ...string) tfrun.Cmd {
	return tfrun.Cmd{Dir: d.Dir, Args: args, Env: append(append([]string(nil), d.Env...), extraEnv...)}
}

// RunCmd runs c, bounded only by the test binary's deadline
// (testrig.Context): a run takes as long as the machine needs. A run killed
// at that deadline fails the test.
func (d *WorkDir) RunCmd(c tfrun.Cmd) tfrun.Result {
	d.T.Helper()
	res := d.Setup.Run(testrig.Context(d.T), c)
	if res.TimedOut {
		d.T.Fatalf("terraform %s hung until the test deadline: killed\n%s", strings.Join(c.Args, " "), res.Output)
	}
	return res
}

// Run runs one command with extraEnv after d.Env.
func (d *WorkDir) Run(extraEnv []string, args ...string) tfrun.Result {
	d.T.Helper()
	return d.RunCmd(d.Cmd(extraEnv, args...))
}

// Apply runs terraform apply -auto-approve.
func (d *WorkDir) Apply(extraEnv ...string) tfrun.Result {
	d.T.Helper()
	return d.Run(extraEnv, "apply", "-input=false", "-no-color", "-auto-approve")
}

// Must runs one command and fails the test when it fails; it returns the
// output.
func (d *WorkDir) Must(args ...string) string {
	d.T.Helper()
	res := d.Run(nil, args...)
	if res.Err != nil {
		d.T.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), res.Err, res.Output)
	}
	return res.Output
}
