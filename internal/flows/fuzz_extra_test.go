package flows

// Fuzz targets for the parsers of outside input that fuzz_test.go does not
// cover: the account document (GET /me), the device authorization response,
// version strings from /.well-known/openeo and capabilities, and the
// Retry-After header. Seed corpora live in testdata/fuzz/<target>/ and run in
// `go test`; `make fuzz` (scripts/fuzz.sh) fuzzes each target for a while.

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseAccount(f *testing.F) {
	f.Add([]byte(`{"user_id":"alice","name":"Alice","default_plan":"free","storage":{"free":1,"quota":2},"budget":null,"links":[{"href":"https://x","rel":"payment"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAccount(data)
		if err != nil {
			// Errors name the problem, never the document (which may hold
			// personal data).
			if utf8.RuneCountInString(err.Error()) > 200 {
				t.Fatalf("long error %q", err)
			}
			return
		}
		if a.UserID == "" {
			t.Fatal("accepted without user_id")
		}
		if a.Budget != nil && (math.IsNaN(*a.Budget) || math.IsInf(*a.Budget, 0)) {
			t.Fatalf("budget %v", *a.Budget)
		}
		for k := range a.Extra {
			switch k {
			case "user_id", "name", "default_plan", "storage", "budget", "links":
				t.Fatalf("known field %q in Extra", k)
			}
		}
		again, err := ParseAccount(data)
		if err != nil || again.UserID != a.UserID || again.Name != a.Name || len(again.Links) != len(a.Links) ||
			(again.Storage == nil) != (a.Storage == nil) {
			t.Fatal("not deterministic")
		}
	})
}

func FuzzParseDeviceAuthorization(f *testing.F) {
	f.Add([]byte(`{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://idp/device","verification_uri_complete":"https://idp/device?user_code=ABCD-EFGH","expires_in":600,"interval":5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDeviceAuthorization(data)
		if err != nil {
			// The body holds the device code: it is never quoted.
			if utf8.RuneCountInString(err.Error()) > 100 {
				t.Fatalf("long error %q", err)
			}
			return
		}
		if d.deviceCode == "" || d.UserCode == "" || d.VerificationURI == "" {
			t.Fatalf("accepted incomplete %+v", d)
		}
		if d.Interval <= 0 {
			t.Fatalf("interval %v", d.Interval)
		}
		if !d.ExpiresAt.IsZero() && d.ExpiresAt.Before(d.received) {
			t.Fatalf("expires %v before received %v", d.ExpiresAt, d.received)
		}
		if d.Instructions() == "" || d.UsesPKCE() {
			t.Fatal("instructions")
		}
	})
}

func FuzzCompareVersions(f *testing.F) {
	f.Add("1.2.0", "1.10.0")
	f.Fuzz(func(t *testing.T, a, b string) {
		c, ok := CompareVersions(a, b)
		r, okr := CompareVersions(b, a)
		if ok != okr {
			t.Fatalf("ok(%q,%q)=%v but ok(%q,%q)=%v", a, b, ok, b, a, okr)
		}
		if !ok {
			if c != 0 {
				t.Fatalf("not ok but c=%d", c)
			}
			return
		}
		if c < -1 || c > 1 || c != -r {
			t.Fatalf("compare(%q,%q)=%d, compare(%q,%q)=%d", a, b, c, b, a, r)
		}
		if s, _ := CompareVersions(a, a); s != 0 {
			t.Fatalf("compare(%q,%q)=%d", a, a, s)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	f.Add("3")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	c := NewClient(HTTPOptions{RetryMaxWait: 30 * time.Second})
	now := time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := c.retryAfter(v, now)
		if !ok {
			if d != 0 {
				t.Fatalf("not ok but %v", d)
			}
			return
		}
		if strings.TrimSpace(v) == "" {
			t.Fatal("empty header accepted")
		}
		if d < 0 || d > 30*time.Second {
			t.Fatalf("Retry-After %q gives %v (want 0..30s)", v, d)
		}
	})
}
