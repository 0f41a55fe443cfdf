package authfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

// DefaultCreatedBy is the metadata.created_by value when Options.CreatedBy is empty.
const DefaultCreatedBy = "terraform-provider-openeo"

// DateLayout is the Python client's date format (UTC, second precision).
const DateLayout = "2006-01-02T15:04:05Z"

// Options configures OpenAuthConfig and OpenRefreshTokens.
type Options struct {
	// Env is used to find the default path when the path argument is "".
	Env Env
	// CreateDirs resolves a default path like the Python client, creating the
	// directory at open time. Without it nothing is created until the first
	// write (which creates missing folders anyway).
	CreateDirs bool
	// Now is the clock for "date" and "created" values; nil means time.Now.
	Now func() time.Time
	// CreatedBy is written as metadata.created_by when a write adds the
	// metadata block (auth-config.json only), e.g.
	// "terraform-provider-openeo 1.2.3". "" means DefaultCreatedBy.
	CreatedBy string
	// LockTimeout bounds the wait for another writer; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// FileOnly: an explicit path names the file itself, so an existing
	// directory there is an [ErrIsDirectory] error instead of the folder of
	// the default file name (as the Python client's constructor treats it).
	// The provider's file attributes use it.
	FileOnly bool
}

func (o Options) date() string {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	return now().UTC().Format(DateLayout)
}

// resolvePath turns the user's path ("" = default) into an absolute file path.
func (o Options) resolvePath(path, typeName, fileName string, def, defRO func(Env) (string, error)) (string, error) {
	if path == "" {
		var err error
		if o.CreateDirs {
			path, err = def(o.Env)
		} else {
			path, err = defRO(o.Env)
		}
		if err != nil {
			return "", err
		}
	}
	if fi, err := os.Stat(path); o.FileOnly && err == nil && fi.IsDir() {
		return "", directoryError(path, "load", fmt.Sprintf("load %s from '%s'", typeName, path), fixDirectoryLoad)
	}
	path = ResolveFile(path, fileName)
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &FileError{Path: path, Op: "resolve", Err: err,
			Msg: fmt.Sprintf("Failed to resolve the %s path '%s': %v.", typeName, path, err),
			Fix: "Give an absolute path."}
	}
	return abs, nil
}

// secretKeys are the keys whose values Redact hides (openeo-auth config-dump).
var secretKeys = map[string]bool{"client_secret": true, "password": true, "refresh_token": true}

// Redacted replaces secret values in dumps.
const Redacted = "<redacted>"

// Redact returns a deep copy of o in which the value of every key named
// client_secret, password or refresh_token, at any depth of nested objects,
// is the string "<redacted>" (whatever its type), except null, which stays
// null: there is no secret to hide, and "<redacted>" would suggest one (the
// Python CLI redacts null too). Like the Python CLI it does not descend into
// arrays.
func Redact(o *ojson.Object) *ojson.Object {
	c := o.Clone()
	redactInPlace(c)
	return c
}

func redactInPlace(o *ojson.Object) {
	for _, m := range o.Members() {
		if secretKeys[m.Key] && !m.Value.IsNull() {
			o.Set(m.Key, ojson.String(Redacted))
		} else if child, ok := m.Value.AsObject(); ok {
			redactInPlace(child)
		}
	}
}

// SecretValues returns the string values of every key that Redact hides, at
// any depth of nested objects, for the masks of logs and messages.
func SecretValues(o *ojson.Object) []string {
	var out []string
	for _, m := range o.Members() {
		if secretKeys[m.Key] {
			if v, ok := m.Value.AsString(); ok && v != "" {
				out = append(out, v)
			}
		} else if child, ok := m.Value.AsObject(); ok {
			out = append(out, SecretValues(child)...)
		}
	}
	return out
}
