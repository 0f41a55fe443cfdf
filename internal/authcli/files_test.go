package authcli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// Commands that need no back-end: paths, dumps, token-clear, usage errors.

func TestPathsMissingFiles(t *testing.T) {
	h := newHarness(t)
	r := h.run("", "paths")
	wantCode(t, r, authcli.ExitOK)
	want := "openEO auth config: " + h.authConfigPath() + " (does not exist)\n" +
		"openEO OpenID Connect refresh token store: " + h.refreshTokensPath() + " (does not exist)\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if _, err := os.Stat(h.authConfigPath()); !os.IsNotExist(err) {
		t.Errorf("paths created a file: %v", err)
	}
}

func TestPathsAndDumps(t *testing.T) {
	h := newHarness(t)
	wantCode(t, h.run("", "add-basic", "--no-try", "--username", "alice", "--password", "pw-secret-1", "https://oeo.test/"), 0)
	if err := h.refreshTokens().SetRefreshToken("https://idp.test", "cli-1", "rt-secret-1", time.Time{}); err != nil {
		t.Fatal(err)
	}

	r := h.run("", "-v", "paths")
	wantCode(t, r, 0)
	mustContain(t, "paths", r.stdout, "openEO auth config: "+h.authConfigPath()+" (perms: 0o600, size: ",
		"openEO OpenID Connect refresh token store: "+h.refreshTokensPath()+" (perms: 0o600, size: ")

	r = h.run("", "paths", "--json")
	wantCode(t, r, 0)
	var paths map[string]struct {
		Path   string
		Exists bool
		Mode   string
		Size   int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &paths); err != nil {
		t.Fatal(err)
	}
	if p := paths["auth_config"]; p.Path != h.authConfigPath() || !p.Exists || p.Mode != "0600" || p.Size == 0 {
		t.Errorf("auth_config %+v", p)
	}

	// config-dump: Python's header line, redacted JSON; alias "config".
	for _, name := range []string{"config-dump", "config"} {
		r = h.run("", name)
		wantCode(t, r, 0)
		lines := strings.SplitN(r.stdout, "\n", 2)
		checkDumpHeader(t, lines[0], h.authConfigPath())
		mustContain(t, name, lines[1], `"username": "alice"`, `"password": "<redacted>"`, `"https://oeo.test": {`)
		mustNotContain(t, name, r.stdout+r.stderr, "pw-secret-1")
	}
	r = h.run("", "config-dump", "--show-secrets")
	mustContain(t, "config-dump --show-secrets", r.stdout, `"password": "pw-secret-1"`)

	// --json: only the document, byte for byte what the file holds once redaction is off.
	r = h.run("", "config", "--json", "--show-secrets")
	file, _ := os.ReadFile(h.authConfigPath())
	if r.stdout != string(file)+"\n" {
		t.Errorf("config --json --show-secrets differs from the file:\n%s\n%s", r.stdout, file)
	}

	// token-dump / tokens.
	r = h.run("", "tokens")
	wantCode(t, r, 0)
	mustContain(t, "tokens", r.stdout, "### "+h.refreshTokensPath()+" ", `"refresh_token": "<redacted>"`, `"cli-1"`)
	mustNotContain(t, "tokens", r.stdout, "rt-secret-1")
	r = h.run("", "token-dump", "--json")
	var doc map[string]map[string]map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc["https://idp.test"]["cli-1"]["refresh_token"] != authfiles.Redacted {
		t.Errorf("token-dump --json: %v %v", doc, err)
	}
}

