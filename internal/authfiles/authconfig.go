package authfiles

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// AuthConfig is auth-config.json: basic credentials and OIDC client settings
// per back-end URL. Back-end arguments are normalised with [flows.NormalizeURL] and
// looked up as exact keys, like the Python client. Every read checks the file
// again (a changed file is loaded again, an unchanged one comes from memory),
// so an AuthConfig never holds stale data; it is safe for concurrent use.
type AuthConfig struct {
	f         *privateFile
	opts      Options
	createdBy string
}

// OpenAuthConfig opens auth-config.json at path, or at the default location
// when path is "". A path that is an existing directory gets
// "auth-config.json" appended. Nothing is read yet; a missing file reads as
// empty.
func OpenAuthConfig(path string, opts Options) (*AuthConfig, error) {
	p, err := opts.resolvePath(path, "AuthConfig", AuthConfigFileName, DefaultAuthConfigPath, DefaultAuthConfigPathReadOnly)
	if err != nil {
		return nil, err
	}
	c := &AuthConfig{opts: opts, createdBy: opts.CreatedBy}
	if c.createdBy == "" {
		c.createdBy = DefaultCreatedBy
	}
	c.f = &privateFile{path: p, typeName: "AuthConfig", validate: validateAuthConfig, lockTimeout: opts.LockTimeout}
	c.f.beforeWrite = c.addMetadata
	return c, nil
}

// Path returns the absolute file path.
func (c *AuthConfig) Path() string { return c.f.path }

// addMetadata mirrors AuthConfig._write: when "metadata" is missing, append
// it, then "general" and "backends" if they are missing too.
func (c *AuthConfig) addMetadata(root *ojson.Object) {
	if root.Has("metadata") {
		return
	}
	md := ojson.NewObject()
	md.Set("type", ojson.String("AuthConfig"))
	md.Set("created", ojson.String(c.opts.date()))
	md.Set("created_by", ojson.String(c.createdBy))
	md.Set("version", ojson.Int(1))
	root.Set("metadata", ojson.ObjectValue(md))
	if !root.Has("general") {
		root.Set("general", ojson.ObjectValue(ojson.NewObject()))
	}
	if !root.Has("backends") {
		root.Set("backends", ojson.ObjectValue(ojson.NewObject()))
	}
}

// Update runs fn on the current document under the file locks and writes
// the result atomically (adding the metadata block like every write). The
// file is not written when fn returns an error or ErrSkipWrite, or when the
// bytes would not change. fn must leave known keys in their expected shape.
func (c *AuthConfig) Update(fn func(root *ojson.Object) error) error {
	return c.f.update(fn)
}

// Document returns a copy of the whole document, redacted unless
// showSecrets. exists is false (and the document empty) for a missing file.
func (c *AuthConfig) Document(showSecrets bool) (doc *ojson.Object, exists bool, err error) {
	root, exists, err := c.f.document()
	if err != nil {
		return nil, false, err
	}
	if !showSecrets {
		return Redact(root), exists, nil
	}
	return root.Clone(), exists, nil // the loaded document is shared (read cache)
}

// Dump returns the document as `openeo-auth config-dump` prints it
// (json.dump indent=2, redacted unless showSecrets, without the header line
// and the final newline). A missing file is an error matching fs.ErrNotExist.
func (c *AuthConfig) Dump(showSecrets bool) ([]byte, error) {
	return dump(c.f, showSecrets)
}

func dump(f *privateFile, showSecrets bool) ([]byte, error) {
	root, exists, err := f.document()
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, f.loadErr(nil, fs.ErrNotExist, "the file does not exist",
			"Create it first (for example with openeo-auth add-basic or add-oidc).")
	}
	if !showSecrets {
		root = Redact(root)
	}
	return ojson.EncodeObject(root), nil
}

// BasicEntry is backends[<url>].basic.
type BasicEntry struct {
	Date        string
	Username    string
	Password    string
	HasPassword bool // a non-null password is stored
}

// OIDCEntry is backends[<url>].oidc.providers[<id>].
type OIDCEntry struct {
	Date         string
	ClientID     *string // nil: missing or JSON null ("use the back-end's default client")
	ClientSecret *string // nil: missing or JSON null
	Issuer       string
	HasIssuer    bool // an "issuer" string is stored
}

// OIDCProviderEntry is one provider of a back-end, in file order.
type OIDCProviderEntry struct {
	ProviderID string
	OIDCEntry
}

// BackendEntry is everything stored for one back-end key.
type BackendEntry struct {
	Backend       string      // the key as stored
	Basic         *BasicEntry // nil without a basic block
	OIDCProviders []OIDCProviderEntry
}

func basicOf(root *ojson.Object, backend string) (BasicEntry, bool) {
	basic := child(root, "backends", flows.NormalizeURL(backend), "basic")
	if basic == nil {
		return BasicEntry{}, false
	}
	return readBasic(basic), true
}

