package provider_test

// Terraform CLI acceptance tests of client authentication with a signed JWT
// (RFC 7523 private_key_jwt) against private_key_jwt clients registered at
// the test IdP: the provider signs a fresh assertion for each token request
// with the key from client_assertion_key_file or client_assertion_key. A
// ready-made client_assertion is tested in internal/acceptance (it can be
// used once, so it needs a single Terraform run).

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// writeKeyFile writes a PEM private key to a file of its own (0600) and
// returns its path.
func writeKeyFile(t *testing.T, k testrig.SigningKey) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "client-key.pem")
	if err := os.WriteFile(p, k.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// authenticatedWithAssertion checks that every token request of the client
// was authenticated with a client assertion, and that there was one.
func authenticatedWithAssertion(t *testing.T, idp *testrig.OpenIDProvider, clientID string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := idp.Stats(t, clientID)
		if s.TokenRequests == 0 || s.ByAuth[testrig.AuthPrivateKeyJWT] != s.TokenRequests {
			return fmt.Errorf("token requests of the client %+v: want all with %s", s, testrig.AuthPrivateKeyJWT)
		}
		return nil
	}
}

// TestAccClientAssertionClientCredentials logs in with client_credentials
// and a signed client assertion for each signing algorithm: RS256 and PS256
// with an RSA key read from client_assertion_key_file, ES256 with a P-256
// key given inline as client_assertion_key. The back-end validates the
// token by introspection; the account is the client's.
func TestAccClientAssertionClientCredentials(t *testing.T) {
	for _, tc := range []struct {
		alg    string
		inline bool
	}{{"RS256", false}, {"PS256", false}, {"ES256", true}} {
		t.Run(tc.alg, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			key := testrig.NewSigningKey(t, tc.alg)
			client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{key}})
			keyAttr := "client_assertion_key_file = " + q(writeKeyFile(t, key))
			if tc.inline {
				keyAttr = "client_assertion_key      = " + q(string(key.PEM))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
				Steps: []resource.TestStep{{
					Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", Extra: fmt.Sprintf(`  oidc {
    client_id                 = %s
    %s
    client_assertion_key_id   = %s
    client_assertion_alg      = %s
  }`, q(client.ID), keyAttr, q(key.KeyID), q(tc.alg))}.HCL() + `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						account("me", knownvalue.StringExact(client.ID)),
						token("t", "auth_method", knownvalue.StringExact("client_credentials")),
						token("t", "provider_id", knownvalue.StringExact(acctest.ProviderID)),
					},
					Check: authenticatedWithAssertion(t, r.IdP, client.ID),
				}},
			})
		})
	}
}

// TestAccClientAssertionWrongKey signs with a key that is not in the
// client's JWKS: the IdP refuses the client, and the diagnostic names the
// client assertion settings (not a client secret) as what to fix.
func TestAccClientAssertionWrongKey(t *testing.T) {
	r := acctest.RigPreCheck(t)
	registered := testrig.NewSigningKey(t, "ES256")
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{registered}})
	other := testrig.NewSigningKey(t, "ES256")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", Extra: fmt.Sprintf(`  oidc {
    client_id                 = %s
    client_assertion_key_file = %s
    client_assertion_key_id   = %s
  }`, q(client.ID), q(writeKeyFile(t, other)), q(registered.KeyID))}.HCL() + `
data "openeo_account" "me" {}
`,
			ExpectError: regexp.MustCompile(`(?s)OIDC Client Authentication Failed.*invalid_client.*` +
				`the\s+public\s+key\s+of\s+oidc.client_assertion_key_file\s+must\s+be\s+in\s+the\s+JWKS\s+registered\s+for\s+the\s+client` +
				`\s+with\s+the\s+key\s+id\s+"` + regexp.QuoteMeta(registered.KeyID) + `".*ES256\s+signatures`),
		}},
	})
	if s := r.IdP.Stats(t, client.ID); s.ByAuth[testrig.AuthPrivateKeyJWT] == 0 || s.ByStatus["200"] != 0 {
		t.Errorf("token requests of the client %+v: want refused client assertions only", s)
	}
}

// TestAccClientAssertionKeyProblems: a key file that cannot be read and a
// key that cannot sign the configured algorithm fail the provider's
// configuration with the attribute and the fix, before any token request.
func TestAccClientAssertionKeyProblems(t *testing.T) {
	r := acctest.RigPreCheck(t)
	key := testrig.NewSigningKey(t, "RS256")
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{key}})
	config := func(oidc string) string {
		return acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", Extra: fmt.Sprintf(`  oidc {
    client_id = %s
    %s
  }`, q(client.ID), oidc)}.HCL() + `
data "openeo_account" "me" {}
`
	}
	missing := filepath.Join(t.TempDir(), "no-such-key.pem")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				Config: config("client_assertion_key_file = " + q(missing)),
				ExpectError: regexp.MustCompile(`(?s)Client Assertion Key File Unreadable.*oidc.client_assertion_key_file\s+could\s+not\s+be\s+read.*` +
					`Give\s+the\s+path\s+of\s+a\s+PEM\s+private\s+key`),
			},
			{
				Config: config("client_assertion_key_file = " + q(writeKeyFile(t, key)) + "\n    client_assertion_alg = \"ES256\""),
				ExpectError: regexp.MustCompile(`(?s)Unusable Client Assertion Key.*oidc.client_assertion_key_file:\s+the\s+client\s+assertion\s+key\s+is\s+an\s+RSA\s+key,` +
					`\s+which\s+cannot\s+sign\s+"ES256":\s+set\s+the\s+algorithm\s+to\s+RS256\s+or\s+PS256`),
			},
		},
	})
	if n := r.IdP.TokenRequests(t, client.ID); n != 0 {
		t.Errorf("%d token requests with an unusable key, want none", n)
	}
}

// TestAccClientAssertionTokenExchange: a client assertion authenticates the
// client of a token exchange too (the subject token is a GitHub-style ID
// token from the rig's CI issuer; the subject-token cases are tested
// elsewhere).
func TestAccClientAssertionTokenExchange(t *testing.T) {
	r := acctest.RigPreCheck(t)
	ci := testrig.CI(t)
	key := testrig.NewSigningKey(t, "RS256")
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{key},
		GrantTypes: []string{testrig.GrantTokenExchange}})
	// One subject token for every run of the test: the IdP accepts a subject
	// token more than once while it is valid.
	subject := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: r.IdP.Issuer()})
	t.Setenv("TF_VAR_subject_token", subject)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: `variable "subject_token" {
  type      = string
  sensitive = true
}
` + acctest.ProviderBlock{URL: r.Backend.URL(), Method: "token_exchange", Extra: fmt.Sprintf(`  oidc {
    client_id                 = %s
    client_assertion_key_file = %s
    client_assertion_key_id   = %s
    subject_token             = var.subject_token
    audience                  = %s
  }`, q(client.ID), q(writeKeyFile(t, key)), q(key.KeyID), q(r.IdP.Issuer()))}.HCL() + `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				account("me", knownvalue.StringExact(testrig.Alice.Name)),
				token("t", "auth_method", knownvalue.StringExact("token_exchange")),
			},
			Check: authenticatedWithAssertion(t, r.IdP, client.ID),
		}},
	})
}
