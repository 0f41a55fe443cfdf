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
	_ resource.Resource                     = (*authConfigBasicResource)(nil)
	_ resource.ResourceWithConfigure        = (*authConfigBasicResource)(nil)
	_ resource.ResourceWithImportState      = (*authConfigBasicResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*authConfigBasicResource)(nil)
	_ resource.ResourceWithConfigValidators = (*authConfigBasicResource)(nil)
)

// NewAuthConfigBasicResource manages backends.<url>.basic in auth-config.json.
func NewAuthConfigBasicResource() resource.Resource {
	return &authConfigBasicResource{base: base{store: defaultStore}}
}

type authConfigBasicResource struct{ base }

type authConfigBasicModel struct {
	ID                types.String `tfsdk:"id"`
	File              types.String `tfsdk:"file"`
	URL               types.String `tfsdk:"url"`
	Username          types.String `tfsdk:"username"`
	Password          types.String `tfsdk:"password"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
	Date              types.String `tfsdk:"date"`
}

func (r *authConfigBasicResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_auth_config_basic"
}

func (r *authConfigBasicResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the basic-auth credentials of one openEO back-end in the openEO Python client's " +
			"`auth-config.json` (`backends.<url>.basic`), so that `openeo.connect(url).authenticate_basic()` works " +
			"without arguments on the machine that runs Terraform.\n\n" +
			"The file is written atomically under a lock, keeps every other entry, unknown key and the `metadata` " +
			"block, and is created with mode `0600`. A file that is not private (group or other bits set), not JSON, " +
			"a directory or of a foreign shape is refused and left unchanged. Destroy removes only this entry.\n\n" +
			"Give the password through `password_wo` (Terraform >= 1.11, OpenTofu >= 1.11) to keep it out of the " +
			"state; `password` is stored in the state as a sensitive value.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The back-end URL as normalised by the Python client (trailing slashes removed). Also the import ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"file": fileAttribute("auth-config.json", "the `auth-config.json` of the Python client: `$OPENEO_CONFIG_HOME/auth-config.json` if set, "+
				"else `$XDG_CONFIG_HOME/openeo-python-client/auth-config.json` or `~/.config/openeo-python-client/auth-config.json`"),
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The back-end URL, with its scheme, as passed to `openeo.connect()` (for example " +
					"`https://openeo.example.com`). The entry key is this URL without trailing slashes.",
				Validators:    []validator.String{urlValidator{what: "url"}},
				PlanModifiers: []planmodifier.String{replaceIfKeyChanges()},
			},
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user name.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The password. Stored in the Terraform state (sensitive). Exactly one of `password` " +
					"and `password_wo` must be set; prefer `password_wo` on Terraform >= 1.11.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("password_wo")),
				},
			},
			"password_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "The password, write-only: never stored in the Terraform state or plan " +
					"(Terraform >= 1.11, OpenTofu >= 1.11). Requires `password_wo_version`; change that number to write " +
					"a new password.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password_wo_version": woVersionAttribute("password_wo"),
			"date":                dateAttribute(),
		},
	}
}

func (r *authConfigBasicResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("password"), path.MatchRoot("password_wo")),
		resourcevalidator.RequiredTogether(path.MatchRoot("password_wo"), path.MatchRoot("password_wo_version")),
	}
}

func (r *authConfigBasicResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planFile(ctx, authConfigFile, req, resp)
}

func (r *authConfigBasicResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan authConfigBasicModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if plan.File, ok = r.applyFile(authConfigFile, plan.File, &resp.Diagnostics); !ok {
		return
	}
	if _, found, err := r.store.Basic(plan.File.ValueString(), NormalizeURL(plan.URL.ValueString())); err == nil && found {
		resp.Diagnostics.AddWarning("Existing Entry Replaced",
			fmt.Sprintf("%s already had basic credentials for %s; they were replaced. Import the entry instead of "+
				"creating it to adopt it without a rewrite.", plan.File.ValueString(), NormalizeURL(plan.URL.ValueString())))
	}
	r.write(ctx, req.Config, &plan, &resp.Diagnostics, "Cannot Create auth-config.json Entry")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *authConfigBasicResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan authConfigBasicModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if plan.File, ok = r.applyFile(authConfigFile, plan.File, &resp.Diagnostics); !ok {
		return
	}
	r.write(ctx, req.Config, &plan, &resp.Diagnostics, "Cannot Update auth-config.json Entry")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// write stores the planned entry and completes the model (id, date).
func (r *authConfigBasicResource) write(ctx context.Context, config attrGetter, plan *authConfigBasicModel,
	diags *diag.Diagnostics, summary string,
) {
	secret, ok := secretFrom(ctx, config, plan.Password, "password_wo", diags)
	if diags.HasError() {
		return
	}
	if !ok {
		diags.AddAttributeError(path.Root("password"), summary, "Neither `password` nor `password_wo` has a value.")
		return
	}
	ctx = maskSecret(ctx, secret)
	key := NormalizeURL(plan.URL.ValueString())
	tflog.Debug(ctx, "writing basic credentials", map[string]any{"file": plan.File.ValueString(), "url": key})
	date, err := r.store.SetBasic(ctx, plan.File.ValueString(), key, plan.Username.ValueString(), secret)
	if err != nil {
		addFileError(diags, summary, err)
		return
	}
	plan.ID = types.StringValue(key)
	plan.Date = types.StringValue(date)
	plan.PasswordWO = types.StringNull()
}

func (r *authConfigBasicResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state authConfigBasicModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	file, key := state.File.ValueString(), NormalizeURL(state.URL.ValueString())
	entry, found, err := r.store.Basic(file, key)
	if err != nil {
		addFileError(&resp.Diagnostics, "Cannot Read auth-config.json Entry", err)
		return
	}
	if !found {
		tflog.Info(ctx, "basic credentials entry is gone; it will be re-created", map[string]any{"file": file, "url": key})
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(key)
	state.Username = types.StringValue(entry.Username)
	switch {
	case !state.Password.IsNull():
		// Sensitive path: the secret is in state anyway; compare directly.
		state.Password = types.StringPointerValue(entry.Password)
	case !state.PasswordWOVersion.IsNull():
		// Write-only path: the secret is not known, so a rewrite outside
		// Terraform (another date) or a lost password makes the next plan
		// write it again.
		if entry.Date != state.Date.ValueString() || entry.Password == nil {
			tflog.Info(ctx, "basic credentials were rewritten outside Terraform; the password will be written again",
				map[string]any{"file": file, "url": key})
			state.PasswordWOVersion = types.Int64Null()
		}
	}
	state.Date = types.StringValue(entry.Date)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *authConfigBasicResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state authConfigBasicModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key := NormalizeURL(state.URL.ValueString())
	tflog.Debug(ctx, "removing basic credentials", map[string]any{"file": state.File.ValueString(), "url": key})
	if err := r.store.RemoveBasic(ctx, state.File.ValueString(), key); err != nil {
		addFileError(&resp.Diagnostics, "Cannot Delete auth-config.json Entry", err)
	}
}

// ImportState takes "<url>", optionally followed by a space and the file
// path ("<url> <file>") when the entry is not in the default file.
func (r *authConfigBasicResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	url, file, _ := strings.Cut(strings.TrimSpace(req.ID), IDSeparator)
	if url == "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Expected \"<url>\" or \"<url> <file>\" (separated by a space), got %q.", req.ID))
		return
	}
	file, ok := r.importFile(authConfigFile, file, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), NormalizeURL(url))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("url"), url)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("file"), file)...)
}
