// Package tfrun runs the Terraform CLI against a provider binary built from
// this module, the way a user's CI job does: one `terraform` process per
// command, the provider as a separate plugin process, installed through a
// private CLI configuration with dev_overrides (never a registry). It measures
// the wall time and the peak memory of the Terraform process and of the
// provider plugin processes.
//
// It is used by the benchmark program (internal/bench, `make bench`) and by
// the provider-level fault and leak tests (internal/acceptance).
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// ProviderSource is the provider's registry address.
const ProviderSource = "registry.terraform.io/openeo-tf/openeo"

// ProviderBinaryName is the file name dev_overrides looks for.
const ProviderBinaryName = "terraform-provider-openeo"

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

// TerraformPath is the CLI to run: TF_ACC_TERRAFORM_PATH, else `terraform`
// on PATH.
func TerraformPath() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("no `terraform` on PATH and TF_ACC_TERRAFORM_PATH is unset")
	}
	return p, nil
}

// Setup is a built provider plus the CLI configuration that installs it.
type Setup struct {
	// Terraform is the CLI binary.
	Terraform string
	// ProviderDir holds the provider binary (ProviderBinaryName).
	ProviderDir string
	// CLIConfig is the private TF_CLI_CONFIG_FILE (dev_overrides only).
	CLIConfig string
}

// ProviderBinary is the path of the built provider.
func (s *Setup) ProviderBinary() string { return filepath.Join(s.ProviderDir, ProviderBinaryName) }

// Build compiles the provider (main.go of the module at root) into dir and
// writes a CLI configuration next to it whose dev_overrides point Terraform
// at that binary. Nothing is downloaded: the configuration has no other
// installation method, so a configuration that needed another provider would
// fail instead of reaching a registry.
func Build(ctx context.Context, root, dir string) (*Setup, error) {
	tf, err := TerraformPath()
	if err != nil {
		return nil, err
	}
	provDir := filepath.Join(dir, "provider")
	if err := os.MkdirAll(provDir, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(provDir, ProviderBinaryName), ".")
	cmd.Dir = root
	// Tests call this after moving HOME: build with the process's own HOME,
	// or Go would download and compile every module again.
	cmd.Env = testrig.GoCommandEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the provider: %w\n%s", err, out)
	}
	s := &Setup{Terraform: tf, ProviderDir: provDir, CLIConfig: filepath.Join(dir, "terraformrc")}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n}\n", Source(), provDir)
	if err := os.WriteFile(s.CLIConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

var (
	sharedMu    sync.Mutex
	sharedSetup *Setup
	sharedErr   error
)

// Shared builds the provider once per process (into a folder removed by
// Cleanup) and returns the same Setup on every call.
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
	sharedSetup, sharedErr = Build(ctx, root, dir)
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
	cmd.Stdout, cmd.Stderr = &out, &out
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
