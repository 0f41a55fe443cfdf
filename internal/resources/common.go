// Package resources holds the resources that manage entries of the openEO
// Python client's auth-config.json and refresh-tokens.json:
// openeo_auth_config_basic, openeo_auth_config_oidc and openeo_refresh_token.
//
// They need neither a back-end nor a token: they only read and write files,
// through internal/authfiles, so they work with a provider
// configured without a url.
//
// Drift rules, shared by the three resources:
//   - the entry (or its file) is gone: the resource is removed from state and
//     the next plan re-creates it;
//   - a non-secret field differs: read into state, the next plan updates it;
//   - a secret given through the sensitive attribute (password, client_secret,
//     refresh_token) is in state anyway, so it is read back and compared;
//   - a secret given through the write-only attribute is never stored, not
//     even as a hash. When the entry's date differs from the date of
//     Terraform's last write, the entry was rewritten outside Terraform and
//     may hold another secret: *_wo_version is set to null in state, so the
//     next plan writes the secret again. ignore_changes on the secret or on
//     *_wo_version turns this off (useful when runners rotate refresh tokens).
package resources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// All returns the constructors of every resource in this package, for the
// provider's Resources method.
func All() []func() resource.Resource {
	return []func() resource.Resource{
		NewAuthConfigBasicResource,
		NewAuthConfigOIDCResource,
		NewRefreshTokenResource,
	}
}

// IDSeparator separates the parts of composite ids and import ids. URLs and
// issuers contain colons but never spaces.
const IDSeparator = " "

// urlValidator requires an http(s) URL: openeo.connect() adds https:// to a
// bare host name and looks the key up with the scheme, so a key without one is
// never found.
type urlValidator struct{ what string }

func (v urlValidator) Description(context.Context) string {
	return fmt.Sprintf("%s must be an http:// or https:// URL", v.what)
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if strings.ContainsAny(s, " \t\r\n") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what,
			fmt.Sprintf("%q contains white space; %s values are URLs.", s, v.what))
		return
	}
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "http://")
	}
	if !ok || strings.Trim(rest, "/") == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what,
			fmt.Sprintf("%q is not an http:// or https:// URL. The openEO Python client looks entries up by the "+
				"URL with its scheme (openeo.connect(\"example.org\") looks up \"https://example.org\"), so write the "+
				"scheme, e.g. \"https://%s\".", s, strings.TrimLeft(s, "/")))
	}
}

// noSpaceValidator rejects white space, which would break the id format.
type noSpaceValidator struct{}

func (noSpaceValidator) Description(context.Context) string {
	return "must not be empty or contain white space"
}

func (v noSpaceValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (noSpaceValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Value",
			fmt.Sprintf("%q must not be empty or contain white space.", s))
	}
}

// replaceIfKeyChanges requires replacement when the normalised key changes; a
// change that normalises to the same key (a trailing slash) is an in-place
// update of the same entry.
func replaceIfKeyChanges() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = flows.NormalizeURL(req.PlanValue.ValueString()) != flows.NormalizeURL(req.StateValue.ValueString())
		},
		"Changing the key (normalised as the Python client does: trailing slashes removed) re-creates the entry.",
		"Changing the key (normalised as the Python client does: trailing slashes removed) re-creates the entry.",
	)
}

// base is embedded by the three resources (through entryResource): the
// provider instance's settings (its auth_config_path and
// refresh_token_store_path are the resources' default files when set; its
// version is recorded as metadata.created_by of new auth-config.json files).
type base struct {
	client *pd.Client
}

// fileOptions are the authfiles options of one operation: the file
// attribute names a file (a directory there is an error, not the folder of
// the default file name), new auth-config.json files record the provider
// version, and entries are dated by a clock fixed at now.
func (b *base) fileOptions(now time.Time) authfiles.Options {
	o := authfiles.Options{FileOnly: true, Now: func() time.Time { return now }}
	if b.client != nil {
		o.CreatedBy = b.client.Settings().CreatedBy()
	}
	return o
}

func (b *base) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*pd.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type",
			fmt.Sprintf("Expected *providerdata.Client, got: %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	b.client = c
}

// fileKind selects auth-config.json or refresh-tokens.json.
type fileKind int

const (
	authConfigFile fileKind = iota
	refreshTokensFile
)

// name is the file's base name, as diagnostics name it.
func (k fileKind) name() string {
	if k == refreshTokensFile {
		return "refresh-tokens.json"
	}
	return "auth-config.json"
}

