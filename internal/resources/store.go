package resources

import "context"

// BasicEntry is backends.<url>.basic of auth-config.json as the resources see it.
type BasicEntry struct {
	Date     string
	Username string
	// Password is nil when the entry has no (string) password.
	Password *string
}

// OIDCEntry is backends.<url>.oidc.providers.<provider_id> of auth-config.json.
type OIDCEntry struct {
	Date string
	// ClientID is nil for JSON null (the back-end's default client) or a missing key.
	ClientID     *string
	ClientSecret *string
	Issuer       *string
}

// TokenEntry is <issuer>.<client_id> of refresh-tokens.json.
type TokenEntry struct {
	Date         string
	RefreshToken *string
}

// Store is what the resources need from the auth-files library. Every method
// works on an explicit file path; Set* and Remove* are locked, atomic
// read-modify-writes that keep everything else in the file (unknown keys,
// metadata, other entries) as it was. A missing file or entry is reported as
// found == false, never as an error. Errors name the file and the problem and
// never contain a secret.
type Store interface {
	// WithCreatedBy returns the Store whose writes record createdBy as
	// metadata.created_by when they create the metadata block of
	// auth-config.json, e.g. "terraform-provider-openeo 1.2.3".
	WithCreatedBy(createdBy string) Store

	DefaultAuthConfigPath() (string, error)
	DefaultRefreshTokensPath() (string, error)

	// CheckAuthConfig and CheckRefreshTokens load an existing file (a missing
	// one is fine) and report why it cannot be used: not private, not JSON,
	// a directory, a foreign shape.
	CheckAuthConfig(file string) error
	CheckRefreshTokens(file string) error

	Basic(file, url string) (entry BasicEntry, found bool, err error)
	SetBasic(ctx context.Context, file, url, username, password string) (date string, err error)
	RemoveBasic(ctx context.Context, file, url string) error

	OIDC(file, url, providerID string) (entry OIDCEntry, found bool, err error)
	SetOIDC(ctx context.Context, file, url, providerID string, clientID, clientSecret, issuer *string) (date string, err error)
	RemoveOIDC(ctx context.Context, file, url, providerID string) error

	RefreshToken(file, issuer, clientID string) (entry TokenEntry, found bool, err error)
	SetRefreshToken(ctx context.Context, file, issuer, clientID, token string) (date string, err error)
	RemoveRefreshToken(ctx context.Context, file, issuer, clientID string) error
}

// defaultStore is the Store the resource constructors use. Tests may swap it.
var defaultStore Store = authfilesStore{}
