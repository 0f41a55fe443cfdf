package flows

// Fuzz target for the output of exec credential helpers (outside input: a
// program's standard output). The seeds run in `go test`; `make fuzz` fuzzes
// it for a while.

import (
	"strings"
	"testing"
	"time"
)

func FuzzParseExecOutput(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQwNzA5MDg4MDB9.c2ln\n",
		`{"access_token":"at","expires_in":300,"provider_id":"egi"}`,
		`{"access_token":"at","expires_at":"2099-01-01T00:00:00Z"}`,
		`{"access_token":"at","expires_at":4070908800,"token_type":"bearer"}`,
		`{"access_token":"at","expires_in":"12.5"}`,
		`{"access_token":1}`, "two words", "", "{", `{"access_token":"at","expires_at":1e300}`,
	} {
		f.Add(s)
	}
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, out string) {
		tok, err := parseExecOutput(out, now)
		if err != nil {
			return
		}
		if tok.AccessToken == "" || strings.TrimSpace(tok.AccessToken) != tok.AccessToken {
			t.Fatalf("access token %q", tok.AccessToken)
		}
		if strings.ContainsAny(tok.AccessToken, " \t\r\n") {
			t.Fatalf("token with white space: %q", tok.AccessToken)
		}
		if !tok.Expiry.IsZero() && !now.Before(tok.Expiry) {
			t.Fatalf("expired token accepted: %s", tok.Expiry)
		}
	})
}