func readBasic(basic *ojson.Object) BasicEntry {
	e := BasicEntry{}
	e.Date, _ = str(basic, "date")
	e.Username, _ = str(basic, "username")
	e.Password, e.HasPassword = str(basic, "password")
	return e
}

func readOIDC(p *ojson.Object) OIDCEntry {
	e := OIDCEntry{ClientID: strPtr(p, "client_id"), ClientSecret: strPtr(p, "client_secret")}
	e.Date, _ = str(p, "date")
	e.Issuer, e.HasIssuer = str(p, "issuer")
	return e
}

func providersOf(root *ojson.Object, backend string) *ojson.Object {
	return child(root, "backends", flows.NormalizeURL(backend), "oidc", "providers")
}

func entriesOf(root *ojson.Object) []BackendEntry {
	backends := child(root, "backends")
	var out []BackendEntry
	for name, bv := range backends.All() {
		b, _ := bv.AsObject()
		e := BackendEntry{Backend: name}
		if basic := child(b, "basic"); basic != nil {
			be := readBasic(basic)
			e.Basic = &be
		}
		for pid, pv := range child(b, "oidc", "providers").All() {
			p, _ := pv.AsObject()
			e.OIDCProviders = append(e.OIDCProviders, OIDCProviderEntry{ProviderID: pid, OIDCEntry: readOIDC(p)})
		}
		out = append(out, e)
	}
	return out
}

// Basic returns the basic entry of a back-end; found is false without one.
func (c *AuthConfig) Basic(backendURL string) (BasicEntry, bool, error) {
	root, _, err := c.f.document()
	if err != nil {
		return BasicEntry{}, false, err
	}
	e, found := basicOf(root, backendURL)
	return e, found, nil
}

// BasicCredentials implements flows.AuthConfigReader like get_basic_auth:
// found needs a non-empty username; the password is returned only then.
func (c *AuthConfig) BasicCredentials(backendURL string) (username, password string, found bool, err error) {
	e, ok, err := c.Basic(backendURL)
	if err != nil || !ok || e.Username == "" {
		return "", "", false, err
	}
	return e.Username, e.Password, true, nil
}

// OIDCProviderIDs implements flows.AuthConfigReader: the provider ids stored
// for a back-end, in file order.
func (c *AuthConfig) OIDCProviderIDs(backendURL string) ([]string, error) {
	root, _, err := c.f.document()
	if err != nil {
		return nil, err
	}
	return providersOf(root, backendURL).Keys(), nil
}

// OIDCProvider returns one provider entry; found is false without one.
func (c *AuthConfig) OIDCProvider(backendURL, providerID string) (OIDCEntry, bool, error) {
	root, _, err := c.f.document()
	if err != nil {
		return OIDCEntry{}, false, err
	}
	p := child(providersOf(root, backendURL), providerID)
	if p == nil {
		return OIDCEntry{}, false, nil
	}
	return readOIDC(p), true, nil
}

// OIDCClient implements flows.AuthConfigReader like get_oidc_client_configs:
// found needs a non-empty client_id; the secret is returned only then.
func (c *AuthConfig) OIDCClient(backendURL, providerID string) (clientID, clientSecret string, found bool, err error) {
	e, ok, err := c.OIDCProvider(backendURL, providerID)
	if err != nil || !ok || e.ClientID == nil || *e.ClientID == "" {
		return "", "", false, err
	}
	if e.ClientSecret != nil {
		clientSecret = *e.ClientSecret
	}
	return *e.ClientID, clientSecret, true, nil
}

// Entries lists every back-end with its basic and OIDC entries, in file order.
func (c *AuthConfig) Entries() ([]BackendEntry, error) {
	root, _, err := c.f.document()
	if err != nil {
		return nil, err
	}
	return entriesOf(root), nil
}

// PasswordMode tells SetBasicWithMode what to do with the password.
type PasswordMode int

const (
	// PasswordIfNonEmpty writes the password only when it is not empty, so an
	// old password stays (Python's set_basic_auth).
	PasswordIfNonEmpty PasswordMode = iota
	// PasswordAlways writes the password as given, even "".
	PasswordAlways
	// PasswordDeleteIfEmpty writes a non-empty password and deletes a stored
	// one when the new password is empty.
	PasswordDeleteIfEmpty
)

// SetBasic stores basic credentials like Python's set_basic_auth: date,
// username, then password (only when non-empty) are set inside
// backends[<url>].basic; existing keys keep their place, other keys stay.
func (c *AuthConfig) SetBasic(backendURL, username, password string) error {
	return c.SetBasicWithMode(backendURL, username, password, PasswordIfNonEmpty)
}

