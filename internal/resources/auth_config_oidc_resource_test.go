package resources_test

import (
	"fmt"
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

const oidcName = "openeo_auth_config_oidc.test"

// oidcConfig renders the resource; "" leaves an optional attribute out.
func oidcConfig(file, url, providerID, clientID, secret, issuer string) string {
	opt := func(name, v string) string {
		if v == "" {
			return ""
		}
		return fmt.Sprintf("  %s = %s\n", name, q(v))
	}
	return fmt.Sprintf(`
resource "openeo_auth_config_oidc" "test" {
%s  url         = %s
  provider_id = %s
%s%s%s}
`, opt("file", file), q(url), q(providerID), opt("client_id", clientID), opt("client_secret", secret), opt("issuer", issuer))
}

// checkOIDCEntry compares the stored entry; nil pointers mean JSON null or
// absent (issuer: absent).
func checkOIDCEntry(file, providerID string, clientID, secret, issuer *string) resource.TestCheckFunc {
	url := backendURL
	return func(*terraform.State) error {
		c, err := authfiles.OpenAuthConfig(file, authfiles.Options{})
		if err != nil {
			return err
		}
		e, found, err := c.OIDCProvider(url, providerID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no oidc entry for %s %s", url, providerID)
		}
		eq := func(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
		var gotIssuer *string
		if e.HasIssuer {
			gotIssuer = &e.Issuer
		}
		if !eq(e.ClientID, clientID) || !eq(e.ClientSecret, secret) || !eq(gotIssuer, issuer) {
			return fmt.Errorf("oidc entry %s %s: client_id %v, secret set %v, issuer %v: not as configured",
				url, providerID, deref(e.ClientID), e.ClientSecret != nil, deref(gotIssuer))
		}
		return nil
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func sp(s string) *string { return &s }

// TestAccAuthConfigOIDC_lifecycle: a new provider next to Python-written
// ones in an explicit file; update (issuer dropped, client changed), import
// with the file in the ID, drift of client_id and secret, an unexpected
// secret on a public client, the back-end's default client, removal, and a
// destroy that restores the original bytes.
func TestAccAuthConfigOIDC_lifecycle(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "cfg", "auth-config.json")
	original := fixture(t, "auth-config.python.json")
	writePrivate(t, file, original, 0o600)
	const url, pid = "https://openeo.example.com", "new-idp"
	const issuer = "https://idp.example.org/realms/x"
	confidential := steady{oidcName, oidcConfig(file, url, pid, "client-2", "s3cr3t-2", ""),
		checkOIDCEntry(file, pid, sp("client-2"), sp("s3cr3t-2"), nil)}
	defaultClient := steady{oidcName, oidcConfig(file, url, pid, "", "", issuer), checkOIDCEntry(file, pid, nil, nil, sp(issuer))}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkBytes(file, original),
		Steps: []resource.TestStep{
			{
				Config: oidcConfig(file, url, pid, "client-1", "s3cr3t", issuer),
				Check:  checkPythonFile(t, file, "auth-config.python.oidc-added.tmpl", oidcName),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(oidcName, tfjsonpath.New("id"), knownvalue.StringExact(url+" "+pid)),
					statecheck.ExpectKnownValue(oidcName, tfjsonpath.New("date"), knownvalue.StringRegexp(dateRe)),
				},
			},
			{
				Config:           oidcConfig(file, url, pid, "client-2", "s3cr3t-2", ""),
				ConfigPlanChecks: expect(oidcName, plancheck.ResourceActionUpdate),
				Check:            checkOIDCEntry(file, pid, sp("client-2"), sp("s3cr3t-2"), nil),
			},
			importStep(oidcName, url+" "+pid+" "+file, "client_secret"),
			confidential.after(editAuthConfig(t, file, func(root *ojson.Object) {
				obj(t, root, "backends", url, "oidc", "providers", pid).Set("client_id", ojson.String("evil"))
			}), plancheck.ResourceActionUpdate),
			confidential.after(editAuthConfig(t, file, func(root *ojson.Object) {
				p := obj(t, root, "backends", url, "oidc", "providers", pid)
				p.Set("client_secret", ojson.String("tampered"))
				p.Set("issuer", ojson.String("https://evil.example.org"))
			}), plancheck.ResourceActionUpdate),
			// The back-end's default client: client_id and client_secret null.
			defaultClient.after(nil, plancheck.ResourceActionUpdate),
			{
				// A secret added outside Terraform to a public client is drift,
				// found without the secret entering the state.
				PreConfig: editAuthConfig(t, file, func(root *ojson.Object) {
					p := obj(t, root, "backends", url, "oidc", "providers", pid)
					p.Set("client_secret", ojson.String("foreign-secret-1234"))
				}),
				Config: oidcConfig(file, url, pid, "", "", issuer),
				ConfigPlanChecks: expect(oidcName, plancheck.ResourceActionUpdate,
					plancheck.ExpectUnknownValue(oidcName, tfjsonpath.New("date"))),
				Check:             checkOIDCEntry(file, pid, nil, nil, sp(issuer)),
				ConfigStateChecks: []statecheck.StateCheck{stateHasNoSecrets("foreign-secret-1234")},
			},
			defaultClient.after(editAuthConfig(t, file, func(root *ojson.Object) {
				obj(t, root, "backends", url, "oidc", "providers").Delete(pid)
			}), plancheck.ResourceActionCreate),
			{
				// Another provider id: replacement.
				Config:           oidcConfig(file, url, "other-idp", "", "", issuer),
				ConfigPlanChecks: expect(oidcName, plancheck.ResourceActionReplace),
				Check:            checkOIDCEntry(file, "other-idp", nil, nil, sp(issuer)),
			},
		},
	})
}

