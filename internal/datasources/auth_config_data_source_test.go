package datasources_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
)

// The Python-format fixtures live with the resources' tests.
func authFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "resources", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeMode(t *testing.T, path string, data []byte, mode os.FileMode) {
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

type noSecretsInState []string

func (c noSecretsInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for _, s := range c {
		if strings.Contains(string(b), s) {
			resp.Error = fmt.Errorf("the state contains the secret %q", s)
			return
		}
	}
}

const authConfigDS = "data.openeo_auth_config.test"

// TestAccAuthConfigDataSource lists the entries of Python-written files in
// the default locations, secrets redacted, like openeo-auth config-dump.
func TestAccAuthConfigDataSource(t *testing.T) {
	dirs := acctest.PreCheck(t)
	writeMode(t, dirs.AuthConfigPath(), authFixture(t, "auth-config.python.json"), 0o600)
	writeMode(t, dirs.RefreshTokensPath(), authFixture(t, "refresh-tokens.python.json"), 0o600)
	// Every secret of the fixtures, as JSON would show it in the state.
	secrets := noSecretsInState{"j0hn123", "$6cr67", "eyJhbGciOi", "r3fr", `p\u00e4ss`, "päss"}
	missing := filepath.Join(t.TempDir(), "nothing-here.json")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.Options{}),
		Steps: []resource.TestStep{
			{
				Config: `data "openeo_auth_config" "test" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					secrets,
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("auth_config_file"), knownvalue.StringExact(dirs.AuthConfigPath())),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("refresh_tokens_file"), knownvalue.StringExact(dirs.RefreshTokensPath())),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("basic"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"url": knownvalue.StringExact("https://openeo.example.com"), "username": knownvalue.StringExact("john"),
							"has_password": knownvalue.Bool(true), "date": knownvalue.StringExact("2020-07-24T13:40:50Z"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"url": knownvalue.StringExact("https://openeo.vito.be"), "username": knownvalue.StringExact("J\u00fcrgen"),
							"has_password": knownvalue.Bool(true), "date": knownvalue.StringExact("2023-01-02T03:04:05Z"),
						}),
					})),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("oidc"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"url": knownvalue.StringExact("https://openeo.example.com"), "provider_id": knownvalue.StringExact("egi"),
							"client_id": knownvalue.StringExact("client-d7393fba"), "has_client_secret": knownvalue.Bool(true),
							"issuer": knownvalue.StringExact("https://aai.egi.eu/auth/realms/egi"), "date": knownvalue.StringExact("2020-06-08T11:18:27Z"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"url": knownvalue.StringExact("https://openeo.vito.be"), "provider_id": knownvalue.StringExact("terrascope"),
							"client_id": knownvalue.Null(), "has_client_secret": knownvalue.Bool(false),
							"issuer": knownvalue.StringExact("https://sso.terrascope.be/auth/realms/terrascope"), "date": knownvalue.StringExact("2022-05-11T13:13:20Z"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"url": knownvalue.StringExact("https://openeo.vito.be"), "provider_id": knownvalue.StringExact("egi"),
							"client_id": knownvalue.StringExact("vito-client"), "has_client_secret": knownvalue.Bool(false),
							"issuer": knownvalue.Null(), "date": knownvalue.StringExact("2022-05-12T08:00:00Z"),
						}),
					})),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("refresh_tokens"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"issuer": knownvalue.StringExact("https://oidc.example.net"), "client_id": knownvalue.StringExact("default-client"),
							"date": knownvalue.StringExact("2022-05-11T13:13:20Z"),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"issuer": knownvalue.StringExact("https://sso.terrascope.be/auth/realms/terrascope"), "client_id": knownvalue.StringExact("vito-default-client"),
							"date": knownvalue.StringExact("2023-03-04T05:06:07Z"),
						}),
					})),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("auth_config_json"),
						knownvalue.StringExact(string(authFixture(t, "auth-config.python.redacted.json")))),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("refresh_tokens_json"),
						knownvalue.StringExact(string(authFixture(t, "refresh-tokens.python.redacted.json")))),
				},
			},
			{
				Config: fmt.Sprintf(`data "openeo_auth_config" "test" {
  auth_config_file    = %s
  refresh_tokens_file = %s
}`, acctest.HCLString(missing), acctest.HCLString(missing)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("basic"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("oidc"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("refresh_tokens"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("auth_config_json"), knownvalue.Null()),
					statecheck.ExpectKnownValue(authConfigDS, tfjsonpath.New("refresh_tokens_json"), knownvalue.Null()),
				},
			},
			{
				PreConfig: func() {
					if err := os.Chmod(dirs.AuthConfigPath(), 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config:      `data "openeo_auth_config" "test" {}`,
				ExpectError: regexp.MustCompile(`could\s+be\s+readable\s+by\s+others:\s+mode\s+644\s+\(expected:\s+600\)[\s\S]*chmod\s+600`),
			},
		},
	})
	if _, err := os.Stat(missing); err == nil {
		t.Fatalf("reading created %s", missing)
	}
}
