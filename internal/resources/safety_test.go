package resources_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
)

// fileProblem is a broken file and the error it must produce.
type fileProblem struct {
	name  string
	setup func(t *testing.T, path string)
	// want are parts of the diagnostic (besides the path).
	want []string
}

func fileProblems(content []byte, shape []byte, shapeWant string) []fileProblem {
	return []fileProblem{
		{
			name:  "invalid JSON",
			setup: func(t *testing.T, p string) { writePrivate(t, p, content[:len(content)/2], 0o600) },
			want:  []string{"invalid JSON at line"},
		},
		{
			name: "directory",
			setup: func(t *testing.T, p string) {
				if err := os.MkdirAll(p, 0o700); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"the path is a directory, not a file"},
		},
		{
			name:  "foreign shape",
			setup: func(t *testing.T, p string) { writePrivate(t, p, shape, 0o600) },
			want:  []string{shapeWant},
		},
		{
			name:  "too open",
			setup: func(t *testing.T, p string) { writePrivate(t, p, content, 0o644) },
			want:  []string{"could be readable by others: mode 644 (expected: 600).", "chmod 600"},
		},
	}
}

// snapshot records a path's bytes and mode (or that it is a directory).
type snapshot struct {
	isDir bool
	mode  os.FileMode
	data  []byte
}

func snap(t *testing.T, p string) snapshot {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{isDir: fi.IsDir(), mode: fi.Mode()}
	if !s.isDir {
		if s.data, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	} else if entries, _ := os.ReadDir(p); len(entries) > 0 {
		t.Fatalf("%s: directory not empty", p)
	}
	return s
}

