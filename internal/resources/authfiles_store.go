package resources

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

// authfilesStore is the thin adapter from Store to internal/authfiles. It
// adds two things the library does not do:
//   - the resources' file attribute names a file: a directory is an error
//     (the library appends the default file name to a directory, like the
//     Python client's constructor);
//   - the Set* methods return the date they wrote, by handing the library a
//     clock fixed at the time of the call.
type authfilesStore struct {
	env authfiles.Env
	// createdBy is metadata.created_by of new auth-config.json files; ""
	// means authfiles.DefaultCreatedBy.
	createdBy string
}

var _ Store = authfilesStore{}

func (s authfilesStore) WithCreatedBy(createdBy string) Store {
	s.createdBy = createdBy
	return s
}

func (s authfilesStore) DefaultAuthConfigPath() (string, error) {
	return authfiles.DefaultAuthConfigPathReadOnly(s.env)
}

func (s authfilesStore) DefaultRefreshTokensPath() (string, error) {
	return authfiles.DefaultRefreshTokensPathReadOnly(s.env)
}

// notDir refuses a path that is a directory, with the library's wording.
func notDir(path, typeName string) error {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return nil //nolint:nilerr // a missing or unreadable path is the library's to report
	}
	return &authfiles.FileError{
		Path: path, Op: "load", Kind: authfiles.ErrIsDirectory,
		Msg: fmt.Sprintf("Failed to load %s from '%s': the path is a directory, not a file.", typeName, path),
		Fix: "Remove or rename that directory, or configure a file path instead.",
	}
}

func (s authfilesStore) options(now time.Time) authfiles.Options {
	return authfiles.Options{Env: s.env, Now: func() time.Time { return now }, CreatedBy: s.createdBy}
}

func (s authfilesStore) authConfig(file string, now time.Time) (*authfiles.AuthConfig, error) {
	if err := notDir(file, "AuthConfig"); err != nil {
		return nil, err
	}
	return authfiles.OpenAuthConfig(file, s.options(now))
}

func (s authfilesStore) refreshTokens(file string, now time.Time) (*authfiles.RefreshTokens, error) {
	if err := notDir(file, "RefreshTokenStore"); err != nil {
		return nil, err
	}
	return authfiles.OpenRefreshTokens(file, s.options(now))
}

func dateOf(now time.Time) string { return now.UTC().Format(authfiles.DateLayout) }

func (s authfilesStore) CheckAuthConfig(file string) error {
	c, err := s.authConfig(file, time.Now())
	if err != nil {
		return err
	}
	_, _, err = c.Document(false)
	return err
}

func (s authfilesStore) CheckRefreshTokens(file string) error {
	t, err := s.refreshTokens(file, time.Now())
	if err != nil {
		return err
	}
	_, _, err = t.Document(false)
	return err
}

func (s authfilesStore) Basic(file, url string) (BasicEntry, bool, error) {
	c, err := s.authConfig(file, time.Now())
	if err != nil {
		return BasicEntry{}, false, err
	}
	e, found, err := c.Basic(url)
	if err != nil || !found {
		return BasicEntry{}, false, err
	}
	out := BasicEntry{Date: e.Date, Username: e.Username}
	if e.HasPassword {
		out.Password = &e.Password
	}
	return out, true, nil
}

func (s authfilesStore) SetBasic(_ context.Context, file, url, username, password string) (string, error) {
	now := time.Now()
	c, err := s.authConfig(file, now)
	if err != nil {
		return "", err
	}
	if err := c.SetBasicWithMode(url, username, password, authfiles.PasswordAlways); err != nil {
		return "", err
	}
	return dateOf(now), nil
}

func (s authfilesStore) RemoveBasic(_ context.Context, file, url string) error {
	c, err := s.authConfig(file, time.Now())
	if err != nil {
		return err
	}
	_, err = c.RemoveBasic(url)
	return err
}

func (s authfilesStore) OIDC(file, url, providerID string) (OIDCEntry, bool, error) {
	c, err := s.authConfig(file, time.Now())
	if err != nil {
		return OIDCEntry{}, false, err
	}
	e, found, err := c.OIDCProvider(url, providerID)
	if err != nil || !found {
		return OIDCEntry{}, false, err
	}
	out := OIDCEntry{Date: e.Date, ClientID: e.ClientID, ClientSecret: e.ClientSecret}
	if e.HasIssuer {
		out.Issuer = &e.Issuer
	}
	return out, true, nil
}

func (s authfilesStore) SetOIDC(_ context.Context, file, url, providerID string, clientID, clientSecret, issuer *string) (string, error) {
	now := time.Now()
	c, err := s.authConfig(file, now)
	if err != nil {
		return "", err
	}
	cfg := authfiles.OIDCClientConfig{ClientID: clientID, ClientSecret: clientSecret, DropIssuer: true}
	if issuer != nil {
		cfg.Issuer = *issuer
	}
	if err := c.SetOIDCProvider(url, providerID, cfg); err != nil {
		return "", err
	}
	return dateOf(now), nil
}

func (s authfilesStore) RemoveOIDC(_ context.Context, file, url, providerID string) error {
	c, err := s.authConfig(file, time.Now())
	if err != nil {
		return err
	}
	_, err = c.RemoveOIDCProvider(url, providerID)
	return err
}

func (s authfilesStore) RefreshToken(file, issuer, clientID string) (TokenEntry, bool, error) {
	t, err := s.refreshTokens(file, time.Now())
	if err != nil {
		return TokenEntry{}, false, err
	}
	e, found, err := t.Entry(issuer, clientID)
	if err != nil || !found {
		return TokenEntry{}, false, err
	}
	out := TokenEntry{Date: e.Date}
	if e.RefreshToken != "" {
		out.RefreshToken = &e.RefreshToken
	}
	return out, true, nil
}

func (s authfilesStore) SetRefreshToken(_ context.Context, file, issuer, clientID, token string) (string, error) {
	now := time.Now()
	t, err := s.refreshTokens(file, now)
	if err != nil {
		return "", err
	}
	if err := t.SetRefreshToken(issuer, clientID, token); err != nil {
		return "", err
	}
	return dateOf(now), nil
}

func (s authfilesStore) RemoveRefreshToken(_ context.Context, file, issuer, clientID string) error {
	t, err := s.refreshTokens(file, time.Now())
	if err != nil {
		return err
	}
	_, err = t.Remove(issuer, clientID)
	return err
}
