package authfiles

import (
	"context"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// RefreshTokens is refresh-tokens.json: {issuer: {client_id: {date,
// refresh_token}}}. Issuer keys are normalised with [flows.NormalizeURL]. There is no
// metadata block. Safe for concurrent use.
type RefreshTokens struct {
	f    *privateFile
	opts Options
}

// OpenRefreshTokens opens refresh-tokens.json at path, or at the default
// location (the data directory) when path is "". A path that is an existing
// directory gets "refresh-tokens.json" appended.
func OpenRefreshTokens(path string, opts Options) (*RefreshTokens, error) {
	p, err := opts.resolvePath(path, "RefreshTokenStore", RefreshTokensFileName, DefaultRefreshTokensPath, DefaultRefreshTokensPathReadOnly)
	if err != nil {
		return nil, err
	}
	return &RefreshTokens{
		f:    &privateFile{path: p, typeName: "RefreshTokenStore", validate: validateRefreshTokens, lockTimeout: opts.LockTimeout},
		opts: opts,
	}, nil
}

// Path returns the absolute file path.
func (s *RefreshTokens) Path() string { return s.f.path }

// ExpiresAtKey is the entry key (an extra key the Python client ignores: it
// reads only "refresh_token") that holds when the refresh token expires, in
// RFC 3339 (UTC, seconds), when the IdP said so.
const ExpiresAtKey = "refresh_token_expires_at"

// TokenEntry is one stored refresh token.
type TokenEntry struct {
	Issuer       string // the key as stored
	ClientID     string
	Date         string
	RefreshToken string
	// ExpiresAt is the entry's ExpiresAtKey; zero when absent or not a
	// valid RFC 3339 time.
	ExpiresAt time.Time
}

func tokenEntry(e *ojson.Object, issuer, clientID string) TokenEntry {
	te := TokenEntry{Issuer: issuer, ClientID: clientID}
	te.Date, _ = str(e, "date")
	te.RefreshToken, _ = str(e, "refresh_token")
	if v, ok := str(e, ExpiresAtKey); ok {
		te.ExpiresAt, _ = time.Parse(time.RFC3339, v)
	}
	return te
}

// Entry returns the entry for an issuer and client; found is false without one.
func (s *RefreshTokens) Entry(issuer, clientID string) (TokenEntry, bool, error) {
	root, _, err := s.f.document()
	if err != nil {
		return TokenEntry{}, false, err
	}
	key := flows.NormalizeURL(issuer)
	e := child(root, key, clientID)
	if e == nil {
		return TokenEntry{}, false, nil
	}
	return tokenEntry(e, key, clientID), true, nil
}

// RefreshToken implements flows.RefreshTokenStore: found needs a non-empty token.
func (s *RefreshTokens) RefreshToken(issuer, clientID string) (token string, found bool, err error) {
	e, ok, err := s.Entry(issuer, clientID)
	if err != nil || !ok || e.RefreshToken == "" {
		return "", false, err
	}
	return e.RefreshToken, true, nil
}

// SetRefreshToken implements flows.RefreshTokenStore like set_refresh_token,
// except that an existing client entry is kept and only its "date" and
// "refresh_token" are set (in place; other keys stay where they are); a new
// entry is {"date", "refresh_token"}, as Python writes it. Python replaces the
// whole entry, which would drop keys a newer client stored in it. A non-zero
// expiresAt is stored as ExpiresAtKey (after them); a zero one removes a
// stale ExpiresAtKey of the entry.
func (s *RefreshTokens) SetRefreshToken(issuer, clientID, token string, expiresAt time.Time) error {
	date := s.opts.date()
	return s.f.commit(func(d *draft) error {
		setRefreshToken(d, issuer, clientID, token, date, expiresAt)
		return nil
	})
}

// RotateRefreshToken implements flows.RefreshTokenStore: it runs refresh
// under the file's locks (the in-process mutex and the cross-process lock
// file that every write takes), with the token stored now for (issuer,
// clientID) ("" without an entry) and its stored expiry (zero when
// unknown), and writes the token refresh returns
// (date, refresh_token and its expiry, as SetRefreshToken) when it is not
// "" and differs from the stored one, before it releases the locks. When refresh
// fails, its error is returned and the file is not touched. A file that
// cannot be loaded fails before refresh runs, with the load error.
func (s *RefreshTokens) RotateRefreshToken(ctx context.Context, issuer, clientID string,
	refresh func(context.Context, string, time.Time) (string, time.Time, error)) error {
	var refreshErr error
	err := s.f.update(func(root *ojson.Object) error {
		var current TokenEntry
		if e := child(root, flows.NormalizeURL(issuer), clientID); e != nil {
			current = tokenEntry(e, "", clientID)
		}
		rotated, expiresAt, err := refresh(ctx, current.RefreshToken, current.ExpiresAt)
		if err != nil {
			refreshErr = err
			return ErrSkipWrite
		}
		if rotated == "" || rotated == current.RefreshToken {
			return ErrSkipWrite
		}
		setRefreshToken(inPlace(root), issuer, clientID, rotated, s.opts.date(), expiresAt)
		return nil
	})
	if refreshErr != nil {
		return refreshErr
	}
	return err
}

func setRefreshToken(d *draft, issuer, clientID, token, date string, expiresAt time.Time) {
	e, err := d.ensure(flows.NormalizeURL(issuer), clientID)
	if err != nil {
		return // unreachable: the document was validated on load
	}
	e.Set("date", ojson.String(date))
	e.Set("refresh_token", ojson.String(token))
	if expiresAt.IsZero() {
		e.Delete(ExpiresAtKey)
	} else {
		e.Set(ExpiresAtKey, ojson.String(expiresAt.UTC().Truncate(time.Second).Format(time.RFC3339)))
	}
}

// Remove deletes one entry, and the issuer object when it becomes empty.
// removed is false (and nothing is written) without an entry.
func (s *RefreshTokens) Remove(issuer, clientID string) (removed bool, err error) {
	err = s.f.commitExisting(func(d *draft) error {
		removed = removeRefreshToken(d, issuer, clientID)
		return nil
	})
	return removed, err
}

func removeRefreshToken(d *draft, issuer, clientID string) bool {
	key := flows.NormalizeURL(issuer)
	if !child(d.root, key).Has(clientID) {
		return false
	}
	clients := d.path(key)
	clients.Delete(clientID)
	if clients.Len() == 0 {
		d.root.Delete(key)
	}
	return true
}

// Clear deletes the file (openeo-auth token-clear). removed is false when
// there was no file.
func (s *RefreshTokens) Clear() (removed bool, err error) {
	return s.f.remove()
}

// Entries lists every stored token in file order.
func (s *RefreshTokens) Entries() ([]TokenEntry, error) {
	root, _, err := s.f.document()
	if err != nil {
		return nil, err
	}
	return tokenEntriesOf(root), nil
}

func tokenEntriesOf(root *ojson.Object) []TokenEntry {
	var out []TokenEntry
	for issuer, iv := range root.All() {
		clients, _ := iv.AsObject()
		for client, cv := range clients.All() {
			e, _ := cv.AsObject()
			out = append(out, tokenEntry(e, issuer, client))
		}
	}
	return out
}

// Update runs fn on the current document under the file locks and writes
// the result atomically (see AuthConfig.Update).
func (s *RefreshTokens) Update(fn func(root *ojson.Object) error) error {
	return s.f.update(fn)
}

// Document returns a copy of the whole document, redacted unless showSecrets.
func (s *RefreshTokens) Document(showSecrets bool) (doc *ojson.Object, exists bool, err error) {
	root, exists, err := s.f.document()
	if err != nil {
		return nil, false, err
	}
	if !showSecrets {
		return Redact(root), exists, nil
	}
	return root.Clone(), exists, nil // the loaded document is shared (read cache)
}

// Dump returns the document as `openeo-auth token-dump` prints it (see
// AuthConfig.Dump).
func (s *RefreshTokens) Dump(showSecrets bool) ([]byte, error) {
	return dump(s.f, showSecrets)
}
