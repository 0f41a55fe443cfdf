package provider_test

// Protocol-level tests against the rig (real test IdP + in-process openEO
// test back-end), without a Terraform CLI. They skip when the IdP is not
// running (OPENEO_TEST_ISSUER unset).

import (
	"strings"
	"sync"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

func noInteraction() (func(pd.DeviceEvent), bool) { return nil, false }

// TestRigOneTokenPerInstance reads every data source and opens the
// ephemeral resource several times, concurrently, through one provider
// instance: the IdP sees exactly one token request.
func TestRigOneTokenPerInstance(t *testing.T) {
	idp := testrig.IdP(t)
	acctest.IsolateEnv(t)
	client := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	be := testbackend.Start(t, testbackend.Config{Providers: []testbackend.Provider{testbackend.ProviderFor("testidp", idp.Issuer())}})

	h := newHarness(t, provider.Options{Interaction: noInteraction})
	if d := h.configure(map[string]any{"url": be.URL(), "auth_method": "client_credentials",
		"oidc": map[string]any{"client_id": client.ID, "client_secret": client.Secret}}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for i := 0; i < 3; i++ {
		for _, name := range []string{"openeo_account", "openeo_bearer_token", "openeo_capabilities", "openeo_oidc_providers"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := h.readDataSource(name, false); hasError(r.Diagnostics) {
					mu.Lock()
					failures = append(failures, name+": "+diagsText(r.Diagnostics))
					mu.Unlock()
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := h.openEphemeral(false); hasError(r.Diagnostics) {
				mu.Lock()
				failures = append(failures, "ephemeral: "+diagsText(r.Diagnostics))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatal(strings.Join(failures, "\n"))
	}
	if n := idp.TokenRequests(t, client.ID); n != 1 {
		t.Errorf("token requests at the IdP = %d, want 1 (one token per provider instance and run)", n)
	}
}

// TestRigOIDCWithoutRefreshTokenNamesCommand: the oidc method without a
// stored refresh token, where no person can be asked, fails with the exact
// openeo-auth command.
func TestRigOIDCWithoutRefreshTokenNamesCommand(t *testing.T) {
	idp := testrig.IdP(t)
	acctest.IsolateEnv(t)
	be := testbackend.Start(t, testbackend.Config{Providers: []testbackend.Provider{testbackend.ProviderFor("testidp", idp.Issuer())}})
	h := newHarness(t, provider.Options{Interaction: noInteraction})
	if d := h.configure(map[string]any{"url": be.URL(), "auth_method": "oidc"}); hasError(d) {
		t.Fatal(diagsText(d))
	}
	r := h.readDataSource("openeo_bearer_token", false)
	text := diagsText(r.Diagnostics)
	t.Log(text)
	if !strings.Contains(text, "Interactive OIDC Login Required") || !strings.Contains(text, "`openeo-auth oidc-auth "+be.URL()+"`") {
		t.Errorf("want the openeo-auth command in the error, got %s", text)
	}
}

// TestRigErrorsHideSecrets: wrong credentials give clear errors without the
// secret.
func TestRigErrorsHideSecrets(t *testing.T) {
	idp := testrig.IdP(t)
	acctest.IsolateEnv(t)
	client := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	be := testbackend.Start(t, testbackend.Config{
		Providers:  []testbackend.Provider{testbackend.ProviderFor("testidp", idp.Issuer())},
		BasicUsers: map[string]string{"alice": "right-password-1"},
	})
	for _, tc := range []struct {
		name   string
		cfg    map[string]any
		want   string
		secret string
	}{
		{"wrong basic password", map[string]any{"url": be.URL(), "basic": map[string]any{"username": "alice", "password": "wrong-password-1"}},
			"Basic Authentication Failed", "wrong-password-1"},
		{"wrong client secret", map[string]any{"url": be.URL(), "auth_method": "client_credentials",
			"oidc": map[string]any{"client_id": client.ID, "client_secret": "wrong-client-secret-1"}},
			"OIDC Client Authentication Failed", "wrong-client-secret-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, provider.Options{Interaction: noInteraction})
			if d := h.configure(tc.cfg); hasError(d) {
				t.Fatal(diagsText(d))
			}
			r := h.readDataSource("openeo_account", false)
			text := diagsText(r.Diagnostics)
			t.Log(text)
			if !strings.Contains(text, tc.want) {
				t.Errorf("want %q, got %s", tc.want, text)
			}
			if strings.Contains(text, tc.secret) {
				t.Errorf("the secret appears in the diagnostic: %s", text)
			}
		})
	}
}
