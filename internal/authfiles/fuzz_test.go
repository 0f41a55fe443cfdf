package authfiles

import (
	"errors"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// FuzzParseAuthConfig loads arbitrary bytes as auth-config.json: no panic,
// only typed errors, and for accepted documents every accessor works, the
// Python-compatible edits keep the document valid, and everything the edits
// do not touch encodes exactly as before.
func FuzzParseAuthConfig(f *testing.F) {
	f.Add(readFixture(f, "auth-config.python.json"))
	f.Add([]byte(`{"backends": {"https://fuzz.test": {"basic": {"username": null}}}}`))
	pf := &privateFile{path: "/fuzz/auth-config.json", typeName: "AuthConfig", validate: validateAuthConfig}
	c := &AuthConfig{f: pf, opts: Options{Now: func() time.Time { return time.Unix(0, 0) }}, createdBy: "fuzz"}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := pf.parse(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || (!errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrForeignShape)) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		backendKey := "https://fuzz.test"
		for _, e := range entriesOf(root) {
			basicOf(root, e.Backend)
			providersOf(root, e.Backend).Keys()
			backendKey = flows.NormalizeURL(e.Backend)
		}
		before := root.Clone()
		loaded := root // edited through a draft (copy on write), as a group commit does
		_, memo := ojson.EncodeObjectMemo(loaded, nil)
		d := newDraft(loaded)
		if err := setBasic(d, "https://new.fuzz", "u", "p", PasswordIfNonEmpty, "d"); err != nil {
			t.Fatal(err)
		}
		if err := setOIDCProvider(d, backendKey, "pid", OIDCClientConfig{ClientID: ptr("c")}, "d"); err != nil {
			t.Fatal(err)
		}
		removeBasic(d, backendKey)
		removeOIDCProvider(d, backendKey, "pid")
		root = d.root
		c.addMetadata(root)
		if !ojson.Equal(ojson.ObjectValue(loaded), ojson.ObjectValue(before)) {
			t.Fatal("the edits changed the loaded document, not only the draft")
		}
		if se := validateAuthConfig(root); se != nil {
			t.Fatalf("edits produced a foreign shape: %v", se)
		}
		enc := ojson.EncodeObject(root)
		if memoEnc, _ := ojson.EncodeObjectMemo(root, memo); string(memoEnc) != string(enc) {
			t.Fatal("the encoding with the memo of the loaded document differs")
		}
		again, err := pf.parse(enc)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if string(ojson.EncodeObject(again)) != string(enc) {
			t.Fatal("encoding not stable")
		}
		// Untouched parts are unchanged.
		for k, v := range before.All() {
			if k == "backends" || k == "general" {
				continue
			}
			if w, _ := again.Get(k); !ojson.Equal(v, w) {
				t.Fatalf("top-level %q changed", k)
			}
		}
		for k, v := range child(before, "backends").All() {
			if flows.NormalizeURL(k) == backendKey || k == "https://new.fuzz" {
				continue
			}
			if w, _ := child(again, "backends").Get(k); !ojson.Equal(v, w) {
				t.Fatalf("backend %q changed", k)
			}
		}
	})
}

// FuzzParseRefreshTokens does the same for refresh-tokens.json.
func FuzzParseRefreshTokens(f *testing.F) {
	f.Add(readFixture(f, "refresh-tokens.python.json"))
	pf := &privateFile{path: "/fuzz/refresh-tokens.json", typeName: "RefreshTokenStore", validate: validateRefreshTokens}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := pf.parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrForeignShape) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		entries := tokenEntriesOf(root)
		before := root.Clone()
		loaded := root
		d := newDraft(loaded)
		setRefreshToken(d, "https://fuzz.issuer/", "client", "tok", "d", time.Time{})
		removeRefreshToken(d, "https://fuzz.issuer", "client")
		for _, e := range entries {
			setRefreshToken(d, e.Issuer, e.ClientID, e.RefreshToken, e.Date, e.ExpiresAt)
		}
		root = d.root
		if !ojson.Equal(ojson.ObjectValue(loaded), ojson.ObjectValue(before)) {
			t.Fatal("the edits changed the loaded document, not only the draft")
		}
		if se := validateRefreshTokens(root); se != nil {
			t.Fatalf("edits produced a foreign shape: %v", se)
		}
		again, err := pf.parse(ojson.EncodeObject(root))
		if err != nil {
			t.Fatal(err)
		}
		if len(tokenEntriesOf(again)) < len(entries) {
			t.Fatal("entries lost")
		}
		for k, v := range before.All() {
			if k == "https://fuzz.issuer" {
				continue
			}
			// Entries were rewritten with their own values; every key of an
			// entry survives, unknown ones with their values.
			if _, ok := again.Get(k); !ok {
				t.Fatalf("issuer %q lost", k)
			}
			clients, _ := v.AsObject()
			for client, cv := range clients.All() {
				entry, _ := cv.AsObject()
				after := child(again, k, client)
				if after == nil {
					t.Fatalf("entry %q %q lost", k, client)
				}
				for key, val := range entry.All() {
					got, ok := after.Get(key)
					if !ok || (key != "date" && key != "refresh_token" && !ojson.Equal(val, got)) {
						t.Fatalf("entry %q %q: key %q lost or changed", k, client, key)
					}
				}
			}
		}
	})
}
