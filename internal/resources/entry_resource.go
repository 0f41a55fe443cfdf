package resources

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// The three resources: an entryResource each, plus their own schema.
var _ = []interface {
	resource.ResourceWithConfigure
	resource.ResourceWithImportState
	resource.ResourceWithModifyPlan
	resource.ResourceWithConfigValidators
}{(*authConfigBasicResource)(nil), (*authConfigOIDCResource)(nil), (*refreshTokenResource)(nil)}

// privateUnexpectedSecret marks (in private state) an entry whose file holds
// a secret although the configuration sets none, for resources whose secret
// is optional (OIDC public clients): the next plan rewrites the entry without
// storing the foreign secret anywhere (see authConfigOIDCResource.ModifyPlan).
const privateUnexpectedSecret = "unexpected_client_secret"

// entryResource is what the three resources share: each manages one entry
// of auth-config.json or refresh-tokens.json, named by a URL key (and a
// second key part), with a date and a secret given through a sensitive or a
// write-only attribute. It implements Metadata, ModifyPlan, Create, Read,
// Update, Delete and ImportState; the resource types embed it and add their
// Schema and ConfigValidators. Their entryType says what differs.
type entryResource[M any] struct {
	base
	entrySpec
	entry entryType[M]
}

// entryType is what one resource adds to entryResource: where its model M
// keeps the shared attributes, and how its entry is read, written and
// removed with internal/authfiles (opened with the options o of
// base.fileOptions). A missing file or entry is found == false, never an
// error; writes and removals are the library's locked, atomic
// read-modify-writes that keep everything else in the file.
type entryType[M any] interface {
	spec() entrySpec
	// attrs points into m at the attributes every entry resource has.
	attrs(m *M) entryAttrs
	// read loads the entry and copies its non-secret values into m.
	read(o authfiles.Options, ref entryRef, m *M) (e storedEntry, found bool, err error)
	// write stores the entry with the values of m, dated by o's clock.
	// secret is nil only when the spec allows an entry without a secret.
	write(o authfiles.Options, ref entryRef, m *M, secret *string) error
	remove(o authfiles.Options, ref entryRef) error
	// replaced is the first sentence of the warning when Create replaces an
	// existing entry.
	replaced(ref entryRef) string
}

// entrySpec describes a resource type for entryResource.
type entrySpec struct {
	typeName string // after the provider's type name, e.g. "_auth_config_basic"
	file     fileKind
	// keyAttr (a URL, normalised in keys) and subAttr (empty when the key has
	// one part) name the entry, in the order of ids and import ids.
	keyAttr, subAttr string
	// secretAttr is the sensitive secret attribute; its write-only twin is
	// secretAttr+"_wo", versioned by secretAttr+"_wo_version".
	secretAttr string
	// secretOptional: an entry may have no secret. One found in the file
	// while the configuration sets none is flagged privateUnexpectedSecret.
	secretOptional bool
	// Log messages: "writing <noun>", "removing <noun>"; an entry that is
	// gone; a write-only secret that will be written again.
	noun, goneLog, rewrittenLog string
}

// entryAttrs points into a model at the attributes every entry resource has.
type entryAttrs struct {
	id, file, date  *types.String
	key, sub        *types.String // sub is nil when the key has one part
	secret          *types.String
	secretWO        *types.String
	secretWOVersion *types.Int64
}

// entryRef names one entry: its file, the normalised key and the second key
// part ("" when there is none).
type entryRef struct{ file, key, sub string }

// storedEntry is what entryResource needs of an entry in the file.
type storedEntry struct {
	date   string
	secret *string // nil: no secret
}

// privateState is resp.Private of Create, Read and Update.
type privateState interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func newEntryResource[M any](e entryType[M]) entryResource[M] {
	return entryResource[M]{entrySpec: e.spec(), entry: e}
}

// ref names the entry of the model a points into.
func (a entryAttrs) ref() entryRef {
	ref := entryRef{file: a.file.ValueString(), key: flows.NormalizeURL(a.key.ValueString())}
	if a.sub != nil {
		ref.sub = a.sub.ValueString()
	}
	return ref
}

// id is the resource id, the entry's key parts separated by IDSeparator.
func (s entrySpec) id(ref entryRef) string {
	if s.subAttr == "" {
		return ref.key
	}
	return ref.key + IDSeparator + ref.sub
}

// logFields name the entry in log lines.
func (s entrySpec) logFields(ref entryRef) map[string]any {
	f := map[string]any{"file": ref.file, s.keyAttr: ref.key}
	if s.subAttr != "" {
		f[s.subAttr] = ref.sub
	}
	return f
}

// keyAttrs are the attributes of an import ID, before the optional file.
func (s entrySpec) keyAttrs() []string {
	if s.subAttr == "" {
		return []string{s.keyAttr}
	}
	return []string{s.keyAttr, s.subAttr}
}

func (r *entryResource[M]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.typeName
}

func (r *entryResource[M]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planFile(ctx, r.file, req, resp)
}

func (r *entryResource[M]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, "Create", req.Plan, req.Config, resp.Private, &resp.State, &resp.Diagnostics)
}

func (r *entryResource[M]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.apply(ctx, "Update", req.Plan, req.Config, resp.Private, &resp.State, &resp.Diagnostics)
}

