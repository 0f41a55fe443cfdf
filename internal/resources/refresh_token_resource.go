package resources

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.Resource                     = (*refreshTokenResource)(nil)
	_ resource.ResourceWithConfigure        = (*refreshTokenResource)(nil)
	_ resource.ResourceWithImportState      = (*refreshTokenResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*refreshTokenResource)(nil)
	_ resource.ResourceWithConfigValidators = (*refreshTokenResource)(nil)
)

// NewRefreshTokenResource manages <issuer>.<client_id> in refresh-tokens.json.
func NewRefreshTokenResource() resource.Resource {
	return &refreshTokenResource{base: base{store: defaultStore}}
}

type refreshTokenResource struct{ base }

type refreshTokenModel struct {
	ID                    types.String `tfsdk:"id"`
	File                  types.String `tfsdk:"file"`
	Issuer                types.String `tfsdk:"issuer"`
	ClientID              types.String `tfsdk:"client_id"`
	RefreshToken          types.String `tfsdk:"refresh_token"`
	RefreshTokenWO        types.String `tfsdk:"refresh_token_wo"`
	RefreshTokenWOVersion types.Int64  `tfsdk:"refresh_token_wo_version"`
	Date                  types.String `tfsdk:"date"`
}

func (r *refreshTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_refresh_token"
}

func (r *refreshTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one refresh token in the openEO Python client's `refresh-tokens.json` " +
			"(`<issuer>.<client_id>`), to bootstrap non-interactive runners from a secret store: " +
			"`authenticate_oidc()` / `authenticate_oidc_refresh_token()` then log in without a browser.\n\n" +
			"The file is written atomically under a lock, keeps every other entry and unknown key, and is created " +
			"with mode `0600`. A file that is not private, not JSON, a directory or of a foreign shape is refused and " +
			"left unchanged. Destroy removes only this entry.\n\n" +
			"The Python client stores the refresh token again (with a new `date`) whenever it obtains one, and " +
			"identity providers may rotate it. Terraform sees that as drift and would write its token back; to " +
			"bootstrap once and let the runner own the token afterwards, add `lifecycle { ignore_changes = " +
			"[refresh_token_wo_version] }` (or `[refresh_token]`).\n\n" +
			"Give the token through `refresh_token_wo` (Terraform >= 1.11, OpenTofu >= 1.11) to keep it out of the " +
			"state; `refresh_token` is stored in the state as a sensitive value.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`<issuer> <client_id>`: the normalised issuer and the client id, separated by a " +
					"space. Also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"file": fileAttribute("refresh-tokens.json", "the `refresh-tokens.json` of the Python client: `$OPENEO_CONFIG_HOME/refresh-tokens.json` if set, "+
				"else `$XDG_DATA_HOME/openeo-python-client/refresh-tokens.json` or `~/.local/share/openeo-python-client/refresh-tokens.json`"),
			"issuer": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The issuer URL of the OIDC provider, as listed by the back-end's " +
					"`GET /credentials/oidc`. The entry key is this URL without trailing slashes.",
				Validators:    []validator.String{urlValidator{what: "issuer"}},
				PlanModifiers: []planmodifier.String{replaceIfKeyChanges()},
			},
			"client_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The OIDC client id the refresh token was issued to.",
				Validators:          []validator.String{noSpaceValidator{}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"refresh_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The refresh token. Stored in the Terraform state (sensitive); on refresh the " +
					"token found in the file is read back, including one the runner stored later. Exactly one of " +
					"`refresh_token` and `refresh_token_wo` must be set; prefer `refresh_token_wo` on Terraform >= 1.11.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("refresh_token_wo")),
				},
			},
			"refresh_token_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "The refresh token, write-only: never stored in the Terraform state or plan " +
					"(Terraform >= 1.11, OpenTofu >= 1.11). Requires `refresh_token_wo_version`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"refresh_token_wo_version": woVersionAttribute("refresh_token_wo"),
			"date":                     dateAttribute(),
		},
	}
}

func (r *refreshTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("refresh_token"), path.MatchRoot("refresh_token_wo")),
		resourcevalidator.RequiredTogether(path.MatchRoot("refresh_token_wo"), path.MatchRoot("refresh_token_wo_version")),
	}
}

func (r *refreshTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planFile(ctx, refreshTokensFile, req, resp)
}