func TestFileProblemsExit4(t *testing.T) {
	h := newHarness(t)
	r := h.run("", "token-dump")
	wantCode(t, r, authcli.ExitFile)
	mustContain(t, "stderr", r.stderr, h.refreshTokensPath(), "does not exist")

	// A file others could read is refused, like the Python client does.
	if err := os.WriteFile(h.authConfigPath(), []byte(`{"backends": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(h.authConfigPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	r = h.run("", "config-dump")
	wantCode(t, r, authcli.ExitFile)
	mustContain(t, "stderr", r.stderr, h.authConfigPath())
	r = h.run("", "add-basic", "--no-try", "--username", "u", "--password-stdin", "https://oeo.test")
	if r.code != authcli.ExitUsage { // empty stdin
		t.Errorf("empty --password-stdin: %s", r)
	}
	r = h.run("pw\n", "add-basic", "--no-try", "--username", "u", "--password-stdin", "https://oeo.test")
	wantCode(t, r, authcli.ExitFile)

	// Invalid JSON.
	if err := os.WriteFile(h.refreshTokensPath(), []byte(`{not json`), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.run("", "tokens"), authcli.ExitFile)
}

func TestTokenClear(t *testing.T) {
	h := newHarness(t)
	r := h.run("", "token-clear")
	wantCode(t, r, 0)
	if r.stdout != "No refresh token file at "+h.refreshTokensPath()+".\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	store := func() {
		if err := h.refreshTokens().SetRefreshToken("https://idp.test", "c", "rt", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	store()
	// Not a terminal: -f is required, nothing removed.
	r = h.run("y\n", "token-clear")
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "-f/--force")
	if _, err := os.Stat(h.refreshTokensPath()); err != nil {
		t.Fatal("file removed without confirmation")
	}
	// Terminal: the Python prompt; "n" keeps, "yes" removes.
	h.tty = true
	r = h.run("n\n", "token-clear")
	wantCode(t, r, 0)
	mustContain(t, "prompt", r.stderr, "Remove refresh token file "+h.refreshTokensPath()+"? 'y' or 'n': ")
	if r.stdout != "Keeping refresh token file.\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	r = h.run("Yes\n", "token-clear")
	wantCode(t, r, 0)
	if r.stdout != "Removed refresh token file "+h.refreshTokensPath()+".\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if _, err := os.Stat(h.refreshTokensPath()); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	// -f without a terminal.
	h.tty = false
	store()
	r = h.run("", "token-clear", "-f")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Removed refresh token file")
}

func TestUsage(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Subcommands:"},
		{[]string{"-h"}, 0, "Exit codes:"},
		{[]string{"--version"}, 0, "openeo-auth test"},
		{[]string{"version"}, 0, "openeo-auth test"},
		{[]string{"help", "oidc-auth"}, 0, "--timeout"},
		{[]string{"oidc-auth", "-h"}, 0, "Usage: openeo-auth oidc-auth [flags] <backend>"},
		{[]string{"nope"}, 2, `unknown subcommand "nope"`},
		{[]string{"paths", "--nope"}, 2, "unknown flag --nope"},
		{[]string{"add-basic"}, 2, "missing argument: <backend>"},
		{[]string{"add-basic", "a", "b"}, 2, "too many arguments: b"},
		{[]string{"add-basic", "ftp://x"}, 2, "is not a back-end URL"},
		{[]string{"oidc-auth", "--flow", "auth-code", "https://oeo.test"}, 2, "not supported"},
		{[]string{"oidc-auth", "--timeout", "soon", "https://oeo.test"}, 2, "want seconds or a duration"},
		{[]string{"add-oidc", "--use-default-client", "--client-id", "x", "https://oeo.test"}, 2, "cannot be combined"},
		{[]string{"logout", "--issuer", "https://idp.test", "https://oeo.test"}, 2, "--issuer needs --client-id"},
		{[]string{"token", "--method", "device_code", "https://oeo.test"}, 2, "not supported here"},
		// No terminal: the missing value names its flag instead of prompting.
		{[]string{"add-basic", "--no-try", "https://oeo.test"}, 2, "give it with --username"},
		{[]string{"add-basic", "--no-try", "--username", "u", "https://oeo.test"}, 2, "--password-stdin or OPENEO_AUTH_PASSWORD"},
		{[]string{"add-basic", "--no-try", "--password-stdin", "https://oeo.test"}, 2, "stdin was empty"},
	} {
		r := h.run("", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%v: want exit %d and %q, got %s", tc.args, tc.code, tc.want, r)
		}
	}
}

func TestAddBasicNoTryNormalisesURL(t *testing.T) {
	h := newHarness(t)
	// Flags after the positional argument (argparse style); the URL as typed
	// gets https:// and loses the trailing slash, like openeo.connect().
	h.env[settings.EnvAuthPassword] = "env-pw-1"
	r := h.run("", "add-basic", "oeo.test/", "--no-try", "--username", "bob")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Will add basic auth config for backend URL 'https://oeo.test'",
		"to config file: '"+h.authConfigPath()+"'", "Saved credentials to '"+h.authConfigPath()+"'")
	mustContain(t, "stderr", r.stderr, "Using the password from OPENEO_AUTH_PASSWORD.")
	u, p, found, err := h.authConfig().BasicCredentials("https://oeo.test")
	if err != nil || !found || u != "bob" || p != "env-pw-1" {
		t.Errorf("stored %q %q %v %v", u, p, found, err)
	}
	// An empty password keeps the stored one (Python's set_basic_auth).
	delete(h.env, settings.EnvAuthPassword)
	h.tty = true
	r = h.run("bob\n\n", "add-basic", "--no-try", "https://oeo.test")
	wantCode(t, r, 0)
	mustContain(t, "prompts", r.stderr, "Enter username and press enter: ", "Enter password and press enter: ")
	if _, p, _, _ := h.authConfig().BasicCredentials("https://oeo.test"); p != "env-pw-1" {
		t.Errorf("password %q", p)
	}

	// An entry under the URL as the Python tool writes it is pointed out.
	if err := h.authConfig().SetBasic("legacy.test", "x", "y"); err != nil {
		t.Fatal(err)
	}
	h.tty = false
	r = h.run("", "add-basic", "--no-try", "--username", "x", "--password", "z", "legacy.test")
	wantCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "entry under 'legacy.test'", "look up 'https://legacy.test'",
		"WARNING: --password on the command line is visible")
}

// checkDumpHeader asserts Python's `"### <path> ".ljust(80, "#")`: the path
// between "### " and a space, then "#" up to 80 characters; a longer header
// (a long path, e.g. under a long $TMPDIR) gets no "#" at all.
func checkDumpHeader(t *testing.T, header, path string) {
	t.Helper()
	head := "### " + path + " "
	fill, ok := strings.CutPrefix(header, head)
	if !ok || strings.Trim(fill, "#") != "" {
		t.Fatalf("header %q: want %q followed only by '#'", header, head)
	}
	if n := len([]rune(head)); n < 80 && len([]rune(header)) != 80 {
		t.Errorf("header %q has %d characters: Python pads a %d-character prefix to 80", header, len([]rune(header)), n)
	} else if n >= 80 && fill != "" {
		t.Errorf("header %q: Python adds no '#' to a prefix of %d characters", header, n)
	}
}

func TestDumpHeaderLongPath(t *testing.T) {
	// A path that fills the line gets no '#' (Python's ljust(80) never
	// cuts), whatever $TMPDIR is; TestPathsAndDumps covers the padded case
	// under a short $TMPDIR.
	h := newHarness(t)
	h.dir = filepath.Join(h.dir, strings.Repeat("d", 80))
	h.env["OPENEO_CONFIG_HOME"] = h.dir
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.run("", "add-basic", "--no-try", "--username", "alice", "--password", "pw-secret-1", "https://oeo.test/"), 0)
	r := h.run("", "config-dump")
	wantCode(t, r, 0)
	header := strings.SplitN(r.stdout, "\n", 2)[0]
	checkDumpHeader(t, header, h.authConfigPath())
	if strings.HasSuffix(header, "#") {
		t.Errorf("header %q: a line longer than 80 characters gets no '#'", header)
	}
}
