package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"
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
	ctx = e.ctx(ctx)
	const what = "open the openEO bearer token"
	sess, deferred := e.session(ctx, what, req.ClientCapabilities.DeferralAllowed, &resp.Diagnostics)
	if deferred {
		resp.Deferred = &ephemeral.Deferred{Reason: ephemeral.DeferredReasonProviderConfigUnknown}
		return
	}
	if sess == nil {
		return
	}
	tok, err := e.readToken(ctx, sess)
	if err != nil {
		e.fail(&resp.Diagnostics, err, what)
		return
	}
	ctx = maskToken(ctx, tok)
	m := tokenToModel(tok, e.client.Settings().Method)
	tflog.Debug(ctx, "opened openEO bearer token", map[string]any{
		"method": tok.Method, "provider_id": tok.ProviderID, "expires_at": m.ExpiresAt.ValueString(),
	})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
