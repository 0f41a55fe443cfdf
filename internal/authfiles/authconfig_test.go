package authfiles

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestPythonFixtureLoads reads a file exactly as the Python client writes it.
func TestPythonFixtureLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	writeFile(t, path, readFixture(t, "auth-config.python.json"), 0o600)
	c := openAuthConfig(t, path)

	u, p, found, err := c.BasicCredentials("https://openeo.example.com/") // trailing slash normalised
	if err != nil || !found || u != "john" || p != "j0hn123" {
		t.Fatalf("BasicCredentials: %q %q %v %v", u, p, found, err)
	}
	u, p, found, _ = c.BasicCredentials("https://openeo.vito.be")
	if !found || u != "Jürgen" || p != "päss/wörd 😀 \"q\" \\ <&>" {
		t.Fatalf("non-ASCII credentials: %q %q %v", u, p, found)
	}
	if _, _, found, _ := c.BasicCredentials("https://unknown"); found {
		t.Fatal("unknown back-end found")
	}
	be, found, _ := c.Basic("https://openeo.example.com")
	if !found || be != (BasicEntry{Date: "2020-07-24T13:40:50Z", Username: "john", Password: "j0hn123", HasPassword: true}) {
		t.Fatalf("Basic: %+v", be)
	}
	ids, err := c.OIDCProviderIDs("https://openeo.vito.be")
	if err != nil || !slices.Equal(ids, []string{"terrascope", "egi"}) {
		t.Fatalf("OIDCProviderIDs: %v %v", ids, err)
	}
	if ids, _ := c.OIDCProviderIDs("https://unknown"); len(ids) != 0 {
		t.Fatal(ids)
	}
	id, secret, found, _ := c.OIDCClient("https://openeo.example.com", "egi")
	if !found || id != "client-d7393fba" || secret != "$6cr67" {
		t.Fatalf("OIDCClient: %q %q %v", id, secret, found)
	}
	// client_id null means "default client": not found for flows.
	if _, _, found, _ := c.OIDCClient("https://openeo.vito.be", "terrascope"); found {
		t.Fatal("null client_id reported as found")
	}
	id, secret, found, _ = c.OIDCClient("https://openeo.vito.be", "egi")
	if !found || id != "vito-client" || secret != "" {
		t.Fatalf("null secret: %q %q %v", id, secret, found)
	}
	oe, found, _ := c.OIDCProvider("https://openeo.vito.be", "terrascope")
	if !found || oe.ClientID != nil || oe.ClientSecret != nil || !oe.HasIssuer || oe.Issuer != "https://sso.terrascope.be/auth/realms/terrascope" || oe.Date != "2022-05-11T13:13:20Z" {
		t.Fatalf("OIDCProvider: %+v", oe)
	}
	entries, err := c.Entries()
	if err != nil || len(entries) != 2 || entries[0].Backend != "https://openeo.example.com" ||
		entries[0].Basic == nil || len(entries[0].OIDCProviders) != 1 || entries[1].OIDCProviders[1].ProviderID != "egi" ||
		entries[1].Basic.Username != "Jürgen" {
		t.Fatalf("Entries: %+v %v", entries, err)
	}
}

// TestPythonFixtureRewrite: a set on another entry leaves every untouched
// byte identical (the golden file was written by hand in Python's format).
func TestPythonFixtureRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	orig := readFixture(t, "auth-config.python.json")
	writeFile(t, path, orig, 0o600)
	c := openAuthConfig(t, path)
	if err := c.SetBasic("https://new.example/", "åsa", "nêw"); err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "file after SetBasic", testrig.ReadFile(t, path), readFixture(t, "auth-config.python.after-set.json"))
	assertMode(t, path, 0o600)

	// A set that changes nothing semantically still only touches its entry:
	// removing the new entry gives back the original bytes.
	if removed, err := c.RemoveBasic("https://new.example"); err != nil || !removed {
		t.Fatalf("RemoveBasic: %v %v", removed, err)
	}
	assertBytes(t, "file after RemoveBasic", testrig.ReadFile(t, path), orig)
}

