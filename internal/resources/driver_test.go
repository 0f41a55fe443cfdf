package resources_test

// A small Terraform driver for the tests that terraform-plugin-testing cannot
// express: an explicit -parallelism, two Terraform runs on one file at the
// same time, and TF_LOG=trace capture of both Terraform and the provider.
//
// Each run gets its own provider process: the test binary re-executes itself
// with serveProviderEnv set, and TestMain then serves the real provider in
// debug mode and prints its reattach configuration. Terraform talks to it
// through TF_REATTACH_PROVIDERS, so nothing is downloaded and two runs are two
// separate processes, like two `terraform apply` on one machine.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const serveProviderEnv = "OPENEO_RESOURCES_TEST_SERVE_PROVIDER"

func TestMain(m *testing.M) {
	if os.Getenv(serveProviderEnv) == "1" {
		os.Exit(serveProvider())
	}
	os.Exit(m.Run())
}

// serveProvider runs in the re-executed test binary: it serves the provider
// until SIGINT/SIGTERM and prints "REATTACH <json>" once it listens.
func serveProvider() int {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	cfgCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	go func() {
		cfg := <-cfgCh
		if cfg == nil {
			return
		}
		info := map[string]any{providerSource(): map[string]any{
			"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": cfg.Test,
			"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
		}}
		b, _ := json.Marshal(info)
		fmt.Printf("REATTACH %s\n", b)
	}()
	err := tf6server.Serve(provider.Address, providerserver.NewProtocol6(provider.New("test")()),
		tf6server.WithDebug(ctx, cfgCh, closeCh), tf6server.WithoutLogStderrOverride())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// providerProc is a provider process started by a test.
type providerProc struct {
	cmd      *exec.Cmd
	reattach string
}

// startProvider starts a provider process; its stderr (the provider's
// logs, TF_LOG level from logLevel) goes to logPath when set.
func startProvider(t *testing.T, logLevel, logPath string) *providerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveProviderEnv+"=1", "TF_LOG="+logLevel, "TF_LOG_PROVIDER="+logLevel)
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd.Stderr = f
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &providerProc{cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "REATTACH "); ok {
				lines <- rest
			}
		}
	}()
	select {
	case p.reattach = <-lines:
	case <-testrig.Context(t).Done():
		t.Fatal("the provider process did not print its reattach configuration")
	}
	return p
}

// tfDir is one Terraform working directory with its own provider process.
type tfDir struct {
	t        *testing.T
	dir      string
	bin      string
	provider *providerProc
	env      []string
}

func newTFDir(t *testing.T, provider *providerProc, config string) *tfDir {
	t.Helper()
	bin, err := acctest.TerraformPath()
	if err != nil {
		t.Skip(err)
	}
	d := &tfDir{t: t, dir: t.TempDir(), bin: bin, provider: provider}
	d.writeConfig(config)
	return d
}

// providerSource is the provider's full address; OpenTofu runs set
// TF_ACC_PROVIDER_HOST=registry.opentofu.org (see make testacc-tofu).
func providerSource() string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		return provider.Address
	}
	return strings.TrimSuffix(host, "/") + "/" + strings.SplitN(provider.Address, "/", 2)[1]
}

func (d *tfDir) writeConfig(config string) {
	d.t.Helper()
	required := fmt.Sprintf("terraform {\n  required_providers {\n    openeo = { source = %q }\n  }\n}\n", providerSource())
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(required+config), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// run runs terraform with args; it returns stdout+stderr and the error.
func (d *tfDir) run(args ...string) (string, error) {
	cmd := exec.Command(d.bin, args...)
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+d.provider.reattach, "TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, d.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// must runs terraform and fails the test on error.
func (d *tfDir) must(args ...string) string {
	d.t.Helper()
	out, err := d.run(args...)
	if err != nil {
		d.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// writeOnlySupported reports whether the CLI of the acceptance tests knows
// write-only attributes (Terraform >= 1.11, OpenTofu >= 1.11). It asks the
// binary which CLI it is: both report their own version as
// "terraform_version" in `version -json`.
func writeOnlySupported(t *testing.T) bool {
	t.Helper()
	info, err := acctest.DetectCLI(t.Context())
	if err != nil {
		t.Fatalf("detecting the Terraform CLI: %v", err)
	}
	return !info.Version.Core().LessThan(version.Must(version.NewVersion("1.11.0")))
}
