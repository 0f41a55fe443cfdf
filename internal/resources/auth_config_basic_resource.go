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

// NewAuthConfigBasicResource manages backends.<url>.basic in auth-config.json.
func NewAuthConfigBasicResource() resource.Resource {
	return &authConfigBasicResource{newEntryResource[authConfigBasicModel](basicEntry{})}
}

type authConfigBasicResource struct {
	entryResource[authConfigBasicModel]
}

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
			"id":   idAttribute("The back-end URL as normalised by the Python client (trailing slashes removed). Also the import ID."),
			"file": fileAttribute(authConfigFile),
			"url": keyAttribute("url", "The back-end URL, with its scheme, as passed to `openeo.connect()` (for example "+
				"`https://openeo.example.com`). The entry key is this URL without trailing slashes."),
			"username": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The user name.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"password": secretAttribute("password_wo", "The password. Stored in the Terraform state (sensitive). "+
				"Exactly one of `password` and `password_wo` must be set; prefer `password_wo` on Terraform >= 1.11."),
			"password_wo": writeOnlyAttribute("The password, write-only: never stored in the Terraform state or plan " +
				"(Terraform >= 1.11, OpenTofu >= 1.11). Requires `password_wo_version`; change that number to write " +
				"a new password."),
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

// basicEntry is backends.<url>.basic: the user name and the password.
type basicEntry struct{}

func (basicEntry) spec() entrySpec {
	return entrySpec{
		typeName:     "_auth_config_basic",
		file:         authConfigFile,
		keyAttr:      "url",
		secretAttr:   "password",
		noun:         "basic credentials",
		goneLog:      "basic credentials entry is gone; it will be re-created",
		rewrittenLog: "basic credentials were rewritten outside Terraform; the password will be written again",
	}
}

func (basicEntry) attrs(m *authConfigBasicModel) entryAttrs {
	return entryAttrs{
		id: &m.ID, file: &m.File, date: &m.Date, key: &m.URL,
		secret: &m.Password, secretWO: &m.PasswordWO, secretWOVersion: &m.PasswordWOVersion,
	}
}

func (basicEntry) read(o authfiles.Options, ref entryRef, m *authConfigBasicModel) (storedEntry, bool, error) {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return storedEntry{}, false, err
	}
	e, found, err := c.Basic(ref.key)
	if err != nil || !found {
		return storedEntry{}, false, err
	}
	m.Username = types.StringValue(e.Username)
	stored := storedEntry{date: e.Date}
	if e.HasPassword {
		stored.secret = &e.Password
	}
	return stored, true, nil
}

func (basicEntry) write(o authfiles.Options, ref entryRef, m *authConfigBasicModel, secret *string) error {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return err
	}
	return c.SetBasicWithMode(ref.key, m.Username.ValueString(), *secret, authfiles.PasswordAlways)
}

func (basicEntry) remove(o authfiles.Options, ref entryRef) error {
	c, err := authfiles.OpenAuthConfig(ref.file, o)
	if err != nil {
		return err
	}
	_, err = c.RemoveBasic(ref.key)
	return err
}

func (basicEntry) replaced(ref entryRef) string {
	return fmt.Sprintf("%s already had basic credentials for %s; they were replaced.", ref.file, ref.key)
}
