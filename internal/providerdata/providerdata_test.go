package providerdata

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
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
	c := New(Settings{URL: "https://x.example", Method: flows.MethodNone,
		AuthConfigPath: filepath.Join(t.TempDir(), "auth-config.json"), RefreshTokenStorePath: filepath.Join(t.TempDir(), "refresh-tokens.json")},
		FlowsOptions{})
	sessions := make([]*Session, 20)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.Session(t.Context())
			if err != nil {
				t.Errorf("Session: %v", err)
			}
			sessions[i] = s
		}()
	}
	wg.Wait()
	for i, s := range sessions {
		if s == nil || s != sessions[0] {
			t.Fatalf("call %d got session %p, call 0 got %p: one session per provider instance", i, s, sessions[0])
		}
	}
	// Unknown values: no session at all.
	c = New(Settings{URL: "https://x.example", Unknown: []string{"url"}}, FlowsOptions{})
	var nr *NotReadyError
	if _, err := c.Session(t.Context()); !errors.As(err, &nr) || nr.Fields[0] != "url" {
		t.Errorf("got %v", err)
	}
}
