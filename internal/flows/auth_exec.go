package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// MethodExec runs an external credential helper (exec { command, args, env
// }) that prints an access token, and runs it again when the token expires.
const MethodExec Method = "exec"

// Limits of an exec credential helper.
const (
	// DefaultExecTimeout bounds one run of a helper when the context has no
	// earlier deadline.
	DefaultExecTimeout = time.Minute
	// maxExecStdout is the most standard output a helper may print.
	maxExecStdout = 64 << 10
	// maxExecStderr is how much of its standard error is kept for messages.
	maxExecStderr = 4 << 10
	// execWaitDelay is how long the output pipes stay open after the helper
	// was killed (a child it started may hold them).
	execWaitDelay = 2 * time.Second
)

// ExecCredential is an external credential helper. Its standard output is
// either a bare access token or a JSON object
//
//	{"access_token": "...", "expires_in": 300, "provider_id": "egi"}
//
// with expires_in (seconds, a number or a numeric string) or expires_at (Unix
// seconds or an RFC 3339 time) optional, provider_id optional and
// token_type, when present, "Bearer". Without an expiry, a JWT's exp claim
// is used. Standard input is empty; standard error is shown (scrubbed) when
// the helper fails.
type ExecCredential struct {
	// Command is the program (a path, or a name looked up in PATH).
	Command string
	Args    []string
	// Env is added to the environment the helper starts with.
	Env map[string]string
	// Environ is that starting environment ("NAME=value" entries); nil: the
	// provider's own (os/exec's default).
	Environ []string
	// Timeout bounds one run; 0: [DefaultExecTimeout].
	Timeout time.Duration
	// ProviderID is used when the output names no provider_id; PlainJWT
	// makes the Bearer the plain access token (see [BuildBearer]).
	ProviderID string
	PlainJWT   bool
}

// ExecError is a credential helper that could not run, failed or timed out.
type ExecError struct {
	// Command is the helper's command (not its arguments, which may hold
	// secrets).
	Command string
	// ExitCode is the exit status; -1 when the helper did not exit by itself.
	ExitCode int
	// Stderr is the end of its standard error, scrubbed of the values of
	// Env and of what it printed on standard output.
	Stderr string
	// TimedOut is true when it was killed after the timeout.
	TimedOut bool
	Timeout  time.Duration
	Err      error
}

func (e *ExecError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "The exec credential helper '%s' ", e.Command)
	switch {
	case e.TimedOut:
		fmt.Fprintf(&b, "did not finish within %s and was stopped", e.Timeout)
	case e.ExitCode >= 0:
		fmt.Fprintf(&b, "exited with status %d", e.ExitCode)
	default:
		fmt.Fprintf(&b, "could not run: %v", e.Err)
	}
	if e.Stderr != "" {
		b.WriteString("; its standard error: " + e.Stderr)
	}
	switch {
	case e.TimedOut:
		b.WriteString(". Make it finish without a person (it gets no input), or raise the timeout.")
	case e.ExitCode >= 0:
		b.WriteString(". Run the command by hand to see why, and fix it.")
	default:
		b.WriteString(". Check exec.command: the program must exist and be executable.")
	}
	return b.String()
}

// Unwrap returns the error of os/exec, if any.
func (e *ExecError) Unwrap() error { return e.Err }

// limitedBuffer keeps at most max bytes and notes whether more came.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room < len(p) {
		l.over = true
		if room > 0 {
			l.buf.Write(p[:room])
		}
		return len(p), nil
	}
	l.buf.Write(p)
	return len(p), nil
}

