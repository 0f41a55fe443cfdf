package provider_test

// Protocol-level tests against the rig (real test IdP + in-process openEO
// test back-end), without a Terraform CLI. They skip when the IdP is not
// running (OPENEO_TEST_ISSUER unset).

import (
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
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

// TestRigEnvClientIDCommandFixesLogin: with OPENEO_AUTH_CLIENT_ID set (as on
// runners that also use client credentials) and a refresh-token file of its
// own, the oidc method's error names an openeo-auth command; running exactly
// that command stores the refresh token the provider then finds: the next
// run logs in without a device flow (no loop of the same error).
func TestRigEnvClientIDCommandFixesLogin(t *testing.T) {
	idp := testrig.IdP(t)
	acctest.IsolateEnv(t)
	pub := idp.RegisterClient(t, testrig.ClientSpec{Public: true})
	ci := idp.RegisterClient(t, testrig.ClientSpec{Public: true, Name: "ci"})
	p := testbackend.ProviderFor("testidp", idp.Issuer())
	p.DefaultClients = []testbackend.DefaultClient{{ID: pub.ID, GrantTypes: []string{testbackend.GrantDeviceCodePKCE, testbackend.GrantRefreshToken}}}
	be := testbackend.Start(t, testbackend.Config{Providers: []testbackend.Provider{p}})
	t.Setenv("OPENEO_AUTH_CLIENT_ID", ci.ID)
	store := filepath.Join(t.TempDir(), "tokens.json")
	cfg := map[string]any{"url": be.URL(), "auth_method": "oidc", "refresh_token_store_path": store}

	h := newHarness(t, provider.Options{Interaction: noInteraction})
	if d := h.configure(cfg); hasError(d) {
		t.Fatal(diagsText(d))
	}
	text := diagsText(h.readDataSource("openeo_account", false).Diagnostics)
	m := regexp.MustCompile("`(openeo-auth oidc-auth [^`]+)`").FindStringSubmatch(text)
	want := "openeo-auth oidc-auth " + be.URL() + " --client-id " + ci.ID + " --refresh-tokens " + store
	if m == nil || m[1] != want {
		t.Fatalf("want the command %q in the error, got %s", want, text)
	}

	// Run it, in the same environment, approving the device flow.
	args := strings.Fields(m[1])[1:]
	var stdout, stderr testrig.SyncBuffer
	ctx := testrig.Context(t)
	approved := make(chan error, 1)
	go func() {
		re := regexp.MustCompile(`user code '([^']+)'`)
		for ctx.Err() == nil {
			if c := re.FindStringSubmatch(stderr.String()); c != nil {
				approved <- idp.ApproveDevice(ctx, c[1], testrig.Alice.Name, testrig.Alice.Password)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		approved <- ctx.Err()
	}()
	code := authcli.Run(ctx, args, authcli.Process{Stdout: &stdout, Stderr: &stderr, PollInterval: 200 * time.Millisecond})
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", m[1], code, stdout.String(), stderr.String())
	}
	if err := <-approved; err != nil {
		t.Fatal(err)
	}

	// The provider now logs in with the stored token.
	h = newHarness(t, provider.Options{Interaction: noInteraction})
	if d := h.configure(cfg); hasError(d) {
		t.Fatal(diagsText(d))
	}
	if r := h.readDataSource("openeo_account", false); hasError(r.Diagnostics) {
		t.Fatalf("after running the command: %s", diagsText(r.Diagnostics))
	}
	if st := idp.Stats(t, ci.ID); st.DeviceRequests != 1 || st.ByGrant["refresh_token"] < 1 {
		t.Errorf("stats of the client of OPENEO_AUTH_CLIENT_ID %+v: want the command's device flow, then a refresh grant", st)
	}
	if st := idp.Stats(t, pub.ID); st.TokenRequests != 0 || st.DeviceRequests != 0 {
		t.Errorf("the default client was used: %+v", st)
	}
}
