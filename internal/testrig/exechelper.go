package testrig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CredentialHelper is a small exec credential helper (a POSIX sh script in
// a folder of its own) for tests of auth_method = "exec". It counts its runs
// and prints the access token it was given, as its arguments say:
//
//	json [EXPIRES_IN [PROVIDER_ID]]  {"access_token": ..., "expires_in": EXPIRES_IN (default 300), "provider_id": ...}
//	bare                             the bare access token
//	fail                             exit status 3, naming $HELPER_SECRET on standard error
//
// With a Secret, every mode fails like "fail" unless the environment
// variable HELPER_SECRET holds it (as a helper that unlocks a vault would).
type CredentialHelper struct {
	// Path is the script, for exec.command.
	Path string
	dir  string
}

// credentialHelperScript is the helper; its files are next to it.
const credentialHelperScript = `#!/bin/sh
dir=$(dirname "$0")
echo run >> "$dir/runs"
if [ "$1" = fail ] || { [ -f "$dir/secret" ] && [ "$HELPER_SECRET" != "$(cat "$dir/secret")" ]; }; then
  echo "credential helper: the vault refused the secret $HELPER_SECRET" >&2
  exit 3
fi
case "$1" in
bare) cat "$dir/token" ;;
*)
  if [ -n "$3" ]; then pid=", \"provider_id\": \"$3\""; else pid=""; fi
  printf '{"access_token": "%s", "expires_in": %s%s}\n' "$(cat "$dir/token")" "${2:-300}" "$pid"
  ;;
esac
`

// NewCredentialHelper writes the helper to a fresh t.TempDir(): it prints
// token; secret (optional) is the HELPER_SECRET it requires.
func NewCredentialHelper(t testing.TB, token, secret string) CredentialHelper {
	t.Helper()
	dir := t.TempDir()
	h := CredentialHelper{Path: filepath.Join(dir, "credential-helper.sh"), dir: dir}
	files := map[string]string{"token": token}
	if secret != "" {
		files["secret"] = secret
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(h.Path, []byte(credentialHelperScript), 0o700); err != nil { //nolint:gosec // an executable script
		t.Fatal(err)
	}
	return h
}

// Runs is how often the helper has run so far.
func (h CredentialHelper) Runs(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "runs"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "run\n")
}
