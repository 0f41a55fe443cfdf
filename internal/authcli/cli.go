package authcli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Exit codes of the command (documented in docs/guides/openeo-auth.md).
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitError: any other failure (network, back-end, identity provider
	// unavailable, unexpected answers).
	ExitError = 1
	// ExitUsage: bad flags or arguments, or a value that would need a prompt
	// while stdin is not a terminal.
	ExitUsage = 2
	// ExitAuth: authentication failed: credentials or client rejected, device
	// flow denied or timed out, no usable refresh token, no refresh token
	// issued.
	ExitAuth = 3
	// ExitFile: a credentials file is missing (dump commands), unreadable,
	// not private (mode), not valid JSON, locked too long, or cannot be written.
	ExitFile = 4
	// ExitInterrupted: interrupted (Ctrl-C, SIGTERM).
	ExitInterrupted = 130
)

// Process is everything the command reads from and writes to the outside world,
// so that tests can run it in-process.
type Process struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdinIsTerminal allows prompts. Without it every value that would be
	// prompted for must come from a flag (or stdin/env for secrets).
	StdinIsTerminal bool
	// StderrIsTerminal redraws the device flow status line with \r;
	// otherwise each status change is a line of its own.
	StderrIsTerminal bool
	// ReadSecret reads one line from the terminal without echo
	// (term.ReadPassword). Nil reads the line from Stdin (tests).
	ReadSecret func() (string, error)
	// LookupEnv reads environment variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Now is the clock for the dates written into the files; nil means
	// time.Now. (Token expiry and the device flow's timing use flows' real
	// clock.)
	Now func() time.Time
	// HTTPClient sends every request; nil means flows' own client.
	HTTPClient *http.Client
	// Version is the command's version (shown by --version, sent in the
	// User-Agent, written as metadata.created_by).
	Version string
	// PollInterval overrides the device flow polling interval (tests).
	PollInterval time.Duration
	// StatusTick is how often the status line is redrawn on a terminal;
	// zero means one second.
	StatusTick time.Duration
}

func (e Process) lookup(key string) (string, bool) {
	if e.LookupEnv != nil {
		return e.LookupEnv(key)
	}
	return os.LookupEnv(key)
}

func (e Process) getenv(key string) string {
	v, _ := e.lookup(key)
	return v
}

// usageError is a problem with the command line (exit code 2).
type usageError struct {
	msg string
	// helped: the usage was printed already, so no "Run ... -h" hint.
	helped bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// authError marks a failure as an authentication failure (exit code 3).
type authError struct {
	msg string
	err error
}

func (e *authError) Error() string {
	if e.err == nil {
		return e.msg
	}
	if e.msg == "" {
		return e.err.Error()
	}
	return e.msg + ": " + e.err.Error()
}

func (e *authError) Unwrap() error { return e.err }

// app is one run of the command.
type app struct {
	env     Process
	in      *bufio.Reader
	out     io.Writer
	errw    io.Writer
	cmdName string

	verbosity         int
	authConfigPath    string
	refreshTokensPath string
	stdinUsed         bool // a --*-stdin flag consumed stdin: no prompts
	aliases           map[string]string
	current           *command
}

type command struct {
	name    string
	aliases []string
	args    string // positional arguments in the usage line
	summary string
	help    string
	run     func(a *app, ctx context.Context, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		pathsCommand, configDumpCommand, tokenDumpCommand, tokenClearCommand,
		addBasicCommand, addOIDCCommand, oidcAuthCommand,
		clientCredentialsTestCommand, tokenExchangeTestCommand, logoutCommand, tokenCommand, versionCommand,
	}
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
		for _, al := range c.aliases {
			if al == name {
				return c
			}
		}
	}
	return nil
}

