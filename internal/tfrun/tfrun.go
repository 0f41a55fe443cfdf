// Package tfrun is the project's one driver of the Terraform CLI: it builds
// the provider binary from this module, writes a private CLI configuration
// that installs it (dev_overrides, optionally a filesystem mirror; never a
// registry), and runs Terraform commands the way a user's CI job does: one
// `terraform` process per command, the provider as a separate plugin process,
// with a private go-plugin socket folder per command. When asked, it measures
// the wall time, the peak memory and the CPU time of the Terraform process
// and of the provider plugin processes.
//
// Its users: the benchmark program (internal/bench, `make bench`), the
// provider-level tests (internal/acceptance), the resources' CLI tests
// (internal/resources), the acceptance tests' binary provider
// (acctest.BinaryProvider), and, through the command internal/tfrun/tfcli,
// `make demo` and `make examples-check`.
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// ProviderSource is the provider's registry address.
const ProviderSource = "registry.terraform.io/openeo-tf/openeo"

// ProviderBinaryName is the file name dev_overrides looks for.
const ProviderBinaryName = "terraform-provider-openeo"

// MirrorVersion is the version under which the filesystem mirror holds the
// built provider (Install.Mirror).
const MirrorVersion = "0.0.1"

// impliedSource is the address Terraform implies for a configuration that
// uses the provider without required_providers (as registry examples do).
const impliedSource = "registry.terraform.io/hashicorp/openeo"

// Source is the address configurations use for the provider: ProviderSource,
// with the host of TF_ACC_PROVIDER_HOST when that is set (`make
// testacc-tofu` sets registry.opentofu.org).
func Source() string {
	if host := strings.TrimSuffix(os.Getenv("TF_ACC_PROVIDER_HOST"), "/"); host != "" {
		return host + strings.TrimPrefix(ProviderSource, "registry.terraform.io")
	}
	return ProviderSource
}

// RequiredProviders is the terraform block every configuration that uses the
// openeo provider starts with.
func RequiredProviders() string {
	return "terraform {\n  required_providers {\n    openeo = { source = \"" + Source() + "\" }\n  }\n}\n"
}

// ModuleRoot is the folder of this module's go.mod, found from the working
// directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(data, []byte("module github.com/openeo-tf/terraform-provider-openeo\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of github.com/openeo-tf/terraform-provider-openeo above the working directory")
		}
		dir = parent
	}
}

// EnvTerraformPath names the Terraform (or OpenTofu) CLI binary to run, as
// terraform-plugin-testing reads it.
const EnvTerraformPath = "TF_ACC_TERRAFORM_PATH"

// TerraformPath is the CLI every user of this package runs, by one rule:
// TF_ACC_TERRAFORM_PATH when set (an absolute path of a file, as
// terraform-plugin-testing needs), else `terraform` on PATH. The error says
// why there is none and how to name one.
func TerraformPath() (string, error) {
	if p := os.Getenv(EnvTerraformPath); p != "" {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("%s=%q is not an absolute path: set it to the absolute path of a Terraform CLI binary", EnvTerraformPath, p)
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", fmt.Errorf("%s=%q does not name a Terraform CLI binary: set it to the absolute path of one", EnvTerraformPath, p)
		}
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no `terraform` on PATH and %s is unset: install Terraform >= 1.11 or set %s to the absolute path of a CLI binary", EnvTerraformPath, EnvTerraformPath)
	}
	return p, nil
}

// Install says how the private CLI configuration installs the built
// provider. The zero value is dev_overrides alone: plan, apply and validate
// use the binary without `terraform init`.
type Install struct {
	// Mirror adds a filesystem mirror that holds the binary as version
	// MirrorVersion, so that `terraform init` resolves the provider without
	// a registry (with dev_overrides alone, init still asks the registry).
	Mirror bool
	// MirrorOnly installs through the mirror alone, without dev_overrides:
	// Terraform then runs init and checks version constraints as for a
	// released provider (acctest.BinaryProvider).
	MirrorOnly bool
	// Implied also points hashicorp/openeo, the address Terraform implies
	// for a configuration without required_providers (registry examples), at
	// the binary.
	Implied bool
}

