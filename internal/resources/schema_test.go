package resources_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
)

// TestSchemas checks, without a Terraform CLI, that the provider serves the
// three resources and the data source with valid schemas, secrets sensitive
// and the *_wo attributes write-only.
func TestSchemas(t *testing.T) {
	srv := providerserver.NewProtocol6(provider.New("test")())()
	resp, err := srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("schema error: %s: %s", d.Summary, d.Detail)
		}
	}
	if _, ok := resp.DataSourceSchemas["openeo_auth_config"]; !ok {
		t.Error("data source openeo_auth_config is not registered")
	}
	want := map[string][]string{
		"openeo_auth_config_basic": {"password", "password_wo"},
		"openeo_auth_config_oidc":  {"client_secret", "client_secret_wo"},
		"openeo_refresh_token":     {"refresh_token", "refresh_token_wo"},
	}
	for typ, secrets := range want {
		s, ok := resp.ResourceSchemas[typ]
		if !ok {
			t.Errorf("resource %s is not registered", typ)
			continue
		}
		attrs := map[string]*tfprotov6.SchemaAttribute{}
		for _, a := range s.Block.Attributes {
			attrs[a.Name] = a
		}
		legacy, wo := attrs[secrets[0]], attrs[secrets[1]]
		if legacy == nil || !legacy.Sensitive || legacy.WriteOnly {
			t.Errorf("%s.%s: want sensitive, not write-only", typ, secrets[0])
		}
		if wo == nil || !wo.Sensitive || !wo.WriteOnly {
			t.Errorf("%s.%s: want sensitive and write-only", typ, secrets[1])
		}
		if v := attrs[secrets[1]+"_version"]; v == nil || v.WriteOnly || v.Sensitive {
			t.Errorf("%s.%s_version: want a plain attribute", typ, secrets[1])
		}
		for _, name := range []string{"id", "file", "date"} {
			if a := attrs[name]; a == nil || !a.Computed {
				t.Errorf("%s.%s: want computed", typ, name)
			}
		}
		// The documented default of file is what defaultFile does: the
		// provider's path setting first, then the Python client's folders.
		setting := "`auth_config_path`"
		if typ == "openeo_refresh_token" {
			setting = "`refresh_token_store_path`"
		}
		if a := attrs["file"]; a != nil {
			desc := a.Description
			iSetting, iHome := strings.Index(desc, setting), strings.Index(desc, "$OPENEO_CONFIG_HOME")
			if iSetting < 0 || iHome < 0 || iSetting > iHome {
				t.Errorf("%s.file: the description must name the provider's %s before the OPENEO_CONFIG_HOME search, got: %s",
					typ, setting, desc)
			}
		}
	}
}
