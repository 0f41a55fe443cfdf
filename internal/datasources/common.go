// Package datasources holds the provider's data sources and ephemeral
// resources: openeo_account, openeo_bearer_token (data source and ephemeral
// resource), openeo_oidc_providers and openeo_capabilities.
package datasources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"

	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// DataSources returns the constructors of every data source in this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAccountDataSource,
		NewBearerTokenDataSource,
		NewOIDCProvidersDataSource,
		NewCapabilitiesDataSource,
		NewAuthConfigDataSource, // openeo_auth_config (auth_config_data_source.go, owned by the auth-files engineer)
	}
}

// EphemeralResources returns the constructors of every ephemeral resource.
func EphemeralResources() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewBearerTokenEphemeralResource,
	}
}

// The data sources: a providerDataSource each, plus their own schema and Read.
var _ = []datasource.DataSourceWithConfigure{
	(*accountDataSource)(nil), (*bearerTokenDataSource)(nil), (*oidcProvidersDataSource)(nil),
	(*capabilitiesDataSource)(nil), (*authConfigDataSource)(nil),
}

// base is embedded by every data source (through providerDataSource) and
// ephemeral resource: it keeps the provider instance's client.
type base struct {
	client *pd.Client
}

// configure stores the provider data. kind is "Data Source" or
// "Ephemeral Resource", for the error summary.
func (b *base) configure(providerData any, kind string, diags *diag.Diagnostics) {
	if providerData == nil {
		// The provider is not configured yet (e.g. during validation).
		return
	}
	c, ok := providerData.(*pd.Client)
	if !ok {
		diags.AddError("Unexpected "+kind+" Configure Type",
			fmt.Sprintf("Expected *providerdata.Client, got: %T. Please report this issue to the provider developers.", providerData))
		return
	}
	b.client = c
}

// providerDataSource is embedded by the data sources: their Metadata (the
// provider's type name + typeName) and Configure.
type providerDataSource struct {
	base
	typeName string // e.g. "_account"
}

func (d *providerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.typeName
}

func (d *providerDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, "Data Source", &resp.Diagnostics)
}

// readFromBackend is the Read of the data sources that ask the back-end:
// it stores the model fromBackend makes. what completes "Cannot <what>" in
// diagnostics.
func readFromBackend[T, M any](ctx context.Context, b *base, what string, req datasource.ReadRequest,
	resp *datasource.ReadResponse, get func(*pd.Session, context.Context) (T, error),
	toModel func(context.Context, T) (M, diag.Diagnostics),
) {
	m, deferred, ok := fromBackend(ctx, b, what, req.ClientCapabilities.DeferralAllowed, &resp.Diagnostics, get, toModel)
	if deferred {
		resp.Deferred = &datasource.Deferred{Reason: datasource.DeferredReasonProviderConfigUnknown}
	}
	if ok {
		resp.Diagnostics.Append(setModel(ctx, &resp.State, &m)...)
	}
}

// fromBackend masks the provider's secrets in the log, gets the provider
// instance's session, calls get with it (a Session method, e.g.
// (*pd.Session).Account) and makes the model of the result with toModel.
// deferred is true when the provider configuration is not known yet and the
// CLI allows a deferral; ok is false when there is no model (deferred, or
// diags has an error).
func fromBackend[T, M any](ctx context.Context, b *base, what string, deferralAllowed bool, diags *diag.Diagnostics,
	get func(*pd.Session, context.Context) (T, error), toModel func(context.Context, T) (M, diag.Diagnostics),
) (m M, deferred, ok bool) {
	ctx = b.ctx(ctx)
	sess, deferred := b.session(ctx, what, deferralAllowed, diags)
	if sess == nil {
		return m, deferred, false
	}
	v, err := get(sess, ctx)
	if n, ok := sess.RefreshTokenNotice(); ok {
		summary, detail := refreshTokenWarning(n, b.client.Settings())
		diags.AddWarning(summary, detail)
	}
	if err != nil {
		b.fail(diags, err, what)
		return m, false, false
	}
	m, modelDiags := toModel(ctx, v)
	diags.Append(modelDiags...)
	return m, false, !diags.HasError()
}

// session returns the provider instance's session, or adds a diagnostic.
// deferred is true when provider values are unknown and the client allows a
// deferral; the caller then defers instead of failing.
func (b *base) session(ctx context.Context, what string, deferralAllowed bool, diags *diag.Diagnostics) (sess *pd.Session, deferred bool) {
	if b.client == nil {
		diags.AddError("Provider Not Configured",
			fmt.Sprintf("Cannot %s: the openeo provider has not been configured. Check that a provider \"openeo\" block "+
				"(or the alias this block uses) exists. Please report this issue to the provider developers if it does.", what))
		return nil, false
	}
	s, err := b.client.Session(ctx)
	if err != nil {
		p := explain(err, b.client.Settings(), what)
		if p.NotReady && deferralAllowed {
			return nil, true
		}
		diags.AddError(p.Summary, p.Detail)
		return nil, false
	}
	return s, false
}

// fail adds the diagnostic for a failed session call.
func (b *base) fail(diags *diag.Diagnostics, err error, what string) {
	p := explain(err, b.client.Settings(), what)
	diags.AddError(p.Summary, p.Detail)
}

// ctx masks the provider instance's secrets in every tflog call.
func (b *base) ctx(ctx context.Context) context.Context {
	if b.client == nil {
		return ctx
	}
	return b.client.MaskLog(ctx)
}
