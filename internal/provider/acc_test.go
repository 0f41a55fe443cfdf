package provider_test

// Terraform CLI acceptance tests of the provider configuration against the
// rig. They skip without TF_ACC, a Terraform CLI or the test IdP.

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

var q = acctest.HCLString

func account(name string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.openeo_account."+name, tfjsonpath.New("user_id"), check)
}

func token(name, attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.openeo_bearer_token."+name, tfjsonpath.New(attr), check)
}

// TestAccTwoAliases configures two instances with different methods in one
// configuration, with environment variables that would switch both if they
// leaked: each instance keeps its own explicit settings. It runs the built
// provider binary, so that each alias gets its own provider process as with
// a real `terraform apply` (in-process test providers serve every alias
// from one server).
func TestAccTwoAliases(t *testing.T) {
	r := acctest.RigPreCheck(t)
	providers := acctest.BinaryProvider(t)
	other := r.IdP.RegisterClient(t, testrig.ClientSpec{Name: "alias-env"})
	t.Setenv("OPENEO_AUTH_METHOD", "password")
	t.Setenv("OPENEO_AUTH_CLIENT_ID", other.ID)
	t.Setenv("OPENEO_AUTH_CLIENT_SECRET", "wrong-env-secret-c0ffee")
	t.Setenv("OPENEO_AUTH_USERNAME", testrig.Bob.Name)
	t.Setenv("OPENEO_AUTH_PASSWORD", "wrong-env-password-bad")
	resource.Test(t, resource.TestCase{
		ExternalProviders: providers,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`provider "openeo" {
  url         = %[1]s
  auth_method = "client_credentials"
  oidc {
    client_id     = %[2]s
    client_secret = %[3]s
  }
}

provider "openeo" {
  alias       = "basic"
  url         = %[1]s
  auth_method = "basic"
  basic {
    username = %[4]s
    password = %[5]s
  }
}

data "openeo_account" "cc" {}
data "openeo_bearer_token" "cc" {}

data "openeo_account" "basic" {
  provider = openeo.basic
}
data "openeo_bearer_token" "basic" {
  provider = openeo.basic
}
`, q(r.Backend.URL()), q(r.Client.ID), q(r.Client.Secret), q(acctest.BasicUser), q(acctest.BasicPassword)),
			ConfigStateChecks: []statecheck.StateCheck{
				account("cc", knownvalue.StringExact(r.Client.ID)),
				token("cc", "auth_method", knownvalue.StringExact("client_credentials")),
				token("cc", "method", knownvalue.StringExact("oidc")),
				account("basic", knownvalue.StringExact(acctest.BasicUser)),
				token("basic", "auth_method", knownvalue.StringExact("basic")),
				token("basic", "method", knownvalue.StringExact("basic")),
				token("basic", "provider_id", knownvalue.Null()),
			},
		}},
	})
	if n := r.IdP.TokenRequests(t, other.ID); n != 0 {
		t.Errorf("the client from the environment was used %d times", n)
	}
}