// defaultFile returns the file used when the resource's file attribute is
// null: the provider's auth_config_path / refresh_token_store_path when set,
// else the Python client's default location (resolved without creating
// anything). known is false while that provider attribute is unknown.
func (b *base) defaultFile(kind fileKind) (file string, known bool, err error) {
	attr := "auth_config_path"
	if kind == refreshTokensFile {
		attr = "refresh_token_store_path"
	}
	if b.client != nil {
		s := b.client.Settings()
		if slices.Contains(s.Unknown, attr) {
			return "", false, nil
		}
		p := s.AuthConfigPath
		if kind == refreshTokensFile {
			p = s.RefreshTokenStorePath
		}
		if p != "" {
			return p, true, nil
		}
	}
	resolve := authfiles.DefaultAuthConfigPathReadOnly
	if kind == refreshTokensFile {
		resolve = authfiles.DefaultRefreshTokensPathReadOnly
	}
	p, err := resolve(authfiles.Env{})
	return p, err == nil, err
}

// check loads an existing file (a missing one is fine) and reports why it
// cannot be used: not private, not JSON, a directory, a foreign shape. A
// lookup loads and checks the whole file (from memory when it is unchanged);
// Document would copy all of it, once per resource.
func (b *base) check(kind fileKind, file string) error {
	o := b.fileOptions(time.Now())
	if kind == refreshTokensFile {
		t, err := authfiles.OpenRefreshTokens(file, o)
		if err == nil {
			_, _, err = t.Entry("", "")
		}
		return err
	}
	c, err := authfiles.OpenAuthConfig(file, o)
	if err == nil {
		_, err = c.OIDCProviderIDs("")
	}
	return err
}

const defaultFileErrorSummary = "Cannot Resolve Default File"

func defaultFileErrorDetail(err error) string {
	return "The default location of the file (the provider's path attribute, else as the openEO Python client " +
		"resolves it from OPENEO_CONFIG_HOME, XDG_CONFIG_HOME/XDG_DATA_HOME and the home directory) could not be " +
		"determined. Set `file` explicitly.\n\nOriginal Error: " + err.Error()
}

// planFile fills in the default file path at plan time and forces a
// replacement when the resolved file changes (for example when
// OPENEO_CONFIG_HOME now points elsewhere). It validates an existing file
// before anything is created, so that problems surface in the plan.
func (b *base) planFile(ctx context.Context, kind fileKind, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy
		return
	}
	var cfgFile, stateFile types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("file"), &cfgFile)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("file"), &stateFile)...)
	}
	if resp.Diagnostics.HasError() || cfgFile.IsUnknown() {
		return
	}
	file := cfgFile.ValueString()
	if cfgFile.IsNull() {
		p, known, err := b.defaultFile(kind)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("file"), defaultFileErrorSummary, defaultFileErrorDetail(err))
			return
		}
		if !known {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("file"), types.StringUnknown())...)
			return
		}
		file = p
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("file"), types.StringValue(file))...)
	}
	if req.State.Raw.IsNull() {
		if err := b.check(kind, file); err != nil {
			summary, detail := fileProblem("Unusable File", err)
			resp.Diagnostics.AddAttributeError(path.Root("file"), summary, detail)
		}
		return
	}
	if !stateFile.IsNull() && stateFile.ValueString() != file {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("file"))
	}
}

// applyFile returns the planned file, resolving the default when the plan
// could not (the provider's path was unknown at plan time).
func (b *base) applyFile(kind fileKind, planned types.String, diags *diag.Diagnostics) (types.String, bool) {
	if !planned.IsUnknown() && !planned.IsNull() {
		return planned, true
	}
	p, known, err := b.defaultFile(kind)
	if err == nil && !known {
		err = fmt.Errorf("the provider's path attribute is still unknown")
	}
	if err != nil {
		diags.AddAttributeError(path.Root("file"), defaultFileErrorSummary, defaultFileErrorDetail(err))
		return planned, false
	}
	return types.StringValue(p), true
}

// importFile is the file of an import ID ("" = the default file).
func (b *base) importFile(kind fileKind, file string, diags *diag.Diagnostics) (string, bool) {
	if file = strings.TrimSpace(file); file != "" {
		return file, true
	}
	p, known, err := b.defaultFile(kind)
	if err == nil && !known {
		err = fmt.Errorf("the provider's path attribute is unknown")
	}
	if err != nil {
		diags.AddError(defaultFileErrorSummary, defaultFileErrorDetail(err))
		return "", false
	}
	return p, true
}

// fileProblem is the diagnostic of a file problem: the library's title of
// its kind of fault (the data sources use the same) and its message, which
// names the file, the problem and the fix and never carries secrets.
// summary is for errors of other types.
func fileProblem(summary string, err error) (string, string) {
	var fe *authfiles.FileError
	if errors.As(err, &fe) {
		return fe.Title(), fe.Detail()
	}
	return summary, err.Error()
}