// Run runs the command with args (without the program name) and returns the
// exit code.
func Run(ctx context.Context, args []string, env Process) int {
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	a := &app{env: env, in: bufio.NewReader(env.Stdin), out: env.Stdout, errw: env.Stderr, cmdName: "openeo-auth"}
	err := a.dispatch(ctx, args)
	code := exitCode(ctx, err)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		a.printError(err, code)
	}
	return code
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	// Global options before the subcommand (-v/--verbose like the Python
	// tool; the file options are also accepted after it).
	global := a.newFlagSet("openeo-auth")
	var showVersion bool
	global.BoolVar(&showVersion, "version", false, "print the version and exit")
	global.Usage = func() {}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printHelp(a.out)
			return err
		}
		return a.flagError(global, err)
	}
	if showVersion {
		fmt.Fprintf(a.out, "openeo-auth %s\n", a.version())
		return nil
	}
	rest := global.Args()
	if len(rest) == 0 {
		// Like a mistyped command line: the usage on stderr, exit code 2.
		a.printHelp(a.errw)
		return &usageError{msg: "no subcommand given", helped: true}
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			if c := findCommand(rest[1]); c != nil {
				a.cmdName = "openeo-auth " + c.name
				a.current = c
				return c.run(a, ctx, []string{"-h"})
			}
		}
		a.printHelp(a.out)
		return nil
	}
	c := findCommand(name)
	if c == nil {
		var names []string
		for _, c := range commands {
			names = append(append(names, c.name), c.aliases...)
		}
		if near := closest(name, names); near != "" {
			return usagef("unknown subcommand %q (did you mean %q?)", name, near)
		}
		return usagef("unknown subcommand %q", name)
	}
	a.cmdName = "openeo-auth " + c.name
	a.current = c
	return c.run(a, ctx, rest[1:])
}

func (a *app) printHelp(w io.Writer) {
	fmt.Fprint(w, `openeo-auth: bootstrap and inspect openEO credentials (auth-config.json and
refresh-tokens.json, shared with the openEO Python client and the Terraform
provider terraform-provider-openeo).

Usage: openeo-auth [-v|-vv] <subcommand> [flags] [arguments]

Subcommands:
`)
	for _, c := range commands {
		name := c.name
		if len(c.aliases) > 0 {
			name += " (" + strings.Join(c.aliases, ", ") + ")"
		}
		fmt.Fprint(w, helpEntry(name, c.summary, 24))
	}
	fmt.Fprint(w, `
Global flags (also accepted after the subcommand):
  -v, --verbose            more log output on stderr (-v info, -vv debug)
  --auth-config PATH       auth-config.json to use (default: the Python
                           client's location)
  --refresh-tokens PATH    refresh-tokens.json to use (default: the Python
                           client's location)
  --version                print the version

Exit codes: 0 ok, 1 error, 2 usage, 3 authentication failed, 4 file problem,
130 interrupted. Run 'openeo-auth <subcommand> -h' for the flags of a
subcommand.
`)
}

func (a *app) printCommandHelp(c *command, fs *flag.FlagSet) {
	w := a.out
	fmt.Fprintf(w, "Usage: openeo-auth %s [flags]", c.name)
	if c.args != "" {
		fmt.Fprintf(w, " %s", c.args)
	}
	fmt.Fprintln(w)
	if len(c.aliases) > 0 {
		fmt.Fprintf(w, "Aliases: %s\n", strings.Join(c.aliases, ", "))
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
	if fs == nil {
		return
	}
	var own, global []string
	fs.VisitAll(func(f *flag.Flag) {
		if _, isAlias := a.aliases[f.Name]; isAlias {
			return
		}
		names := dashName(f.Name)
		for al, primary := range a.aliases {
			if primary == f.Name && !hiddenAlias[al] {
				names = dashName(al) + ", " + names
			}
		}
		arg, u := flag.UnquoteUsage(f)
		if arg != "" && !isBoolFlag(f) {
			names += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			u += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		line := helpEntry(names, u, 24)
		if globalFlags[f.Name] {
			global = append(global, line)
		} else {
			own = append(own, line)
		}
	})
	if len(own) > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", strings.Join(own, ""))
	}
	fmt.Fprintf(w, "\nGlobal flags:\n%s", strings.Join(global, ""))
	fmt.Fprint(w, "\nExit codes: 0 ok, 1 error, 2 usage, 3 authentication failed, 4 file problem,\n130 interrupted.\n")
}

// helpWidth is the width help text is wrapped at.
const helpWidth = 80

// helpEntry is one entry of a help list: "  name" padded to column
// 2+nameWidth, then text wrapped with a hanging indent; a longer name
// gets a line of its own.
func helpEntry(name, text string, nameWidth int) string {
	indent := strings.Repeat(" ", 2+nameWidth+1)
	if len(name) > nameWidth {
		return "  " + name + "\n" + wrapText(indent, text, indent, helpWidth) + "\n"
	}
	return wrapText(fmt.Sprintf("  %-*s ", nameWidth, name), text, indent, helpWidth) + "\n"
}

// wrapText writes prefix, then the words of text wrapped at width columns;
// continuation lines start with indent. A word longer than a line stays
// whole.
func wrapText(prefix, text, indent string, width int) string {
	var b strings.Builder
	line, fresh := prefix, true
	for _, w := range strings.Fields(text) {
		if !fresh && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line, fresh = indent, true
		}
		if !fresh {
			line += " "
		}
		line += w
		fresh = false
	}
	b.WriteString(line)
	return b.String()
}