// SetBasicWithMode is SetBasic with explicit password handling.
func (c *AuthConfig) SetBasicWithMode(backendURL, username, password string, mode PasswordMode) error {
	date := c.opts.date()
	return c.f.commit(func(d *draft) error {
		return c.wrapShape(setBasic(d, backendURL, username, password, mode, date))
	})
}

// setBasic is the document edit of SetBasicWithMode.
func setBasic(d *draft, backendURL, username, password string, mode PasswordMode, date string) error {
	basic, err := d.ensure("backends", flows.NormalizeURL(backendURL), "basic")
	if err != nil {
		return err
	}
	basic.Set("date", ojson.String(date))
	basic.Set("username", ojson.String(username))
	switch {
	case password != "" || mode == PasswordAlways:
		basic.Set("password", ojson.String(password))
	case mode == PasswordDeleteIfEmpty:
		basic.Delete("password")
	}
	return nil
}

// wrapShape turns a shapeError from an edit into a FileError.
func (c *AuthConfig) wrapShape(err error) error {
	var se *shapeError
	if !errors.As(err, &se) {
		return err
	}
	return &FileError{Path: c.f.path, Op: "write", Kind: ErrForeignShape, Err: se,
		Msg: fmt.Sprintf("Failed to update AuthConfig '%s': %s.", c.f.path, se),
		Fix: leaveAsIs}
}

// OIDCClientConfig is what SetOIDCProvider stores.
type OIDCClientConfig struct {
	ClientID     *string // nil writes JSON null (use the back-end's default client)
	ClientSecret *string // nil writes JSON null
	Issuer       string  // written only when not empty (Python: "if issuer")
	// DropIssuer deletes a stored issuer when Issuer is empty. Python leaves
	// an old issuer in place.
	DropIssuer bool
}

// SetOIDCProvider stores a provider entry like set_oidc_client_config: date,
// client_id and client_secret are always set (possibly null), issuer only
// when given; existing keys keep their place, other keys stay.
func (c *AuthConfig) SetOIDCProvider(backendURL, providerID string, cfg OIDCClientConfig) error {
	date := c.opts.date()
	return c.f.commit(func(d *draft) error {
		return c.wrapShape(setOIDCProvider(d, backendURL, providerID, cfg, date))
	})
}

// setOIDCProvider is the document edit of SetOIDCProvider.
func setOIDCProvider(d *draft, backendURL, providerID string, cfg OIDCClientConfig, date string) error {
	p, err := d.ensure("backends", flows.NormalizeURL(backendURL), "oidc", "providers", providerID)
	if err != nil {
		return err
	}
	p.Set("date", ojson.String(date))
	p.Set("client_id", ojson.StringOrNull(cfg.ClientID))
	p.Set("client_secret", ojson.StringOrNull(cfg.ClientSecret))
	if cfg.Issuer != "" {
		p.Set("issuer", ojson.String(cfg.Issuer))
	} else if cfg.DropIssuer {
		p.Delete("issuer")
	}
	return nil
}

// RemoveBasic deletes backends[<url>].basic, and the back-end object when
// that leaves it empty. Everything else stays. removed is false (and nothing
// is written) when there was no entry.
func (c *AuthConfig) RemoveBasic(backendURL string) (removed bool, err error) {
	err = c.f.commitExisting(func(d *draft) error {
		removed = removeBasic(d, backendURL)
		return nil
	})
	return removed, err
}

func removeBasic(d *draft, backendURL string) bool {
	key := flows.NormalizeURL(backendURL)
	if !child(d.root, "backends", key).Has("basic") {
		return false
	}
	d.path("backends", key).Delete("basic")
	pruneEmpty(d, "backends", key)
	return true
}

// RemoveOIDCProvider deletes one provider entry; "providers", "oidc" and the
// back-end object are removed when that leaves them empty.
func (c *AuthConfig) RemoveOIDCProvider(backendURL, providerID string) (removed bool, err error) {
	err = c.f.commitExisting(func(d *draft) error {
		removed = removeOIDCProvider(d, backendURL, providerID)
		return nil
	})
	return removed, err
}

func removeOIDCProvider(d *draft, backendURL, providerID string) bool {
	key := flows.NormalizeURL(backendURL)
	if !child(d.root, "backends", key, "oidc", "providers").Has(providerID) {
		return false
	}
	d.path("backends", key, "oidc", "providers").Delete(providerID)
	pruneEmpty(d, "backends", key, "oidc", "providers")
	return true
}

// pruneEmpty deletes the object at keys[1:] (deepest first) while it is
// empty, never touching keys[0] ("backends") itself.
func pruneEmpty(d *draft, keys ...string) {
	for n := len(keys); n > 1; n-- {
		o := child(d.root, keys[:n]...)
		if o == nil || o.Len() > 0 {
			return
		}
		d.path(keys[:n-1]...).Delete(keys[n-1])
	}
}
