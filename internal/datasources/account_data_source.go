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

// NewAccountDataSource returns the openeo_account data source.
func NewAccountDataSource() datasource.DataSource {
	return &accountDataSource{providerDataSource{typeName: "_account"}}
}

type accountDataSource struct{ providerDataSource }

type accountModel struct {
	UserID      types.String  `tfsdk:"user_id"`
	Name        types.String  `tfsdk:"name"`
	DefaultPlan types.String  `tfsdk:"default_plan"`
	Storage     types.Object  `tfsdk:"storage"`
	Budget      types.Float64 `tfsdk:"budget"`
	Links       types.List    `tfsdk:"links"`
}

var storageAttrTypes = map[string]attr.Type{"free": types.Int64Type, "quota": types.Int64Type}

var linkAttrTypes = map[string]attr.Type{
	"href": types.StringType, "rel": types.StringType, "type": types.StringType, "title": types.StringType,
}

func linksAttribute(what string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: what,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"href":  schema.StringAttribute{Computed: true, MarkdownDescription: "Target URL of the link."},
			"rel":   schema.StringAttribute{Computed: true, MarkdownDescription: "Relation type, e.g. `payment` or `edit-form`; null when absent."},
			"type":  schema.StringAttribute{Computed: true, MarkdownDescription: "Media type of the target; null when absent."},
			"title": schema.StringAttribute{Computed: true, MarkdownDescription: "Title of the link; null when absent."},
		}},
	}
}

func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the account of the authenticated user (`GET /me`) with the provider's credentials. " +
			"Needs an auth method other than `none`.",
		Attributes: map[string]schema.Attribute{
			"user_id":      schema.StringAttribute{Computed: true, MarkdownDescription: "The back-end's id of the user."},
			"name":         schema.StringAttribute{Computed: true, MarkdownDescription: "Display name of the user; null when the back-end sends none."},
			"default_plan": schema.StringAttribute{Computed: true, MarkdownDescription: "The user's default billing plan; null when the back-end sends none."},
			"storage": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Storage of the user's workspace in bytes; null when no limit applies.",
				Attributes: map[string]schema.Attribute{
					"free":  schema.Int64Attribute{Computed: true, MarkdownDescription: "Free storage in bytes."},
					"quota": schema.Int64Attribute{Computed: true, MarkdownDescription: "Storage quota in bytes."},
				},
			},
			"budget": schema.Float64Attribute{Computed: true, MarkdownDescription: "Remaining budget in the back-end's currency; null when no budget applies."},
			"links":  linksAttribute("Links about the account (e.g. `payment`, `edit-form`)."),
		},
	}
}

func (d *accountDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readFromBackend(ctx, &d.base, "read the openEO account", req, resp, (*pd.Session).Account,
		func(ctx context.Context, acc *flows.Account) (accountModel, diag.Diagnostics) {
			tflog.Debug(ctx, "read openEO account", map[string]any{"user_id": acc.UserID})
			return accountToModel(ctx, acc)
		})
}

func accountToModel(ctx context.Context, a *flows.Account) (accountModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := accountModel{
		UserID:      types.StringValue(a.UserID),
		Name:        optString(a.Name),
		DefaultPlan: optString(a.DefaultPlan),
		Storage:     types.ObjectNull(storageAttrTypes),
		Budget:      types.Float64PointerValue(a.Budget),
	}
	// storage is null when the back-end reports no limit; a missing part is 0.
	if s := a.Storage; s != nil && (s.Free != nil || s.Quota != nil) {
		var d diag.Diagnostics
		m.Storage, d = types.ObjectValue(storageAttrTypes, map[string]attr.Value{
			"free": types.Int64Value(deref(s.Free)), "quota": types.Int64Value(deref(s.Quota)),
		})
		diags.Append(d...)
	}
	var d diag.Diagnostics
	m.Links, d = linksValue(ctx, a.Links)
	diags.Append(d...)
	return m, diags
}

func deref(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

func linksValue(_ context.Context, links []flows.Link) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	objType := types.ObjectType{AttrTypes: linkAttrTypes}
	vals := make([]attr.Value, 0, len(links))
	for _, l := range links {
		o, d := types.ObjectValue(linkAttrTypes, map[string]attr.Value{
			"href": types.StringValue(l.Href), "rel": optString(l.Rel), "type": optString(l.Type), "title": optString(l.Title),
		})
		diags.Append(d...)
		vals = append(vals, o)
	}
	l, d := types.ListValue(objType, vals)
	diags.Append(d...)
	return l, diags
}

// optString is null for "".
func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringList(v []string) (types.List, diag.Diagnostics) {
	vals := make([]attr.Value, 0, len(v))
	for _, s := range v {
		vals = append(vals, types.StringValue(s))
	}
	return types.ListValue(types.StringType, vals)
}
