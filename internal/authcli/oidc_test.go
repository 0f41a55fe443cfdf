package authcli_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// Commands against the rig: the real test IdP and an in-process openEO
// back-end. Every device flow is completed by testrig.ApproveDevice with the
// user code read from the command's stderr.

// TestOIDCAuthBootstrapsProviderLogin is the main path: nothing
// configured, oidc-auth picks the back-end's default client, runs the device
// flow with PKCE and stores the refresh token where the provider's "oidc"
// method then finds it without any interaction.
func TestOIDCAuthBootstrapsProviderLogin(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()

	// Before: the provider's oidc method cannot log in and says what to run.
	_, err := providerSession(t, h, be).Token(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "`openeo-auth oidc-auth "+be+"`") {
		t.Fatalf("before oidc-auth: %v", err)
	}
	r := h.run("", "token", be)
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "token stderr", r.stderr, "openeo-auth oidc-auth "+be)

	r = h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be+"/")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout,
		"Using provider ID 'testidp' (issuer '"+rg.idp.Issuer()+"'; single provider listed by the back-end)",
		"Using client ID '"+rg.public.ID+"' (default client of the back-end)",
		"Starting OpenID Connect device flow.",
		"The OpenID Connect device flow was successful.",
		"Stored refresh token in '"+h.refreshTokensPath()+"'",
		`url         = "`+be+`"`, `auth_method = "oidc"`)
	mustNotContain(t, "stdout", r.stdout, "oidc {") // the provider needs no provider_id/client_id
	// stderr (not a terminal): instructions with verification_uri_complete,
	// then one line per status change, never a carriage return.
	mustContain(t, "stderr", r.stderr, "Visit "+rg.idp.Issuer()+"/device", "to authenticate.",
		"] Authorization pending\n", "] Authorized successfully\n", "Waiting up to 5:00 for the login")
	mustNotContain(t, "stderr", r.stderr, "\r", "] Polling")

	// The file: issuer -> client -> {date, refresh_token}, private.
	st, err := os.Stat(h.refreshTokensPath())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("refresh-tokens.json: %v %v", st, err)
	}
	data, _ := os.ReadFile(h.refreshTokensPath())
	var doc map[string]map[string]map[string]string
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	entry := doc[rg.idp.Issuer()][rg.public.ID]
	if entry["refresh_token"] == "" || entry["date"] != "2026-05-04T03:02:01Z" || len(doc) != 1 || len(entry) != 2 {
		t.Fatalf("refresh-tokens.json:\n%s", data)
	}
	mustNotContain(t, "output", r.stdout+r.stderr, entry["refresh_token"])
	if _, err := os.Stat(h.authConfigPath()); !os.IsNotExist(err) {
		t.Errorf("oidc-auth wrote auth-config.json: %v", err)
	}
	// The default client declares device_code+pkce: the flow used PKCE.
	stats := rg.idp.Stats(t, rg.public.ID)
	if stats.DeviceRequests != 1 || stats.ByGrant["device_code"] < 1 || stats.ByAuth["client_secret_post"] != 0 ||
		stats.DevicePKCE != 1 || stats.DevicePKCEVerified != 1 {
		t.Errorf("IdP stats %+v", stats)
	}

	// After: the provider's oidc method logs in with the stored token, no device flow.
	s := providerSession(t, h, be)
	acct, err := s.Account(ctxT(t))
	if err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("provider session after oidc-auth: %+v %v", acct, err)
	}
	if st := rg.idp.Stats(t, rg.public.ID); st.DeviceRequests != 1 {
		t.Errorf("a second device flow was started: %+v", st)
	}

	// token prints a bearer the back-end accepts; --json and --access-token.
	r = h.run("", "token", be)
	wantCode(t, r, 0)
	bearer := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(bearer, "oidc/testidp/") {
		t.Fatalf("bearer %q", bearer)
	}
	acct, err = flows.NewClient(flows.HTTPOptions{}).Account(ctxT(t), rg.be.APIURL(), bearer)
	if err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("back-end with the printed bearer: %+v %v", acct, err)
	}
	r = h.run("", "token", "--json", be)
	wantCode(t, r, 0)
	var tj struct {
		Bearer      string `json:"bearer"`
		AccessToken string `json:"access_token"`
		Method      string `json:"method"`
		ProviderID  string `json:"provider_id"`
		Issuer      string `json:"issuer"`
		ClientID    string `json:"client_id"`
		ExpiresIn   *int64 `json:"expires_in"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tj); err != nil {
		t.Fatal(err)
	}
	if tj.ProviderID != providerID || tj.Issuer != rg.idp.Issuer() || tj.ClientID != rg.public.ID ||
		tj.Bearer != "oidc/testidp/"+tj.AccessToken || tj.Method != "refresh_token" || tj.ExpiresIn == nil || *tj.ExpiresIn <= 0 {
		t.Errorf("token --json %+v", tj)
	}
	r = h.run("", "token", "--access-token", be)
	if r.code != 0 || strings.Contains(r.stdout, "/") {
		t.Errorf("token --access-token: %s", r)
	}
}

// TestOIDCAuthUsesConfiguredClient: a client stored with add-oidc (not a
// default client of the back-end) is used, and --provider-id may name a
// provider that auth-config.json does not list (Python openeo-auth #303).
func TestOIDCAuthUsesConfiguredClient(t *testing.T) {
	t.Parallel()
	rg := newRig(t, func(c *testbackend.Config) {
		second := testbackend.ProviderFor("second", c.Providers[0].Issuer)
		second.DefaultClients = c.Providers[0].DefaultClients
		c.Providers = append(c.Providers, second)
	})
	mine := rg.idp.RegisterClient(t, testrig.ClientSpec{Public: true, Name: "configured"})
	h := newHarness(t)
	be := rg.be.URL()

	// add-oidc without a terminal needs --provider-id (two providers).
	r := h.run("", "add-oidc", be, "--client-id", mine.ID, "--no-client-secret")
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "--provider-id", "['testidp', 'second']")
	r = h.run("", "add-oidc", be, "--provider-id", "nope", "--use-default-client")
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "Invalid provider ID 'nope'. Should be one of ['testidp', 'second'].")
	r = h.run("", "add-oidc", be, "--provider-id", "second", "--client-id", mine.ID, "--no-client-secret")
	wantCode(t, r, 0)
	e, found, err := h.authConfig().OIDCProvider(be, "second")
	if err != nil || !found || e.ClientID == nil || *e.ClientID != mine.ID || e.ClientSecret != nil || e.Issuer != rg.idp.Issuer() {
		t.Fatalf("auth-config entry %+v %v %v", e, found, err)
	}

	// oidc-auth without flags: the single configured provider and its client.
	r = h.runDevice(rg.idp, testrig.Bob, "oidc-auth", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Using provider ID 'second'", "single provider configured in auth-config",
		"Using client ID '"+mine.ID+"' (from "+h.authConfigPath()+")")
	if tok, found, _ := h.refreshTokens().RefreshToken(rg.idp.Issuer(), mine.ID); !found || tok == "" {
		t.Fatal("no refresh token stored for the configured client")
	}
	if st := rg.idp.Stats(t, rg.public.ID); st.DeviceRequests != 0 {
		t.Errorf("the default client was used: %+v", st)
	}
	acct, err := providerSession(t, h, be).Account(ctxT(t))
	if err != nil || acct.UserID != testrig.Bob.Name {
		t.Fatalf("provider after oidc-auth: %+v %v", acct, err)
	}

	// --provider-id of a provider without a config entry: its default client;
	// the hint names the provider_id Terraform then needs.
	r = h.runDevice(rg.idp, testrig.Alice, "oidc-auth", "--provider-id", "testidp", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Using client ID '"+rg.public.ID+"' (default client of the back-end)",
		`provider_id = "testidp"`)
	// Two tokens now (same issuer, two clients).
	entries, err := h.refreshTokens().Entries()
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries %+v %v", entries, err)
	}
}

// TestAddOIDCPromptsOnTerminal: the Python menu and prompts, with the secret
// read through ReadSecret-less terminal input.
func TestAddOIDCPromptsOnTerminal(t *testing.T) {
	t.Parallel()
	rg := newRig(t, func(c *testbackend.Config) {
		c.Providers = append(c.Providers, testbackend.ProviderFor("second", c.Providers[0].Issuer))
	})
	h := newHarness(t)
	h.tty = true
	be := rg.be.URL()
	// Menu: "x" and "9" are invalid and asked again; then the 2nd provider,
	// client "conf-1" and a secret.
	r := h.run("x\n9\n2\nconf-1\nsecret-conf-1\n", "add-oidc", be)
	wantCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "Backend '"+be+"' has multiple OpenID Connect providers.",
		"[1] Test IdP (issuer "+rg.idp.Issuer()+")", "[2] ", "Choose one (enter index): ",
		"Enter client_id or leave empty to use default client, and press enter: ",
		"Enter client_secret or leave empty to not use a secret, and press enter: ")
	mustNotContain(t, "output", r.stdout+r.stderr, "secret-conf-1")
	id, secret, found, err := h.authConfig().OIDCClient(be, "second")
	if err != nil || !found || id != "conf-1" || secret != "secret-conf-1" {
		t.Fatalf("stored %q %q %v %v", id, secret, found, err)
	}
	// An empty client id means the default client (client_id null).
	r = h.run("1\n\n", "add-oidc", be)
	wantCode(t, r, 0)
	e, _, _ := h.authConfig().OIDCProvider(be, "testidp")
	if e.ClientID != nil || !e.HasIssuer {
		t.Errorf("entry %+v", e)
	}
	// The secret from stdin, without a terminal.
	h.tty = false
	r = h.run("secret-from-stdin\n", "add-oidc", be, "--provider-id", "second", "--client-id", "conf-2", "--client-secret-stdin")
	wantCode(t, r, 0)
	if _, s, _, _ := h.authConfig().OIDCClient(be, "second"); s != "secret-from-stdin" {
		t.Errorf("secret %q", s)
	}
	// No secret source without a terminal: usage error naming the flags.
	r = h.run("", "add-oidc", be, "--provider-id", "second", "--client-id", "conf-3")
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "--client-secret-stdin, OPENEO_AUTH_CLIENT_SECRET or --no-client-secret")
}

// TestOIDCAuthTimeoutOnTerminal: nobody approves; on a terminal the status
// line is redrawn with \r and ends with "Timed out"; exit code 3.
func TestOIDCAuthTimeoutOnTerminal(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	h.tty = true
	r := h.runDevice(rg.idp, testrig.User{}, "oidc-auth", "--timeout", "1500ms", rg.be.URL())
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "\r[", "] Authorization pending (0:0", " / 0:02)", "Timed out",
		"Timeout (1.5s) while polling for access token. Nobody approved the login within 1.5s: run the command "+
			"again and open the link within that time, or give more time with --timeout (e.g. --timeout 10m)")
	if _, err := os.Stat(h.refreshTokensPath()); !os.IsNotExist(err) {
		t.Errorf("a refresh token file was written: %v", err)
	}
}

// TestOIDCAuthNoRefreshToken: a client without the refresh_token grant gets
// no refresh token: exit code 3 and nothing stored.
func TestOIDCAuthNoRefreshToken(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	noRefresh := rg.idp.RegisterClient(t, testrig.ClientSpec{Public: true, GrantTypes: []string{testrig.GrantDeviceCode}})
	h := newHarness(t)
	r := h.runDevice(rg.idp, testrig.Alice, "oidc-auth", "--client-id", noRefresh.ID, "--pkce", "on", rg.be.URL())
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "issued no refresh token to client '"+noRefresh.ID+"'")
	if _, err := os.Stat(h.refreshTokensPath()); !os.IsNotExist(err) {
		t.Errorf("a refresh token file was written: %v", err)
	}
}

func TestAddBasicTriesCredentials(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	r := h.run("wrong-pw-1\n", "add-basic", be, "--username", "alice", "--password-stdin")
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "CredentialsInvalid", "nothing was saved")
	mustNotContain(t, "output", r.stdout+r.stderr, "wrong-pw-1")
	if _, err := os.Stat(h.authConfigPath()); !os.IsNotExist(err) {
		t.Errorf("auth-config.json written after a failed try: %v", err)
	}
	h.tty = true
	r = h.run("alice\nbasic-pw-alice-1\n", "add-basic", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Trying to authenticate with '"+be+"'", "Successfully authenticated 'alice'")
	mustNotContain(t, "output", r.stdout+r.stderr, "basic-pw-alice-1")
	// token --method basic uses the stored credentials.
	r = h.run("", "token", "--method", "basic", be)
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "basic//") {
		t.Errorf("bearer %q", r.stdout)
	}
}

func TestClientCredentialsTest(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	cc := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	h := newHarness(t)
	be := rg.be.URL()

	r := h.run(cc.Secret+"\n", "client-credentials-test", be, "--client-id", cc.ID, "--client-secret-stdin", "--json")
	wantCode(t, r, 0)
	var out struct {
		OK           bool   `json:"ok"`
		ProviderID   string `json:"provider_id"`
		Issuer       string `json:"issuer"`
		ClientID     string `json:"client_id"`
		ClientSource string `json:"client_source"`
		Account      struct {
			UserID string `json:"user_id"`
		} `json:"account"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if !out.OK || out.ClientID != cc.ID || out.Issuer != rg.idp.Issuer() || out.Account.UserID != cc.ID ||
		out.ProviderID != providerID || out.ClientSource != "--client-id" {
		t.Errorf("json %+v", out)
	}
	mustNotContain(t, "output", r.stdout+r.stderr, cc.Secret)

	// From the environment, like the provider's client_credentials method.
	h.env[settings.EnvAuthClientID] = cc.ID
	h.env[settings.EnvAuthClientSecret] = cc.Secret
	r = h.run("", "client-credentials-test", be, "--idp-only")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "issued an access token to client '"+cc.ID+"'")
	mustNotContain(t, "stdout", r.stdout, "accepts it")
	delete(h.env, settings.EnvAuthClientID)
	delete(h.env, settings.EnvAuthClientSecret)

	// A wrong secret: exit code 3, the secret never shown.
	r = h.run("wrong-secret-1", "client-credentials-test", be, "--client-id", cc.ID, "--client-secret-stdin")
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "invalid_client")
	mustNotContain(t, "output", r.stdout+r.stderr, "wrong-secret-1")

	// Nothing given, nothing configured: usage error.
	r = h.run("", "client-credentials-test", be)
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "No client_id found")

	// The client stored in auth-config.json.
	if err := h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: &cc.ID, ClientSecret: &cc.Secret}); err != nil {
		t.Fatal(err)
	}
	r = h.run("", "client-credentials-test", be)
	wantCode(t, r, 0)
}

