package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ datasource.DataSource              = (*bearerTokenDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*bearerTokenDataSource)(nil)
)

// NewBearerTokenDataSource returns the openeo_bearer_token data source.
func NewBearerTokenDataSource() datasource.DataSource { return &bearerTokenDataSource{} }

type bearerTokenDataSource struct{ base }

func (d *bearerTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bearer_token"
}

func (d *bearerTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The openEO bearer token of the provider instance, for use in other providers or tools.\n\n" +
			"~> **The values of a data source are stored in the Terraform state and in plan files**, in clear text: " +
			"`sensitive` only hides them in the CLI output. Prefer the `openeo_bearer_token` **ephemeral resource** " +
			"(Terraform >= 1.10, OpenTofu >= 1.11), which has the same attributes and is never stored. A token read here " +
			"at plan time may also have expired when a saved plan is applied.",
		Attributes: bearerTokenDataSourceAttributes(),
	}
}

func (d *bearerTokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, "Data Source", &resp.Diagnostics)
}

func (d *bearerTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx = d.ctx(ctx)
	const what = "get an openEO bearer token"
	sess, deferred := d.session(ctx, what, req.ClientCapabilities.DeferralAllowed, &resp.Diagnostics)
	if deferred {
		resp.Deferred = &datasource.Deferred{Reason: datasource.DeferredReasonProviderConfigUnknown}
		return
	}
	if sess == nil {
		return
	}
	tok, err := d.readToken(ctx, sess)
	if err != nil {
		d.fail(&resp.Diagnostics, err, what)
		return
	}
	ctx = maskToken(ctx, tok)
	m := tokenToModel(tok, d.client.Settings().Method)
	tflog.Debug(ctx, "read openEO bearer token", map[string]any{
		"method": tok.Method, "provider_id": tok.ProviderID, "expires_at": m.ExpiresAt.ValueString(),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
