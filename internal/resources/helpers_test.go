package resources_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
)

// factories serves the real provider in-process (reattach), with the real
// environment: acctest.PreCheck isolates it per test.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return acctest.Factories(provider.Options{})
}

var dateRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// q quotes a Go string for HCL.
func q(s string) string { return acctest.HCLString(s) }

// fixture returns the bytes of testdata/<name>.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writePrivate writes data with the given mode (chmod, so the umask does not
// matter), creating folders.
func writePrivate(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readBytes(path string) ([]byte, error) { return os.ReadFile(path) }

// render replaces {{DATE}} (and other {{KEY}}s) in a template.
func render(tmpl []byte, kv ...string) []byte {
	out := tmpl
	for i := 0; i+1 < len(kv); i += 2 {
		out = bytes.ReplaceAll(out, []byte("{{"+kv[i]+"}}"), []byte(kv[i+1]))
	}
	return out
}

// attr returns a state attribute of a resource.
func attr(s *terraform.State, name, key string) (string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return "", fmt.Errorf("%s not in state", name)
	}
	return rs.Primary.Attributes[key], nil
}

// checkFileEquals compares the file with a template in which {{DATE}} is the
// date attribute of the named resource (and {{DATE2}} of a second one).
func checkFileEquals(path string, tmpl []byte, dateOf ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var kv []string
		for i, name := range dateOf {
			d, err := attr(s, name, "date")
			if err != nil {
				return err
			}
			if !dateRe.MatchString(d) {
				return fmt.Errorf("%s.date = %q, want the Python format", name, d)
			}
			key := "DATE"
			if i > 0 {
				key = fmt.Sprintf("DATE%d", i+1)
			}
			kv = append(kv, key, d)
		}
		return compareFile(path, render(tmpl, kv...))
	}
}

func compareFile(path string, want []byte) error {
	got, err := readBytes(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
	return nil
}

// checkBytes asserts that the file has exactly these bytes.
func checkBytes(path string, want []byte) resource.TestCheckFunc {
	return func(*terraform.State) error { return compareFile(path, want) }
}

func checkMode(path string, want os.FileMode) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if fi.Mode().Perm() != want {
			return fmt.Errorf("%s: mode %o, want %o", path, fi.Mode().Perm(), want)
		}
		return nil
	}
}

// past is the clock of "outside" writers in drift tests: always another
// date than Terraform's writes.
func past() time.Time { return time.Date(2021, 2, 3, 4, 5, 6, 0, time.UTC) }

// editAuthConfig changes auth-config.json the way another program would
// (through the library, locked, with a date in the past).
func editAuthConfig(t *testing.T, path string, fn func(root *ojson.Object)) {
	t.Helper()
	c, err := authfiles.OpenAuthConfig(path, authfiles.Options{Now: past})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Update(func(root *ojson.Object) error { fn(root); return nil }); err != nil {
		t.Fatal(err)
	}
}

func editRefreshTokens(t *testing.T, path string, fn func(root *ojson.Object)) {
	t.Helper()
	s, err := authfiles.OpenRefreshTokens(path, authfiles.Options{Now: past})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(root *ojson.Object) error { fn(root); return nil }); err != nil {
		t.Fatal(err)
	}
}

// obj walks nested objects of a document (test helper; fails loudly).
func obj(t *testing.T, root *ojson.Object, keys ...string) *ojson.Object {
	t.Helper()
	o := root
	for _, k := range keys {
		next, ok := o.Object(k)
		if !ok {
			t.Fatalf("no object at %v", keys)
		}
		o = next
	}
	return o
}

// countEntries counts basic and OIDC entries of auth-config.json and the
// tokens of refresh-tokens.json (missing files count as empty).
func countEntries(acPath, rtPath string) (basic, oidc, tokens int, err error) {
	ac, err := authfiles.OpenAuthConfig(acPath, authfiles.Options{})
	if err != nil {
		return 0, 0, 0, err
	}
	entries, err := ac.Entries()
	if err != nil {
		return 0, 0, 0, err
	}
	for _, e := range entries {
		if e.Basic != nil {
			basic++
		}
		oidc += len(e.OIDCProviders)
	}
	rt, err := authfiles.OpenRefreshTokens(rtPath, authfiles.Options{})
	if err != nil {
		return 0, 0, 0, err
	}
	te, err := rt.Entries()
	return basic, oidc, len(te), err
}

// secretFree fails when any of the secrets occurs in text.
func secretFree(what string, text []byte, secrets ...string) error {
	for _, s := range secrets {
		if bytes.Contains(text, []byte(s)) {
			i := bytes.Index(text, []byte(s))
			lo, hi := max(0, i-200), min(len(text), i+len(s)+100)
			return fmt.Errorf("%s contains the secret %q near: %s", what, s, strings.ReplaceAll(string(text[lo:hi]), s, "<<SECRET>>"))
		}
	}
	return nil
}

// stateHasNoSecrets is a state check: the whole state (as `terraform show
// -json` gives it) contains none of the secrets.
func stateHasNoSecrets(secrets ...string) statecheck.StateCheck { return noSecretsCheck(secrets) }

type noSecretsCheck []string

func (c noSecretsCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = secretFree("state", b, c...)
}