// Setup is a built provider plus the CLI configuration that installs it.
type Setup struct {
	// Terraform is the CLI binary (TerraformPath).
	Terraform string
	// ProviderDir holds the provider binary (ProviderBinaryName).
	ProviderDir string
	// MirrorDir is the filesystem mirror, "" without Install.Mirror.
	MirrorDir string
	// CLIConfig is the private TF_CLI_CONFIG_FILE.
	CLIConfig string
}

// ProviderBinary is the path of the built provider.
func (s *Setup) ProviderBinary() string { return filepath.Join(s.ProviderDir, ProviderBinaryName) }

// Build compiles the provider (main.go of the module at root) into dir and
// writes a CLI configuration next to it (dir/terraformrc) that installs that
// binary as inst says. Nothing is downloaded: the configuration has no other
// installation method, so a configuration that needed another provider would
// fail instead of reaching a registry.
func Build(ctx context.Context, root, dir string, inst Install) (*Setup, error) {
	tf, err := TerraformPath()
	if err != nil {
		return nil, err
	}
	s := &Setup{Terraform: tf, ProviderDir: filepath.Join(dir, "provider"), CLIConfig: filepath.Join(dir, "terraformrc")}
	if err := os.MkdirAll(s.ProviderDir, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", s.ProviderBinary(), ".")
	cmd.Dir = root
	// Tests call this after moving HOME: build with the process's own HOME,
	// or Go would download and compile every module again.
	cmd.Env = testrig.GoCommandEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	if inst.Mirror || inst.MirrorOnly {
		s.MirrorDir = filepath.Join(dir, "mirror")
		pkg := filepath.Join(append([]string{s.MirrorDir}, strings.Split(Source(), "/")...)...)
		pkg = filepath.Join(pkg, MirrorVersion, runtime.GOOS+"_"+runtime.GOARCH)
		if err := os.MkdirAll(pkg, 0o755); err != nil {
			return nil, err
		}
		if err := copyFile(s.ProviderBinary(), filepath.Join(pkg, ProviderBinaryName+"_v"+MirrorVersion)); err != nil {
			return nil, fmt.Errorf("filling the filesystem mirror: %w", err)
		}
	}
	if err := os.WriteFile(s.CLIConfig, []byte(cliConfig(s, inst)), 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

// cliConfig is the provider_installation block of a Setup.
func cliConfig(s *Setup, inst Install) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n")
	if !inst.MirrorOnly {
		b.WriteString("  dev_overrides {\n")
		fmt.Fprintf(&b, "    %q = %q\n", Source(), s.ProviderDir)
		if inst.Implied {
			fmt.Fprintf(&b, "    %q = %q\n", impliedSource, s.ProviderDir)
		}
		b.WriteString("  }\n")
	}
	if s.MirrorDir != "" {
		fmt.Fprintf(&b, "  filesystem_mirror {\n    path    = %q\n    include = [%q]\n  }\n", s.MirrorDir, Source())
	}
	b.WriteString("}\n")
	return b.String()
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755) //nolint:gosec // a plugin binary must be executable
}

// Open is the Setup that Build wrote into dir earlier (possibly in another
// process: the tfcli command's subcommands), with the CLI that
// TerraformPath names now.
func Open(dir string) (*Setup, error) {
	tf, err := TerraformPath()
	if err != nil {
		return nil, err
	}
	s := &Setup{Terraform: tf, ProviderDir: filepath.Join(dir, "provider"), CLIConfig: filepath.Join(dir, "terraformrc")}
	if _, err := os.Stat(s.CLIConfig); err != nil {
		return nil, fmt.Errorf("no provider set up in %s (run the setup first): %w", dir, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "mirror")); err == nil && st.IsDir() {
		s.MirrorDir = filepath.Join(dir, "mirror")
	}
	return s, nil
}

var (
	sharedMu    sync.Mutex
	sharedSetup *Setup
	sharedErr   error
)

// Shared builds the provider once per process (into a folder removed by
// Cleanup; installed through dev_overrides) and returns the same Setup on
// every call.
func Shared(ctx context.Context) (*Setup, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedSetup != nil || sharedErr != nil {
		return sharedSetup, sharedErr
	}
	root, err := ModuleRoot()
	if err != nil {
		sharedErr = err
		return nil, err
	}
	dir, err := os.MkdirTemp("", "openeo-tfrun-")
	if err != nil {
		sharedErr = err
		return nil, err
	}
	sharedSetup, sharedErr = Build(ctx, root, dir, Install{})
	if sharedErr != nil {
		_ = os.RemoveAll(dir)
	}
	return sharedSetup, sharedErr
}

// Cleanup removes the folder of the Shared setup.
func Cleanup() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedSetup != nil {
		_ = os.RemoveAll(filepath.Dir(sharedSetup.ProviderDir))
	}
	sharedSetup, sharedErr = nil, nil
}

