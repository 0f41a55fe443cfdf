package datasources

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

// NewAuthConfigDataSource returns the openeo_auth_config data source: the
// entries of auth-config.json and refresh-tokens.json without their secrets.
func NewAuthConfigDataSource() datasource.DataSource {
	return &authConfigDataSource{providerDataSource{typeName: "_auth_config"}}
}

type authConfigDataSource struct{ providerDataSource }

type authConfigDataModel struct {
	AuthConfigFile    types.String        `tfsdk:"auth_config_file"`
	RefreshTokensFile types.String        `tfsdk:"refresh_tokens_file"`
	Basic             []acBasicRow        `tfsdk:"basic"`
	OIDC              []acOIDCRow         `tfsdk:"oidc"`
	RefreshTokens     []acRefreshTokenRow `tfsdk:"refresh_tokens"`
	AuthConfigJSON    types.String        `tfsdk:"auth_config_json"`
	RefreshTokensJSON types.String        `tfsdk:"refresh_tokens_json"`
}

type acBasicRow struct {
	URL         types.String `tfsdk:"url"`
	Username    types.String `tfsdk:"username"`
	HasPassword types.Bool   `tfsdk:"has_password"`
	Date        types.String `tfsdk:"date"`
}

type acOIDCRow struct {
	URL             types.String `tfsdk:"url"`
	ProviderID      types.String `tfsdk:"provider_id"`
	ClientID        types.String `tfsdk:"client_id"`
	HasClientSecret types.Bool   `tfsdk:"has_client_secret"`
	Issuer          types.String `tfsdk:"issuer"`
	Date            types.String `tfsdk:"date"`
}

type acRefreshTokenRow struct {
	Issuer   types.String `tfsdk:"issuer"`
	ClientID types.String `tfsdk:"client_id"`
	Date     types.String `tfsdk:"date"`
}

func (d *authConfigDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the entries of the openEO Python client's `auth-config.json` and " +
			"`refresh-tokens.json` without their secrets, like `openeo-auth config-dump` and `openeo-auth token-dump`. " +
			"Needs neither a back-end nor credentials. Passwords, client secrets and refresh tokens are never read into " +
			"the state: the lists only say whether a secret is stored, and the JSON dumps show `\"<redacted>\"`.\n\n" +
			"A missing file gives empty lists and a null dump. A file that is not private (group or other permission " +
			"bits), not JSON, a directory or of a foreign shape is an error, as in the Python client.",
		Attributes: map[string]schema.Attribute{
			"auth_config_file": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Path of `auth-config.json`. Default: the provider's `auth_config_path`, else the " +
					"Python client's location (`$OPENEO_CONFIG_HOME/auth-config.json` when `OPENEO_CONFIG_HOME` is set, else " +
					"`$XDG_CONFIG_HOME/openeo-python-client/auth-config.json` or `~/.config/openeo-python-client/auth-config.json`, " +
					"whichever folder exists first).",
			},
			"refresh_tokens_file": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Path of `refresh-tokens.json`. Default: the provider's `refresh_token_store_path`, " +
					"else the Python client's location (`$OPENEO_CONFIG_HOME/refresh-tokens.json` when `OPENEO_CONFIG_HOME` is set, else " +
					"`$XDG_DATA_HOME/openeo-python-client/refresh-tokens.json` or `~/.local/share/openeo-python-client/refresh-tokens.json`, " +
					"whichever folder exists first).",
			},
			"basic": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The basic-auth entries (`backends.<url>.basic`), in file order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"url":          str("The back-end key as stored."),
					"username":     str("The user name; null when absent."),
					"has_password": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a password is stored."},
					"date":         str("The entry's date; null when absent."),
				}},
			},
			"oidc": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The OIDC provider entries (`backends.<url>.oidc.providers.<provider_id>`), in file order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"url":               str("The back-end key as stored."),
					"provider_id":       str("The provider id."),
					"client_id":         str("The client id; null means the back-end's default client."),
					"has_client_secret": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a (non-null) client secret is stored."},
					"issuer":            str("The issuer; null when absent."),
					"date":              str("The entry's date; null when absent."),
				}},
			},
			"refresh_tokens": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The refresh-token entries (`<issuer>.<client_id>`), in file order. The tokens themselves are not exposed.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"issuer":    str("The issuer key as stored."),
					"client_id": str("The client id."),
					"date":      str("The entry's date; null when absent."),
				}},
			},
			"auth_config_json": str("The whole `auth-config.json` as `openeo-auth config-dump` prints it (indent 2, " +
				"secrets replaced by `\"<redacted>\"`, unknown keys included); null when the file does not exist."),
			"refresh_tokens_json": str("The whole `refresh-tokens.json` as `openeo-auth token-dump` prints it (tokens " +
				"replaced by `\"<redacted>\"`); null when the file does not exist."),
		},
	}
}

