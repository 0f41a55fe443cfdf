package provider_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

// BenchmarkReadAccount is one openeo_account read through the provider
// server, as Terraform sends it during a plan: the provider is configured
// once (basic login at the in-process test back-end, credentials from
// auth-config.json), then every op is a ReadDataSource (session lookup,
// bearer, GET /me on loopback, JSON parse, state). Profile it with
// `go test ./internal/provider -run '^$' -bench ReadAccount -cpuprofile cpu.out`.
func BenchmarkReadAccount(b *testing.B) {
	dirs := acctest.IsolateEnv(b)
	const user, password = "carol", "carol-basic-Pw-3e1d"
	be := testbackend.Start(b, testbackend.Config{BasicUsers: map[string]string{user: password}})
	doc := fmt.Sprintf(`{"backends": {%q: {"basic": {"date": "2026-01-01T00:00:00Z", "username": %q, "password": %q}}}}`,
		be.URL(), user, password)
	if err := os.WriteFile(dirs.AuthConfigPath(), []byte(doc), 0o600); err != nil {
		b.Fatal(err)
	}

	srv := providerserver.NewProtocol6(provider.NewWithOptions("bench", provider.Options{Interaction: noInteraction})())()
	ctx := b.Context()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	pty, ok := schemas.Provider.Block.ValueType().(tftypes.Object)
	if !ok {
		b.Fatal("the provider schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range pty.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["url"] = tftypes.NewValue(tftypes.String, be.URL())
	vals["auth_method"] = tftypes.NewValue(tftypes.String, "basic")
	cfg, err := tfprotov6.NewDynamicValue(pty, tftypes.NewValue(pty, vals))
	if err != nil {
		b.Fatal(err)
	}
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: &cfg})
	if err != nil || hasError(cresp.Diagnostics) {
		b.Fatalf("configure: %v %s", err, diagsText(cresp.Diagnostics))
	}
	const name = "openeo_account"
	dty, ok := schemas.DataSourceSchemas[name].Block.ValueType().(tftypes.Object)
	if !ok {
		b.Fatal("the data source schema is not an object")
	}
	dvals := map[string]tftypes.Value{}
	for n, at := range dty.AttributeTypes {
		dvals[n] = tftypes.NewValue(at, nil)
	}
	dcfg, err := tfprotov6.NewDynamicValue(dty, tftypes.NewValue(dty, dvals))
	if err != nil {
		b.Fatal(err)
	}
	req := &tfprotov6.ReadDataSourceRequest{TypeName: name, Config: &dcfg,
		ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: true}}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := srv.ReadDataSource(ctx, req)
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("read: %v %s", err, diagsText(resp.Diagnostics))
		}
	}
}