// Cmd is one Terraform command.
type Cmd struct {
	// Dir is the working directory (the configuration).
	Dir string
	// Args are the CLI arguments, e.g. "plan", "-input=false".
	Args []string
	// Env is added to the base environment (later entries win). The base is
	// the process environment without TF_* and OPENEO_* variables, plus
	// TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE=1, TF_IN_AUTOMATION=1 and
	// PLUGIN_UNIX_SOCKET_DIR (a folder of this run, removed afterwards).
	Env []string
	// Timeout kills the command (the whole process group) after this long;
	// zero means no limit beyond the context.
	Timeout time.Duration
	// Poll is the interval of the memory sampling of the plugin processes
	// (default 10 ms); negative turns sampling off.
	Poll time.Duration
	// Started, when set, is called with the Terraform process id once it runs.
	Started func(pid int)
	// Prepare, when set, may change the command before it starts (e.g. to
	// give it a controlling terminal).
	Prepare func(*exec.Cmd)
	// Stdout and Stderr, when set, also receive the command's stdout and
	// stderr as it runs (Result.Output still holds both).
	Stdout, Stderr io.Writer
}

// Result is the outcome of a Cmd.
type Result struct {
	// Output is stdout and stderr, interleaved.
	Output string
	// Err is the error of the run (nil on exit status 0).
	Err error
	// TimedOut is true when Timeout killed the command.
	TimedOut bool
	// Wall is the wall time from start to exit.
	Wall time.Duration
	// TerraformPeakKB is ru_maxrss of the Terraform process from wait4: on
	// Linux the larger of Terraform's own peak RSS and that of its largest
	// reaped child (the provider plugin is about a third of Terraform, so in
	// practice it is Terraform's own).
	TerraformPeakKB int64
	// TerraformSampledKB is the last VmHWM (peak RSS) sampled from
	// /proc/<pid>/status of the Terraform process itself (Linux; 0 elsewhere).
	TerraformSampledKB int64
	// PluginPeakKB is the largest sum of the peak RSS (VmHWM) of the plugin
	// processes running at the same time, sampled every Poll (Linux; 0
	// elsewhere or with Poll < 0). Terraform starts a provider more than once
	// per command, one after the other; those do not add up.
	PluginPeakKB int64
	// Plugins counts the plugin processes seen during the command.
	Plugins int
	// TerraformCPU is the CPU time (user + system) of the Terraform process
	// itself; PluginCPU that of the processes it started and waited for,
	// i.e. the provider plugins. Both are read from /proc when Terraform has
	// exited (Linux, 10 ms resolution); -1 elsewhere.
	TerraformCPU, PluginCPU time.Duration
}

// TotalPeakKB is TerraformPeakKB plus PluginPeakKB: an upper bound of the
// memory the command held at its peak.
func (r Result) TotalPeakKB() int64 { return r.TerraformPeakKB + r.PluginPeakKB }

// EnvPluginSocketDir is go-plugin's variable for the folder in which a
// plugin creates its Unix socket (default $TMPDIR). Terraform passes it on to
// the provider processes.
const EnvPluginSocketDir = "PLUGIN_UNIX_SOCKET_DIR"

// BaseEnv is the environment of every command, before Cmd.Env.
func (s *Setup) BaseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "OPENEO_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+s.CLIConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

