package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// NewRefreshTokenResource manages <issuer>.<client_id> in refresh-tokens.json.
func NewRefreshTokenResource() resource.Resource {
	return &refreshTokenResource{newEntryResource[refreshTokenModel](tokenEntry{})}
}

type refreshTokenResource struct {
	entryResource[refreshTokenModel]
}

type refreshTokenModel struct {
	ID                    types.String `tfsdk:"id"`
	File                  types.String `tfsdk:"file"`
	Issuer                types.String `tfsdk:"issuer"`
	ClientID              types.String `tfsdk:"client_id"`
	RefreshToken          types.String `tfsdk:"refresh_token"`
	RefreshTokenWO        types.String `tfsdk:"refresh_token_wo"`
	RefreshTokenWOVersion types.Int64  `tfsdk:"refresh_token_wo_version"`
	Date                  types.String `tfsdk:"date"`
	ExpiresAt             types.String `tfsdk:"refresh_token_expires_at"`
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
			"id": idAttribute("`<issuer> <client_id>`: the normalised issuer and the client id, separated by a " +
				"space. Also the import ID."),
			"file": fileAttribute(refreshTokensFile),
			"issuer": keyAttribute("issuer", "The issuer URL of the OIDC provider, as listed by the back-end's "+
				"`GET /credentials/oidc`. The entry key is this URL without trailing slashes."),
			"client_id": subKeyAttribute("The OIDC client id the refresh token was issued to."),
			"refresh_token": secretAttribute("refresh_token_wo", "The refresh token. Stored in the Terraform state "+
				"(sensitive); on refresh the token found in the file is read back, including one the runner stored "+
				"later. Exactly one of `refresh_token` and `refresh_token_wo` must be set; prefer `refresh_token_wo` "+
				"on Terraform >= 1.11."),
			"refresh_token_wo": writeOnlyAttribute("The refresh token, write-only: never stored in the Terraform state " +
				"or plan (Terraform >= 1.11, OpenTofu >= 1.11). Requires `refresh_token_wo_version`."),
			"refresh_token_wo_version": woVersionAttribute("refresh_token_wo"),
			"date":                     dateAttribute(),
			"refresh_token_expires_at": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "When the refresh token expires (RFC 3339, UTC), as stored in the entry's " +
					"`refresh_token_expires_at` key: the provider and `openeo-auth` store it when the identity " +
					"provider says it (Keycloak's `refresh_expires_in`, or the `exp` of a JWT refresh token); for a " +
					"token given here, the `exp` of a JWT. `null` when unknown.",
			},
		},
	}
}

func (r *refreshTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("refresh_token"), path.MatchRoot("refresh_token_wo")),
		resourcevalidator.RequiredTogether(path.MatchRoot("refresh_token_wo"), path.MatchRoot("refresh_token_wo_version")),
	}
}

// tokenEntry is <issuer>.<client_id> of refresh-tokens.json: the token and
// its date.
type tokenEntry struct{}

func (tokenEntry) spec() entrySpec {
	return entrySpec{
		typeName:     "_refresh_token",
		file:         refreshTokensFile,
		keyAttr:      "issuer",
		subAttr:      "client_id",
		secretAttr:   "refresh_token",
		noun:         "refresh token",
		goneLog:      "refresh token entry is gone; it will be re-created",
		rewrittenLog: "refresh token entry was rewritten outside Terraform; the token will be written again",
	}
}

func (tokenEntry) attrs(m *refreshTokenModel) entryAttrs {
	return entryAttrs{
		id: &m.ID, file: &m.File, date: &m.Date, key: &m.Issuer, sub: &m.ClientID,
		secret: &m.RefreshToken, secretWO: &m.RefreshTokenWO, secretWOVersion: &m.RefreshTokenWOVersion,
	}
}

func (tokenEntry) read(o authfiles.Options, ref entryRef, m *refreshTokenModel) (storedEntry, bool, error) {
	t, err := authfiles.OpenRefreshTokens(ref.file, o)
	if err != nil {
		return storedEntry{}, false, err
	}
	e, found, err := t.Entry(ref.key, ref.sub)
	if err != nil || !found {
		return storedEntry{}, false, err
	}
	stored := storedEntry{date: e.Date}
	m.ExpiresAt = expiresAtValue(e.ExpiresAt)
	if e.RefreshToken != "" {
		stored.secret = &e.RefreshToken
	}
	return stored, true, nil
}

func (tokenEntry) write(o authfiles.Options, ref entryRef, m *refreshTokenModel, secret *string) error {
	t, err := authfiles.OpenRefreshTokens(ref.file, o)
	if err != nil {
		return err
	}
	// A given token's expiry is known only when it is a JWT (its exp).
	exp := flows.RefreshTokenExpiry(*secret, nil, time.Now())
	if err := t.SetRefreshToken(ref.key, ref.sub, *secret, exp); err != nil {
		return err
	}
	m.ExpiresAt = expiresAtValue(exp.Truncate(time.Second))
	return nil
}

// expiresAtValue is refresh_token_expires_at: RFC 3339 in UTC, null for
// the zero time.
func expiresAtValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func (tokenEntry) remove(o authfiles.Options, ref entryRef) error {
	t, err := authfiles.OpenRefreshTokens(ref.file, o)
	if err != nil {
		return err
	}
	_, err = t.Remove(ref.key, ref.sub)
	return err
}

func (tokenEntry) replaced(ref entryRef) string {
	return fmt.Sprintf("%s already had a refresh token for client %q of issuer %s; it was replaced.", ref.file, ref.sub, ref.key)
}
