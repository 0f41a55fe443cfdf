package resources

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

// NewAuthConfigOIDCResource manages backends.<url>.oidc.providers.<provider_id>
// in auth-config.json.
func NewAuthConfigOIDCResource() resource.Resource {
	return &authConfigOIDCResource{newEntryResource[authConfigOIDCModel](oidcEntry{})}
}

type authConfigOIDCResource struct {
	entryResource[authConfigOIDCModel]
}

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
			"id": idAttribute("`<url> <provider_id>`: the normalised back-end URL and the provider id, separated " +
				"by a space. Also the import ID."),
			"file": fileAttribute(authConfigFile),
			"url": keyAttribute("url", "The back-end URL, with its scheme, as passed to `openeo.connect()`. The entry key is "+
				"this URL without trailing slashes."),
			"provider_id": subKeyAttribute("The id of the OIDC provider as listed by the back-end's `GET /credentials/oidc`."),
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The OIDC client id. Null (the default) writes `\"client_id\": null`, which makes the " +
					"Python client use the back-end's default client (as `openeo-auth add-oidc --use-default-client`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"client_secret": secretAttribute("client_secret_wo", "The client secret of a confidential client. Stored in "+
				"the Terraform state (sensitive). Conflicts with `client_secret_wo`; prefer that on Terraform >= 1.11. "+
				"Requires `client_id`.",
				stringvalidator.AlsoRequires(path.MatchRoot("client_id"))),
			"client_secret_wo": writeOnlyAttribute("The client secret, write-only: never stored in the Terraform state "+
				"or plan (Terraform >= 1.11, OpenTofu >= 1.11). Requires `client_id` and `client_secret_wo_version`.",
				stringvalidator.AlsoRequires(path.MatchRoot("client_id"))),
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

// ModifyPlan adds to the shared plan the rewrite of an entry that holds a
// client secret the configuration does not set (flagged by Read).
func (r *authConfigOIDCResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.entryResource.ModifyPlan(ctx, req, resp)
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

// oidcEntry is backends.<url>.oidc.providers.<provider_id>: the client id
// (null: the back-end's default client), the client secret of confidential
// clients (none for public ones) and the issuer.
type oidcEntry struct{}

func (oidcEntry) spec() entrySpec {
	return entrySpec{
		typeName:       "_auth_config_oidc",
		file:           authConfigFile,
		keyAttr:        "url",
		subAttr:        "provider_id",
		secretAttr:     "client_secret",
		secretOptional: true,
		noun:           "OIDC client settings",
		goneLog:        "OIDC client entry is gone; it will be re-created",
		rewrittenLog:   "OIDC client entry was rewritten outside Terraform; the client secret will be written again",
	}
}

func (oidcEntry) attrs(m *authConfigOIDCModel) entryAttrs {
	return entryAttrs{
		id: &m.ID, file: &m.File, date: &m.Date, key: &m.URL, sub: &m.ProviderID,
		secret: &m.ClientSecret, secretWO: &m.ClientSecretWO, secretWOVersion: &m.ClientSecretWOVersion,
	}
}

func (oidcEntry) read(o authfiles.Options, ref entryRef, m *authConfigOIDCModel) (storedEntry, bool, error) {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return storedEntry{}, false, err
	}
	e, found, err := c.OIDCProvider(ref.key, ref.sub)
	if err != nil || !found {
		return storedEntry{}, false, err
	}
	m.ClientID = types.StringPointerValue(e.ClientID)
	m.Issuer = types.StringNull()
	if e.HasIssuer {
		m.Issuer = types.StringValue(e.Issuer)
	}
	return storedEntry{date: e.Date, secret: e.ClientSecret}, true, nil
}

// write stores the client; an issuer the configuration does not set is
// removed from the entry.
func (oidcEntry) write(o authfiles.Options, ref entryRef, m *authConfigOIDCModel, secret *string) error {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return err
	}
	return c.SetOIDCProvider(ref.key, ref.sub, authfiles.OIDCClientConfig{
		ClientID: stringPtr(m.ClientID), ClientSecret: secret, Issuer: m.Issuer.ValueString(), DropIssuer: true,
	})
}

func (oidcEntry) remove(o authfiles.Options, ref entryRef) error {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return err
	}
	_, err = c.RemoveOIDCProvider(ref.key, ref.sub)
	return err
}

func (oidcEntry) replaced(ref entryRef) string {
	return fmt.Sprintf("%s already had OIDC settings for provider %q of %s; they were replaced.", ref.file, ref.sub, ref.key)
}
