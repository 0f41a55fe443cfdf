package authfiles

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkAuthConfigUpdate is one locked, atomic SetBasic (load, edit,
// encode, temp file, fsync, rename, directory fsync) in a file with 50
// back-ends, each with a basic and an OIDC entry.
func BenchmarkAuthConfigUpdate(b *testing.B) {
	path := filepath.Join(b.TempDir(), AuthConfigFileName)
	c := openAuthConfig(b, path)
	for i := range 50 {
		u := fmt.Sprintf("https://openeo-%d.example.com", i)
		if err := c.SetBasic(u, "user", "password"); err != nil {
			b.Fatal(err)
		}
		if err := c.SetOIDCProvider(u, "egi", OIDCClientConfig{ClientID: ptr("client"), ClientSecret: ptr("secret"), Issuer: "https://aai.egi.eu"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.SetBasic(fmt.Sprintf("https://openeo-%d.example.com", i%50), "user", fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAuthConfigRead is one BasicCredentials lookup (stat, privacy
// check, read, parse, validate) in the same 50-back-end file.
func BenchmarkAuthConfigRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), AuthConfigFileName)
	c := openAuthConfig(b, path)
	for i := range 50 {
		u := fmt.Sprintf("https://openeo-%d.example.com", i)
		if err := c.SetBasic(u, "user", "password"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, found, err := c.BasicCredentials("https://openeo-25.example.com"); err != nil || !found {
			b.Fatal(err)
		}
	}
}
