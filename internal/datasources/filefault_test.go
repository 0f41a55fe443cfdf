package datasources_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
)

// fileFault is a broken auth file: its content and mode, and the problem
// the diagnostic must name.
type fileFault struct {
	name    string
	content string
	mode    os.FileMode
	want    string
}

func fileFaults(valid, shape, shapeWant string) []fileFault {
	return []fileFault{
		{"too open", valid, 0o644, "could be readable by others: mode 644 (expected: 600)."},
		{"invalid JSON", valid[:len(valid)/2], 0o600, "invalid JSON at line"},
		{"foreign shape", shape, 0o600, shapeWant},
	}
}

// TestAccFileFaultsInDataSources: a broken auth-config.json or
// refresh-tokens.json met by a data source (openeo_account through the
// session, openeo_auth_config reading the files) is titled as a file
// problem, "Unusable File" as in the resources, names the file, the problem
// and the fix, and leaves the file byte for byte and mode for mode as it was.
func TestAccFileFaultsInDataSources(t *testing.T) {
	files := []struct {
		name   string
		path   func(acctest.Dirs) string
		faults []fileFault
	}{
		{"auth-config.json", acctest.Dirs.AuthConfigPath, fileFaults(
			`{"backends": {}, "general": {}, "metadata": {"type": "AuthConfig", "version": 1}}`,
			`{"backends": []}`, "backends is an array, expected an object")},
		{"refresh-tokens.json", acctest.Dirs.RefreshTokensPath, fileFaults(
			`{"https://oidc.example.net": {}}`,
			`{"https://oidc.example.net": "not an object"}`, `["https://oidc.example.net"] is a string, expected an object`)},
	}
	dataSources := []struct{ name, config string }{
		{"openeo_account", `
provider "openeo" {
  url         = %s
  auth_method = "oidc"
}
data "openeo_account" "me" {}
`},
		{"openeo_auth_config", `
data "openeo_auth_config" "files" {}
# %s
`},
	}
	for _, f := range files {
		for _, fault := range f.faults {
			for _, ds := range dataSources {
				t.Run(f.name+"/"+fault.name+"/"+ds.name, func(t *testing.T) {
					r := acctest.RigPreCheck(t)
					p := f.path(r.Dirs)
					if err := os.WriteFile(p, []byte(fault.content), fault.mode); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(p, fault.mode); err != nil { // umask
						t.Fatal(err)
					}
					want := []*regexp.Regexp{regexp.MustCompile(`Error: Unusable File`)}
					for _, s := range []string{p, fault.want} {
						want = append(want, regexp.MustCompile(spaced(s)))
					}
					want = append(want, regexp.MustCompile(`left\s+unchanged|was\s+not\s+changed`))
					if fault.mode == 0o644 {
						want = append(want, regexp.MustCompile(spaced(`Run "chmod 600 `+p+`"`)))
					}
					var got string
					resource.Test(t, resource.TestCase{
						ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
						ErrorCheck: func(err error) error {
							if err == nil {
								return fmt.Errorf("no error")
							}
							got = err.Error()
							return nil
						},
						Steps: []resource.TestStep{{
							Config: fmt.Sprintf(ds.config, q(r.Backend.URL())),
							Check:  func(*terraform.State) error { return fmt.Errorf("the read succeeded") },
						}},
					})
					for _, re := range want {
						if !re.MatchString(got) {
							t.Errorf("the error lacks %s:\n%s", re, got)
						}
					}
					for _, bad := range []string{"openEO Request Failed", "Check the provider configuration and the back-end"} {
						if strings.Contains(strings.Join(strings.Fields(got), " "), bad) {
							t.Errorf("the error says %q:\n%s", bad, got)
						}
					}
					data, err := os.ReadFile(p)
					if err != nil || !bytes.Equal(data, []byte(fault.content)) {
						t.Errorf("%s changed: %q %v", filepath.Base(p), data, err)
					}
					if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != fault.mode {
						t.Errorf("%s mode changed: %v %v", filepath.Base(p), fi.Mode(), err)
					}
				})
			}
		}
	}
}

// spaced is a pattern for s in Terraform's wrapped output.
func spaced(s string) string {
	parts := strings.Fields(s)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}
