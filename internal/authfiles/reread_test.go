package authfiles

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const completeConfig = `{
  "backends": {
    "https://b": {
      "basic": {
        "date": "2024-05-06T07:08:09Z",
        "username": "john",
        "password": "j0hn"
      }
    }
  }
}`

// TestFileCompletedDuringReadIsAccepted: the Python client rewrites
// auth-config.json in place without a lock, so a reader can meet it empty or
// cut short. A file that is complete when it is read again (here the settle
// hook completes it, as the Python client would) is accepted, for reads and
// for writes.
func TestFileCompletedDuringReadIsAccepted(t *testing.T) {
	firstReads := map[string]string{"empty": "", "cut short": completeConfig[:40]}
	for name, first := range firstReads {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), AuthConfigFileName)
			c := openAuthConfig(t, path)
			settles := 0
			c.f.settle = func() {
				settles++
				writeFile(t, path, []byte(completeConfig), 0o600)
			}

			writeFile(t, path, []byte(first), 0o600)
			u, pw, _, err := c.BasicCredentials("https://b")
			if err != nil || u != "john" || pw != "j0hn" {
				t.Fatalf("read: %q %q %v", u, pw, err)
			}

			writeFile(t, path, []byte(first), 0o600)
			if err := c.SetBasic("https://other", "u", "p"); err != nil {
				t.Fatal(err)
			}
			if u, _, _, err := c.BasicCredentials("https://b"); err != nil || u != "john" {
				t.Fatalf("the entry of the completed file was lost: %q %v", u, err)
			}
			if settles != 2 {
				t.Fatalf("settle ran %d times, want 2 (once per broken read)", settles)
			}
		})
	}
	if runtime.GOOS == "windows" {
		return
	}
	// A new file the Python client has not made private yet (0644 before its chmod).
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	s.f.settle = func() {
		if err := os.Chmod(path, 0o600); err != nil {
			t.Error(err)
		}
	}
	writeFile(t, path, []byte(`{"https://i": {"c": {"date": "d", "refresh_token": "t"}}}`), 0o644)
	if tok, ok, err := s.RefreshToken("https://i", "c"); err != nil || !ok || tok != "t" {
		t.Fatalf("%q %v %v", tok, ok, err)
	}
}

// TestFileThatStaysBrokenIsRefused: a file still broken when it is read
// again is refused, is read exactly twice, and keeps its bytes.
func TestFileThatStaysBrokenIsRefused(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "cut short": completeConfig[:40]} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), AuthConfigFileName)
			writeFile(t, path, []byte(content), 0o600)
			c := openAuthConfig(t, path)
			settles := 0
			c.f.settle = func() { settles++ }
			if _, _, _, err := c.BasicCredentials("https://b"); !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("read: %v", err)
			}
			if settles != 1 {
				t.Fatalf("settle ran %d times, want 1", settles)
			}
			if err := c.SetBasic("https://other", "u", "p"); !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("write: %v", err)
			}
			assertBytes(t, "broken file", testrig.ReadFile(t, path), []byte(content))
		})
	}
}
