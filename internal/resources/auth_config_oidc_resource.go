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
	_ resource.Resource                     = (*authConfigOIDCResource)(nil)
	_ resource.ResourceWithConfigure        = (*authConfigOIDCResource)(nil)
	_ resource.ResourceWithImportState      = (*authConfigOIDCResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*authConfigOIDCResource)(nil)
	_ resource.ResourceWithConfigValidators = (*authConfigOIDCResource)(nil)
)

// privateUnexpectedSecret marks (in private state) an OIDC entry whose file
// holds a client_secret although the configuration sets none: the next plan
// rewrites the entry without storing the foreign secret anywhere.
const privateUnexpectedSecret = "unexpected_client_secret"

// NewAuthConfigOIDCResource manages backends.<url>.oidc.providers.<provider_id>
// in auth-config.json.
func NewAuthConfigOIDCResource() resource.Resource {
	return &authConfigOIDCResource{base: base{store: defaultStore}}
}

type authConfigOIDCResource struct{ base }

type authConfigOIDCModel struct {
	ID                    types.String `tfsdk:"id"`
	File                  types.String `tfsdk:"file"`
	URL                   types.String `tfsdk:"url"`
	ProviderID            types.String `tfsdk:"provider_id"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
	Issuer                types.String `tfsdk:"issuer"`
	Date                  types.String `tfsdk:"date"`
}

func (r *authConfigOIDCResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_auth_config_oidc"
}

func (r *authConfigOIDCResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the OpenID Connect client settings of one provider of one openEO back-end in the " +
			"openEO Python client's `auth-config.json` (`backends.<url>.oidc.providers.<provider_id>`), as " +
			"`openeo-auth add-oidc` does, so that `openeo.connect(url).authenticate_oidc()` and " +
			"`openeo-auth oidc-auth` pick the client up.\n\n" +
			"The file is written atomically under a lock, keeps every other entry, unknown key and the `metadata` " +
			"block, and is created with mode `0600`. A file that is not private, not JSON, a directory or of a " +
			"foreign shape is refused and left unchanged. Destroy removes only this provider's entry.\n\n" +
			"Give a client secret through `client_secret_wo` (Terraform >= 1.11, OpenTofu >= 1.11) to keep it out " +
			"of the state; `client_secret` is stored in the state as a sensitive value. Public clients (device " +
			"flow) have no secret: set neither.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`<url> <provider_id>`: the normalised back-end URL and the provider id, separated " +
					"by a space. Also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"file": fileAttribute("auth-config.json", "the `auth-config.json` of the Python client: `$OPENEO_CONFIG_HOME/auth-config.json` if set, "+
				"else `$XDG_CONFIG_HOME/openeo-python-client/auth-config.json` or `~/.config/openeo-python-client/auth-config.json`"),
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The back-end URL, with its scheme, as passed to `openeo.connect()`. The entry key is " +
					"this URL without trailing slashes.",
				Validators:    []validator.String{urlValidator{what: "url"}},
				PlanModifiers: []planmodifier.String{replaceIfKeyChanges()},
			},
			"provider_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The id of the OIDC provider as listed by the back-end's `GET /credentials/oidc`.",
				Validators:          []validator.String{noSpaceValidator{}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The OIDC client id. Null (the default) writes `\"client_id\": null`, which makes the " +
					"Python client use the back-end's default client (as `openeo-auth add-oidc --use-default-client`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"client_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The client secret of a confidential client. Stored in the Terraform state " +
					"(sensitive). Conflicts with `client_secret_wo`; prefer that on Terraform >= 1.11. Requires `client_id`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("client_id")),
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("client_secret_wo")),
				},
			},
			"client_secret_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "The client secret, write-only: never stored in the Terraform state or plan " +
					"(Terraform >= 1.11, OpenTofu >= 1.11). Requires `client_id` and `client_secret_wo_version`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("client_id")),
				},
			},
			"client_secret_wo_version": woVersionAttribute("client_secret_wo"),
			"issuer": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The provider's issuer URL. Written only when set (`openeo-auth add-oidc` always " +
					"writes it; the library only when given).",
				Validators: []validator.String{urlValidator{what: "issuer"}},
			},
			"date": dateAttribute(),
		},
	}
}

func (r *authConfigOIDCResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("client_secret"), path.MatchRoot("client_secret_wo")),
		resourcevalidator.RequiredTogether(path.MatchRoot("client_secret_wo"), path.MatchRoot("client_secret_wo_version")),
	}
}

func (r *authConfigOIDCResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planFile(ctx, authConfigFile, req, resp)
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	flag, diags := req.Private.GetKey(ctx, privateUnexpectedSecret)
	resp.Diagnostics.Append(diags...)
	if len(flag) == 0 {
		return
	}
	var secret, secretWO types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("client_secret"), &secret)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret_wo"), &secretWO)...)
	if !secret.IsNull() || !secretWO.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("date"), types.StringUnknown())...)
	resp.Diagnostics.AddWarning("Unexpected Client Secret",
		"The auth-config.json entry has a client_secret that the configuration does not set (it was changed "+
			"outside Terraform). Applying rewrites the entry with \"client_secret\": null.")
}

