package authfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestBadFilesAreNeverRewritten: every read and every write on a corrupt
// file, a foreign shape, a directory or a 0644 file fails with a typed error
// that names the file, the problem and a fix, and the file stays
// byte-for-byte the same (same bytes, same mtime).
func TestBadFilesAreNeverRewritten(t *testing.T) {
	const secret = "s3cr3t-value"
	type badCase struct {
		name     string
		content  string // "" with dir=true for a directory
		dir      bool
		perm     os.FileMode
		kind     error
		contains []string
	}
	cases := []badCase{
		{name: "corrupt", content: "{\n  \"backends\": {\n    \"b\": {\"password\": \"" + secret + "\"} x\n}", perm: 0o600, kind: ErrInvalidJSON,
			contains: []string{"Failed to load AuthConfig from '", "invalid JSON at line 3, column", "left unchanged"}},
		{name: "truncated", content: `{"backends": {"b": {"basic": {"password": "` + secret, perm: 0o600, kind: ErrInvalidJSON,
			contains: []string{"unterminated string"}},
		{name: "empty file", content: "", perm: 0o600, kind: ErrInvalidJSON, contains: []string{"line 1, column 1"}},
		{name: "top-level array", content: `[{"password": "` + secret + `"}]`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{"top-level value is an array, expected an object"}},
		{name: "backends list", content: `{"backends": []}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{"backends is an array, expected an object"}},
		{name: "backend string", content: `{"backends": {"https://b": "` + secret + `"}}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{`backends["https://b"] is a string, expected an object`}},
		{name: "basic null", content: `{"backends": {"https://b": {"basic": null}}}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{`backends["https://b"]["basic"] is null`}},
		{name: "username number", content: `{"backends": {"https://b": {"basic": {"username": 5, "password": "` + secret + `"}}}}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{`["username"] is a number, expected a string or null`}},
		{name: "providers list", content: `{"backends": {"https://b": {"oidc": {"providers": ["p"]}}}}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{`["oidc"]["providers"] is an array`}},
		{name: "client secret object", content: `{"backends": {"https://b": {"oidc": {"providers": {"p": {"client_secret": {"v": "` + secret + `"}}}}}}}`, perm: 0o600, kind: ErrForeignShape,
			contains: []string{`["p"]["client_secret"] is an object`}},
		{name: "directory", dir: true, kind: ErrIsDirectory, contains: []string{"is a directory"}},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases,
			badCase{name: "mode 644", content: `{"backends": {}}`, perm: 0o644, kind: ErrNotPrivate},
			badCase{name: "mode 640", content: `{}`, perm: 0o640, kind: ErrNotPrivate, contains: []string{"mode 640 (expected: 600)"}},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, AuthConfigFileName)
			if tc.dir {
				if err := os.MkdirAll(filepath.Join(path, "inner"), 0o755); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, path, []byte(tc.content), tc.perm)
			}
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			c, err := OpenAuthConfig(path, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if tc.dir {
				// Open appends the default file name to a directory (like
				// Python); point the engine at the directory itself, as if it
				// had appeared after Open.
				c.f.path = path
			}
			ops := map[string]func() error{
				"BasicCredentials": func() error { _, _, _, err := c.BasicCredentials("https://b"); return err },
				"OIDCProviderIDs":  func() error { _, err := c.OIDCProviderIDs("https://b"); return err },
				"OIDCClient":       func() error { _, _, _, err := c.OIDCClient("https://b", "p"); return err },
				"Entries":          func() error { _, err := c.Entries(); return err },
				"Dump":             func() error { _, err := c.Dump(true); return err },
				"SetBasic":         func() error { return c.SetBasic("https://other", "u", "p") },
				"SetOIDCProvider":  func() error { return c.SetOIDCProvider("https://b", "p", OIDCClientConfig{}) },
				"RemoveBasic":      func() error { _, err := c.RemoveBasic("https://b"); return err },
				"RemoveOIDC":       func() error { _, err := c.RemoveOIDCProvider("https://b", "p"); return err },
				"Update":           func() error { return c.Update(func(*ojson.Object) error { return nil }) },
			}
			for name, op := range ops {
				err := op()
				var fe *FileError
				if !errors.As(err, &fe) || !errors.Is(err, tc.kind) {
					t.Fatalf("%s: got %v, want %v", name, err, tc.kind)
				}
				msg := err.Error()
				if !strings.Contains(msg, path) || fe.Fix == "" || strings.Contains(msg, secret) {
					t.Fatalf("%s: message must name the file and a fix, never the secret: %q", name, msg)
				}
				for _, s := range tc.contains {
					if !strings.Contains(msg, s) {
						t.Fatalf("%s: message %q lacks %q", name, msg, s)
					}
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(old) {
				t.Fatalf("mtime changed: %v -> %v", old, fi.ModTime())
			}
			if fi.Mode().Perm() != tc.perm && !tc.dir {
				t.Fatalf("mode changed to %o", fi.Mode().Perm())
			}
			if !tc.dir {
				assertBytes(t, "bad file", testrig.ReadFile(t, path), []byte(tc.content))
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					t.Fatalf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}

func TestNotPrivateMessage(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Python only logs on Windows")
	}
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	writeFile(t, path, []byte(`{}`), 0o644)
	s := openRefreshTokens(t, path)
	_, _, err := s.RefreshToken("i", "c")
	want := "File " + path + " could be readable by others: mode 644 (expected: 600). Run \"chmod 600 " + path + "\" to make it private."
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if err := s.SetRefreshToken("i", "c", "t", time.Time{}); !errors.Is(err, ErrNotPrivate) {
		t.Fatal(err)
	}
	// After the fix both work.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("i", "c", "t", time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshTokensBadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, RefreshTokensFileName)
	for _, content := range []string{`{"https://i": []}`, `{"https://i": {"c": "tok"}}`, `{"https://i": {"c": {"refresh_token": 1}}}`, `[]`, `{`} {
		writeFile(t, path, []byte(content), 0o600)
		s := openRefreshTokens(t, path)
		_, _, err := s.RefreshToken("https://i", "c")
		if !errors.Is(err, ErrForeignShape) && !errors.Is(err, ErrInvalidJSON) {
			t.Fatalf("%s: %v", content, err)
		}
		if err := s.SetRefreshToken("https://i", "c", "t", time.Time{}); err == nil {
			t.Fatalf("%s: write accepted", content)
		}
		if _, err := s.Remove("https://i", "c"); err == nil {
			t.Fatalf("%s: remove accepted", content)
		}
		assertBytes(t, content, testrig.ReadFile(t, path), []byte(content))
	}
	// Clear refuses a directory and removes a bad file (like token-clear).
	if removed, err := openRefreshTokens(t, path).Clear(); err != nil || !removed {
		t.Fatal(removed, err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	s := openRefreshTokens(t, dir)
	s.f.path = path
	if _, err := s.Clear(); !errors.Is(err, ErrIsDirectory) {
		t.Fatal(err)
	}
}

func TestLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	opts := testOptions()
	opts.LockTimeout = 50 * time.Millisecond
	c, err := OpenAuthConfig(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, path+".lock")
	start := time.Now()
	err = c.SetBasic("https://b", "u", "p")
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), path+".lock") {
		t.Fatalf("got %v", err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("returned before the timeout")
	}
	release()
	if err := c.SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
}

// TestFileErrorTitles: every kind of fault has one title; the detail keeps
// the file, the problem and the fix and says that the file was not changed.
func TestFileErrorTitles(t *testing.T) {
	for _, tc := range []struct {
		op    string
		kind  error
		title string
	}{
		{"load", ErrNotPrivate, "Unusable File"},
		{"load", ErrInvalidJSON, "Unusable File"},
		{"write", ErrForeignShape, "Unusable File"},
		{"load", ErrIsDirectory, "Unusable File"},
		{"lock", ErrLockTimeout, "File Locked"},
		{"resolve", ErrNoUserDir, "No Folder for the openEO Files"},
		{"load", nil, "Cannot Read File"},
		{"write", nil, "Cannot Write File"},
		{"remove", nil, "Cannot Write File"},
	} {
		fe := &FileError{Path: "/x/auth-config.json", Op: tc.op, Kind: tc.kind, Err: fs.ErrPermission,
			Msg: "Problem with '/x/auth-config.json'.", Fix: "Fix it."}
		if fe.Title() != tc.title {
			t.Errorf("%s %v: title %q, want %q", tc.op, tc.kind, fe.Title(), tc.title)
		}
		if want := "Problem with '/x/auth-config.json'. Fix it. The file was not changed."; fe.Detail() != want {
			t.Errorf("detail %q, want %q", fe.Detail(), want)
		}
	}
	fe := &FileError{Msg: "Failed.", Fix: "The file is left unchanged; fix it by hand."}
	if fe.Detail() != fe.Error() {
		t.Errorf("a message that says the file is unchanged is kept: %q", fe.Detail())
	}
}