func (d *authConfigDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m authConfigDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	acFile, ok := d.file(m.AuthConfigFile, "auth_config_file", &resp.Diagnostics)
	if !ok {
		return
	}
	rtFile, ok := d.file(m.RefreshTokensFile, "refresh_tokens_file", &resp.Diagnostics)
	if !ok {
		return
	}
	m.AuthConfigFile, m.RefreshTokensFile = types.StringValue(acFile), types.StringValue(rtFile)
	tflog.Debug(ctx, "reading openEO auth files", map[string]any{"auth_config_file": acFile, "refresh_tokens_file": rtFile})

	m.Basic, m.OIDC, m.RefreshTokens = []acBasicRow{}, []acOIDCRow{}, []acRefreshTokenRow{}
	m.AuthConfigJSON, m.RefreshTokensJSON = types.StringNull(), types.StringNull()

	ac, err := authfiles.OpenAuthConfig(acFile, authfiles.Options{FileOnly: true})
	if err == nil {
		err = acReadAuthConfig(ac, &m)
	}
	if err != nil {
		acFileError(&resp.Diagnostics, "auth_config_file", err)
		return
	}

	rt, err := authfiles.OpenRefreshTokens(rtFile, authfiles.Options{FileOnly: true})
	if err == nil {
		err = acReadRefreshTokens(rt, &m)
	}
	if err != nil {
		acFileError(&resp.Diagnostics, "refresh_tokens_file", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// file returns the configured path, else the provider's, else the Python
// client's default (resolved without creating folders).
func (d *authConfigDataSource) file(v types.String, attr string, diags *diag.Diagnostics) (string, bool) {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString(), true
	}
	if d.client != nil {
		s := d.client.Settings()
		p := s.AuthConfigPath
		if attr == "refresh_tokens_file" {
			p = s.RefreshTokenStorePath
		}
		if p != "" {
			return p, true
		}
	}
	var p string
	var err error
	if attr == "refresh_tokens_file" {
		p, err = authfiles.DefaultRefreshTokensPathReadOnly(authfiles.Env{})
	} else {
		p, err = authfiles.DefaultAuthConfigPathReadOnly(authfiles.Env{})
	}
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Cannot Resolve Default File",
			"Set "+attr+" explicitly.\n\nOriginal Error: "+err.Error())
		return "", false
	}
	return p, true
}

func acFileError(diags *diag.Diagnostics, attr string, err error) {
	// One summary per kind of fault, as everywhere in the provider.
	if fe, ok := as[*authfiles.FileError](err); ok {
		diags.AddAttributeError(path.Root(attr), fe.Title(), fe.Detail())
		return
	}
	diags.AddAttributeError(path.Root(attr), "Cannot Read openEO Auth File", err.Error())
}

func acOptString(s string, ok bool) types.String {
	if !ok {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func acReadAuthConfig(ac *authfiles.AuthConfig, m *authConfigDataModel) error {
	doc, exists, err := ac.Document(false)
	if err != nil || !exists {
		return err
	}
	entries, err := ac.Entries()
	if err != nil {
		return err
	}
	for _, b := range entries {
		if b.Basic != nil {
			m.Basic = append(m.Basic, acBasicRow{
				URL:         types.StringValue(b.Backend),
				Username:    acOptString(b.Basic.Username, b.Basic.Username != ""),
				HasPassword: types.BoolValue(b.Basic.HasPassword),
				Date:        acOptString(b.Basic.Date, b.Basic.Date != ""),
			})
		}
		for _, p := range b.OIDCProviders {
			m.OIDC = append(m.OIDC, acOIDCRow{
				URL:             types.StringValue(b.Backend),
				ProviderID:      types.StringValue(p.ProviderID),
				ClientID:        types.StringPointerValue(p.ClientID),
				HasClientSecret: types.BoolValue(p.ClientSecret != nil),
				Issuer:          acOptString(p.Issuer, p.HasIssuer),
				Date:            acOptString(p.Date, p.Date != ""),
			})
		}
	}
	m.AuthConfigJSON = types.StringValue(string(ojson.EncodeObject(doc)))
	return nil
}

func acReadRefreshTokens(rt *authfiles.RefreshTokens, m *authConfigDataModel) error {
	doc, exists, err := rt.Document(false)
	if err != nil || !exists {
		return err
	}
	entries, err := rt.Entries()
	if err != nil {
		return err
	}
	for _, e := range entries {
		m.RefreshTokens = append(m.RefreshTokens, acRefreshTokenRow{
			Issuer:   types.StringValue(e.Issuer),
			ClientID: types.StringValue(e.ClientID),
			Date:     acOptString(e.Date, e.Date != ""),
		})
	}
	m.RefreshTokensJSON = types.StringValue(string(ojson.EncodeObject(doc)))
	return nil
}