// Token runs the helper once and returns its token, with Method
// [MethodExec]. Failures give an [*ExecError] (the helper failed) or a
// [*ClientError] (its output is unusable); neither contains its standard
// output.
func (x *ExecCredential) Token(ctx context.Context) (*Token, error) {
	if strings.TrimSpace(x.Command) == "" {
		return nil, clientErrorf("exec.command is empty: name the credential helper program.")
	}
	timeout := x.Timeout
	if timeout <= 0 {
		timeout = DefaultExecTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, x.Command, x.Args...)
	cmd.WaitDelay = execWaitDelay
	secrets := make([]string, 0, len(x.Env))
	if x.Environ != nil || len(x.Env) > 0 {
		env := x.Environ
		if env == nil {
			env = cmd.Environ()
		}
		env = append([]string(nil), env...)
		names := make([]string, 0, len(x.Env))
		for k := range x.Env {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			env = append(env, k+"="+x.Env[k])
			secrets = append(secrets, x.Env[k])
		}
		cmd.Env = env
	}
	stdout := &limitedBuffer{max: maxExecStdout}
	stderr := &limitedBuffer{max: maxExecStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	out := stdout.buf.String()
	// What it printed is a token, or a JSON object around one: never in a message.
	secrets = append(secrets, out, strings.TrimSpace(out))
	for _, line := range strings.Split(out, "\n") {
		secrets = append(secrets, strings.TrimSpace(line))
	}
	if runErr != nil {
		e := &ExecError{Command: x.Command, ExitCode: -1, Stderr: execStderr(stderr, secrets), Err: runErr}
		var ee *exec.ExitError
		switch {
		case rctx.Err() != nil && ctx.Err() == nil:
			e.TimedOut, e.Timeout = true, timeout
		case ctx.Err() != nil:
			e.Err = ctx.Err()
		case errors.As(runErr, &ee):
			e.ExitCode = ee.ExitCode()
		}
		return nil, e
	}
	if stdout.over {
		return nil, clientErrorf("The exec credential helper '%s' printed more than %d bytes: it must print one token or one JSON object.", x.Command, maxExecStdout)
	}
	t, err := parseExecOutput(out, time.Now())
	if err != nil {
		return nil, &ClientError{Message: fmt.Sprintf("The exec credential helper '%s' printed no usable token", x.Command), Err: err}
	}
	if t.ProviderID == "" {
		t.ProviderID = x.ProviderID
	}
	if t.ProviderID == "" && !x.PlainJWT {
		return nil, clientErrorf("The exec credential helper '%s' printed no provider_id and none is configured: print "+
			"JSON with \"provider_id\", or set the OIDC provider id.", x.Command)
	}
	t.Method = MethodExec
	t.Bearer = BuildBearer(t.ProviderID, t.AccessToken, x.PlainJWT)
	return t, nil
}

// execStderr is the helper's standard error for messages: scrubbed, cleaned
// of control characters and cut short.
func execStderr(b *limitedBuffer, secrets []string) string {
	s := strings.TrimSpace(CleanText(Scrub(b.buf.String(), secrets...)))
	if b.over {
		s += " …"
	}
	return truncate(s, maxExcerpt)
}

// parseExecOutput reads a helper's standard output (see [ExecCredential]).
// Errors never contain the output.
func parseExecOutput(out string, now time.Time) (*Token, error) {
	s := strings.TrimSpace(out)
	if s == "" {
		return nil, errors.New("its standard output was empty; it must print an access token or a JSON object with access_token")
	}
	t := &Token{TokenType: "Bearer", obtained: now}
	if strings.HasPrefix(s, "{") {
		var r struct {
			AccessToken any `json:"access_token"`
			TokenType   any `json:"token_type"`
			ExpiresIn   any `json:"expires_in"`
			ExpiresAt   any `json:"expires_at"`
			ProviderID  any `json:"provider_id"`
		}
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return nil, fmt.Errorf("its standard output starts with '{' but is not a JSON object (%d bytes)", len(s))
		}
		at, _ := r.AccessToken.(string)
		if t.AccessToken = strings.TrimSpace(at); t.AccessToken == "" {
			return nil, errors.New("its JSON output has no access_token string")
		}
		if strings.ContainsFunc(t.AccessToken, unicode.IsSpace) || strings.ContainsFunc(t.AccessToken, unicode.IsControl) {
			return nil, errors.New("its JSON output has an access_token with white space or control characters, which no bearer token has")
		}
		if r.TokenType != nil {
			if tt, _ := r.TokenType.(string); !strings.EqualFold(tt, "bearer") {
				return nil, fmt.Errorf("its JSON output has token_type %s; only Bearer tokens can be used", pyRepr(r.TokenType))
			}
		}
		if r.ProviderID != nil {
			pid, isString := r.ProviderID.(string)
			if !isString {
				return nil, errors.New("its JSON output has a provider_id that is not a string")
			}
			t.ProviderID = strings.TrimSpace(pid)
		}
		switch {
		case r.ExpiresIn != nil:
			secs, ok := seconds(r.ExpiresIn)
			if !ok || secs <= 0 {
				return nil, errors.New("its JSON output has an expires_in that is not a positive number of seconds")
			}
			t.Expiry = now.Add(time.Duration(secs * float64(time.Second)))
		case r.ExpiresAt != nil:
			exp, ok := expiresAt(r.ExpiresAt)
			if !ok {
				return nil, errors.New("its JSON output has an expires_at that is neither Unix seconds nor an RFC 3339 time")
			}
			t.Expiry = exp
		}
	} else {
		if strings.ContainsAny(s, " \t\r\n") {
			return nil, fmt.Errorf("its standard output is neither one token nor a JSON object (%d words)", len(strings.Fields(s)))
		}
		t.AccessToken = s
	}
	if t.Expiry.IsZero() {
		if _, exp, ok := jwtClaims(t.AccessToken); ok {
			t.Expiry = exp
		}
	}
	if !t.Expiry.IsZero() && !now.Before(t.Expiry) {
		return nil, fmt.Errorf("the token it printed expired at %s", t.Expiry.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// expiresAt reads Unix seconds (a number or a numeric string) or an RFC 3339
// time.
func expiresAt(v any) (time.Time, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		if ts, err := time.Parse(time.RFC3339, strings.TrimSpace(x)); err == nil {
			return ts, true
		}
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	if math.IsNaN(f) || f <= 0 || f >= 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}