// flagError is the usage error of a flag the flag set fs could not parse;
// for an unknown flag it suggests the closest flag of fs.
func (a *app) flagError(fs *flag.FlagSet, err error) error {
	name, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !unknown {
		return usagef("%v", err)
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if !hiddenAlias[f.Name] {
			names = append(names, f.Name)
		}
	})
	if near := closest(name, names); near != "" {
		return usagef("unknown flag %s (did you mean %s?)", dashName(name), dashName(near))
	}
	return usagef("unknown flag %s", dashName(name))
}

// closest returns the name of names nearest to s (edit distance at most a
// third of its length, at least 2), or "".
func closest(s string, names []string) string {
	best, bestD := "", max(2, len(s)/3)+1
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes), with a swap
// of two neighbours counting as one edit.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

var (
	hiddenAlias = map[string]bool{"vv": true, "vvv": true}
	globalFlags = map[string]bool{"verbose": true, "auth-config": true, "refresh-tokens": true}
)

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func dashName(n string) string {
	if len(n) == 1 {
		return "-" + n
	}
	return "--" + n
}

// printError writes the error to stderr, with a hint for usage errors.
func (a *app) printError(err error, code int) {
	msg := err.Error()
	if code == ExitInterrupted {
		msg = "interrupted"
	}
	fmt.Fprintf(a.errw, "%s: %s\n", a.cmdName, msg)
	var ue *usageError
	if code == ExitUsage && (!errors.As(err, &ue) || !ue.helped) {
		fmt.Fprintf(a.errw, "Run '%s -h' for help.\n", a.cmdName)
	}
}

// exitCode maps an error to the documented exit codes.
func exitCode(ctx context.Context, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err())) {
		return ExitInterrupted
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var fe *authfiles.FileError
	if errors.As(err, &fe) {
		return ExitFile
	}
	var ae *authError
	if errors.As(err, &ae) {
		return ExitAuth
	}
	var ne *flows.NeedsInteractiveLoginError
	var te *flows.DeviceTimeoutError
	if errors.As(err, &ne) || errors.As(err, &te) {
		return ExitAuth
	}
	var oe *flows.OIDCError
	if errors.As(err, &oe) {
		switch oe.Code {
		case "invalid_client", "unauthorized_client", "invalid_grant", "access_denied", "expired_token",
			"invalid_scope", "unsupported_grant_type":
			return ExitAuth
		}
		if oe.Status == http.StatusUnauthorized {
			return ExitAuth
		}
		return ExitError
	}
	if flows.IsCode(err, flows.CodeCredentialsInvalid, flows.CodeTokenInvalid, flows.CodeAuthenticationRequired,
		flows.CodeAuthenticationSchemeInvalid) {
		return ExitAuth
	}
	return ExitError
}

// newFlagSet returns a flag set with the options every subcommand accepts.
func (a *app) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if a.aliases == nil {
		a.aliases = map[string]string{}
	}
	count := func(n int) func(string) error {
		return func(string) error { a.verbosity += n; return nil }
	}
	fs.BoolFunc("verbose", "more log output on stderr (repeatable: -v info, -vv debug)", count(1))
	fs.BoolFunc("v", "", count(1))
	fs.BoolFunc("vv", "", count(2))
	fs.BoolFunc("vvv", "", count(3))
	a.aliases["v"] = "verbose"
	a.aliases["vv"] = "verbose"
	a.aliases["vvv"] = "verbose"
	fs.Func("auth-config", "`path` of auth-config.json (default: the Python client's location)", func(s string) error {
		a.authConfigPath = s
		return nil
	})
	fs.Func("refresh-tokens", "`path` of refresh-tokens.json (default: the Python client's location)", func(s string) error {
		a.refreshTokensPath = s
		return nil
	})
	return fs
}