// Run runs one Terraform command and measures it.
func (s *Setup) Run(ctx context.Context, c Cmd) Result {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	// The plugins' go-plugin sockets go to a folder of their own, removed
	// after the run: a plugin killed with SIGKILL (a timeout, or a test that
	// kills it on purpose) cannot unlink its socket, which would otherwise
	// stay in $TMPDIR.
	sockets, err := os.MkdirTemp(socketParent(), "tfsock")
	if err != nil {
		return Result{Err: fmt.Errorf("folder for the plugin sockets: %w", err)}
	}
	defer os.RemoveAll(sockets)
	cmd := exec.Command(s.Terraform, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(append(s.BaseEnv(), EnvPluginSocketDir+"="+sockets), c.Env...)
	var out testrig.SyncBuffer
	cmd.Stdout, cmd.Stderr = io.Writer(&out), io.Writer(&out)
	if c.Stdout != nil {
		cmd.Stdout = io.MultiWriter(&out, c.Stdout)
	}
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&out, c.Stderr)
	}
	setProcessGroup(cmd)
	if c.Prepare != nil {
		c.Prepare(cmd)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{Err: err}
	}
	if c.Started != nil {
		c.Started(cmd.Process.Pid)
	}
	sampler := newSampler(cmd.Process.Pid, c.Poll)
	done := make(chan error, 1)
	var selfCPU, pluginCPU time.Duration
	cpuOK := false
	go func() {
		selfCPU, pluginCPU, cpuOK = waitCPU(cmd.Process.Pid)
		done <- cmd.Wait()
	}()
	var res Result
	select {
	case res.Err = <-done:
	case <-ctx.Done():
		res.TimedOut = true
		killGroup(cmd)
		res.Err = <-done
	}
	res.Wall = time.Since(start)
	res.TerraformSampledKB, res.PluginPeakKB, res.Plugins = sampler.stop()
	res.TerraformPeakKB = maxRSSKB(cmd.ProcessState)
	if cpuOK {
		res.TerraformCPU, res.PluginCPU = selfCPU, pluginCPU
	} else {
		res.TerraformCPU, res.PluginCPU = -1, -1
	}
	res.Output = out.String()
	if res.TimedOut {
		res.Err = fmt.Errorf("terraform %s did not finish within %v (killed): %w", strings.Join(c.Args, " "), c.Timeout, ctx.Err())
	}
	return res
}

// sampler polls the peak RSS of a process and of its child processes.
type sampler struct {
	stopCh chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	self   int64
	seen   map[int]bool
	// concurrent is the largest sum, in one sample, of the peak RSS of the
	// child processes alive at that moment. Terraform starts the provider
	// several times one after the other (schema, validate, plan), so the
	// sum over all of them would count memory that was never held at once.
	concurrent int64
}

func newSampler(pid int, every time.Duration) *sampler {
	s := &sampler{stopCh: make(chan struct{}), done: make(chan struct{}), seen: map[int]bool{}}
	if every < 0 || !procSupported() {
		close(s.done)
		return s
	}
	if every == 0 {
		every = 10 * time.Millisecond
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.sample(pid)
			select {
			case <-s.stopCh:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) sample(pid int) {
	self := peakRSSKB(pid)
	kids := Descendants(pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if self > s.self {
		s.self = self
	}
	var sum int64
	for _, k := range kids {
		if v := peakRSSKB(k); v > 0 {
			s.seen[k] = true
			sum += v
		}
	}
	s.concurrent = max(s.concurrent, sum)
}

func (s *sampler) stop() (self, plugins int64, n int) {
	select {
	case <-s.done:
	default:
		close(s.stopCh)
		<-s.done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.self, s.concurrent, len(s.seen)
}

// socketParent is where Run makes its socket folders: $TMPDIR, unless it is
// so long that "<folder>/tfsock<n>/plugin<n>" could pass the Unix socket path
// limit (104 bytes on macOS, 108 on Linux); then /tmp, when it exists.
func socketParent() string {
	const room = 104 - len("/tfsock1234567890/plugin1234567890") - 8 // 8: slack for longer random suffixes
	dir := os.TempDir()
	if len(dir) <= room {
		return dir
	}
	if st, err := os.Stat("/tmp"); err == nil && st.IsDir() {
		return "/tmp"
	}
	return dir
}