func addFileError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(fileProblem(summary, err))
}

// secretFrom returns the secret from the sensitive attribute or, failing that,
// from the write-only attribute (which is only in the configuration).
func secretFrom(ctx context.Context, config attrGetter, legacy types.String, woAttr string, diags *diag.Diagnostics,
) (secret string, ok bool) {
	if !legacy.IsNull() && !legacy.IsUnknown() {
		return legacy.ValueString(), true
	}
	var wo types.String
	diags.Append(config.GetAttribute(ctx, path.Root(woAttr), &wo)...)
	if wo.IsNull() || wo.IsUnknown() {
		return "", false
	}
	return wo.ValueString(), true
}

// attrGetter is tfsdk.Config (or Plan/State): something to read one attribute from.
type attrGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// stringPtr converts a Terraform string to *string (nil for null).
func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

// idAttribute is the computed id of an entry resource, also its import ID.
func idAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: desc,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// fileAttribute is the path of the file that holds the entry. Its default is
// decided by defaultFile: the provider setting first, then the Python
// client's folder search (authfiles.ConfigDirCandidates, DataDirCandidates).
func fileAttribute(kind fileKind) schema.StringAttribute {
	providerAttr, folders := "auth_config_path", "config folder: `$OPENEO_CONFIG_HOME` when it is set (for both files, "+
		"whether the folder exists or not), else the first existing folder of "+
		"`$XDG_CONFIG_HOME/openeo-python-client` and `~/.config/openeo-python-client` (on macOS also "+
		"`~/Library/Preferences/openeo-python-client`, on Windows `%APPDATA%\\openeo-python-client` instead of the XDG folder)"
	if kind == refreshTokensFile {
		providerAttr, folders = "refresh_token_store_path", "data folder: `$OPENEO_CONFIG_HOME` when it is set (for both files, "+
			"whether the folder exists or not), else the first existing folder of "+
			"`$XDG_DATA_HOME/openeo-python-client` and `~/.local/share/openeo-python-client` (on macOS also "+
			"`~/Library/openeo-python-client`, on Windows `%APPDATA%\\openeo-python-client` instead of the XDG folder)"
	}
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: "Path of the `" + kind.name() + "` file to manage. Defaults to the provider's `" +
			providerAttr + "` when that is set. Otherwise it is `" + kind.name() + "` in the openEO Python client's " +
			folders + "; when none of them exists, the first one that can be created, as the Python client does. " +
			"A missing file and its folders are created (folders with mode `0700`, the file with `0600`). " +
			"Changing the file, or a change of the resolved default, re-creates the entry.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// keyAttribute is the URL an entry is keyed by (url, issuer); a change that
// normalises to another key re-creates the entry.
func keyAttribute(name, desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Required:            true,
		MarkdownDescription: desc,
		Validators:          []validator.String{urlValidator{what: name}},
		PlanModifiers:       []planmodifier.String{replaceIfKeyChanges()},
	}
}

// subKeyAttribute is the second part of an entry's key (provider_id,
// client_id); a change re-creates the entry.
func subKeyAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Required:            true,
		MarkdownDescription: desc,
		Validators:          []validator.String{noSpaceValidator{}},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

// secretAttribute is the sensitive attribute of an entry's secret, stored
// in the state; wo is its write-only twin. more validators run between the
// length check and the hint to prefer wo.
func secretAttribute(wo, desc string, more ...validator.String) schema.StringAttribute {
	validators := append([]validator.String{stringvalidator.LengthAtLeast(1)}, more...)
	return schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		MarkdownDescription: desc,
		Validators:          append(validators, stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot(wo))),
	}
}

// writeOnlyAttribute is the write-only attribute of an entry's secret.
func writeOnlyAttribute(desc string, more ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		WriteOnly:           true,
		MarkdownDescription: desc,
		Validators:          append([]validator.String{stringvalidator.LengthAtLeast(1)}, more...),
	}
}

func woVersionAttribute(wo string) schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: "Version of `" + wo + "`, required with it. Terraform cannot see changes of a write-only " +
			"value: change this number to write a new one. When the entry was rewritten outside Terraform (its `date` " +
			"changed), the provider no longer knows the secret in the file and the next plan writes `" + wo + "` again.",
		Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot(wo))},
	}
}

func dateAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The entry's `date`, in UTC as the Python client writes it (`2006-01-02T15:04:05Z`). It " +
			"changes on every write.",
	}
}
