package authfiles

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

func basicConfig(user string) []byte {
	return fmt.Appendf(nil, `{
  "backends": {
    "https://b": {
      "basic": {
        "username": %q
      }
    }
  }
}`, user)
}

func assertUser(t *testing.T, c *AuthConfig, want string) {
	t.Helper()
	u, _, found, err := c.BasicCredentials("https://b")
	if err != nil || !found || u != want {
		t.Fatalf("username %q (found %v, %v), want %q", u, found, err, want)
	}
}

// TestReadCacheSeesRewriteInPlace: the Python client rewrites a file in
// place. A rewrite with the same size, the same inode and (forced here) the
// same modification time as the cached version is still seen while that
// time is recent, because a recent file is compared byte for byte.
func TestReadCacheSeesRewriteInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	writeFile(t, path, basicConfig("alice"), 0o600)
	assertUser(t, c, "alice")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, basicConfig("carol"), 0o600) // same length as "alice"
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	fi2, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !stampOf(fi).equal(stampOf(fi2)) {
		t.Fatalf("the rewrite changed the stamp (%v, %v): the test needs an equal one", stampOf(fi), stampOf(fi2))
	}
	assertUser(t, c, "carol")
}

// TestReadCacheSeesChangedStamp: an old file (its stamp trusted alone) that
// changes size, time, mode or inode is loaded again.
func TestReadCacheSeesChangedStamp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, AuthConfigFileName)
	c := openAuthConfig(t, path)
	old := time.Now().Add(-time.Hour)
	write := func(user string, mtime time.Time) {
		t.Helper()
		writeFile(t, path, basicConfig(user), 0o600)
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("alice", old)
	assertUser(t, c, "alice")
	assertUser(t, c, "alice") // from memory

	write("carol", old.Add(time.Second)) // in place, same size, other time
	assertUser(t, c, "carol")

	write("bob", old.Add(time.Second)) // in place, other size
	assertUser(t, c, "bob")

	// Replaced by another file (another inode) with the same size and time.
	other := filepath.Join(dir, "other.json")
	writeFile(t, other, basicConfig("eve"), 0o600)
	if err := os.Chtimes(other, old.Add(time.Second), old.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	assertUser(t, c, "eve")

	// A mode change is seen: the file is no longer private.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.BasicCredentials("https://b"); err == nil {
		t.Fatal("a file readable by others was read from memory")
	}
}

// TestReadCacheDocumentIsACopy: changing the document Document returns does
// not change what the next read sees.
func TestReadCacheDocumentIsACopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	writeFile(t, path, basicConfig("alice"), 0o600)
	doc, _, err := c.Document(true)
	if err != nil {
		t.Fatal(err)
	}
	child(doc, "backends", "https://b", "basic").Set("username", ojson.String("mallory"))
	assertUser(t, c, "alice")
	// A write starts from the file's document, not from the changed copy.
	if err := c.SetBasic("https://other", "u", "p"); err != nil {
		t.Fatal(err)
	}
	assertUser(t, c, "alice")
}

func TestSameContent(t *testing.T) {
	for _, n := range []int{0, 1, compareChunk - 1, compareChunk, compareChunk + 1, 2 * compareChunk} {
		want := bytes.Repeat([]byte{'a'}, n)
		other := bytes.Clone(want)
		if n > 0 {
			other[n-1] = 'b'
		}
		for name, tc := range map[string]struct {
			file []byte
			same bool
		}{
			"equal": {want, true}, "longer": {append(bytes.Clone(want), 'a'), false},
			"shorter": {want[:max(n-1, 0)], n == 0}, "last byte differs": {other, n == 0},
		} {
			got, err := sameContent(bytes.NewReader(tc.file), want)
			if err != nil || got != tc.same {
				t.Errorf("%d bytes, %s: %v (%v), want %v", n, name, got, err, tc.same)
			}
		}
	}
}
