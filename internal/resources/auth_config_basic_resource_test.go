package resources_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

const basicName = "openeo_auth_config_basic.test"

func basicConfig(file, url, username, password string) string {
	return fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  %s
  url      = %s
  username = %s
  password = %s
}
`, fileLine(file), q(url), q(username), q(password))
}

// backendURL is the back-end of most tests.
const backendURL = "https://openeo.example.com"

func basicWOConfig(file, password string, version int) string {
	const username = "john"
	return fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  file                = %s
  url                 = %s
  username            = %s
  password_wo         = %s
  password_wo_version = %d
}
`, q(file), q(backendURL), q(username), q(password), version)
}

// checkBasicEntry reads the entry with the library and compares it.
func checkBasicEntry(file, url, username, password string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := authfiles.OpenAuthConfig(file, authfiles.Options{})
		if err != nil {
			return err
		}
		e, found, err := c.Basic(url)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no basic entry for %s", url)
		}
		if e.Username != username || e.Password != password || !e.HasPassword {
			return fmt.Errorf("basic entry %s: username %q password set %v; want %q and the configured password", url, e.Username, e.HasPassword, username)
		}
		return nil
	}
}

// TestAccAuthConfigBasic_lifecycle: create in the default file next to
// Python-written entries, update, import, drift (changed, removed), a
// trailing-slash URL change, and destroy restoring the original bytes.
func TestAccAuthConfigBasic_lifecycle(t *testing.T) {
	dirs := acctest.PreCheck(t)
	file := dirs.AuthConfigPath()
	original := fixture(t, "auth-config.python.json")
	writePrivate(t, file, original, 0o600)
	const url = "https://new.example.org/"
	const pw = "p\u00e4ss/w\u00f6rd \"q\" \\"
	applied := steady{basicName, basicConfig("", url, "alice2", "n3w-pass"), checkBasicEntry(file, url, "alice2", "n3w-pass")}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkBytes(file, original),
		Steps: []resource.TestStep{
			{
				Config: basicConfig("", url, "alice", pw),
				Check:  checkPythonFile(t, file, "auth-config.python.basic-added.tmpl", basicName),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("id"), knownvalue.StringExact("https://new.example.org")),
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("file"), knownvalue.StringExact(file)),
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("date"), knownvalue.StringRegexp(dateRe)),
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("password_wo_version"), knownvalue.Null()),
				},
			},
			applied.after(nil, plancheck.ResourceActionUpdate, plancheck.ExpectUnknownValue(basicName, tfjsonpath.New("date"))),
			// Import never reads secrets into the state; the next apply writes the configured one.
			importStep(basicName, url, "password"),
			// Changed outside Terraform (username): update in place.
			applied.after(editAuthConfig(t, file, func(root *ojson.Object) {
				obj(t, root, "backends", "https://new.example.org", "basic").Set("username", ojson.String("mallory"))
			}), plancheck.ResourceActionUpdate),
			// Changed outside Terraform (password, sensitive attribute): update in place.
			applied.after(editAuthConfig(t, file, func(root *ojson.Object) {
				obj(t, root, "backends", "https://new.example.org", "basic").Set("password", ojson.String("tampered"))
			}), plancheck.ResourceActionUpdate),
			// Removed outside Terraform: re-created.
			applied.after(editAuthConfig(t, file, func(root *ojson.Object) {
				obj(t, root, "backends", "https://new.example.org").Delete("basic")
			}), plancheck.ResourceActionCreate),
			{
				// Same key after normalisation: an in-place update, not a replacement.
				Config:           basicConfig("", "https://new.example.org", "alice2", "n3w-pass"),
				ConfigPlanChecks: expect(basicName, plancheck.ResourceActionUpdate),
				Check:            checkBasicEntry(file, url, "alice2", "n3w-pass"),
			},
			{
				// Another file: replacement (the entry moves).
				Config:           basicConfig(filepath.Join(filepath.Dir(file), "other.json"), "https://new.example.org", "alice2", "n3w-pass"),
				ConfigPlanChecks: expect(basicName, plancheck.ResourceActionReplace),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkBytes(file, original),
					checkBasicEntry(filepath.Join(filepath.Dir(file), "other.json"), url, "alice2", "n3w-pass"),
				),
			},
		},
	})
}

