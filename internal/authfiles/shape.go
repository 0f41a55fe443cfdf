package authfiles

import (
	"strconv"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

// formatKeyPath renders keys as backends["https://x"]["basic"].
func formatKeyPath(keys []string) string {
	var b strings.Builder
	for i, k := range keys {
		if i == 0 && isIdent(k) {
			b.WriteString(k)
			continue
		}
		b.WriteString("[")
		b.WriteString(strconv.Quote(k))
		b.WriteString("]")
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func with(keys []string, k string) []string {
	return append(keys[:len(keys):len(keys)], k)
}

// wantObject checks v is an object.
func wantObject(v ojson.Value, keys []string) (*ojson.Object, *shapeError) {
	if o, ok := v.AsObject(); ok {
		return o, nil
	}
	return nil, &shapeError{keyPath: formatKeyPath(keys), found: v.Kind().String(), want: "an object"}
}

// wantChildObject checks an optional child of o is an object (nil if absent).
func wantChildObject(o *ojson.Object, key string, keys []string) (*ojson.Object, *shapeError) {
	v, ok := o.Get(key)
	if !ok {
		return nil, nil
	}
	return wantObject(v, with(keys, key))
}

// wantStringLeaves checks the named optional leaves of o are strings or null.
func wantStringLeaves(o *ojson.Object, keys []string, names ...string) *shapeError {
	for _, n := range names {
		v, ok := o.Get(n)
		if !ok || v.IsNull() {
			continue
		}
		if _, isStr := v.AsString(); !isStr {
			return &shapeError{keyPath: formatKeyPath(with(keys, n)), found: v.Kind().String(), want: "a string or null"}
		}
	}
	return nil
}

// validateAuthConfig checks every key the Python client reads. "metadata" and
// "general" are never read by Python and are not checked.
func validateAuthConfig(root *ojson.Object) *shapeError {
	backends, se := wantChildObject(root, "backends", nil)
	if se != nil || backends == nil {
		return se
	}
	bkeys := []string{"backends"}
	for name, bv := range backends.All() {
		keys := with(bkeys, name)
		b, se := wantObject(bv, keys)
		if se != nil {
			return se
		}
		basic, se := wantChildObject(b, "basic", keys)
		if se != nil {
			return se
		}
		if basic != nil {
			if se := wantStringLeaves(basic, with(keys, "basic"), "date", "username", "password"); se != nil {
				return se
			}
		}
		oidc, se := wantChildObject(b, "oidc", keys)
		if se != nil || oidc == nil {
			if se != nil {
				return se
			}
			continue
		}
		okeys := with(keys, "oidc")
		providers, se := wantChildObject(oidc, "providers", okeys)
		if se != nil {
			return se
		}
		pkeys := with(okeys, "providers")
		for pid, pv := range providers.All() {
			p, se := wantObject(pv, with(pkeys, pid))
			if se != nil {
				return se
			}
			if se := wantStringLeaves(p, with(pkeys, pid), "date", "client_id", "client_secret", "issuer"); se != nil {
				return se
			}
		}
	}
	return nil
}

// validateRefreshTokens checks {issuer: {client_id: {date, refresh_token}}}.
func validateRefreshTokens(root *ojson.Object) *shapeError {
	for issuer, iv := range root.All() {
		ikeys := []string{issuer}
		clients, se := wantObject(iv, ikeys)
		if se != nil {
			return se
		}
		for client, cv := range clients.All() {
			entry, se := wantObject(cv, with(ikeys, client))
			if se != nil {
				return se
			}
			if se := wantStringLeaves(entry, with(ikeys, client), "date", "refresh_token"); se != nil {
				return se
			}
		}
	}
	return nil
}

// str returns a string leaf ("" for missing or null) and whether it is a string.
func str(o *ojson.Object, key string) (string, bool) {
	v, ok := o.Get(key)
	if !ok {
		return "", false
	}
	return v.AsString()
}

// strPtr returns a string leaf, nil for missing or null.
func strPtr(o *ojson.Object, key string) *string {
	if s, ok := str(o, key); ok {
		return &s
	}
	return nil
}

// child walks nested objects; nil when a step is missing.
func child(o *ojson.Object, keys ...string) *ojson.Object {
	for _, k := range keys {
		next, ok := o.Object(k)
		if !ok {
			return nil
		}
		o = next
	}
	return o
}
