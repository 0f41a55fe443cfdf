package datasources

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// NewCapabilitiesDataSource returns the openeo_capabilities data source.
func NewCapabilitiesDataSource() datasource.DataSource {
	return &capabilitiesDataSource{providerDataSource{typeName: "_capabilities"}}
}

type capabilitiesDataSource struct{ providerDataSource }

type capabilitiesModel struct {
	URL                types.String `tfsdk:"url"`
	APIVersion         types.String `tfsdk:"api_version"`
	BackendVersion     types.String `tfsdk:"backend_version"`
	ID                 types.String `tfsdk:"id"`
	Title              types.String `tfsdk:"title"`
	AuthEndpoints      types.List   `tfsdk:"auth_endpoints"`
	Endpoints          types.List   `tfsdk:"endpoints"`
	ConformsTo         types.List   `tfsdk:"conforms_to"`
	BasicSupported     types.Bool   `tfsdk:"basic_auth_supported"`
	OIDCSupported      types.Bool   `tfsdk:"oidc_auth_supported"`
	MeSupported        types.Bool   `tfsdk:"account_supported"`
	JWTBearerSupported types.Bool   `tfsdk:"jwt_bearer_supported"`
}

func (d *capabilitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The capabilities of the back-end (`GET /` after version discovery) that matter for " +
			"authentication. Needs no credentials.",
		Attributes: map[string]schema.Attribute{
			"url":             schema.StringAttribute{Computed: true, MarkdownDescription: "The API root URL after version discovery (`/.well-known/openeo`)."},
			"api_version":     schema.StringAttribute{Computed: true, MarkdownDescription: "openEO API version, e.g. `1.2.0`."},
			"backend_version": schema.StringAttribute{Computed: true, MarkdownDescription: "Version of the back-end software."},
			"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "Id of the back-end; null when absent."},
			"title":           schema.StringAttribute{Computed: true, MarkdownDescription: "Title of the back-end; null when absent."},
			"auth_endpoints": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The authentication endpoints the back-end announces, as `METHOD /path`: any of " +
					"`GET /credentials/basic`, `GET /credentials/oidc`, `GET /me`."},
			"endpoints": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Every endpoint the back-end announces, as `METHOD /path`."},
			"conforms_to": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Conformance classes (`conformsTo`); empty when absent."},
			"basic_auth_supported": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether `GET /credentials/basic` is announced (basic authentication)."},
			"oidc_auth_supported": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether `GET /credentials/oidc` is announced (OpenID Connect)."},
			"account_supported": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether `GET /me` is announced (the `openeo_account` data source)."},
			"jwt_bearer_supported": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether the back-end accepts plain JWT bearers (conformance class " +
					"`https://api.openeo.org/<version>/authentication/jwt`, openEO API 1.3); the provider then sends an " +
					"OIDC access token that is a JWT with an `iss` claim without the `oidc/<provider_id>/` prefix (other " +
					"tokens keep it, basic tokens keep `basic//`)."},
		},
	}
}

func (d *capabilitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readFromBackend(ctx, &d.base, "read the capabilities of the back-end", req, resp, (*pd.Session).Capabilities,
		func(ctx context.Context, caps *flows.Capabilities) (capabilitiesModel, diag.Diagnostics) {
			tflog.Debug(ctx, "read openEO capabilities", map[string]any{"api_version": caps.APIVersion, "url": caps.Root})
			return capabilitiesToModel(caps)
		})
}

// authEndpoints are the endpoints auth_endpoints reports, in this order.
var authEndpoints = []string{"GET /credentials/basic", "GET /credentials/oidc", "GET /me"}

func capabilitiesToModel(c *flows.Capabilities) (capabilitiesModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	supported := func(endpoint string) bool {
		method, p, _ := strings.Cut(endpoint, " ")
		return c.SupportsEndpoint(method, p)
	}
	var auth []string
	for _, e := range authEndpoints {
		if supported(e) {
			auth = append(auth, e)
		}
	}
	var endpoints []string
	for _, e := range c.Endpoints {
		for _, method := range e.Methods {
			endpoints = append(endpoints, strings.ToUpper(method)+" "+e.Path)
		}
	}
	m := capabilitiesModel{
		URL:                types.StringValue(c.Root),
		APIVersion:         types.StringValue(c.APIVersion),
		BackendVersion:     optString(c.BackendVersion),
		ID:                 optString(c.ID),
		Title:              optString(c.Title),
		BasicSupported:     types.BoolValue(supported(authEndpoints[0])),
		OIDCSupported:      types.BoolValue(supported(authEndpoints[1])),
		MeSupported:        types.BoolValue(supported(authEndpoints[2])),
		JWTBearerSupported: types.BoolValue(c.SupportsJWTBearer()),
	}
	var d diag.Diagnostics
	m.AuthEndpoints, d = stringList(auth)
	diags.Append(d...)
	m.Endpoints, d = stringList(endpoints)
	diags.Append(d...)
	m.ConformsTo, d = stringList(c.Conformance)
	diags.Append(d...)
	return m, diags
}
