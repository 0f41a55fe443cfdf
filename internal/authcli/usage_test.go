package authcli_test

import (
	"os"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
)

// TestNoSubcommand: the usage goes to stderr with exit code 2, as for any
// other incomplete command line; -h still prints it on stdout with 0.
func TestNoSubcommand(t *testing.T) {
	h := newHarness(t)
	r := h.run("")
	wantCode(t, r, authcli.ExitUsage)
	if r.stdout != "" {
		t.Errorf("stdout: %q", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "Usage: openeo-auth [-v|-vv] <subcommand>", "Subcommands:",
		"openeo-auth: no subcommand given\n")
	mustNotContain(t, "stderr", r.stderr, "for help.")
	r = h.run("", "-h")
	wantCode(t, r, authcli.ExitOK)
	mustContain(t, "stdout", r.stdout, "Usage: openeo-auth [-v|-vv] <subcommand>")
}

// TestUnknownSubcommand: one hint, and the closest subcommand when there
// is one.
func TestUnknownSubcommand(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ arg, want string }{
		{"tokne", `openeo-auth: unknown subcommand "tokne" (did you mean "token"?)` + "\n"},
		{"config-dupm", `openeo-auth: unknown subcommand "config-dupm" (did you mean "config-dump"?)` + "\n"},
		{"frobnicate", `openeo-auth: unknown subcommand "frobnicate"` + "\n"},
	} {
		r := h.run("", tc.arg)
		wantCode(t, r, authcli.ExitUsage)
		if want := tc.want + "Run 'openeo-auth -h' for help.\n"; r.stderr != want {
			t.Errorf("%s: stderr\n%q, want\n%q", tc.arg, r.stderr, want)
		}
	}
}

// TestMistypedFlag: an unknown flag names the closest flag of its
// subcommand (or of the global flags), with two dashes.
func TestMistypedFlag(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--clinet-id", "x", "https://oeo.test"},
			"openeo-auth token: unknown flag --clinet-id (did you mean --client-id?)\nRun 'openeo-auth token -h' for help.\n"},
		{[]string{"oidc-auth", "-timout", "1m", "https://oeo.test"},
			"openeo-auth oidc-auth: unknown flag --timout (did you mean --timeout?)\n"},
		{[]string{"config-dump", "--show-secret"},
			"openeo-auth config-dump: unknown flag --show-secret (did you mean --show-secrets?)\n"},
		{[]string{"--verbos", "paths"}, "openeo-auth: unknown flag --verbos (did you mean --verbose?)\n"},
		{[]string{"token", "--frobnicate", "https://oeo.test"}, "openeo-auth token: unknown flag --frobnicate\nRun"},
	} {
		r := h.run("", tc.args...)
		wantCode(t, r, authcli.ExitUsage)
		if !strings.HasPrefix(r.stderr, tc.want) {
			t.Errorf("%v: stderr\n%q, want it to start with\n%q", tc.args, r.stderr, tc.want)
		}
	}
}

// TestConfigDumpNullSecret: a null client_secret (a public client) is
// shown as null, a set one as "<redacted>".
func TestConfigDumpNullSecret(t *testing.T) {
	h := newHarness(t)
	doc := `{"backends": {"https://oeo.test": {"oidc": {"providers": {
  "pub": {"client_id": "public-1", "client_secret": null},
  "conf": {"client_id": "conf-1", "client_secret": "conf-secret-1"}}}}}}`
	if err := os.WriteFile(h.authConfigPath(), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "config-dump", "--json")
	wantCode(t, r, 0)
	indent := "\n" + strings.Repeat(" ", 12)
	mustContain(t, "stdout", r.stdout, `"client_id": "public-1",`+indent+`"client_secret": null`+"\n",
		`"client_id": "conf-1",`+indent+`"client_secret": "<redacted>"`+"\n")
	mustNotContain(t, "stdout", r.stdout, "conf-secret-1")
}

// TestHelpWraps: every help text fits 80 columns, and the paragraphs of
// token -h are filled (no short line in the middle of a paragraph).
func TestHelpWraps(t *testing.T) {
	h := newHarness(t)
	helps := map[string]string{"openeo-auth -h": h.run("", "-h").stdout}
	for _, c := range []string{"paths", "config-dump", "token-dump", "token-clear", "add-basic", "add-oidc",
		"oidc-auth", "client-credentials-test", "token-exchange-test", "logout", "token", "version"} {
		r := h.run("", c, "-h")
		wantCode(t, r, 0)
		helps[c+" -h"] = r.stdout
	}
	for name, text := range helps {
		for _, line := range strings.Split(text, "\n") {
			if len(line) > 80 {
				t.Errorf("%s: a line of %d characters: %q", name, len(line), line)
			}
		}
	}
	lines := strings.Split(helps["token -h"], "\n")
	for i := 0; i+1 < len(lines); i++ {
		l, next := lines[i], lines[i+1]
		prose := func(s string) bool { return s != "" && !strings.HasPrefix(s, " ") && !strings.HasSuffix(s, ":") }
		if prose(l) && prose(next) && len(l) < 60 {
			t.Errorf("token -h: line %d is cut short in the middle of a paragraph: %q", i+1, l)
		}
	}
	for _, name := range []string{"token -h", "oidc-auth -h"} {
		mustContain(t, name, helps[name], "\n                           ") // wrapped flag text, hanging indent
	}
}
