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
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
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
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
	return nil
}

// checkPythonFile checks the file against the template testdata/<tmpl>
// (see checkFileEquals) and its mode 0600.
func checkPythonFile(t *testing.T, path, tmpl string, dateOf ...string) resource.TestCheckFunc {
	t.Helper()
	return resource.ComposeAggregateTestCheckFunc(
		checkFileEquals(path, fixture(t, tmpl), dateOf...),
		checkMode(path, 0o600),
	)
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

// editAuthConfig returns a PreConfig that changes auth-config.json the way
// another program would (through the library, locked, with a date in the
// past).
func editAuthConfig(t *testing.T, path string, fn func(root *ojson.Object)) func() {
	return editFile(t, authfiles.OpenAuthConfig, path, fn)
}

// editRefreshTokens is editAuthConfig for refresh-tokens.json.
func editRefreshTokens(t *testing.T, path string, fn func(root *ojson.Object)) func() {
	return editFile(t, authfiles.OpenRefreshTokens, path, fn)
}

func editFile[F interface {
	Update(func(*ojson.Object) error) error
}](t *testing.T,
	open func(string, authfiles.Options) (F, error), path string, fn func(root *ojson.Object),
) func() {
	return func() {
		t.Helper()
		f, err := open(path, authfiles.Options{Now: past})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Update(func(root *ojson.Object) error { fn(root); return nil }); err != nil {
			t.Fatal(err)
		}
	}
}

// steady is a configuration that a test applies again after changes made
// outside Terraform, and the check of the entry it writes.
type steady struct {
	name   string // the resource's address
	config string
	check  resource.TestCheckFunc
}

// after is a step that runs change (a write outside Terraform), then applies
// the configuration again: its plan must be action (and pass more).
func (s steady) after(change func(), action plancheck.ResourceActionType, more ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{PreConfig: change, Config: s.config, ConfigPlanChecks: expect(s.name, action, more...), Check: s.check}
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
	resp.Error = testrig.SecretFree("state", string(b), c...)
}

// fileLine is the `file` argument of a test configuration; "" leaves it out.
func fileLine(file string) string {
	if file == "" {
		return ""
	}
	return "file = " + q(file)
}

// expect checks the plan of a step: the resource's action, and more.
func expect(name string, action plancheck.ResourceActionType, more ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(name, action)}, more...)}
}

// expectNoChanges checks that the plan of a step is empty.
func expectNoChanges() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// planFails is a plan-only step whose configuration must fail with a
// diagnostic matching errRe(parts...).
func planFails(config string, parts ...string) resource.TestStep {
	return resource.TestStep{Config: config, PlanOnly: true, ExpectError: errRe(parts...)}
}

// importStep imports the resource by id and compares the result with the
// state, except for the attributes ignore.
func importStep(name, id string, ignore ...string) resource.TestStep {
	return resource.TestStep{
		ResourceName: name, ImportState: true, ImportStateId: id,
		ImportStateVerify: true, ImportStateVerifyIgnore: ignore,
	}
}

// errRe matches diagnostics text in which Terraform may have wrapped lines:
// spaces in the parts match any white space, parts may be far apart.
func errRe(parts ...string) *regexp.Regexp {
	var s string
	for i, p := range parts {
		if i > 0 {
			s += `[\s\S]*`
		}
		s += strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile(s)
}
