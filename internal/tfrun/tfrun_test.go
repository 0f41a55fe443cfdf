package tfrun

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// shell is a Setup whose "terraform" is /bin/sh, so that Run can be tested
// without Terraform.
func shell(t *testing.T) *Setup {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh")
	}
	return &Setup{Terraform: "/bin/sh", CLIConfig: filepath.Join(t.TempDir(), "rc")}
}

func TestRunMeasuresChildren(t *testing.T) {
	s := shell(t)
	res := s.Run(t.Context(), Cmd{Dir: t.TempDir(), Args: []string{"-c", "sleep 0.5 & wait; echo done"}})
	if res.Err != nil || strings.TrimSpace(res.Output) != "done" {
		t.Fatalf("err %v, output %q", res.Err, res.Output)
	}
	if res.Wall < 500*time.Millisecond {
		t.Errorf("wall %v", res.Wall)
	}
	if runtime.GOOS == "linux" {
		if res.TerraformPeakKB <= 0 || res.TerraformSampledKB <= 0 {
			t.Errorf("no peak RSS of the command: %+v", res)
		}
		if res.Plugins != 1 || res.PluginPeakKB <= 0 {
			t.Errorf("the child process was not sampled: %+v", res)
		}
	}
}

func TestRunEnvironment(t *testing.T) {
	s := shell(t)
	t.Setenv("TF_LOG", "trace")
	t.Setenv("OPENEO_AUTH_PASSWORD", "x")
	res := s.Run(t.Context(), Cmd{Dir: t.TempDir(), Args: []string{"-c", `echo "[$TF_LOG][$OPENEO_AUTH_PASSWORD][$TF_IN_AUTOMATION][$EXTRA]"; echo "$TF_CLI_CONFIG_FILE"`},
		Env: []string{"EXTRA=1", "TF_IN_AUTOMATION="}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	lines := strings.Split(strings.TrimSpace(res.Output), "\n")
	if lines[0] != "[][][][1]" || lines[1] != s.CLIConfig {
		t.Errorf("environment %q", res.Output)
	}
}

func TestRunTimeoutKillsTheGroup(t *testing.T) {
	s := shell(t)
	dir := t.TempDir()
	// The background sleep is a grandchild: only killing the whole process
	// group ends it.
	res := s.Run(t.Context(), Cmd{Dir: dir, Args: []string{"-c", "sleep 300 & echo $! > bg.pid; sleep 300; wait"}, Timeout: 300 * time.Millisecond})
	if !res.TimedOut || res.Err == nil {
		t.Fatalf("not timed out: %+v", res)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "bg.pid"))
	if err != nil {
		t.Fatalf("the shell did not record its background process: %v", err)
	}
	stat := "/proc/" + strings.TrimSpace(string(raw)) + "/stat"
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to see the background process")
	}
	// Killed, it may stay a zombie until init reaps it.
	ctx := testrig.Context(t)
	for {
		b, err := os.ReadFile(stat)
		if err != nil || strings.Contains(string(b), ") Z ") {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatal("the background process of the timed-out command still runs: the process group was not killed")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// A plugin killed with SIGKILL cannot unlink its go-plugin socket: Run gives
// the plugins a socket folder of their own and removes it afterwards, so
// nothing stays in $TMPDIR.
func TestRunRemovesThePluginSocketFolder(t *testing.T) {
	s := shell(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	res := s.Run(t.Context(), Cmd{Dir: t.TempDir(), Args: []string{"-c",
		`echo "$PLUGIN_UNIX_SOCKET_DIR"; : >"$PLUGIN_UNIX_SOCKET_DIR/plugin123"; kill -9 $$`}})
	if res.Err == nil {
		t.Fatalf("the shell was not killed: %q", res.Output)
	}
	dir := strings.TrimSpace(res.Output)
	// In $TMPDIR, or in /tmp when $TMPDIR is too long for socket paths.
	if want := socketParent(); filepath.Dir(dir) != want {
		t.Fatalf("socket folder %q, want one in %s ($TMPDIR %s)", dir, want, tmp)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket folder %s still there after the run (stat: %v)", dir, err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("left in $TMPDIR: %v", left)
	}
}

// Tests move HOME before they build the provider (acctest.IsolateEnv); Build
// must still use Go's module and build caches of the real HOME, or every test
// binary downloads and compiles all modules again (minutes on a loaded machine).
func TestBuildUsesTheGoCachesOfTheRealHome(t *testing.T) {
	if _, err := TerraformPath(); err != nil {
		t.Skipf("Build needs a Terraform CLI: %v", err)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	s, err := Build(t.Context(), root, t.TempDir(), Install{Mirror: true, Implied: true})
	if err != nil {
		t.Fatal(err)
	}
	// The mirror holds the binary in the unpacked layout Terraform reads, and
	// the CLI configuration names both installation methods and the implied
	// address.
	bin := filepath.Join(s.MirrorDir, filepath.FromSlash(Source()), MirrorVersion, runtime.GOOS+"_"+runtime.GOARCH,
		ProviderBinaryName+"_v"+MirrorVersion)
	if st, err := os.Stat(bin); err != nil || st.Mode()&0o100 == 0 {
		t.Errorf("no executable provider in the mirror at %s (%v)", bin, err)
	}
	rc, err := os.ReadFile(s.CLIConfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dev_overrides", `"registry.terraform.io/hashicorp/openeo" = ` + `"` + s.ProviderDir + `"`, "filesystem_mirror", `path    = "` + s.MirrorDir + `"`} {
		if !strings.Contains(string(rc), want) {
			t.Errorf("the CLI configuration lacks %q:\n%s", want, rc)
		}
	}
	opened, err := Open(filepath.Dir(s.CLIConfig))
	if err != nil || *opened != *s {
		t.Errorf("Open of the setup folder: %+v, %v; want %+v", opened, err, s)
	}
	left, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		// go build writes only its caches under HOME (go/pkg/mod, .cache/go-build) when it uses this one.
		t.Errorf("go build used the moved HOME: %s was created in it", e.Name())
	}
}

func TestTerraformPath(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil { //nolint:gosec // an executable
		t.Fatal(err)
	}
	t.Setenv(EnvTerraformPath, bin)
	if p, err := TerraformPath(); err != nil || p != bin {
		t.Errorf("TerraformPath with %s=%s: %q, %v", EnvTerraformPath, bin, p, err)
	}
	for _, bad := range []string{"terraform", filepath.Dir(bin), filepath.Join(filepath.Dir(bin), "missing")} {
		t.Setenv(EnvTerraformPath, bad)
		if p, err := TerraformPath(); err == nil || !strings.Contains(err.Error(), EnvTerraformPath+"=") {
			t.Errorf("TerraformPath with %s=%s: %q, %v; want an error that names the variable", EnvTerraformPath, bad, p, err)
		}
	}
	t.Setenv(EnvTerraformPath, "")
	t.Setenv("PATH", filepath.Dir(bin))
	if p, err := TerraformPath(); err != nil || p != bin {
		t.Errorf("TerraformPath from PATH: %q, %v; want %s", p, err, bin)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := TerraformPath(); err == nil || !strings.Contains(err.Error(), "no `terraform` on PATH") {
		t.Errorf("TerraformPath without a CLI: %v", err)
	}
}

func TestRunCopiesStdoutAndStderrApart(t *testing.T) {
	s := shell(t)
	var stdout, stderr strings.Builder
	res := s.Run(t.Context(), Cmd{Dir: t.TempDir(), Args: []string{"-c", "echo out; echo err >&2"}, Stdout: &stdout, Stderr: &stderr})
	if res.Err != nil || stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q, err %v", stdout.String(), stderr.String(), res.Err)
	}
	if !strings.Contains(res.Output, "out\n") || !strings.Contains(res.Output, "err\n") {
		t.Errorf("Output %q lacks one of the streams", res.Output)
	}
}

func TestSocketFolderFitsTheSocketPathLimit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix sockets")
	}
	long := filepath.Join(t.TempDir(), strings.Repeat("x", 90))
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	p := filepath.Join(socketParent(), "tfsock1234567890", "plugin1234567890")
	if len(p) > 104 {
		t.Errorf("a plugin socket under TMPDIR=%s would be %q (%d bytes), over the 104-byte limit", long, p, len(p))
	}
}

// TestRunMeasuresPluginCPU: the CPU time of the processes Terraform waited
// for (the plugins) is reported apart from Terraform's own.
func TestRunMeasuresPluginCPU(t *testing.T) {
	s := shell(t)
	if runtime.GOOS != "linux" {
		t.Skip("CPU time is read from /proc")
	}
	// The child shell counts to 200000: a few hundred ms of CPU, many
	// clock ticks, on any machine.
	res := s.Run(t.Context(), Cmd{Dir: t.TempDir(), Args: []string{"-c",
		`sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'; echo done`}})
	if res.Err != nil || strings.TrimSpace(res.Output) != "done" {
		t.Fatalf("%v: %q", res.Err, res.Output)
	}
	if res.PluginCPU <= 0 || res.TerraformCPU < 0 {
		t.Fatalf("child CPU %v, own CPU %v", res.PluginCPU, res.TerraformCPU)
	}
	if res.PluginCPU <= res.TerraformCPU {
		t.Errorf("child CPU %v not above the waiting shell's own %v", res.PluginCPU, res.TerraformCPU)
	}
}