func (r *authConfigOIDCResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan authConfigOIDCModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if plan.File, ok = r.applyFile(authConfigFile, plan.File, &resp.Diagnostics); !ok {
		return
	}
	if _, found, err := r.store.OIDC(plan.File.ValueString(), NormalizeURL(plan.URL.ValueString()), plan.ProviderID.ValueString()); err == nil && found {
		resp.Diagnostics.AddWarning("Existing Entry Replaced",
			fmt.Sprintf("%s already had OIDC settings for provider %q of %s; they were replaced. Import the entry "+
				"instead of creating it to adopt it without a rewrite.", plan.File.ValueString(),
				plan.ProviderID.ValueString(), NormalizeURL(plan.URL.ValueString())))
	}
	r.write(ctx, req.Config, &plan, &resp.Diagnostics, "Cannot Create auth-config.json Entry")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnexpectedSecret, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *authConfigOIDCResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan authConfigOIDCModel
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
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnexpectedSecret, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *authConfigOIDCResource) write(ctx context.Context, config attrGetter, plan *authConfigOIDCModel,
	diags *diag.Diagnostics, summary string,
) {
	secret, hasSecret := secretFrom(ctx, config, plan.ClientSecret, "client_secret_wo", diags)
	if diags.HasError() {
		return
	}
	var secretPtr *string
	if hasSecret {
		secretPtr = &secret
		ctx = maskSecret(ctx, secret)
	}
	key := NormalizeURL(plan.URL.ValueString())
	tflog.Debug(ctx, "writing OIDC client settings", map[string]any{
		"file": plan.File.ValueString(), "url": key, "provider_id": plan.ProviderID.ValueString(),
	})
	date, err := r.store.SetOIDC(ctx, plan.File.ValueString(), key, plan.ProviderID.ValueString(),
		stringPtr(plan.ClientID), secretPtr, stringPtr(plan.Issuer))
	if err != nil {
		addFileError(diags, summary, err)
		return
	}
	plan.ID = types.StringValue(key + IDSeparator + plan.ProviderID.ValueString())
	plan.Date = types.StringValue(date)
	plan.ClientSecretWO = types.StringNull()
}

func (r *authConfigOIDCResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state authConfigOIDCModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	file, key, pid := state.File.ValueString(), NormalizeURL(state.URL.ValueString()), state.ProviderID.ValueString()
	entry, found, err := r.store.OIDC(file, key, pid)
	if err != nil {
		addFileError(&resp.Diagnostics, "Cannot Read auth-config.json Entry", err)
		return
	}
	if !found {
		tflog.Info(ctx, "OIDC client entry is gone; it will be re-created", map[string]any{"file": file, "url": key, "provider_id": pid})
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(key + IDSeparator + pid)
	state.ClientID = types.StringPointerValue(entry.ClientID)
	state.Issuer = types.StringPointerValue(entry.Issuer)
	unexpected := false
	switch {
	case !state.ClientSecret.IsNull():
		state.ClientSecret = types.StringPointerValue(entry.ClientSecret)
	case !state.ClientSecretWOVersion.IsNull():
		if entry.Date != state.Date.ValueString() || entry.ClientSecret == nil {
			tflog.Info(ctx, "OIDC client entry was rewritten outside Terraform; the client secret will be written again",
				map[string]any{"file": file, "url": key, "provider_id": pid})
			state.ClientSecretWOVersion = types.Int64Null()
		}
	default:
		unexpected = entry.ClientSecret != nil
	}
	flag := []byte(nil)
	if unexpected {
		flag = []byte("true")
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnexpectedSecret, flag)...)
	state.Date = types.StringValue(entry.Date)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *authConfigOIDCResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state authConfigOIDCModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	key := NormalizeURL(state.URL.ValueString())
	tflog.Debug(ctx, "removing OIDC client settings", map[string]any{
		"file": state.File.ValueString(), "url": key, "provider_id": state.ProviderID.ValueString(),
	})
	if err := r.store.RemoveOIDC(ctx, state.File.ValueString(), key, state.ProviderID.ValueString()); err != nil {
		addFileError(&resp.Diagnostics, "Cannot Delete auth-config.json Entry", err)
	}
}

// ImportState takes "<url> <provider_id>", optionally followed by a space and
// the file path when the entry is not in the default file.
func (r *authConfigOIDCResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	url, rest, ok := splitImportID(req.ID)
	pid, file, _ := strings.Cut(rest, IDSeparator)
	if !ok || pid == "" {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("Expected \"<url> <provider_id>\" or \"<url> <provider_id> <file>\" (separated by spaces), got %q.", req.ID))
		return
	}
	file, ok = r.importFile(authConfigFile, file, &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), NormalizeURL(url)+IDSeparator+pid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("url"), url)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("provider_id"), pid)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("file"), file)...)
}