// TestAccAuthConfigBasic_freshFile: a missing file and its folders are
// created like the Python client does (the file 0600, metadata block,
// Python's byte layout), but with private folders (0700, where Python uses the
// default mode); destroy leaves the file with its metadata.
func TestAccAuthConfigBasic_freshFile(t *testing.T) {
	acctest.PreCheck(t)
	root := t.TempDir()
	file := filepath.Join(root, "a", "b", "auth-config.json")
	const dirMode = os.FileMode(0o700)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(s *terraform.State) error {
			c, err := authfiles.OpenAuthConfig(file, authfiles.Options{})
			if err != nil {
				return err
			}
			doc, exists, err := c.Document(true)
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("after destroy: %s is gone", file)
			}
			if got := doc.Keys(); fmt.Sprint(got) != "[backends metadata general]" {
				return fmt.Errorf("after destroy: keys %v", got)
			}
			if b, _ := doc.Object("backends"); b.Len() != 0 {
				return fmt.Errorf("after destroy: backends not empty")
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: basicConfig(file, "https://openeo.example.com", "john", "j0hn123"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkPythonFile(t, file, "auth-config.fresh-basic.tmpl", basicName),
				checkMode(filepath.Join(root, "a"), dirMode),
				checkMode(filepath.Join(root, "a", "b"), dirMode),
			),
		}},
	})
}

// TestAccAuthConfigBasic_validators checks the configuration rules that do
// not involve write-only attributes.
func TestAccAuthConfigBasic_validators(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "auth-config.json")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  file     = %s
  url      = "https://openeo.example.com"
  username = "john"
}`, q(file)), "Exactly one of these attributes must be configured: [password,password_wo]"),
			planFails(basicConfig(file, "openeo.example.com", "john", "pw"),
				"Invalid url", "not an http:// or https:// URL", "https://openeo.example.com"),
			planFails(basicConfig(file, "https://openeo.example.com", "", "pw"), "username", "at least 1"),
			planFails(basicConfig(file, "https://openeo.example.com", "john", ""), "password", "at least 1"),
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  file                = %s
  url                 = "https://openeo.example.com"
  username            = "john"
  password            = "pw"
  password_wo_version = 1
}`, q(file)), "password_wo"),
		},
	})
	if _, err := os.Stat(file); err == nil {
		t.Fatalf("a failed validation created %s", file)
	}
}

// TestAccAuthConfigBasic_writeOnly: the password never reaches the state;
// *_wo_version triggers rewrites; a rewrite outside Terraform (new date) makes
// the next plan write the password again.
func TestAccAuthConfigBasic_writeOnly(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "auth-config.json")
	const url = "https://openeo.example.com"
	const pw1, pw2, pw3 = "wo-secret-one-7f3a", "wo-secret-two-91bc", "wo-secret-three-c0de"
	noSecrets := stateHasNoSecrets(pw1, pw2, pw3)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.WriteOnlyAttributes},
		Steps: []resource.TestStep{
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  file        = %s
  url         = "https://openeo.example.com"
  username    = "john"
  password    = "pw"
  password_wo = "pw"
  password_wo_version = 1
}`, q(file)), "Invalid Attribute Combination"),
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_basic" "test" {
  file        = %s
  url         = "https://openeo.example.com"
  username    = "john"
  password_wo = "pw"
}`, q(file)), "Invalid Attribute Combination", "password_wo_version"),
			{
				Config: basicWOConfig(file, pw1, 1),
				Check:  checkBasicEntry(file, url, "john", pw1),
				ConfigStateChecks: []statecheck.StateCheck{
					noSecrets,
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("password"), knownvalue.Null()),
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(basicName, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				// A new write-only value without a new version is not seen (documented).
				Config:           basicWOConfig(file, pw2, 1),
				ConfigPlanChecks: expectNoChanges(),
				Check:            checkBasicEntry(file, url, "john", pw1),
			},
			{
				Config:            basicWOConfig(file, pw2, 2),
				ConfigPlanChecks:  expect(basicName, plancheck.ResourceActionUpdate),
				Check:             checkBasicEntry(file, url, "john", pw2),
				ConfigStateChecks: []statecheck.StateCheck{noSecrets},
			},
			{
				// Rewritten outside Terraform with another password (another date).
				PreConfig: editAuthConfig(t, file, func(root *ojson.Object) {
					b := obj(t, root, "backends", url, "basic")
					b.Set("date", ojson.String("2021-02-03T04:05:06Z"))
					b.Set("password", ojson.String(pw3))
				}),
				Config: basicWOConfig(file, pw2, 2),
				ConfigPlanChecks: expect(basicName, plancheck.ResourceActionUpdate,
					plancheck.ExpectKnownValue(basicName, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(2))),
				Check:             checkBasicEntry(file, url, "john", pw2),
				ConfigStateChecks: []statecheck.StateCheck{noSecrets},
			},
			importStep(basicName, url+" "+file, "password_wo_version"),
		},
	})
}