// TestAccEnvFallbacks configures providers through the environment only.
func TestAccEnvFallbacks(t *testing.T) {
	r := acctest.RigPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				// url, method and client from OPENEO_* variables.
				PreConfig: func() {
					t.Setenv("OPENEO_BACKEND_URL", r.Backend.URL())
					t.Setenv("OPENEO_AUTH_METHOD", "client_credentials")
					t.Setenv("OPENEO_AUTH_CLIENT_ID", r.Client.ID)
					t.Setenv("OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret)
					t.Setenv("OPENEO_AUTH_PROVIDER_ID", acctest.ProviderID)
				},
				Config: `
provider "openeo" {}
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(r.Client.ID)),
					token("t", "auth_method", knownvalue.StringExact("client_credentials")),
					token("t", "provider_id", knownvalue.StringExact(acctest.ProviderID)),
				},
			},
			{
				// Basic credentials from OPENEO_AUTH_USERNAME/PASSWORD: the method
				// is inferred from them.
				PreConfig: func() {
					t.Setenv("OPENEO_AUTH_METHOD", "")
					t.Setenv("OPENEO_AUTH_CLIENT_ID", "")
					t.Setenv("OPENEO_AUTH_CLIENT_SECRET", "")
					t.Setenv("OPENEO_AUTH_USERNAME", acctest.BasicUser2)
					t.Setenv("OPENEO_AUTH_PASSWORD", acctest.BasicPassword2)
				},
				Config: `
provider "openeo" {}
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(acctest.BasicUser2)),
					token("t", "auth_method", knownvalue.StringExact("basic")),
				},
			},
			{
				// An explicit attribute beats the environment, per field: the
				// username comes from the block, the password from the env.
				PreConfig: func() {
					t.Setenv("OPENEO_AUTH_USERNAME", acctest.BasicUser)
					t.Setenv("OPENEO_AUTH_PASSWORD", acctest.BasicPassword2)
				},
				Config: fmt.Sprintf(`
provider "openeo" {
  basic {
    username = %s
  }
}
data "openeo_account" "me" {}
`, q(acctest.BasicUser2)),
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(acctest.BasicUser2)),
				},
			},
			{
				// Files only: url and method from openeo-client-config.ini,
				// credentials from auth-config.json (both found through
				// OPENEO_CONFIG_HOME, as the Python client finds them).
				PreConfig: func() {
					for _, v := range acctest.EnvVarsCleared {
						t.Setenv(v, "")
					}
					ini := fmt.Sprintf("[Connection]\ndefault_backend = %s\ndefault_backend.auto_authenticate = basic\n", r.Backend.URL())
					if err := os.WriteFile(r.Dirs.ClientConfigPath(), []byte(ini), 0o600); err != nil {
						t.Fatal(err)
					}
					doc := fmt.Sprintf(`{"backends": {%q: {"basic": {"date": "2026-01-01T00:00:00Z", "username": %q, "password": %q}}}}`,
						r.Backend.URL(), acctest.BasicUser, acctest.BasicPassword)
					if err := os.WriteFile(r.Dirs.AuthConfigPath(), []byte(doc), 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config: `
provider "openeo" {}
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(acctest.BasicUser)),
					token("t", "auth_method", knownvalue.StringExact("basic")),
				},
			},
		},
	})
}

// TestAccAuthConfigFallback: basic credentials and the OIDC client come from
// auth-config.json when neither attributes nor environment give them.
func TestAccAuthConfigFallback(t *testing.T) {
	r := acctest.RigPreCheck(t)
	doc := fmt.Sprintf(`{
  "backends": {
    %[1]q: {
      "basic": {"date": "2026-01-01T00:00:00Z", "username": %[2]q, "password": %[3]q},
      "oidc": {"providers": {%[4]q: {"date": "2026-01-01T00:00:00Z", "client_id": %[5]q, "client_secret": %[6]q}}}
    }
  },
  "metadata": {"type": "AuthConfig", "created": "2026-01-01T00:00:00Z", "created_by": "test", "version": 1},
  "general": {}
}`, r.Backend.URL(), acctest.BasicUser2, acctest.BasicPassword2, acctest.ProviderID, r.Client.ID, r.Client.Secret)
	if err := os.WriteFile(r.Dirs.AuthConfigPath(), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ExternalProviders: acctest.BinaryProvider(t), // two aliases: one process each
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "openeo" {
  url         = %[1]s
  auth_method = "basic"
}

provider "openeo" {
  alias       = "cc"
  url         = %[1]s
  auth_method = "client_credentials"
}

data "openeo_account" "me" {}
data "openeo_account" "cc" {
  provider = openeo.cc
}
`, q(r.Backend.URL())),
			ConfigStateChecks: []statecheck.StateCheck{
				account("me", knownvalue.StringExact(acctest.BasicUser2)),
				account("cc", knownvalue.StringExact(r.Client.ID)),
			},
		}},
	})
}

