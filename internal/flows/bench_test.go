package flows

import (
	"context"
	"testing"
	"time"
)

// BenchmarkTokenCached measures Session.Token when a fresh token is cached
// (the path every request takes).
func BenchmarkTokenCached(b *testing.B) {
	s, err := NewSession(b.Context(), Config{BackendURL: "https://oeo.test", Method: MethodClientCredentials})
	if err != nil {
		b.Fatal(err)
	}
	// A renewable token, so that every call checks the expiry.
	now := time.Now()
	s.src.tok = &Token{Bearer: "oidc/p/token", obtained: now, Expiry: now.Add(time.Hour)}
	s.src.renew = func(context.Context, *Token) (*Token, error) { return nil, errCannotRenew }
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenCachedParallel is the same with every CPU asking at once.
func BenchmarkTokenCachedParallel(b *testing.B) {
	src := &cachingSource{acquire: func(context.Context) (*Token, renewFunc, error) {
		now := time.Now()
		return &Token{Bearer: "b", obtained: now, Expiry: now.Add(time.Hour)},
			func(context.Context, *Token) (*Token, error) { return nil, nil }, nil
	}}
	ctx := b.Context()
	if _, err := src.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := src.Token(ctx); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkBearer measures building an OIDC bearer string.
func BenchmarkBearer(b *testing.B) {
	at := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kiLCJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl"
	b.ReportAllocs()
	for b.Loop() {
		if BuildBearer("egi", at, false) == "" {
			b.Fatal("empty")
		}
	}
}
