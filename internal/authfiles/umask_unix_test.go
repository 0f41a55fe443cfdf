//go:build unix

package authfiles

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestFoldersArePrivateUnderUmask000: with umask 000, the folders that the
// directory search and a first write create are 0700, not world-writable.
func TestFoldersArePrivateUnderUmask000(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })

	home := t.TempDir()
	env := mapEnv(home, "linux", nil)
	dataDir, err := UserDataDir(env, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dataDir, filepath.Dir(dataDir), filepath.Join(home, ".local")} {
		assertMode(t, d, 0o700)
	}

	root := t.TempDir()
	path := filepath.Join(root, "a", "b", AuthConfigFileName)
	if err := openAuthConfig(t, path).SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
		assertMode(t, d, 0o700)
	}
	assertMode(t, path, 0o600)
}