// boolAlias registers a short alias of a bool flag.
func (a *app) boolAlias(fs *flag.FlagSet, p *bool, alias, primary string) {
	fs.BoolVar(p, alias, false, "")
	a.aliases[alias] = primary
}

// parse parses flags and positional arguments in any order (like Python's
// argparse) and checks the number of positional arguments. It returns
// flag.ErrHelp after printing the help for -h.
func (a *app) parse(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	c := a.current
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				a.printCommandHelp(c, fs)
				return nil, err
			}
			return nil, a.flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch {
	case len(pos) < minArgs:
		return nil, usagef("missing argument: %s", c.args)
	case len(pos) > maxArgs:
		return nil, usagef("too many arguments: %s", strings.Join(pos[maxArgs:], " "))
	}
	return pos, nil
}

// logger sends flows' log messages to stderr according to -v.
func (a *app) logger() flows.Logger {
	threshold := flows.LevelWarn
	switch {
	case a.verbosity >= 2:
		threshold = flows.LevelDebug
	case a.verbosity == 1:
		threshold = flows.LevelInfo
	}
	return flows.LoggerFunc(func(_ context.Context, level flows.LogLevel, msg string, fields map[string]any) {
		if level < threshold {
			return
		}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s", strings.ToUpper(level.String()), msg)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v", k, fields[k])
		}
		fmt.Fprintln(a.errw, b.String())
	})
}

func (a *app) infof(format string, args ...any) {
	if a.verbosity >= 1 {
		fmt.Fprintf(a.errw, "INFO: "+format+"\n", args...)
	}
}

func (a *app) version() string {
	if a.env.Version == "" {
		return "dev"
	}
	return a.env.Version
}

func (a *app) httpOptions() flows.HTTPOptions {
	return flows.HTTPOptions{
		Client:    a.env.HTTPClient,
		UserAgent: "openeo-auth/" + a.version() + " (terraform-provider-openeo)",
		Logger:    a.logger(),
	}
}

func (a *app) client() *flows.Client { return flows.NewClient(a.httpOptions()) }

func (a *app) fileOptions() authfiles.Options {
	return authfiles.Options{
		Env:       authfiles.Env{LookupEnv: a.env.LookupEnv},
		Now:       a.env.Now,
		CreatedBy: "openeo-auth " + a.version() + " (terraform-provider-openeo)",
	}
}

func (a *app) authConfig() (*authfiles.AuthConfig, error) {
	return authfiles.OpenAuthConfig(a.authConfigPath, a.fileOptions())
}

func (a *app) refreshTokens() (*authfiles.RefreshTokens, error) {
	return authfiles.OpenRefreshTokens(a.refreshTokensPath, a.fileOptions())
}

// files opens both credential files.
func (a *app) files() (*authfiles.AuthConfig, *authfiles.RefreshTokens, error) {
	ac, err := a.authConfig()
	if err != nil {
		return nil, nil, err
	}
	rt, err := a.refreshTokens()
	if err != nil {
		return nil, nil, err
	}
	return ac, rt, nil
}

// checkFiles loads both files (a missing file is fine) and returns the
// *authfiles.FileError of one that cannot be used: not private, not valid
// JSON, a foreign shape, a directory. Nothing is written.
func checkFiles(ac *authfiles.AuthConfig, rt *authfiles.RefreshTokens) error {
	if _, _, err := ac.Document(false); err != nil {
		return err
	}
	_, _, err := rt.Document(false)
	return err
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version",
	help:    "Prints the version of openeo-auth.",
	run: func(a *app, _ context.Context, args []string) error {
		if _, err := a.parse(a.newFlagSet("version"), args, 0, 0); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "openeo-auth %s\n", a.version())
		return nil
	},
}