// TestAccAuthConfigOIDC_freshDefaultClient writes what
// `openeo-auth add-oidc --use-default-client` writes, in a new default file.
func TestAccAuthConfigOIDC_freshDefaultClient(t *testing.T) {
	dirs := acctest.PreCheck(t)
	file := dirs.AuthConfigPath()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: oidcConfig("", "https://openeo.example.com/", "egi", "", "", "https://aai.egi.eu/auth/realms/egi"),
			Check:  checkPythonFile(t, file, "auth-config.fresh-oidc-default-client.tmpl", oidcName),
		}},
	})
}

// TestAccAuthConfigOIDC_writeOnly: the client secret stays out of the state.
func TestAccAuthConfigOIDC_writeOnly(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "auth-config.json")
	const url, pid = "https://openeo.example.com", "egi"
	const s1, s2 = "wo-client-secret-aa11", "wo-client-secret-bb22"
	cfg := func(secret string, version int) string {
		return fmt.Sprintf(`
resource "openeo_auth_config_oidc" "test" {
  file                     = %s
  url                      = %s
  provider_id              = %s
  client_id                = "client-1"
  client_secret_wo         = %s
  client_secret_wo_version = %d
}
`, q(file), q(url), q(pid), q(secret), version)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.WriteOnlyAttributes},
		Steps: []resource.TestStep{
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_oidc" "test" {
  file             = %s
  url              = "https://openeo.example.com"
  provider_id      = "egi"
  client_id        = "c"
  client_secret    = "x"
  client_secret_wo = "x"
  client_secret_wo_version = 1
}`, q(file)), "Invalid Attribute Combination", "client_secret", "client_secret_wo"),
			planFails(fmt.Sprintf(`
resource "openeo_auth_config_oidc" "test" {
  file          = %s
  url           = "https://openeo.example.com"
  provider_id   = "egi"
  client_secret = "x"
}`, q(file)), "client_id"),
			planFails(oidcConfig(file, url, "has space", "", "", ""), "must not be empty or contain white space"),
			{
				Config: cfg(s1, 1),
				Check:  checkOIDCEntry(file, pid, sp("client-1"), sp(s1), nil),
				ConfigStateChecks: []statecheck.StateCheck{
					stateHasNoSecrets(s1, s2),
					statecheck.ExpectKnownValue(oidcName, tfjsonpath.New("client_secret"), knownvalue.Null()),
				},
			},
			{
				Config:            cfg(s2, 2),
				ConfigPlanChecks:  expect(oidcName, plancheck.ResourceActionUpdate),
				Check:             checkOIDCEntry(file, pid, sp("client-1"), sp(s2), nil),
				ConfigStateChecks: []statecheck.StateCheck{stateHasNoSecrets(s1, s2)},
			},
			{
				// The secret was nulled outside Terraform: written again.
				PreConfig: editAuthConfig(t, file, func(root *ojson.Object) {
					obj(t, root, "backends", url, "oidc", "providers", pid).Set("client_secret", ojson.Null())
				}),
				Config:           cfg(s2, 2),
				ConfigPlanChecks: expect(oidcName, plancheck.ResourceActionUpdate),
				Check:            checkOIDCEntry(file, pid, sp("client-1"), sp(s2), nil),
			},
		},
	})
}
