package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// NewOIDCProvidersDataSource returns the openeo_oidc_providers data source.
func NewOIDCProvidersDataSource() datasource.DataSource {
	return &oidcProvidersDataSource{providerDataSource{typeName: "_oidc_providers"}}
}

type oidcProvidersDataSource struct{ providerDataSource }

type oidcProvidersModel struct {
	DefaultProviderID types.String `tfsdk:"default_provider_id"`
	Providers         types.List   `tfsdk:"providers"`
}

var defaultClientAttrTypes = map[string]attr.Type{
	"id":            types.StringType,
	"grant_types":   types.ListType{ElemType: types.StringType},
	"redirect_urls": types.ListType{ElemType: types.StringType},
}

var providerAttrTypes = map[string]attr.Type{
	"id":                       types.StringType,
	"issuer":                   types.StringType,
	"title":                    types.StringType,
	"description":              types.StringType,
	"scopes":                   types.ListType{ElemType: types.StringType},
	"default_clients":          types.ListType{ElemType: types.ObjectType{AttrTypes: defaultClientAttrTypes}},
	"authorization_parameters": types.MapType{ElemType: types.StringType},
}

func (d *oidcProvidersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The OpenID Connect providers the back-end accepts (`GET /credentials/oidc`), with their default " +
			"clients and grant types. Needs no credentials.",
		Attributes: map[string]schema.Attribute{
			"default_provider_id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Id of the first listed provider, the back-end's default."},
			"providers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The providers, in the back-end's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "Provider id, used in `oidc.provider_id` and in the bearer `oidc/<id>/...`."},
					"issuer":      schema.StringAttribute{Computed: true, MarkdownDescription: "Issuer URL of the identity provider."},
					"title":       schema.StringAttribute{Computed: true, MarkdownDescription: "Display name."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Description (CommonMark); null when absent."},
					"scopes": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Scopes a client must at least request; empty when the back-end lists none."},
					"default_clients": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "Clients the back-end offers for this provider, usable without a client secret.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Client id."},
							"grant_types": schema.ListAttribute{Computed: true, ElementType: types.StringType,
								MarkdownDescription: "Grant types, e.g. `urn:ietf:params:oauth:grant-type:device_code+pkce` or `refresh_token`."},
							"redirect_urls": schema.ListAttribute{Computed: true, ElementType: types.StringType,
								MarkdownDescription: "Redirect URLs for authorization code and implicit clients."},
						}},
					},
					"authorization_parameters": schema.MapAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Extra parameters for the authorization request (openEO API 1.3); null when absent."},
				}},
			},
		},
	}
}

func (d *oidcProvidersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readFromBackend(ctx, &d.base, "list the OIDC providers of the back-end", req, resp, (*pd.Session).Providers,
		func(ctx context.Context, providers []flows.Provider) (oidcProvidersModel, diag.Diagnostics) {
			tflog.Debug(ctx, "read openEO OIDC providers", map[string]any{"count": len(providers)})
			return providersToModel(providers)
		})
}

func providersToModel(providers []flows.Provider) (oidcProvidersModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := oidcProvidersModel{DefaultProviderID: types.StringNull()}
	if len(providers) > 0 {
		m.DefaultProviderID = types.StringValue(providers[0].ID)
	}
	vals := make([]attr.Value, 0, len(providers))
	for _, p := range providers {
		scopes, d := stringList(p.Scopes)
		diags.Append(d...)
		clients := make([]attr.Value, 0, len(p.DefaultClients))
		for _, c := range p.DefaultClients {
			grants, d := stringList(c.GrantTypes)
			diags.Append(d...)
			redirects, d := stringList(c.RedirectURLs)
			diags.Append(d...)
			o, d := types.ObjectValue(defaultClientAttrTypes, map[string]attr.Value{
				"id": types.StringValue(c.ID), "grant_types": grants, "redirect_urls": redirects,
			})
			diags.Append(d...)
			clients = append(clients, o)
		}
		clientList, d := types.ListValue(types.ObjectType{AttrTypes: defaultClientAttrTypes}, clients)
		diags.Append(d...)
		params := types.MapNull(types.StringType)
		if p.AuthorizationParameters != nil {
			pv := map[string]attr.Value{}
			for k, v := range p.AuthorizationParameters {
				pv[k] = types.StringValue(v)
			}
			params, d = types.MapValue(types.StringType, pv)
			diags.Append(d...)
		}
		o, d := types.ObjectValue(providerAttrTypes, map[string]attr.Value{
			"id": types.StringValue(p.ID), "issuer": types.StringValue(p.Issuer), "title": types.StringValue(p.Title),
			"description": optString(p.Description), "scopes": scopes, "default_clients": clientList,
			"authorization_parameters": params,
		})
		diags.Append(d...)
		vals = append(vals, o)
	}
	var d diag.Diagnostics
	m.Providers, d = types.ListValue(types.ObjectType{AttrTypes: providerAttrTypes}, vals)
	diags.Append(d...)
	return m, diags
}