// apply is Create and Update (verb): it writes the planned entry and stores
// the plan, completed with the id and the date, as the new state.
func (r *entryResource[M]) apply(ctx context.Context, verb string, planned tfsdk.Plan, config tfsdk.Config,
	private privateState, state *tfsdk.State, diags *diag.Diagnostics,
) {
	var plan M
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	a := r.entry.attrs(&plan)
	var ok bool
	if *a.file, ok = r.applyFile(r.file, *a.file, diags); !ok {
		return
	}
	if verb == "Create" {
		ref := a.ref()
		if _, found, err := r.entry.read(r.fileOptions(time.Now()), ref, new(M)); err == nil && found {
			diags.AddWarning("Existing Entry Replaced", r.entry.replaced(ref)+
				" Import the entry instead of creating it to adopt it without a rewrite.")
		}
	}
	r.write(ctx, config, &plan, diags, "Cannot "+verb+" "+r.file.name()+" Entry")
	if diags.HasError() {
		return
	}
	if r.secretOptional {
		diags.Append(private.SetKey(ctx, privateUnexpectedSecret, nil)...)
	}
	diags.Append(state.Set(ctx, &plan)...)
}

// write stores the planned entry and completes the model (id, date).
func (r *entryResource[M]) write(ctx context.Context, config attrGetter, plan *M, diags *diag.Diagnostics, summary string) {
	a := r.entry.attrs(plan)
	secret, ok := secretFrom(ctx, config, *a.secret, r.secretAttr+"_wo", diags)
	if diags.HasError() {
		return
	}
	var secretPtr *string
	switch {
	case ok:
		secretPtr = &secret
		// A second line of defence: the resources never log secrets on purpose.
		ctx = pd.MaskLog(ctx, secret)
	case !r.secretOptional:
		diags.AddAttributeError(path.Root(r.secretAttr), summary,
			fmt.Sprintf("Neither `%[1]s` nor `%[1]s_wo` has a value.", r.secretAttr))
		return
	}
	ref := a.ref()
	tflog.Debug(ctx, "writing "+r.noun, r.logFields(ref))
	// The library dates the entry with the fixed clock: the state gets that date.
	now := time.Now()
	if err := r.entry.write(r.fileOptions(now), ref, plan, secretPtr); err != nil {
		addFileError(diags, summary, err)
		return
	}
	*a.id = types.StringValue(r.id(ref))
	*a.date = types.StringValue(now.UTC().Format(authfiles.DateLayout))
	*a.secretWO = types.StringNull()
}

// Read applies the drift rules of the package documentation.
func (r *entryResource[M]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a := r.entry.attrs(&state)
	ref := a.ref()
	entry, found, err := r.entry.read(r.fileOptions(time.Now()), ref, &state)
	if err != nil {
		addFileError(&resp.Diagnostics, "Cannot Read "+r.file.name()+" Entry", err)
		return
	}
	if !found {
		tflog.Info(ctx, r.goneLog, r.logFields(ref))
		resp.State.RemoveResource(ctx)
		return
	}
	*a.id = types.StringValue(r.id(ref))
	unexpected := false
	switch {
	case !a.secret.IsNull():
		// Sensitive path: the secret is in state anyway; compare directly.
		*a.secret = types.StringPointerValue(entry.secret)
	case !a.secretWOVersion.IsNull():
		// Write-only path: the secret is not known, so a rewrite outside
		// Terraform (another date) or a lost secret makes the next plan
		// write it again.
		if entry.date != a.date.ValueString() || entry.secret == nil {
			tflog.Info(ctx, r.rewrittenLog, r.logFields(ref))
			*a.secretWOVersion = types.Int64Null()
		}
	default:
		unexpected = entry.secret != nil
	}
	if r.secretOptional {
		flag := []byte(nil)
		if unexpected {
			flag = []byte("true")
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateUnexpectedSecret, flag)...)
	}
	*a.date = types.StringValue(entry.date)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *entryResource[M]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ref := r.entry.attrs(&state).ref()
	tflog.Debug(ctx, "removing "+r.noun, r.logFields(ref))
	if err := r.entry.remove(r.fileOptions(time.Now()), ref); err != nil {
		addFileError(&resp.Diagnostics, "Cannot Delete "+r.file.name()+" Entry", err)
	}
}

// ImportState takes the key parts ("<url>", "<url> <provider_id>",
// "<issuer> <client_id>"), optionally followed by a space and the file path
// when the entry is not in the default file.
func (r *entryResource[M]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	names := r.keyAttrs()
	parts, file, ok := splitImportID(req.ID, len(names))
	if !ok {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Expected %s, got %q.", importFormat(names), req.ID))
		return
	}
	file, ok = r.importFile(r.file, file, &resp.Diagnostics)
	if !ok {
		return
	}
	ref := entryRef{file: file, key: flows.NormalizeURL(parts[0])}
	if len(parts) > 1 {
		ref.sub = parts[1]
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), r.id(ref))...)
	for i, name := range names {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), parts[i])...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("file"), file)...)
}

// splitImportID splits "<part 1> ... <part n>[ <file>]" at the separators
// into n non-empty parts and the file ("" when absent).
func splitImportID(id string, n int) (parts []string, file string, ok bool) {
	rest := strings.TrimSpace(id)
	for range n {
		part, after, _ := strings.Cut(rest, IDSeparator)
		if part == "" {
			return nil, "", false
		}
		parts = append(parts, part)
		rest = strings.TrimSpace(after)
	}
	return parts, rest, true
}

// importFormat shows the import IDs of a resource whose entries are named by
// the attributes names: "<url>" or "<url> <file>" (separated by a space).
func importFormat(names []string) string {
	parts := "<" + strings.Join(names, "> <") + ">"
	sep := "a space"
	if len(names) > 1 {
		sep = "spaces"
	}
	return fmt.Sprintf("%q or %q (separated by %s)", parts, parts+" <file>", sep)
}
