package authfiles

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600)).Add(2 * time.Hour)

func testOptions() Options {
	return Options{Now: func() time.Time { return testNow }, CreatedBy: "terraform-provider-openeo 1.2.3"}
}

// mapEnv returns an Env reading only the given variables.
func mapEnv(home, goos string, vars map[string]string) Env {
	return Env{
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		HomeDir:   home,
		GOOS:      goos,
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile writes data with mode perm (chmod, so the umask does not matter).
func writeFile(t testing.TB, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func openAuthConfig(t testing.TB, path string) *AuthConfig {
	t.Helper()
	c, err := OpenAuthConfig(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openRefreshTokens(t testing.TB, path string) *RefreshTokens {
	t.Helper()
	s, err := OpenRefreshTokens(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assertBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", what, got, want)
	}
}

func assertMode(t testing.TB, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Fatalf("%s: mode %o, want %o", path, fi.Mode().Perm(), want)
	}
}

func ptr(s string) *string { return &s }
