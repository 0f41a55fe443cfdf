package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"

	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// NewBearerTokenDataSource returns the openeo_bearer_token data source.
func NewBearerTokenDataSource() datasource.DataSource {
	return &bearerTokenDataSource{providerDataSource{typeName: "_bearer_token"}}
}

type bearerTokenDataSource struct{ providerDataSource }

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

func (d *bearerTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readFromBackend(ctx, &d.base, "get an openEO bearer token", req, resp, (*pd.Session).Token,
		d.tokenModel("read openEO bearer token"))
}