// TestAccUnknownProviderConfig: a provider value that is only known after
// apply does not fail the provider's configuration; what needs a token says
// why it cannot run yet.
func TestAccUnknownProviderConfig(t *testing.T) {
	r := acctest.RigPreCheck(t)
	// Terraform calls the provider, which names the missing value. OpenTofu
	// does not call it for a data source whose provider configuration is
	// unknown: it fails by itself.
	want := regexp.MustCompile("(?s)Provider Configuration Not Yet Known.*`oidc.client_secret`")
	if acctest.IsOpenTofu(t) {
		want = regexp.MustCompile(`(?s)Provider configuration is incomplete.*known\s+until\s+after\s+apply`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %s
}

provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
  oidc {
    client_id     = %s
    client_secret = terraform_data.secret.output
  }
}

data "openeo_bearer_token" "t" {}
`, q(r.Client.Secret), q(r.Backend.URL()), q(r.Client.ID)),
			ExpectError: want,
		}},
	})
}

// TestAccInsecureBasicRefused: basic auth over plain http to a host that
// is not loopback is refused before anything is sent.
func TestAccInsecureBasicRefused(t *testing.T) {
	acctest.PreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: `
provider "openeo" {
  url = "http://openeo.invalid"
  basic {
    username = "alice"
    password = "never-sent-7c1d"
  }
}
data "openeo_account" "me" {}
`,
			ExpectError: regexp.MustCompile(`(?s)Insecure Basic Authentication.*allow_insecure_basic_auth`),
		}},
	})
}

// TestAccClientIsOneCredential: a client id and its secret are one
// credential (docs/index.md, "Precedence"): an environment secret completes
// an explicit client id, while a client id from the environment never takes
// the secret of the auth-config.json entry, whose client it replaces. And,
// as the Python client's authenticate_oidc(), auth_method = "oidc" with
// OPENEO_AUTH_METHOD=client_credentials is client credentials.
func TestAccClientIsOneCredential(t *testing.T) {
	r := acctest.RigPreCheck(t)
	other := r.IdP.RegisterClient(t, testrig.ClientSpec{Name: "env-id-only"})
	doc := fmt.Sprintf(`{"backends": {%q: {"oidc": {"providers": {%q: {"date": "2026-01-01T00:00:00Z", "client_id": %q, "client_secret": %q}}}}}}`,
		r.Backend.URL(), acctest.ProviderID, r.Client.ID, r.Client.Secret)
	if err := os.WriteFile(r.Dirs.AuthConfigPath(), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cc := fmt.Sprintf(`
provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
}
data "openeo_account" "me" {}
`, q(r.Backend.URL()))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				// The stored entry alone: its client with its secret.
				Config:            cc,
				ConfigStateChecks: []statecheck.StateCheck{account("me", knownvalue.StringExact(r.Client.ID))},
			},
			{
				// A client id from the environment without a secret replaces
				// the entry's client and does not inherit its secret: the
				// identity provider refuses the client.
				PreConfig:   func() { t.Setenv("OPENEO_AUTH_CLIENT_ID", other.ID) },
				Config:      cc,
				ExpectError: regexp.MustCompile(`OIDC Client Authentication Failed(.|\n)*invalid_client`),
			},
			{
				// The environment secret completes an explicit client id; the
				// environment's client id does not apply.
				PreConfig: func() {
					// The refused client was the environment's.
					if st := r.IdP.Stats(t, other.ID); st.TokenRequests == 0 {
						t.Errorf("the client of OPENEO_AUTH_CLIENT_ID was not tried: %+v", st)
					}
					t.Setenv("OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret)
				},
				Config: fmt.Sprintf(`
provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
  oidc {
    client_id = %s
  }
}
data "openeo_account" "me" {}
`, q(r.Backend.URL()), q(r.Client.ID)),
				ConfigStateChecks: []statecheck.StateCheck{account("me", knownvalue.StringExact(r.Client.ID))},
			},
			{
				// auth_method = "oidc" is switched to client credentials by
				// OPENEO_AUTH_METHOD=client_credentials (with the environment's
				// client), without a refresh token or a device flow.
				PreConfig: func() {
					t.Setenv("OPENEO_AUTH_METHOD", "client_credentials")
					t.Setenv("OPENEO_AUTH_CLIENT_ID", other.ID)
					t.Setenv("OPENEO_AUTH_CLIENT_SECRET", other.Secret)
				},
				Config: fmt.Sprintf(`
provider "openeo" {
  url         = %s
  auth_method = "oidc"
}
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`, q(r.Backend.URL())),
				ConfigStateChecks: []statecheck.StateCheck{
					account("me", knownvalue.StringExact(other.ID)),
					token("t", "auth_method", knownvalue.StringExact("client_credentials")),
				},
			},
		},
	})
}

// TestAccTwoMethodsNeedAuthMethod: credentials of two methods without
// auth_method are an error that names both and says to set auth_method
// (not silently basic).
func TestAccTwoMethodsNeedAuthMethod(t *testing.T) {
	r := acctest.RigPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "openeo" {
  url = %s
  basic {}
  oidc {
    client_secret = "two-methods-secret-5e1f"
  }
}
data "openeo_account" "me" {}
`, q(r.Backend.URL())),
			ExpectError: regexp.MustCompile(`Ambiguous Authentication Method(.|\n)*basic\s+\(from\s+basic\);\s+client_credentials\s+\(from\s+oidc.client_secret\)(.|\n)*Set\s+auth_method`),
		}},
	})
}
