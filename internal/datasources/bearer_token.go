package datasources

import (
	"context"
	"time"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

// bearerTokenModel is shared by the data source and the ephemeral resource.
type bearerTokenModel struct {
	Bearer              types.String `tfsdk:"bearer"`
	AccessToken         types.String `tfsdk:"access_token"`
	AuthorizationHeader types.String `tfsdk:"authorization_header"`
	Method              types.String `tfsdk:"method"`
	AuthMethod          types.String `tfsdk:"auth_method"`
	ProviderID          types.String `tfsdk:"provider_id"`
	ExpiresAt           types.String `tfsdk:"expires_at"`
	RefreshExpiresAt    types.String `tfsdk:"refresh_token_expires_at"`
}

func tokenToModel(t *flows.Token, authMethod string) bearerTokenModel {
	m := bearerTokenModel{
		Bearer:              types.StringValue(t.Bearer),
		AccessToken:         types.StringValue(t.AccessToken),
		AuthorizationHeader: types.StringValue("Bearer " + t.Bearer),
		Method:              types.StringValue(bearerMethod(t)),
		AuthMethod:          types.StringValue(authMethod),
		ProviderID:          optString(t.ProviderID),
		ExpiresAt:           types.StringNull(),
		RefreshExpiresAt:    types.StringNull(),
	}
	if !t.Expiry.IsZero() {
		m.ExpiresAt = types.StringValue(t.Expiry.UTC().Format(time.RFC3339))
	}
	if !t.RefreshExpiry.IsZero() {
		m.RefreshExpiresAt = types.StringValue(t.RefreshExpiry.UTC().Format(time.RFC3339))
	}
	return m
}

// bearerMethod is the openEO bearer method of the method attribute: "basic",
// "oidc", or for a bearer given as is its own prefix ("bearer" without one).
func bearerMethod(t *flows.Token) string {
	switch t.Method {
	case flows.MethodBasic:
		return "basic"
	case flows.MethodBearer:
		if b := flows.ParseBearer(t.Bearer); b.Method != "" {
			return b.Method
		}
		return "bearer"
	}
	return "oidc"
}

type tokenAttr struct {
	name, desc string
	sensitive  bool
}

var tokenAttrs = []tokenAttr{
	{"bearer", "The openEO bearer: what follows `Bearer ` in the `Authorization` header, e.g. `oidc/<provider_id>/<access_token>` " +
		"or `basic//<access_token>` (or the plain access token when the back-end accepts JWT bearers and the OIDC access " +
		"token is a JWT with an `iss` claim; basic tokens always keep `basic//`).", true},
	{"access_token", "The raw access token, without the openEO `method/provider_id/` prefix.", true},
	{"authorization_header", "The complete `Authorization` header value: `Bearer <bearer>`.", true},
	{"method", "The openEO bearer method: `basic` or `oidc` (or `bearer` for a bearer given as is).", false},
	{"auth_method", "The provider's auth method that produced the token, e.g. `client_credentials`.", false},
	{"provider_id", "The OIDC provider id; null for basic and plain bearer tokens.", false},
	{"expires_at", "When the access token expires, as an RFC 3339 UTC timestamp; null when the expiry is not known " +
		"(basic tokens, plain bearers).", false},
	{"refresh_token_expires_at", "When the refresh token of the login expires, as an RFC 3339 UTC timestamp, as the " +
		"identity provider told it (`refresh_expires_in`, or the `exp` of a JWT refresh token); null when there is no " +
		"refresh token or its expiry is not known. A stored one that expires within the provider's " +
		"`oidc.refresh_token_warning` gives a warning.", false},
}

func bearerTokenDataSourceAttributes() map[string]dschema.Attribute {
	out := map[string]dschema.Attribute{}
	for _, a := range tokenAttrs {
		out[a.name] = dschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.desc}
	}
	return out
}

func bearerTokenEphemeralAttributes() map[string]eschema.Attribute {
	out := map[string]eschema.Attribute{}
	for _, a := range tokenAttrs {
		out[a.name] = eschema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.desc}
	}
	return out
}

// tokenModel is the toModel of both openeo_bearer_token types (the token
// comes from (*pd.Session).Token, shared by all data sources and ephemeral
// resources of the provider instance); logged is the debug message.
func (b *base) tokenModel(logged string) func(context.Context, *flows.Token) (bearerTokenModel, diag.Diagnostics) {
	return func(ctx context.Context, tok *flows.Token) (bearerTokenModel, diag.Diagnostics) {
		ctx = pd.MaskLog(ctx, tok.Bearer, tok.AccessToken)
		m := tokenToModel(tok, string(b.client.Settings().Method))
		tflog.Debug(ctx, logged, map[string]any{
			"method": m.Method.ValueString(), "provider_id": tok.ProviderID, "expires_at": m.ExpiresAt.ValueString(),
		})
		return m, nil
	}
}
