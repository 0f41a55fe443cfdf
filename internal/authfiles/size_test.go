package authfiles

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// padded returns valid JSON of exactly size bytes: doc followed by spaces.
func padded(doc string, size int) []byte {
	return append([]byte(doc), bytes.Repeat([]byte(" "), size-len(doc))...)
}

// TestOversizedFilesAreRefused: a file over MaxFileSize is refused for
// reading and writing with an error that names the file, even when it is
// valid JSON, and stays as it is; a file of exactly MaxFileSize is read.
func TestOversizedFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	acPath := filepath.Join(dir, AuthConfigFileName)
	rtPath := filepath.Join(dir, RefreshTokensFileName)
	big := padded(`{"backends": {"https://b": {"basic": {"username": "u", "password": "p"}}}}`, MaxFileSize+1)
	bigTokens := padded(`{"https://i": {"c": {"date": "d", "refresh_token": "t"}}}`, MaxFileSize+1)
	writeFile(t, acPath, big, 0o600)
	writeFile(t, rtPath, bigTokens, 0o600)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, p := range []string{acPath, rtPath} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	c := openAuthConfig(t, acPath)
	s := openRefreshTokens(t, rtPath)
	ops := map[string]struct {
		path string
		op   func() error
	}{
		"BasicCredentials": {acPath, func() error { _, _, _, err := c.BasicCredentials("https://b"); return err }},
		"SetBasic":         {acPath, func() error { return c.SetBasic("https://b", "u", "p2") }},
		"RemoveBasic":      {acPath, func() error { _, err := c.RemoveBasic("https://b"); return err }},
		"Dump":             {acPath, func() error { _, err := c.Dump(false); return err }},
		"RefreshToken":     {rtPath, func() error { _, _, err := s.RefreshToken("https://i", "c"); return err }},
		"SetRefreshToken":  {rtPath, func() error { return s.SetRefreshToken("https://i", "c", "t2", time.Time{}) }},
		"Remove":           {rtPath, func() error { _, err := s.Remove("https://i", "c"); return err }},
	}
	for name, o := range ops {
		err := o.op()
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: got %v, want ErrTooLarge", name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "'"+o.path+"'") || !strings.Contains(msg, "16 MiB") || fe.Fix == "" {
			t.Fatalf("%s: message must name the file, the limit and a fix: %q", name, msg)
		}
	}
	for p, want := range map[string][]byte{acPath: big, rtPath: bigTokens} {
		assertBytes(t, "oversized file", testrig.ReadFile(t, p), want)
		if fi, err := os.Stat(p); err != nil || !fi.ModTime().Equal(old) {
			t.Fatalf("%s: touched (%v)", p, err)
		}
	}

	// Exactly at the limit: read and written.
	writeFile(t, acPath, padded(`{"backends": {"https://b": {"basic": {"username": "u", "password": "p"}}}}`, MaxFileSize), 0o600)
	if _, pw, _, err := c.BasicCredentials("https://b"); err != nil || pw != "p" {
		t.Fatalf("file at the limit: %q, %v", pw, err)
	}
	if err := c.SetBasic("https://b", "u", "p2"); err != nil {
		t.Fatal(err)
	}
}

// TestOversizedWriteIsRefused: a change whose result would exceed
// MaxFileSize is not written, so no file is created that could not be read.
func TestOversizedWriteIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	if err := c.SetBasic("https://b", "u", "p"); err != nil {
		t.Fatal(err)
	}
	before := testrig.ReadFile(t, path)
	err := c.Update(func(root *ojson.Object) error {
		root.Set("padding", ojson.String(strings.Repeat("x", MaxFileSize)))
		return nil
	})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v", err)
	}
	assertBytes(t, "file after a refused write", testrig.ReadFile(t, path), before)
}
