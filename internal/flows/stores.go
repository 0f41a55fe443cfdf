package flows

import (
	"context"
	"time"
)

// AuthConfigReader reads what the openEO Python client keeps in auth-config.json
// (basic credentials and OIDC client settings per back-end URL). The authfiles
// package implements it; flows never touches files itself.
type AuthConfigReader interface {
	// BasicCredentials returns the stored username and password for a back-end
	// URL (normalised by the implementation). found is false when there is no entry.
	BasicCredentials(backendURL string) (username, password string, found bool, err error)
	// OIDCProviderIDs lists the provider ids configured for a back-end URL, in file order.
	OIDCProviderIDs(backendURL string) ([]string, error)
	// OIDCClient returns the client id and secret stored for a back-end URL and
	// provider. A stored null client id counts as not found.
	OIDCClient(backendURL, providerID string) (clientID, clientSecret string, found bool, err error)
}

// RefreshTokenStore is the refresh-tokens.json store, keyed by issuer (as
// listed by the back-end, normalised) and client id. It is the one source
// of truth for a stored refresh token, shared by every process that uses
// the file.
type RefreshTokenStore interface {
	RefreshToken(issuer, clientID string) (token string, found bool, err error)
	// SetRefreshToken stores token with its expiry (zero when unknown).
	SetRefreshToken(issuer, clientID, token string, expiresAt time.Time) error
	// RotateRefreshToken runs refresh while it holds the store's
	// cross-process lock: it reads the entry of (issuer, clientID) again,
	// calls refresh with the token stored now ("" when there is none;
	// another process may have rotated it meanwhile) and its stored expiry
	// (zero when unknown) and, when refresh
	// returns a token other than "" and the stored one, writes it (and
	// its expiry, zero when unknown) to the entry before it releases the
	// lock. An error of refresh is returned
	// as is and nothing is written. The lock is held only for refresh.
	RotateRefreshToken(ctx context.Context, issuer, clientID string, refresh func(context.Context, string, time.Time) (string, time.Time, error)) error
}
