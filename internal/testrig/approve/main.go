// Command approve plays the user of a device login at the test IdP, without a browser: it
// confirms the user code and signs in as a test user (testrig.OpenIDProvider.ApproveDevice).
// `scripts/rig.sh approve <user_code> [user]` runs it with the issuer of the running rig; it is
// the shell's way to finish a device flow started by hand (auth_method = "device_code" or
// "oidc", or `openeo-auth oidc-auth`) against the rig.
//
//	go run ./internal/testrig/approve [-issuer URL] <user_code> [user]
//
// The issuer defaults to $OPENEO_TEST_ISSUER, the user to alice. Exit status: 0 approved,
// 1 not approved (the reason is printed), 2 usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("approve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	issuer := fs.String("issuer", os.Getenv(testrig.EnvIssuer), "issuer URL of the test IdP (default $"+testrig.EnvIssuer+")")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: scripts/rig.sh approve <user_code> [user]\n"+
			"  approves a device login at the test IdP as user (default alice; users: %s)\n", userNames())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return 2
	}
	code, name := fs.Arg(0), testrig.Alice.Name
	if fs.NArg() == 2 {
		name = fs.Arg(1)
	}
	user, ok := testrig.UserByName(name)
	if !ok {
		fmt.Fprintf(stderr, "approve: %q is not a user of the test IdP: use one of %s\n", name, userNames())
		return 2
	}
	if strings.TrimSpace(*issuer) == "" {
		fmt.Fprintf(stderr, "approve: no issuer: start the rig with `scripts/rig.sh start`, or set %s or -issuer\n", testrig.EnvIssuer)
		return 2
	}
	p, err := testrig.Connect(*issuer)
	if err != nil {
		fmt.Fprintf(stderr, "approve: the test IdP at %s does not answer: %v (restart it with `scripts/rig.sh start`)\n", *issuer, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.ApproveDevice(ctx, code, user.Name, user.Password); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "approved the device login %s as %s at %s\n", code, user.Name, p.Issuer())
	return 0
}

func userNames() string {
	names := make([]string, 0, len(testrig.Users))
	for _, u := range testrig.Users {
		names = append(names, u.Name)
	}
	return strings.Join(names, ", ")
}
