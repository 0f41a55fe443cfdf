package flows_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// helperScript writes an executable shell script and returns its path.
func helperScript(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the helper scripts are POSIX shell scripts")
	}
	path := filepath.Join(t.TempDir(), "helper.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRigExecHelperTokenIsUsedAndRenewed(t *testing.T) {
	k := newKeyless(t)
	client := k.idp.RegisterClient(t, testrig.ClientSpec{})
	tokenFile := filepath.Join(t.TempDir(), "current")
	write := func() string {
		at := k.idp.ClientCredentialsToken(t, client, "").AccessToken
		if err := os.WriteFile(tokenFile, []byte(at), 0o600); err != nil {
			t.Fatal(err)
		}
		return at
	}
	// A bare token, as `oidc-token` prints it.
	first := write()
	bare := &flows.ExecCredential{Command: helperScript(t, `cat "$1"`), Args: []string{tokenFile}, ProviderID: providerID}
	tok, err := bare.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Method != flows.MethodExec || tok.AccessToken != first || tok.Bearer != "oidc/"+providerID+"/"+first || !tok.Expiry.IsZero() {
		t.Errorf("token %v", tok)
	}
	if u := k.user(t, tok); u != client.ID {
		t.Errorf("user %q", u)
	}

	// JSON with expires_in and provider_id; run again for a renewal, it prints the new token.
	script := helperScript(t, `printf '{"access_token": "%s", "expires_in": 120, "provider_id": "%s"}\n' "$(cat "$TOKEN_FILE")" "$PROVIDER"`)
	x := &flows.ExecCredential{Command: script, Env: map[string]string{"TOKEN_FILE": tokenFile, "PROVIDER": providerID}}
	tok, err = x.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != first || tok.ProviderID != providerID || tok.Expiry.Sub(tok.Obtained()) != 120*time.Second {
		t.Errorf("token %v (expires %s after it was obtained)", tok, tok.Expiry.Sub(tok.Obtained()))
	}
	second := write()
	tok2, err := x.Token(ctxT(t))
	if err != nil || tok2.AccessToken != second || second == first {
		t.Fatalf("renewed: %v, %v", tok2, err)
	}
	if u := k.user(t, tok2); u != client.ID {
		t.Errorf("user %q", u)
	}
}

func TestExecHelperOutputForms(t *testing.T) {
	for _, tc := range []struct {
		name, out, wantErr string
		wantExpiry         time.Time
	}{
		{"expires_at RFC 3339", `{"access_token":"tok-1234","expires_at":"2099-01-02T03:04:05Z","provider_id":"p"}`, "", time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"expires_at Unix", `{"access_token":"tok-1234","expires_at":4070908800,"provider_id":"p"}`, "", time.Unix(4070908800, 0)},
		{"empty", ``, "standard output was empty", time.Time{}},
		{"two words", `tok-1234 tok-5678`, "neither one token nor a JSON object (2 words)", time.Time{}},
		{"no access_token", `{"token":"tok-1234"}`, "no access_token", time.Time{}},
		{"not JSON", `{"access_token":"tok-1234"`, "is not a JSON object", time.Time{}},
		{"token_type", `{"access_token":"tok-1234","token_type":"mac","provider_id":"p"}`, "token_type 'mac'", time.Time{}},
		{"expired", `{"access_token":"tok-1234","expires_at":"2001-01-01T00:00:00Z","provider_id":"p"}`, "expired at 2001-01-01T00:00:00Z", time.Time{}},
		{"bad expires_in", `{"access_token":"tok-1234","expires_in":-5,"provider_id":"p"}`, "expires_in", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &flows.ExecCredential{Command: helperScript(t, `printf '%s' "$OUT"`), Env: map[string]string{"OUT": tc.out}}
			tok, err := x.Token(ctxT(t))
			if tc.wantErr == "" {
				if err != nil || !tok.Expiry.Equal(tc.wantExpiry) || tok.ProviderID != "p" || tok.Bearer != "oidc/p/tok-1234" {
					t.Fatalf("%v, %v", tok, err)
				}
				return
			}
			var ce *flows.ClientError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "tok-1234") {
				t.Errorf("error shows the output: %v", err)
			}
		})
	}
	// Without provider_id and none configured, an oidc/ bearer cannot be built.
	x := &flows.ExecCredential{Command: helperScript(t, `echo tok-1234`)}
	if _, err := x.Token(ctxT(t)); err == nil || !strings.Contains(err.Error(), "printed no provider_id") {
		t.Errorf("err = %v", err)
	}
	// Too much output.
	x = &flows.ExecCredential{Command: helperScript(t, `head -c 70000 /dev/zero | tr '\0' a`), ProviderID: "p"}
	if _, err := x.Token(ctxT(t)); err == nil || !strings.Contains(err.Error(), "printed more than 65536 bytes") {
		t.Errorf("err = %v", err)
	}
}

func TestExecHelperFailures(t *testing.T) {
	const secret = "helper-secret-value-1234"
	// A failing helper: its stderr, scrubbed of its env values and of what it printed.
	x := &flows.ExecCredential{
		Command: helperScript(t, `echo "partial-token-5678"; echo "cannot log in with $HELPER_SECRET (partial-token-5678)" >&2; exit 3`),
		Env:     map[string]string{"HELPER_SECRET": secret},
	}
	_, err := x.Token(ctxT(t))
	var ee *flows.ExecError
	if !errors.As(err, &ee) || ee.ExitCode != 3 || ee.TimedOut {
		t.Fatalf("err = %#v", err)
	}
	msg := err.Error()
	for _, want := range []string{"exited with status 3", "cannot log in with <redacted> (<redacted>)", "Run the command by hand"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, secret) || strings.Contains(msg, "partial-token-5678") || strings.Contains(fmt.Sprintf("%+v", ee), secret) {
		t.Errorf("error shows a secret: %s", msg)
	}

	// A helper that waits for a person: stopped after the timeout.
	x = &flows.ExecCredential{Command: helperScript(t, `exec sleep 30`), Timeout: 200 * time.Millisecond}
	_, err = x.Token(ctxT(t))
	if !errors.As(err, &ee) || !ee.TimedOut || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("err = %v", err)
	}

	// A command that does not exist.
	x = &flows.ExecCredential{Command: filepath.Join(t.TempDir(), "missing-helper")}
	_, err = x.Token(ctxT(t))
	if !errors.As(err, &ee) || ee.ExitCode != -1 || !strings.Contains(err.Error(), "could not run") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}

	// The environment given replaces the provider's: only what is listed reaches the helper.
	x = &flows.ExecCredential{Command: helperScript(t, `printf '%s' "${ONLY:-unset}-${HOME:-nohome}"`), Environ: []string{"ONLY=given"}, ProviderID: "p"}
	tok, err := x.Token(ctxT(t))
	if err != nil || tok.AccessToken != "given-nohome" {
		t.Errorf("%v, %v", tok, err)
	}
}
