package providerdata

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestCheckBasicTransport(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://openeo.example": true, "http://127.0.0.1:8080": true, "http://localhost": true,
		"http://[::1]:1": true, "http://openeo.example": false, "HTTP://10.0.0.1": false,
		// *.localhost names go through DNS: they could point anywhere.
		"http://api.localhost": false, "http://evil.example.localhost:8080": false, "http://LOCALHOST:1": true,
		"http://127.1.2.3": true, "http://localhost.": false,
	} {
		if err := CheckBasicTransport(u); (err == nil) != ok {
			t.Errorf("%s: err = %v", u, err)
		}
	}
}

func TestSettingsCheck(t *testing.T) {
	for _, tc := range []struct {
		s    Settings
		want string
	}{
		{Settings{}, "Missing openEO Back-End URL"},
		{Settings{URL: "https://x", Method: flows.MethodPassword, OIDC: OIDCSettings{Username: "u"}}, "oidc.password (or OPENEO_AUTH_PASSWORD)"},
		{Settings{URL: "https://x", Method: flows.MethodAccessToken}, "oidc.access_token"},
		{Settings{URL: "https://x", Method: flows.MethodBearer}, "bearer_token"},
		{Settings{URL: "https://x", Method: flows.MethodBasic}, ""},
	} {
		err := tc.s.Check()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.s, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.s, err, tc.want)
		}
	}
}

func TestClientBuildsOneSession(t *testing.T) {
	var built atomic.Int32
	c := New(Settings{URL: "https://x", Method: flows.MethodNone}, func(context.Context, Settings) (Session, error) {
		built.Add(1)
		return nil, nil
	})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = c.Session(t.Context()) }()
	}
	wg.Wait()
	if built.Load() != 1 {
		t.Errorf("built %d sessions", built.Load())
	}
	// Unknown values: no session at all.
	c = New(Settings{URL: "https://x", Unknown: []string{"url"}}, func(context.Context, Settings) (Session, error) {
		t.Fatal("factory called")
		return nil, nil
	})
	var nr *NotReadyError
	if _, err := c.Session(t.Context()); !errors.As(err, &nr) || nr.Fields[0] != "url" {
		t.Errorf("got %v", err)
	}
}