func (r *refreshTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan refreshTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if plan.File, ok = r.applyFile(refreshTokensFile, plan.File, &resp.Diagnostics); !ok {
		return
	}
	file, key, cid := plan.File.ValueString(), NormalizeURL(plan.Issuer.ValueString()), plan.ClientID.ValueString()
	if _, found, err := r.store.RefreshToken(file, key, cid); err == nil && found {
		resp.Diagnostics.AddWarning("Existing Entry Replaced",
			fmt.Sprintf("%s already had a refresh token for client %q of issuer %s; it was replaced. Import the "+
				"entry instead of creating it to adopt it without a rewrite.", file, cid, key))
	}
	r.write(ctx, req.Config, &plan, &resp.Diagnostics, "Cannot Create refresh-tokens.json Entry")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *refreshTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan refreshTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if plan.File, ok = r.applyFile(refreshTokensFile, plan.File, &resp.Diagnostics); !ok {
		return
	}
	r.write(ctx, req.Config, &plan, &resp.Diagnostics, "Cannot Update refresh-tokens.json Entry")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *refreshTokenResource) write(ctx context.Context, config attrGetter, plan *refreshTokenModel,
	diags *diag.Diagnostics, summary string,
) {
	secret, ok := secretFrom(ctx, config, plan.RefreshToken, "refresh_token_wo", diags)
	if diags.HasError() {
		return
	}
	if !ok {
		diags.AddAttributeError(path.Root("refresh_token"), summary, "Neither `refresh_token` nor `refresh_token_wo` has a value.")
		return
	}
	ctx = maskSecret(ctx, secret)
	key, cid := NormalizeURL(plan.Issuer.ValueString()), plan.ClientID.ValueString()
	tflog.Debug(ctx, "writing refresh token", map[string]any{"file": plan.File.ValueString(), "issuer": key, "client_id": cid})
	date, err := r.store.SetRefreshToken(ctx, plan.File.ValueString(), key, cid, secret)
	if err != nil {
		addFileError(diags, summary, err)
		return
	}
	plan.ID = types.StringValue(key + IDSeparator + cid)
	plan.Date = types.StringValue(date)
	plan.RefreshTokenWO = types.StringNull()
}

func (r *refreshTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state refreshTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	file, key, cid := state.File.ValueString(), NormalizeURL(state.Issuer.ValueString()), state.ClientID.ValueString()
	entry, found, err := r.store.RefreshToken(file, key, cid)
	if err != nil {
		addFileError(&resp.Diagnostics, "Cannot Read refresh-tokens.json Entry", err)
		return
	}
	if !found {
		tflog.Info(ctx, "refresh token entry is gone; it will be re-created", map[string]any{"file": file, "issuer": key, "client_id": cid})
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(key + IDSeparator + cid)
	switch {
	case !state.RefreshToken.IsNull():
		state.RefreshToken = types.StringPointerValue(entry.RefreshToken)
	case !state.RefreshTokenWOVersion.IsNull():
		if entry.Date != state.Date.ValueString() || entry.RefreshToken == nil {
			tflog.Info(ctx, "refresh token entry was rewritten outside Terraform; the token will be written again",
				map[string]any{"file": file, "issuer": key, "client_id": cid})
			state.RefreshTokenWOVersion = types.Int64Null()
		}
	}
	state.Date = types.StringValue(entry.Date)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *refreshTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state refreshTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key, cid := NormalizeURL(state.Issuer.ValueString()), state.ClientID.ValueString()
	tflog.Debug(ctx, "removing refresh token", map[string]any{"file": state.File.ValueString(), "issuer": key, "client_id": cid})
	if err := r.store.RemoveRefreshToken(ctx, state.File.ValueString(), key, cid); err != nil {
		addFileError(&resp.Diagnostics, "Cannot Delete refresh-tokens.json Entry", err)
	}
}

// ImportState takes "<issuer> <client_id>", optionally followed by a space and
// the file path when the entry is not in the default file.
func (r *refreshTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	issuer, rest, ok := splitImportID(req.ID)
	cid, file, _ := strings.Cut(rest, IDSeparator)
	if !ok || cid == "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Expected \"<issuer> <client_id>\" or \"<issuer> <client_id> <file>\" (separated by spaces), got %q.", req.ID))
		return
	}
	file, ok = r.importFile(refreshTokensFile, file, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), NormalizeURL(issuer)+IDSeparator+cid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("issuer"), issuer)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("client_id"), cid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("file"), file)...)
}
