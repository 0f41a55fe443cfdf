//go:build unix

package authfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestSymlinkToForeignFile: a link to a file that is not an auth file (a
// private key) is refused before anything is created beside the file; the
// file stays as it is.
func TestSymlinkToForeignFile(t *testing.T) {
	victim := t.TempDir()
	key := filepath.Join(victim, "id_rsa")
	const keyText = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
	writeFile(t, key, []byte(keyText), 0o600)
	dir := t.TempDir()
	ac := filepath.Join(dir, AuthConfigFileName)
	rt := filepath.Join(dir, RefreshTokensFileName)
	for _, l := range []string{ac, rt} {
		if err := os.Symlink(key, l); err != nil {
			t.Fatal(err)
		}
	}
	c := openAuthConfig(t, ac)
	s := openRefreshTokens(t, rt)
	for name, op := range map[string]func() error{
		"SetBasic":        func() error { return c.SetBasic("https://b", "u", "p") },
		"RemoveBasic":     func() error { _, err := c.RemoveBasic("https://b"); return err },
		"SetRefreshToken": func() error { return s.SetRefreshToken("https://i", "c", "t", time.Time{}) },
		"Remove":          func() error { _, err := s.Remove("https://i", "c"); return err },
	} {
		if err := op(); !errors.Is(err, ErrInvalidJSON) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("%s: got %v, want ErrInvalidJSON naming the file", name, err)
		}
	}
	if got := dirNames(t, victim); len(got) != 1 || got[0] != "id_rsa" {
		t.Fatalf("files created beside the link's target: %q", got)
	}
	assertBytes(t, "id_rsa", testrig.ReadFile(t, key), []byte(keyText))

	// Clearing removes the link, not the file it points at, and locks nothing.
	if removed, err := s.Clear(); err != nil || !removed {
		t.Fatal(removed, err)
	}
	if _, err := os.Lstat(rt); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("link not removed")
	}
	if got := dirNames(t, victim); len(got) != 1 {
		t.Fatalf("files created beside the link's target: %q", got)
	}
	assertBytes(t, "id_rsa", testrig.ReadFile(t, key), []byte(keyText))
}

// TestSymlinkToDevice: a link to something that is not a regular file (a
// FIFO here, as a device would be) is refused without a lock file beside it.
func TestSymlinkToDevice(t *testing.T) {
	devDir := t.TempDir()
	fifo := filepath.Join(devDir, "zero")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	if err := os.Symlink(fifo, path); err != nil {
		t.Fatal(err)
	}
	c := openAuthConfig(t, path)
	err := c.SetBasic("https://b", "u", "p")
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
	if _, err := c.RemoveBasic("https://b"); err == nil {
		t.Fatal("removal through a link to a FIFO accepted")
	}
	if got := dirNames(t, devDir); len(got) != 1 {
		t.Fatalf("files created beside the link's target: %q", got)
	}
}

// TestDanglingSymlink: a write through a dangling link creates the linked
// file when its folder exists, and never creates folders along the link.
func TestDanglingSymlink(t *testing.T) {
	root := t.TempDir()
	missing := filepath.Join(root, "missing", "a", "b", "auth.json")
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	if err := os.Symlink(missing, path); err != nil {
		t.Fatal(err)
	}
	c := openAuthConfig(t, path)
	err := c.SetBasic("https://b", "u", "p")
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), filepath.Dir(missing)) || !strings.Contains(fe.Fix, "create the folder") {
		t.Fatalf("got %v", err)
	}
	if got := dirNames(t, root); len(got) != 0 {
		t.Fatalf("folders created along the link: %q", got)
	}

	// A chain of links whose end is missing, in an existing folder: the file
	// is created at the end of the chain and both links stay links.
	end := filepath.Join(root, "auth.json")
	middle := filepath.Join(root, "middle.json")
	if err := os.Symlink("auth.json", middle); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(middle, path); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	if u, _, _, err := openAuthConfig(t, end).BasicCredentials("https://b"); err != nil || u != "u" {
		t.Fatalf("%q %v", u, err)
	}
	for _, l := range []string{path, middle} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link", l)
		}
	}
	assertMode(t, end, 0o600)
}
