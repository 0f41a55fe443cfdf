package authcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
)

// errNoAnswer: stdin ended while a prompt waited for an answer.
var errNoAnswer = errors.New("no answer (stdin closed)")

// interactive reports whether prompts may be shown.
func (a *app) interactive() bool { return a.env.StdinIsTerminal && !a.stdinUsed }

// needFlag is the usage error for a value that would need a prompt.
func (a *app) needFlag(what, flags string) error {
	if a.stdinUsed {
		return usagef("%s is needed but stdin was used for a secret: give it with %s", what, flags)
	}
	return usagef("%s is needed and stdin is not a terminal: give it with %s", what, flags)
}

// prompt shows a prompt on stderr and reads one line from stdin.
func (a *app) prompt(text string) (string, error) {
	fmt.Fprint(a.errw, text)
	return a.readLine()
}

// promptSecret shows a prompt on stderr and reads a line without echo.
func (a *app) promptSecret(text string) (string, error) {
	fmt.Fprint(a.errw, text)
	if a.env.ReadSecret != nil {
		s, err := a.env.ReadSecret()
		fmt.Fprintln(a.errw) // the terminal swallowed the newline
		if err != nil {
			return "", fmt.Errorf("reading from the terminal: %w", err)
		}
		return strings.TrimRight(s, "\r\n"), nil
	}
	return a.readLine()
}

// readLine reads the answer to a prompt from stdin; a last line without a
// newline counts, an empty end of input is errNoAnswer.
func (a *app) readLine() (string, error) {
	line, err := a.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		fmt.Fprintln(a.errw)
		if errors.Is(err, io.EOF) {
			return "", errNoAnswer
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readStdinSecret reads the whole of stdin as one secret (for
// --password-stdin and --client-secret-stdin); a final newline is dropped.
func (a *app) readStdinSecret(flagName string) (string, error) {
	if a.stdinUsed {
		return "", usagef("only one --*-stdin flag can be used at a time")
	}
	a.stdinUsed = true
	data, err := io.ReadAll(io.LimitReader(a.in, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", flagName, err)
	}
	s := strings.TrimSuffix(string(data), "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return "", usagef("--%s: stdin was empty", flagName)
	}
	return s, nil
}

// secretSource resolves a secret from, in order: --<name>-stdin, the plain
// flag (with a warning), the environment variable of the setting (through
// internal/settings). ok is false when none was given.
type secretSource struct {
	flagName  string // e.g. "password"
	setting   string // the settings path, e.g. settings.BasicPassword
	plain     string
	fromStdin bool
}

func (a *app) resolveSecret(s secretSource) (value string, ok bool, err error) {
	if s.fromStdin && s.plain != "" {
		return "", false, usagef("use either --%s or --%s-stdin, not both", s.flagName, s.flagName)
	}
	if s.fromStdin {
		v, err := a.readStdinSecret(s.flagName + "-stdin")
		return v, err == nil, err
	}
	envName := settings.EnvName(s.setting)
	if s.plain != "" {
		fmt.Fprintf(a.errw, "WARNING: --%s on the command line is visible to other users (ps, shell history); "+
			"prefer --%s-stdin or %s.\n", s.flagName, s.flagName, envName)
		return s.plain, true, nil
	}
	if v := settings.Pick(s.setting, "", a.env.getenv); v.Value != "" {
		fmt.Fprintf(a.errw, "Using the %s from %s.\n", strings.ReplaceAll(s.flagName, "-", " "), envName)
		return v.Value, true, nil
	}
	return "", false, nil
}

// choose shows the Python tool's numbered menu and returns the chosen id.
func (a *app) choose(title string, ids, labels []string) (string, error) {
	fmt.Fprintln(a.errw, title)
	for i, l := range labels {
		fmt.Fprintf(a.errw, "[%d] %s\n", i+1, l)
	}
	for attempt := 0; attempt < 10; attempt++ {
		answer, err := a.prompt("Choose one (enter index): ")
		if err != nil {
			return "", err
		}
		if n, err := strconv.Atoi(strings.TrimSpace(answer)); err == nil && n >= 1 && n <= len(ids) {
			return ids[n-1], nil
		}
	}
	return "", &flows.ClientError{Message: "Failed to pick valid option."}
}

// backend is a normalised back-end URL.
type backend struct {
	typed string // the argument as given
	url   string // normalised: the auth-config.json key
}

// normalizeBackend normalises like openeo.connect(): "https://" when there
// is no scheme, no trailing "/".
func (a *app) normalizeBackend(raw string) (backend, error) {
	typed := strings.TrimSpace(raw)
	if typed == "" {
		return backend{}, usagef("the back-end URL is empty")
	}
	u := flows.NormalizeURL(flows.NormalizeBackendURL(typed))
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return backend{}, usagef("%q is not a back-end URL (want e.g. https://openeo.example.org)", raw)
	}
	b := backend{typed: typed, url: u}
	if !strings.Contains(typed, "://") {
		a.infof("using back-end URL '%s' for '%s' (like openeo.connect())", u, typed)
	}
	return b, nil
}

// warnForeignKey points at an auth-config.json entry stored under the URL
// as typed without a scheme (the Python openeo-auth does that), which
// neither openeo.connect() nor the provider ever read.
func (a *app) warnForeignKey(ac *authfiles.AuthConfig, b backend) {
	if strings.Contains(b.typed, "://") {
		return
	}
	entries, err := ac.Entries()
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Backend == flows.NormalizeURL(b.typed) {
			fmt.Fprintf(a.errw, "Note: %s also has an entry under '%s' (written by the Python openeo-auth, which "+
				"stores the URL as typed); openeo.connect() and the Terraform provider look up '%s'.\n",
				ac.Path(), e.Backend, b.url)
			return
		}
	}
}

// writeJSON prints v as indented JSON on stdout.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// quote formats like Python's repr() of a string ('x').
func quote(s string) string { return "'" + s + "'" }