func TestPythonRefreshTokenFixture(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	orig := readFixture(t, "refresh-tokens.python.json")
	writeFile(t, path, orig, 0o600)
	s := openRefreshTokens(t, path)
	tok, found, err := s.RefreshToken("https://sso.terrascope.be/auth/realms/terrascope/", "vito-default-client")
	if err != nil || !found || tok != "r3frésh/töken" {
		t.Fatalf("RefreshToken: %q %v %v", tok, found, err)
	}
	e, found, _ := s.Entry("https://oidc.example.net", "default-client")
	if !found || e.Date != "2022-05-11T13:13:20Z" || e.RefreshToken != "eyJhbGciOi..." || e.Issuer != "https://oidc.example.net" {
		t.Fatalf("Entry: %+v", e)
	}
	if err := s.SetRefreshToken("https://issuer.new/", "cliënt", "tøken", time.Time{}); err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "after SetRefreshToken", testrig.ReadFile(t, path), readFixture(t, "refresh-tokens.python.after-set.json"))
	if removed, err := s.Remove("https://issuer.new", "cliënt"); err != nil || !removed {
		t.Fatal(removed, err)
	}
	assertBytes(t, "after Remove", testrig.ReadFile(t, path), orig)
}

// TestSetRefreshTokenKeepsEntryKeys: an existing entry keeps its unknown
// keys and their positions; only date and refresh_token change (Python
// replaces the whole entry, a deliberate difference). A new entry is
// {date, refresh_token}, as Python writes it.
func TestSetRefreshTokenKeepsEntryKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	writeFile(t, path, []byte(`{"https://i": {"c": {"x-first": 1, "refresh_token": "old", "expires_at": "2030-01-01T00:00:00Z", "date": "2000-01-01T00:00:00Z", "id_hint": null}}}`), 0o600)
	s := openRefreshTokens(t, path)
	if err := s.SetRefreshToken("https://i/", "c", "new", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("https://i", "d", "fresh", time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "https://i": {
    "c": {
      "x-first": 1,
      "refresh_token": "new",
      "expires_at": "2030-01-01T00:00:00Z",
      "date": "2024-05-06T07:08:09Z",
      "id_hint": null
    },
    "d": {
      "date": "2024-05-06T07:08:09Z",
      "refresh_token": "fresh"
    }
  }
}`
	assertBytes(t, "after SetRefreshToken", testrig.ReadFile(t, path), []byte(want))
}

// TestFreshAuthConfig pins the exact bytes of a new file: key order
// backends, metadata, general; dates in UTC; created_by from the caller.
func TestFreshAuthConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "sub", AuthConfigFileName) // folders are created
	c := openAuthConfig(t, path)
	if err := c.SetBasic("https://oeo.test/", "john", "j0hn"); err != nil {
		t.Fatal(err)
	}
	want := `{
  "backends": {
    "https://oeo.test": {
      "basic": {
        "date": "2024-05-06T07:08:09Z",
        "username": "john",
        "password": "j0hn"
      }
    }
  },
  "metadata": {
    "type": "AuthConfig",
    "created": "2024-05-06T07:08:09Z",
    "created_by": "terraform-provider-openeo 1.2.3",
    "version": 1
  },
  "general": {}
}`
	assertBytes(t, "fresh file", testrig.ReadFile(t, path), []byte(want))
	assertMode(t, path, 0o600)
	assertMode(t, filepath.Dir(path), 0o700)

	// Default created_by, and an OIDC entry with a null client.
	path2 := filepath.Join(t.TempDir(), AuthConfigFileName)
	c2, err := OpenAuthConfig(path2, Options{Now: testOptions().Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.SetOIDCProvider("https://oeo.test", "egi", OIDCClientConfig{Issuer: "https://egi.test"}); err != nil {
		t.Fatal(err)
	}
	want2 := `{
  "backends": {
    "https://oeo.test": {
      "oidc": {
        "providers": {
          "egi": {
            "date": "2024-05-06T07:08:09Z",
            "client_id": null,
            "client_secret": null,
            "issuer": "https://egi.test"
          }
        }
      }
    }
  },
  "metadata": {
    "type": "AuthConfig",
    "created": "2024-05-06T07:08:09Z",
    "created_by": "terraform-provider-openeo",
    "version": 1
  },
  "general": {}
}`
	assertBytes(t, "fresh OIDC file", testrig.ReadFile(t, path2), []byte(want2))
}

func TestFreshRefreshTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	if err := s.SetRefreshToken("https://issuer.test/", "client", "tok", time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"https://issuer.test\": {\n    \"client\": {\n      \"date\": \"2024-05-06T07:08:09Z\",\n      \"refresh_token\": \"tok\"\n    }\n  }\n}"
	assertBytes(t, "fresh refresh-tokens.json", testrig.ReadFile(t, path), []byte(want))
	assertMode(t, path, 0o600)
}

func TestSetBasicSemantics(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	// Existing entry with its own key order and an unknown key.
	writeFile(t, path, []byte(`{"backends": {"https://b": {"basic": {"password": "old", "x-note": "keep", "username": "u0", "date": "2000-01-01T00:00:00Z"}}}, "metadata": {}}`), 0o600)
	c := openAuthConfig(t, path)

	if err := c.SetBasic("https://b", "u1", ""); err != nil { // Python: empty password keeps the old one
		t.Fatal(err)
	}
	want := `{
  "backends": {
    "https://b": {
      "basic": {
        "password": "old",
        "x-note": "keep",
        "username": "u1",
        "date": "2024-05-06T07:08:09Z"
      }
    }
  },
  "metadata": {}
}`
	assertBytes(t, "SetBasic with empty password", testrig.ReadFile(t, path), []byte(want))

	if err := c.SetBasicWithMode("https://b", "u1", "", PasswordAlways); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := c.Basic("https://b"); !e.HasPassword || e.Password != "" {
		t.Fatalf("PasswordAlways: %+v", e)
	}
	if err := c.SetBasicWithMode("https://b", "u1", "", PasswordDeleteIfEmpty); err != nil {
		t.Fatal(err)
	}
	if e, _, _ := c.Basic("https://b"); e.HasPassword {
		t.Fatalf("PasswordDeleteIfEmpty: %+v", e)
	}
	// Without a password BasicCredentials still finds the user.
	if u, p, found, _ := c.BasicCredentials("https://b"); !found || u != "u1" || p != "" {
		t.Fatal(u, p, found)
	}
	// An empty username is "not found", like Python's truthiness check.
	if err := c.SetBasic("https://e", "", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, _, found, _ := c.BasicCredentials("https://e"); found {
		t.Fatal("empty username found")
	}
}

func TestSetOIDCProviderSemantics(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	writeFile(t, path, []byte(`{"backends": {"https://b": {"oidc": {"providers": {"p": {"issuer": "https://old", "extra": [1], "client_secret": "s", "client_id": "c", "date": "x"}}}}}}`), 0o600)
	c := openAuthConfig(t, path)
	if err := c.SetOIDCProvider("https://b/", "p", OIDCClientConfig{ClientID: ptr("c2")}); err != nil {
		t.Fatal(err)
	}
	// In place: positions kept, secret becomes null, old issuer and unknown key stay.
	root, _, err := c.Document(true)
	if err != nil {
		t.Fatal(err)
	}
	p := child(root, "backends", "https://b", "oidc", "providers", "p")
	if got := strings.Join(p.Keys(), ","); got != "issuer,extra,client_secret,client_id,date" {
		t.Fatalf("keys %s", got)
	}
	e, _, _ := c.OIDCProvider("https://b", "p")
	if e.ClientID == nil || *e.ClientID != "c2" || e.ClientSecret != nil || e.Issuer != "https://old" || e.Date != "2024-05-06T07:08:09Z" {
		t.Fatalf("%+v", e)
	}
	if err := c.SetOIDCProvider("https://b", "p", OIDCClientConfig{ClientID: ptr("c3"), ClientSecret: ptr("s3"), DropIssuer: true}); err != nil {
		t.Fatal(err)
	}
	e, _, _ = c.OIDCProvider("https://b", "p")
	if e.HasIssuer || *e.ClientSecret != "s3" {
		t.Fatalf("DropIssuer: %+v", e)
	}
	// metadata was added at the end by the first write.
	root, _, _ = c.Document(true)
	if got := strings.Join(root.Keys(), ","); got != "backends,metadata,general" {
		t.Fatal(got)
	}
}

func TestRemoveEntries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, AuthConfigFileName)
	c := openAuthConfig(t, path)

	// Removing from a missing file creates nothing.
	if removed, err := c.RemoveBasic("https://b"); err != nil || removed {
		t.Fatal(removed, err)
	}
	if removed, err := c.RemoveOIDCProvider("https://b", "p"); err != nil || removed {
		t.Fatal(removed, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files created: %v", entries)
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetBasic("https://b", "u", "p"))
	must(c.SetOIDCProvider("https://b", "p1", OIDCClientConfig{ClientID: ptr("c")}))
	must(c.SetOIDCProvider("https://b", "p2", OIDCClientConfig{ClientID: ptr("c")}))
	must(c.SetBasic("https://other", "u", "p"))
	before, _, _ := c.Document(true)
	md, _ := before.Get("metadata")

	if removed, err := c.RemoveBasic("https://b/"); err != nil || !removed {
		t.Fatal(removed, err)
	}
	if _, found, _ := c.Basic("https://b"); found {
		t.Fatal("basic still there")
	}
	if ids, _ := c.OIDCProviderIDs("https://b"); len(ids) != 2 {
		t.Fatal("oidc entries lost", ids)
	}
	if removed, _ := c.RemoveBasic("https://b"); removed {
		t.Fatal("removed twice")
	}
	if removed, _ := c.RemoveOIDCProvider("https://b", "p1"); !removed {
		t.Fatal("p1")
	}
	if removed, _ := c.RemoveOIDCProvider("https://b", "p2"); !removed {
		t.Fatal("p2")
	}
	root, _, _ := c.Document(true)
	if child(root, "backends").Has("https://b") {
		t.Fatal("empty back-end object not removed")
	}
	if md2, _ := root.Get("metadata"); !ojson.Equal(md, md2) || !root.Has("general") {
		t.Fatal("metadata changed")
	}
	if removed, _ := c.RemoveBasic("https://other"); !removed {
		t.Fatal("other")
	}
	root, _, _ = c.Document(true)
	if b := child(root, "backends"); b == nil || b.Len() != 0 {
		t.Fatal("backends must stay as an empty object")
	}
}

// TestUnknownKeysSurvive: keys the Python client does not know survive every write.
func TestUnknownKeysSurvive(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	doc := `{"zz-top": {"list": [1, 2.5, "x", {"password": "in-list"}], "n": null},
 "backends": {"https://b": {"custom": true, "basic": {"username": "u", "hint": "h"},
   "oidc": {"custom2": 1, "providers": {"p": {"client_id": "c", "scopes": ["a"]}}}},
   "https://keep": {"basic": {"username": "k"}}},
 "metadata": {"type": "AuthConfig", "created": "2020-01-01T00:00:00Z", "created_by": "someone", "version": 1, "future": "x"},
 "general": {"setting": 1}}`
	writeFile(t, path, []byte(doc), 0o600)
	c := openAuthConfig(t, path)
	orig, _, _ := c.Document(true)

	steps := []func() error{
		func() error { return c.SetBasic("https://b", "u2", "p2") },
		func() error { return c.SetOIDCProvider("https://b", "p", OIDCClientConfig{ClientID: ptr("c2")}) },
		func() error { return c.SetOIDCProvider("https://b", "q", OIDCClientConfig{}) },
		func() error { _, err := c.RemoveOIDCProvider("https://b", "q"); return err },
		func() error { _, err := c.RemoveBasic("https://b"); return err },
		func() error { return c.SetBasic("https://new", "n", "") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		root, _, err := c.Document(true)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"zz-top", "metadata", "general"} {
			a, _ := orig.Get(key)
			b, _ := root.Get(key)
			if !ojson.Equal(a, b) {
				t.Fatalf("step %d: %s changed", i, key)
			}
		}
		bk := child(root, "backends", "https://b")
		if v, _ := bk.Get("custom"); !ojson.Equal(v, ojson.Bool(true)) {
			t.Fatalf("step %d: backends[b].custom lost", i)
		}
		if v, _ := child(bk, "oidc").Get("custom2"); v.Kind() != ojson.KindNumber {
			t.Fatalf("step %d: oidc.custom2 lost", i)
		}
		if v, _ := child(bk, "oidc", "providers", "p").Get("scopes"); v.Kind() != ojson.KindArray {
			t.Fatalf("step %d: provider scopes lost", i)
		}
		if i < 4 {
			if v, _ := child(bk, "basic").Get("hint"); !ojson.Equal(v, ojson.String("h")) {
				t.Fatalf("step %d: basic.hint lost", i)
			}
		}
		if child(root, "backends", "https://keep", "basic") == nil {
			t.Fatalf("step %d: other back-end lost", i)
		}
		if got := strings.Join(root.Keys(), ","); got != "zz-top,backends,metadata,general" {
			t.Fatalf("step %d: top-level order %s", i, got)
		}
	}
}

func TestUpdateCallback(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, AuthConfigFileName)
	c := openAuthConfig(t, path)
	boom := errors.New("boom")
	if err := c.Update(func(root *ojson.Object) error { root.Set("x", ojson.Null()); return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := c.Update(func(root *ojson.Object) error { return ErrSkipWrite }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("file written although the callback failed or skipped")
	}
	// A callback that breaks a known key is refused; the file stays as it was.
	must := c.SetBasic("https://b", "u", "p")
	if must != nil {
		t.Fatal(must)
	}
	before := testrig.ReadFile(t, path)
	err := c.Update(func(root *ojson.Object) error { root.Set("backends", ojson.Array()); return nil })
	if !errors.Is(err, ErrForeignShape) {
		t.Fatal(err)
	}
	assertBytes(t, "after refused update", testrig.ReadFile(t, path), before)

	// An update that changes nothing does not rewrite the file.
	fi1, _ := os.Stat(path)
	ino := inode(fi1)
	if err := c.Update(func(root *ojson.Object) error { return nil }); err != nil {
		t.Fatal(err)
	}
	fi2, _ := os.Stat(path)
	if inode(fi2) != ino {
		t.Fatal("unchanged document rewritten")
	}
}

func TestRedactAndDump(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	if _, err := c.Dump(false); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Dump of a missing file: %v", err)
	}
	if doc, exists, err := c.Document(false); err != nil || exists || doc.Len() != 0 {
		t.Fatal(doc, exists, err)
	}
	writeFile(t, path, []byte(`{"backends": {"b": {"basic": {"username": "u", "password": "pw"}, "oidc": {"providers": {"p": {"client_id": "c", "client_secret": null}}}}}, "list": [{"password": "not-walked"}], "refresh_token": 5}`), 0o600)
	got, err := c.Dump(false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "backends": {
    "b": {
      "basic": {
        "username": "u",
        "password": "<redacted>"
      },
      "oidc": {
        "providers": {
          "p": {
            "client_id": "c",
            "client_secret": null
          }
        }
      }
    }
  },
  "list": [
    {
      "password": "not-walked"
    }
  ],
  "refresh_token": "<redacted>"
}`
	assertBytes(t, "redacted dump", got, []byte(want))
	plain, _ := c.Dump(true)
	if !strings.Contains(string(plain), `"password": "pw"`) {
		t.Fatal("show secrets")
	}
	// Redact does not modify its input.
	doc, _, _ := c.Document(true)
	_ = Redact(doc)
	if v, _ := child(doc, "backends", "b", "basic").Get("password"); !ojson.Equal(v, ojson.String("pw")) {
		t.Fatal("Redact changed its input")
	}
}

func TestSymlinkedFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "auth.json")
	writeFile(t, target, []byte(`{}`), 0o600)
	link := filepath.Join(dir, AuthConfigFileName)
	if err := os.Symlink(target, link); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	c := openAuthConfig(t, link)
	if err := c.SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
	if u, _, found, _ := c.BasicCredentials("https://b"); !found || u != "u" {
		t.Fatal("write did not reach the link target")
	}
	assertMode(t, target, 0o600)
}

// TestRefreshTokenExpiryKey: a known expiry is stored as
// refresh_token_expires_at after Python's keys (and read back by Entry); a
// token whose expiry is unknown removes a stale one, in place of the other
// keys. python3 (when found) reads the file as the Python client does and
// writes it back byte for byte: the extra key changes nothing for it.
func TestRefreshTokenExpiryKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 600, time.FixedZone("CET", 3600))
	if err := s.SetRefreshToken("https://i/", "c", "tok-1", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("https://i", "d", "tok-2", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("https://i", "d", "tok-3", time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "https://i": {
    "c": {
      "date": "2024-05-06T07:08:09Z",
      "refresh_token": "tok-1",
      "refresh_token_expires_at": "2030-01-02T02:04:05Z"
    },
    "d": {
      "date": "2024-05-06T07:08:09Z",
      "refresh_token": "tok-3"
    }
  }
}`
	assertBytes(t, "after SetRefreshToken", testrig.ReadFile(t, path), []byte(want))
	if e, found, err := s.Entry("https://i", "c"); err != nil || !found || !e.ExpiresAt.Equal(exp.Truncate(time.Second)) {
		t.Errorf("Entry: %+v %v %v, want the expiry %v", e, found, err, exp)
	}
	if e, _, _ := s.Entry("https://i", "d"); !e.ExpiresAt.IsZero() {
		t.Errorf("Entry d: expiry %v, want none", e.ExpiresAt)
	}

	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; the bytes above pin the format")
	}
	// RefreshTokenStore.get_refresh_token: the "refresh_token" of
	// <issuer>.<client_id>; the store's writer: json.dump(indent=2).
	script := `import json,sys
d=json.load(open(sys.argv[1]))
print(d["https://i"]["c"].get("refresh_token"))
sys.stdout.write(json.dumps(d,indent=2))`
	out, err := exec.CommandContext(t.Context(), py, "-c", script, path).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	got, rest, _ := strings.Cut(string(out), "\n")
	if got != "tok-1" || rest != want {
		t.Errorf("python3 read %q and wrote\n%s", got, rest)
	}
}
