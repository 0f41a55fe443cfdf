package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"

	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

var (
	_ ephemeral.EphemeralResource              = (*bearerTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*bearerTokenEphemeralResource)(nil)
)

// NewBearerTokenEphemeralResource returns the openeo_bearer_token ephemeral resource.
func NewBearerTokenEphemeralResource() ephemeral.EphemeralResource {
	return &bearerTokenEphemeralResource{}
}

type bearerTokenEphemeralResource struct{ base }

func (e *bearerTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bearer_token"
}

func (e *bearerTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The openEO bearer token of the provider instance, **never stored** in the state or in plan " +
			"files. Use it in provider blocks, write-only arguments, provisioners or other ephemeral values.\n\n" +
			"-> Requires Terraform >= 1.10 or OpenTofu >= 1.11. Terraform opens the ephemeral resource afresh in each phase " +
			"(plan and apply), so the token does not go stale between a plan and its apply. It is not renewed while one " +
			"phase runs: check `expires_at` if an operation may outlive the token.",
		Attributes: bearerTokenEphemeralAttributes(),
	}
}

func (e *bearerTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.configure(req.ProviderData, "Ephemeral Resource", &resp.Diagnostics)
}

func (e *bearerTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	m, deferred, ok := fromBackend(ctx, &e.base, "open the openEO bearer token", req.ClientCapabilities.DeferralAllowed,
		&resp.Diagnostics, (*pd.Session).Token, e.tokenModel("opened openEO bearer token"))
	if deferred {
		resp.Deferred = &ephemeral.Deferred{Reason: ephemeral.DeferredReasonProviderConfigUnknown}
	}
	if ok {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	}
}