func (s snapshot) check(p string) error {
	got, err := os.Stat(p)
	if err != nil {
		return err
	}
	if got.IsDir() != s.isDir || got.Mode() != s.mode {
		return fmt.Errorf("%s: mode %v, was %v", p, got.Mode(), s.mode)
	}
	if s.isDir {
		if entries, _ := os.ReadDir(p); len(entries) > 0 {
			return fmt.Errorf("%s: something was written into the directory", p)
		}
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if !bytes.Equal(data, s.data) {
		return fmt.Errorf("%s was changed", p)
	}
	return nil
}

// TestAccBrokenFiles: for each resource type and each kind of broken file,
// the plan fails with a message naming the file and the problem, and the
// file stays byte for byte (and mode for mode) as it was.
func TestAccBrokenFiles(t *testing.T) {
	ac := fixture(t, "auth-config.python.json")
	rt := fixture(t, "refresh-tokens.python.json")
	types := []struct {
		name     string
		config   func(file string) string
		problems []fileProblem
		what     string
	}{
		{
			name:     "basic",
			config:   func(f string) string { return basicConfig(f, "https://openeo.example.com", "john", "pw-secret") },
			problems: fileProblems(ac, []byte(`{"backends": []}`), "backends is an array, expected an object"),
			what:     "AuthConfig",
		},
		{
			name:   "oidc",
			config: func(f string) string { return oidcConfig(f, "https://openeo.example.com", "egi", "c", "s", "") },
			problems: fileProblems(ac, []byte(`{"backends": {"https://openeo.example.com": {"oidc": {"providers": {"egi": {"client_id": 42}}}}}}`),
				`["client_id"] is a number, expected a string or null`),
			what: "AuthConfig",
		},
		{
			name:     "refresh token",
			config:   func(f string) string { return tokenConfig(f, "https://oidc.example.net", "c", "rt", "") },
			problems: fileProblems(rt, []byte(`{"https://oidc.example.net": "not an object"}`), `["https://oidc.example.net"] is a string, expected an object`),
			what:     "RefreshTokenStore",
		},
	}
	for _, typ := range types {
		for _, pr := range typ.problems {
			t.Run(typ.name+"/"+pr.name, func(t *testing.T) {
				acctest.PreCheck(t)
				file := filepath.Join(t.TempDir(), "the-file.json")
				pr.setup(t, file)
				before := snap(t, file)
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: factories(),
					Steps: []resource.TestStep{{
						Config:      typ.config(file),
						ExpectError: errRe(append([]string{"Unusable File", file}, pr.want...)...),
					}},
				})
				if err := before.check(file); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestAccBrokenFileExistingResource: a file that breaks after the entry was
// created fails the refresh (and so plan and destroy) without being touched;
// once fixed, nothing else changed.
func TestAccBrokenFileExistingResource(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "auth-config.json")
	cfg := basicConfig(file, "https://openeo.example.com", "john", "pw-secret")
	var good []byte
	var before snapshot
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					var err error
					good, err = os.ReadFile(file)
					return err
				},
			},
			{
				PreConfig: func() {
					writePrivate(t, file, append(append([]byte(nil), good...), []byte("\n}")...), 0o600)
					before = snap(t, file)
				},
				Config:      cfg,
				ExpectError: errRe("Unusable File", file, "invalid JSON at line", "unchanged"),
			},
			{
				PreConfig: func() {
					if err := before.check(file); err != nil {
						t.Fatal(err)
					}
					writePrivate(t, file, good, 0o640)
					before = snap(t, file)
				},
				Config:      cfg,
				ExpectError: errRe("Unusable File", file, "could be readable by others: mode 640 (expected: 600).", `Run "chmod 600 `+file+`"`),
			},
			{
				PreConfig: func() {
					if err := before.check(file); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(file, 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
		},
	})
}

// TestAccUnknownKeysSurvive: keys a newer Python client may write, at every
// level, survive create, update and destroy; the result is exactly what the
// Python client's own edit would give, except that a refresh-token entry
// keeps its unknown keys (Python replaces the entry; see gen_fixtures.py).
func TestAccUnknownKeysSurvive(t *testing.T) {
	acctest.PreCheck(t)
	dir := t.TempDir()
	ac, rt := filepath.Join(dir, "auth-config.json"), filepath.Join(dir, "refresh-tokens.json")
	writePrivate(t, ac, fixture(t, "auth-config.unknown-keys.json"), 0o600)
	writePrivate(t, rt, fixture(t, "refresh-tokens.unknown-keys.json"), 0o600)
	basic := basicConfig(ac, "https://openeo.example.com", "john2", "n3w")
	oidc := oidcConfig(ac, "https://openeo.example.com", "egi", "client-d7393fba", "n3w-s3cret", "https://aai.egi.eu/auth/realms/egi")
	token := tokenConfig(rt, "https://oidc.example.net", "default-client", "n3w-rt", "")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			checkBytes(ac, fixture(t, "auth-config.unknown-keys.both-removed.json")),
			checkBytes(rt, fixture(t, "refresh-tokens.unknown-keys.token-removed.json")),
		),
		Steps: []resource.TestStep{
			{
				Config: basic + token,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkFileEquals(ac, fixture(t, "auth-config.unknown-keys.basic-set.tmpl"), basicName),
					checkFileEquals(rt, fixture(t, "refresh-tokens.unknown-keys.token-set.tmpl"), tokenName),
				),
			},
			{
				Config: basic + oidc + token,
				Check:  checkFileEquals(ac, fixture(t, "auth-config.unknown-keys.both-set.tmpl"), basicName, oidcName),
			},
		},
	})
}

// TestAccProviderPathDefaults: without `file`, the resources use the
// provider's auth_config_path / refresh_token_store_path when set.
func TestAccProviderPathDefaults(t *testing.T) {
	dirs := acctest.PreCheck(t)
	dir := t.TempDir()
	ac, rt := filepath.Join(dir, "ac.json"), filepath.Join(dir, "rt.json")
	cfg := fmt.Sprintf(`
provider "openeo" {
  auth_config_path         = %s
  refresh_token_store_path = %s
}
`, q(ac), q(rt)) + basicConfig("", "https://openeo.example.com", "john", "pw") +
		tokenConfig("", "https://oidc.example.net", "c", "rt", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(basicName, tfjsonpath.New("file"), knownvalue.StringExact(ac)),
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("file"), knownvalue.StringExact(rt)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				checkBasicEntry(ac, "https://openeo.example.com", "john", "pw"),
				checkToken(rt, "c", "rt"),
				func(*terraform.State) error {
					for _, p := range []string{dirs.AuthConfigPath(), dirs.RefreshTokensPath()} {
						if _, err := os.Stat(p); err == nil {
							return fmt.Errorf("%s was written although the provider names other files", p)
						}
					}
					return nil
				},
			),
		}},
	})
}
