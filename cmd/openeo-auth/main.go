// Command openeo-auth bootstraps and inspects openEO credentials without
// Python: it reads and writes the openEO Python client's auth-config.json and
// refresh-tokens.json (which the Terraform provider reads too), with the
// Python tool's subcommands plus client-credentials-test, token-exchange-test,
// logout and token (with --output exec, a credential helper for the
// provider's auth_method = "exec").
//
//	go install github.com/openeo-tf/terraform-provider-openeo/cmd/openeo-auth@latest
//	openeo-auth oidc-auth https://openeo.example.org
//
// See docs/guides/openeo-auth.md. The logic lives in internal/authcli.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := authcli.Run(ctx, os.Args[1:], osEnv())
	stop()
	os.Exit(code)
}

func osEnv() authcli.Process {
	stdinTTY := term.IsTerminal(int(os.Stdin.Fd()))
	env := authcli.Process{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		StdinIsTerminal:  stdinTTY,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		Version:          buildVersion(),
	}
	if stdinTTY {
		env.ReadSecret = func() (string, error) {
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			return string(b), err
		}
	}
	return env
}

// buildVersion is the -X version, else the module version of a go install.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