// TestClientIsOneCredential: the provider's rule (internal/settings) in the
// command: a client id from the environment replaces the client stored in
// auth-config.json and never takes its secret; an environment secret
// completes --client-id. And token's default method is authenticate_oidc(),
// which OPENEO_AUTH_METHOD=client_credentials switches to client credentials.
func TestClientIsOneCredential(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	stored := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	other := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	h := newHarness(t)
	be := rg.be.URL()
	if err := h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: &stored.ID, ClientSecret: &stored.Secret}); err != nil {
		t.Fatal(err)
	}

	// The environment's client id alone: the stored secret is not used, so
	// the command asks for a secret instead of sending the stored one.
	h.env[settings.EnvAuthClientID] = other.ID
	r := h.run("", "client-credentials-test", be, "--idp-only")
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, settings.EnvAuthClientSecret)
	// token with client credentials: the identity provider refuses the
	// environment's client without a secret.
	r = h.run("", "token", "--method", "client_credentials", be)
	if r.code == 0 {
		t.Fatalf("the client of %s got a token without a secret: %+v", settings.EnvAuthClientID, r)
	}
	mustContain(t, "stderr", r.stderr, "invalid_client")
	if st := rg.idp.Stats(t, stored.ID); st.TokenRequests != 0 {
		t.Errorf("the stored client was used: %+v", st)
	}

	// An environment secret completes --client-id; the environment's id
	// does not apply.
	h.env[settings.EnvAuthClientSecret] = stored.Secret
	r = h.run("", "client-credentials-test", be, "--idp-only", "--client-id", stored.ID, "--json")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, `"client_id": "`+stored.ID+`"`)
	mustContain(t, "stderr", r.stderr, "Using the client secret from "+settings.EnvAuthClientSecret)

	// authenticate_oidc() with OPENEO_AUTH_METHOD=client_credentials: the
	// environment's pair, client credentials, no refresh token needed.
	h.env[settings.EnvAuthMethod] = "client_credentials"
	h.env[settings.EnvAuthClientSecret] = other.Secret
	r = h.run("", "token", "--json", be)
	wantCode(t, r, 0)
	var tj struct {
		ClientID string `json:"client_id"`
		Method   string `json:"method"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tj); err != nil || tj.ClientID != other.ID || tj.Method != "client_credentials" {
		t.Errorf("token --json: %s (%v)", r.stdout, err)
	}
	mustNotContain(t, "output", r.stdout+r.stderr, other.Secret, stored.Secret)
	// Any other value is refused, as authenticate_oidc() does.
	h.env[settings.EnvAuthMethod] = "device_code"
	r = h.run("", "token", be)
	if r.code == 0 || !strings.Contains(r.stderr, "Unhandled auth method device_code") {
		t.Errorf("OPENEO_AUTH_METHOD=device_code: %+v", r)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	rts := h.refreshTokens()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rts.SetRefreshToken(rg.idp.Issuer(), rg.public.ID, "rt-default", time.Time{}))
	must(rts.SetRefreshToken(rg.idp.Issuer(), "other-client", "rt-other", time.Time{}))
	must(rts.SetRefreshToken("https://elsewhere.test", "c", "rt-elsewhere", time.Time{}))
	null := (*string)(nil)
	must(h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: null, Issuer: rg.idp.Issuer()}))
	must(h.authConfig().SetOIDCProvider("https://sibling.test", "x", authfiles.OIDCClientConfig{Issuer: rg.idp.Issuer() + "/"}))

	// The default client's token goes; the others stay; the sibling back-end
	// with the same issuer is named.
	r := h.run("", "logout", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Removed refresh token for issuer '"+rg.idp.Issuer()+"' (client '"+rg.public.ID+"')",
		"also logs out 'https://sibling.test'")
	entries, _ := h.refreshTokens().Entries()
	if len(entries) != 2 {
		t.Errorf("entries left %+v", entries)
	}
	r = h.run("", "logout", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "No refresh token for issuer")

	// Offline: --issuer and --client-id.
	r = h.run("", "logout", "https://nowhere.invalid", "--issuer", "https://elsewhere.test/", "--client-id", "c")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Removed refresh token for issuer 'https://elsewhere.test' (client 'c')")

	// Back-end unreachable: the client stored in auth-config.json, then
	// --remove-config removes the provider entry (and the back-end object).
	other := "other-client"
	must(h.authConfig().SetOIDCProvider("http://127.0.0.1:9", "p", authfiles.OIDCClientConfig{ClientID: &other, Issuer: rg.idp.Issuer()}))
	r = h.run("", "logout", "--remove-config", "http://127.0.0.1:9")
	wantCode(t, r, 0)
	mustContain(t, "output", r.stdout+r.stderr, "could not be asked", "(client 'other-client')", "Removed provider 'p'")
	if ids, _ := h.authConfig().OIDCProviderIDs("http://127.0.0.1:9"); len(ids) != 0 {
		t.Errorf("provider entry left: %v", ids)
	}
	if entries, _ := h.refreshTokens().Entries(); len(entries) != 0 {
		t.Errorf("entries left %+v", entries)
	}
}

// TestSecretsWithoutEchoUseReadSecret: on a terminal, secrets are read with
// Process.ReadSecret (term.ReadPassword in the binary), never from the echoing
// line reader.
func TestSecretsWithoutEchoUseReadSecret(t *testing.T) {
	h := newHarness(t)
	out, errw := new(testrig.SyncBuffer), new(testrig.SyncBuffer)
	env := h.envFor("bob\n", out, errw)
	env.StdinIsTerminal = true
	calls := 0
	env.ReadSecret = func() (string, error) { calls++; return "from-terminal-1", nil }
	code := authcli.Run(ctxT(t), []string{"add-basic", "--no-try", "https://oeo.test"}, env)
	if code != 0 || calls != 1 {
		t.Fatalf("code %d, ReadSecret calls %d\n%s%s", code, calls, out, errw)
	}
	if _, p, _, _ := h.authConfig().BasicCredentials("https://oeo.test"); p != "from-terminal-1" {
		t.Errorf("password %q", p)
	}
}

// TestOIDCAuthMenuOfConfiguredProviders: like the Python tool, several
// providers configured for the back-end give a menu on a terminal; without
// one the provider's own rule applies (the first listed provider).
func TestOIDCAuthMenuOfConfiguredProviders(t *testing.T) {
	t.Parallel()
	rg := newRig(t, func(c *testbackend.Config) {
		second := testbackend.ProviderFor("second", c.Providers[0].Issuer)
		second.DefaultClients = c.Providers[0].DefaultClients
		c.Providers = append(c.Providers, second)
	})
	h := newHarness(t)
	be := rg.be.URL()
	for _, pid := range []string{"testidp", "second"} {
		if err := h.authConfig().SetOIDCProvider(be, pid, authfiles.OIDCClientConfig{Issuer: rg.idp.Issuer()}); err != nil {
			t.Fatal(err)
		}
	}
	h.tty = true
	r := h.runDeviceInput("2\n", rg.idp, testrig.Alice, "oidc-auth", be)
	wantCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "[1] testidp: issuer "+rg.idp.Issuer(), "[2] second: issuer ", "Choose one (enter index): ",
		"\r[", "] Authorized successfully (")
	mustContain(t, "stdout", r.stdout, "Using provider ID 'second'", "chosen from the menu", `provider_id = "second"`)
}

// TestOIDCAuthInterrupted: cancelling (Ctrl-C) while waiting for the login
// gives exit code 130 and stores nothing.
func TestOIDCAuthInterrupted(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	out, errw := new(testrig.SyncBuffer), new(testrig.SyncBuffer)
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan int, 1)
	go func() { done <- authcli.Run(ctx, []string{"oidc-auth", rg.be.URL()}, h.envFor("", out, errw)) }()
	if _, ok := errw.WaitFor(ctxT(t), userCodeRE); !ok {
		t.Fatal("no user code")
	}
	cancel()
	if code := <-done; code != authcli.ExitInterrupted {
		t.Fatalf("exit %d\n%s", code, errw)
	}
	mustContain(t, "stderr", errw.String(), "openeo-auth oidc-auth: interrupted")
	if _, err := os.Stat(h.refreshTokensPath()); !os.IsNotExist(err) {
		t.Errorf("a refresh token file was written: %v", err)
	}
}

// TestLogoutRevoke: --revoke revokes the refresh token at the IdP before the
// local delete, so it cannot be used any more: for a confidential client
// from auth-config.json (client_secret_post) and for the back-end's public
// default client. A failed revocation is a warning; the local delete still
// happens.
func TestLogoutRevoke(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	ctx := ctxT(t)
	iss := rg.idp.Issuer()
	refreshRefused := func(c testrig.Client, rt string) bool {
		t.Helper()
		_, err := rg.idp.RequestToken(ctx, c.AuthForm(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}))
		return testrig.ErrorCode(err) == "invalid_grant"
	}

	// A confidential client configured in auth-config.json.
	conf := rg.idp.RegisterClient(t, testrig.ClientSpec{})
	if err := h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: &conf.ID, ClientSecret: &conf.Secret, Issuer: iss}); err != nil {
		t.Fatal(err)
	}
	rt := rg.idp.PasswordToken(t, conf, testrig.Alice, "openid offline_access").RefreshToken
	if err := h.refreshTokens().SetRefreshToken(iss, conf.ID, rt, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "logout", "--revoke", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Revoked the refresh token for issuer '"+iss+"' (client '"+conf.ID+"') at the identity provider.",
		"Removed refresh token for issuer '"+iss+"' (client '"+conf.ID+"')")
	mustNotContain(t, "output", r.stdout+r.stderr, rt, conf.Secret, "WARNING")
	if !refreshRefused(conf, rt) {
		t.Error("the revoked refresh token still works")
	}
	if st := rg.idp.Stats(t, conf.ID); st.RevocationRequests != 1 {
		t.Errorf("stats %+v", st)
	}
	if _, found, _ := h.refreshTokens().RefreshToken(iss, conf.ID); found {
		t.Error("the refresh token was not deleted locally")
	}

	// The public default client, with a token from a real device flow.
	if _, err := h.authConfig().RemoveOIDCProvider(be, providerID); err != nil {
		t.Fatal(err)
	}
	r = h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be)
	wantCode(t, r, 0)
	rt, _, _ = h.refreshTokens().RefreshToken(iss, rg.public.ID)
	r = h.run("", "logout", "--revoke", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Revoked the refresh token", "Removed refresh token for issuer '"+iss+"' (client '"+rg.public.ID+"')")
	if rt == "" || !refreshRefused(rg.public, rt) {
		t.Error("the revoked refresh token still works")
	}
	r = h.run("", "token", be)
	wantCode(t, r, authcli.ExitAuth)

	// The IdP refuses the revocation (unknown client): a warning, and the
	// local delete happens all the same. Offline path: the issuer's
	// discovery document gives the endpoint.
	if err := h.refreshTokens().SetRefreshToken(iss, "no-such-client", "rt-unknown-client", time.Time{}); err != nil {
		t.Fatal(err)
	}
	r = h.run("", "logout", "--revoke", "https://nowhere.invalid", "--issuer", iss, "--client-id", "no-such-client")
	wantCode(t, r, 0)
	mustContain(t, "stderr", r.stderr, "WARNING: the refresh token was not revoked (Failed to revoke token at '"+rg.idp.Endpoints().Revocation+"'",
		"invalid_client", "it is only deleted locally")
	mustContain(t, "stdout", r.stdout, "Removed refresh token for issuer '"+iss+"' (client 'no-such-client')")
	mustNotContain(t, "output", r.stdout+r.stderr, "rt-unknown-client")
	if entries, _ := h.refreshTokens().Entries(); len(entries) != 0 {
		t.Errorf("entries left %+v", entries)
	}
}

// TestOIDCAuthConfidentialClient: a confidential client stored with
// add-oidc runs the device flow (its secret is sent to the device
// authorization endpoint, which the IdP requires), and the provider's oidc
// method then renews with the stored token and the stored secret.
func TestOIDCAuthConfidentialClient(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	conf := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantDeviceCode, testrig.GrantRefreshToken}})
	h := newHarness(t)
	be := rg.be.URL()
	r := h.run(conf.Secret+"\n", "add-oidc", be, "--client-id", conf.ID, "--client-secret-stdin")
	wantCode(t, r, 0)
	r = h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Using client ID '"+conf.ID+"' (from "+h.authConfigPath()+")",
		"The OpenID Connect device flow was successful.", "Stored refresh token in")
	mustNotContain(t, "output", r.stdout+r.stderr, conf.Secret)
	st := rg.idp.Stats(t, conf.ID)
	if st.DeviceRequests != 1 || st.ByAuth["client_secret_post"] != st.TokenRequests || st.ByAuth["none"] != 0 {
		t.Errorf("IdP stats %+v", st)
	}
	acct, err := providerSession(t, h, be).Account(ctxT(t))
	if err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("provider session after oidc-auth: %+v %v", acct, err)
	}
}

// TestOIDCAuthHonoursEnvClientID: the provider fills oidc.client_id (and
// client_secret) from OPENEO_AUTH_CLIENT_ID (and OPENEO_AUTH_CLIENT_SECRET)
// for every method; oidc-auth, token and logout pick the same client in the
// same environment, so that the token oidc-auth stores is the one the
// provider looks for.
func TestOIDCAuthHonoursEnvClientID(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	ci := rg.idp.RegisterClient(t, testrig.ClientSpec{Public: true, Name: "ci"})
	h := newHarness(t)
	h.env["OPENEO_AUTH_CLIENT_ID"] = ci.ID
	be := rg.be.URL()

	r := h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Using client ID '"+ci.ID+"' (from $OPENEO_AUTH_CLIENT_ID)",
		"with OPENEO_AUTH_CLIENT_ID="+ci.ID+" in Terraform's environment too")
	mustNotContain(t, "stdout", r.stdout, "OPENEO_AUTH_PROVIDER_ID")
	mustNotContain(t, "stdout", r.stdout, "oidc {") // the provider takes the client from the same variable
	if _, found, _ := h.refreshTokens().RefreshToken(rg.idp.Issuer(), ci.ID); !found {
		t.Fatal("no refresh token stored for the client of OPENEO_AUTH_CLIENT_ID")
	}
	if _, found, _ := h.refreshTokens().RefreshToken(rg.idp.Issuer(), rg.public.ID); found {
		t.Fatal("a refresh token was stored for the default client")
	}
	if st := rg.idp.Stats(t, rg.public.ID); st.DeviceRequests != 0 || st.TokenRequests != 0 {
		t.Errorf("the default client was used: %+v", st)
	}

	// What the provider's oidc method gets from the same environment (the
	// merged oidc.client_id) finds the token: no device flow.
	s, err := flows.NewSession(ctxT(t), flows.Config{BackendURL: be, Method: flows.MethodOIDC,
		AuthConfig: h.authConfig(), RefreshTokens: h.refreshTokens(),
		OIDC: flows.OIDCSettings{ClientID: ci.ID, StoreRefreshToken: true}})
	if err != nil {
		t.Fatal(err)
	}
	if acct, err := s.Account(ctxT(t)); err != nil || acct.UserID != testrig.Alice.Name {
		t.Fatalf("provider session: %+v %v", acct, err)
	}

	// token uses it too.
	r = h.run("", "token", "--json", be)
	wantCode(t, r, 0)
	var tj struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tj); err != nil || tj.ClientID != ci.ID {
		t.Errorf("token --json: %s (%v)", r.stdout, err)
	}
	if st := rg.idp.Stats(t, ci.ID); st.DeviceRequests != 1 {
		t.Errorf("stats of the env client %+v", st)
	}

	// logout removes that token.
	r = h.run("", "logout", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Removed refresh token for issuer '"+rg.idp.Issuer()+"' (client '"+ci.ID+"')")
	if entries, _ := h.refreshTokens().Entries(); len(entries) != 0 {
		t.Errorf("entries left %+v", entries)
	}

	// A client stored in auth-config.json for the provider: the variable's
	// client replaces it, not silently, and never with the stored secret.
	stored := rg.idp.RegisterClient(t, testrig.ClientSpec{Name: "stored"})
	if err := h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: &stored.ID, ClientSecret: &stored.Secret}); err != nil {
		t.Fatal(err)
	}
	r = h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Using client ID '"+ci.ID+"' (from $OPENEO_AUTH_CLIENT_ID, instead of client '"+stored.ID+"'")
	mustNotContain(t, "output", r.stdout+r.stderr, stored.Secret)
	if st := rg.idp.Stats(t, stored.ID); st.DeviceRequests != 0 || st.TokenRequests != 0 {
		t.Errorf("the stored client was used: %+v", st)
	}
}

// TestOIDCAuthRefusesBadFilesBeforeLogin: a refresh-tokens.json or
// auth-config.json the command cannot use fails with exit code 4 before the
// device flow starts (nobody logs in for nothing), and stays byte for byte.
func TestOIDCAuthRefusesBadFilesBeforeLogin(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	for _, tc := range []struct {
		name, file, content string
		mode                os.FileMode
		want                string
	}{
		{"refresh tokens readable by others", "refresh-tokens.json", `{}`, 0o644, "could be readable by others"},
		{"refresh tokens not JSON", "refresh-tokens.json", `{"https://i": `, 0o600, "Failed to load RefreshTokenStore"},
		{"auth config readable by others", "auth-config.json", `{}`, 0o644, "could be readable by others"},
		{"auth config of a foreign shape", "auth-config.json", `{"backends": []}`, 0o600, "Failed to load AuthConfig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			path := filepath.Join(h.dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // whatever the umask
				t.Fatal(err)
			}
			before := rg.idp.Stats(t, rg.public.ID).DeviceRequests
			// No approval, and a short timeout, so that a device flow that
			// starts anyway ends quickly (and the test fails).
			r := h.run("", "oidc-auth", "--timeout", "3", rg.be.URL())
			wantCode(t, r, authcli.ExitFile)
			mustContain(t, "stderr", r.stderr, tc.want, path)
			mustNotContain(t, "stderr", r.stderr, "user code")
			if after := rg.idp.Stats(t, rg.public.ID).DeviceRequests; after != before {
				t.Errorf("a device flow was started: device requests %d -> %d", before, after)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != tc.content {
				t.Errorf("the file changed: %q %v", got, err)
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != tc.mode {
				t.Errorf("mode changed: %v %v", st, err)
			}
		})
	}
}

// TestOIDCAuthHintNamesFiles: with --auth-config / --refresh-tokens, the
// Terraform hint names the same files (auth_config_path,
// refresh_token_store_path), aligned as terraform fmt aligns them.
func TestOIDCAuthHintNamesFiles(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	dir := t.TempDir()
	ac, rt := filepath.Join(dir, "ac.json"), filepath.Join(dir, "rt.json")
	r := h.runDevice(rg.idp, testrig.Bob, "oidc-auth", "--auth-config", ac, "--refresh-tokens", rt, rg.be.URL())
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout,
		`    url                      = "`+rg.be.URL()+`"`+"\n",
		`    auth_method              = "oidc"`+"\n",
		`    auth_config_path         = "`+ac+`"`+"\n",
		`    refresh_token_store_path = "`+rt+`"`+"\n")
	if _, err := os.Stat(rt); err != nil {
		t.Fatal(err)
	}
	// Without them, no path attributes.
	r = h.runDevice(rg.idp, testrig.Bob, "oidc-auth", rg.be.URL())
	wantCode(t, r, 0)
	mustNotContain(t, "stdout", r.stdout, "auth_config_path", "refresh_token_store_path")
}

// TestTokenStoredRefreshRotation: at an identity provider that rotates
// refresh tokens and detects reuse, `token` refreshes the stored token under
// the store's lock and writes the rotated one back (also with --no-store),
// so the next run works and no refresh token is ever presented twice. A
// stored token that is no longer valid is named with its file and entry,
// with the command that replaces it.
func TestTokenStoredRefreshRotation(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	iss := rg.idp.Issuer()
	conf := rg.idp.RegisterClient(t, testrig.ClientSpec{})
	rg.idp.RotateRefreshTokens(t, conf.ID, true)
	if err := h.authConfig().SetOIDCProvider(be, providerID, authfiles.OIDCClientConfig{ClientID: &conf.ID, ClientSecret: &conf.Secret, Issuer: iss}); err != nil {
		t.Fatal(err)
	}
	rt0 := rg.idp.PasswordToken(t, conf, testrig.Alice, "openid offline_access").RefreshToken
	if err := h.refreshTokens().SetRefreshToken(iss, conf.ID, rt0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"token", "--no-store", be}, {"token", be}, {"token", "--method", "refresh_token", be}} {
		wantCode(t, h.run("", args...), 0)
	}
	stored, _, _ := h.refreshTokens().RefreshToken(iss, conf.ID)
	if stored == "" || stored == rt0 {
		t.Error("the rotated refresh token was not written back")
	}
	if st := rg.idp.Stats(t, conf.ID); st.ByGrant["refresh_token"] != 3 || st.RefreshTokenReuse != 0 {
		t.Errorf("stats %+v: want 3 refreshes, no reuse", st)
	}

	// A spent token in the store: refused, and the login is gone.
	if err := h.refreshTokens().SetRefreshToken(iss, conf.ID, rt0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "token", be)
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "the identity provider refused the refresh token stored in "+h.refreshTokensPath()+
		" for issuer '"+strings.TrimRight(iss, "/")+"' and client '"+conf.ID+"': it is no longer valid",
		"run `openeo-auth oidc-auth "+be+"` to log in again", "invalid_grant")
	mustNotContain(t, "stderr", r.stderr, rt0, stored, conf.Secret, "..")
}

// TestRefreshTokenExpiryStoredAndDumped: an IdP that says when the refresh
// token expires (Keycloak's refresh_expires_in) gets that time stored next
// to the token, at the login and at every rotation, and token-dump shows it
// (and not the token).
func TestRefreshTokenExpiryStoredAndDumped(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	h := newHarness(t)
	be := rg.be.URL()
	iss := rg.idp.Issuer()
	const ttl = 2 * time.Hour
	conf := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantDeviceCode, testrig.GrantRefreshToken},
		RefreshExpiresIn: true, RefreshTokenTTL: int(ttl / time.Second)})
	rg.idp.RotateRefreshTokens(t, conf.ID, true)
	wantCode(t, h.run(conf.Secret+"\n", "add-oidc", be, "--client-id", conf.ID, "--client-secret-stdin"), 0)

	within := func(what string, before, after time.Time) authfiles.TokenEntry {
		t.Helper()
		e, found, err := h.refreshTokens().Entry(iss, conf.ID)
		if err != nil || !found || e.RefreshToken == "" {
			t.Fatalf("%s: entry %v %v", what, found, err)
		}
		lo, hi := before.Add(ttl).Truncate(time.Second).Add(-time.Second), after.Add(ttl).Add(time.Second)
		if e.ExpiresAt.Before(lo) || e.ExpiresAt.After(hi) {
			t.Errorf("%s: stored expiry %v, want between %v and %v", what, e.ExpiresAt, lo, hi)
		}
		return e
	}
	before := time.Now()
	wantCode(t, h.runDevice(rg.idp, testrig.Alice, "oidc-auth", be), 0)
	e0 := within("after oidc-auth", before, time.Now())

	before = time.Now()
	wantCode(t, h.run("", "token", be), 0)
	e1 := within("after a rotation", before, time.Now())
	if e1.RefreshToken == e0.RefreshToken {
		t.Fatal("the IdP did not rotate the refresh token")
	}

	raw, err := os.ReadFile(h.refreshTokensPath())
	if err != nil {
		t.Fatal(err)
	}
	// Python's key order first, the extra key after it.
	mustContain(t, "refresh-tokens.json", string(raw), `"date": "`+e1.Date+`",
      "refresh_token": "`+e1.RefreshToken+`",
      "refresh_token_expires_at": "`+e1.ExpiresAt.UTC().Format(time.RFC3339)+`"`)

	r := h.run("", "token-dump")
	wantCode(t, r, 0)
	mustContain(t, "token-dump", r.stdout, `"refresh_token_expires_at": "`+e1.ExpiresAt.UTC().Format(time.RFC3339)+`"`)
	mustNotContain(t, "token-dump", r.stdout+r.stderr, e0.RefreshToken, e1.RefreshToken, conf.Secret)
}
