package authcli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authcli"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// noSecrets fails the test when r's stdout or stderr shows one of the
// secrets (in any encoding) or any JWT (every token of the rig is one).
func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for what, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if err := testrig.SecretFree(what, text, secrets...); err != nil {
			t.Error(err)
		}
		mustNotContain(t, what, text, "eyJ")
	}
}

// TestTokenExchangeTestGitHubActions: in a GitHub Actions job (the request
// URL and bearer in the environment) token-exchange-test requests the ID
// token with --audience, shows its claims, exchanges it with the client's
// secret and names the back-end's user (alice, whom the IdP maps the
// repository's main branch to); its -vv debug log shows no secret either.
func TestTokenExchangeTestGitHubActions(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	ci := testrig.CI(t)
	h := newHarness(t)
	client := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
	actions := ci.ActionsEnv(t, testrig.ActionsJob{})
	for k, v := range actions.Vars() {
		h.env[k] = v
	}
	iss := rg.idp.Issuer()
	r := h.run(client.Secret+"\n", "token-exchange-test", "-vv", rg.be.URL(), "--client-id", client.ID, "--client-secret-stdin", "--audience", iss)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout,
		"Subject token from GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL): issuer '"+ci.URL()+"', subject '"+testrig.SubjectGitHub+
			"', audience '"+iss+"', expires ",
		"exchanged it for an access token for client '"+client.ID+"' (provider '"+providerID+"', client authentication client_secret, valid for ",
		"The back-end '"+rg.be.URL()+"' accepts it: user_id '"+testrig.Alice.Name+"'.")
	noSecrets(t, r, client.Secret, actions.RequestToken)
	if st := rg.idp.Stats(t, client.ID); st.ByGrant["token_exchange"] != 1 {
		t.Errorf("IdP stats %+v: want one token exchange", st)
	}
}

// TestTokenExchangeTestGitLabHCPFileAndAssertions: the GitLab CI form (the
// variable --subject-token-env names) with a private_key_jwt client (ES256
// key file), reported as JSON; HCP Terraform's tagged workload identity
// token with --idp-only, which does not ask the back-end; a token file with
// a ready-made client assertion on stdin.
func TestTokenExchangeTestGitLabHCPFileAndAssertions(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	ci := testrig.CI(t)
	iss := rg.idp.Issuer()
	sk := testrig.NewSigningKey(t, "ES256")
	client := rg.idp.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{sk}, GrantTypes: []string{testrig.GrantTokenExchange}})
	keyFile := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(keyFile, sk.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	gitlab := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitLab, Aud: iss})
	h := newHarness(t)
	h.env["OPENEO_ID_TOKEN"] = gitlab
	r := h.run("", "token-exchange-test", rg.be.URL(), "--subject-token-env", "OPENEO_ID_TOKEN", "--client-id", client.ID,
		"--client-assertion-key-file", keyFile, "--client-assertion-key-id", sk.KeyID, "--client-assertion-alg", "ES256", "--json")
	wantCode(t, r, 0)
	var out struct {
		OK     bool   `json:"ok"`
		Source string `json:"subject_token_source"`
		From   string `json:"subject_token_from"`
		Claims struct {
			Iss string   `json:"iss"`
			Sub string   `json:"sub"`
			Aud []string `json:"aud"`
		} `json:"subject_token_claims"`
		ClientID   string `json:"client_id"`
		ClientAuth string `json:"client_auth"`
		ExpiresIn  *int64 `json:"expires_in"`
		Account    *struct {
			UserID string `json:"user_id"`
		} `json:"account"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, r)
	}
	if !out.OK || out.Source != "subject_token_env" || out.From != "environment variable OPENEO_ID_TOKEN" ||
		out.Claims.Iss != ci.URL() || out.Claims.Sub != testrig.SubjectGitLab || len(out.Claims.Aud) != 1 || out.Claims.Aud[0] != iss ||
		out.ClientID != client.ID || out.ClientAuth != "client_assertion" || out.ExpiresIn == nil || *out.ExpiresIn <= 0 ||
		out.Account == nil || out.Account.UserID != testrig.Bob.Name {
		t.Errorf("JSON report %+v", out)
	}
	noSecrets(t, r, gitlab, string(sk.PEM))
	if st := rg.idp.Stats(t, client.ID); st.ByGrant["token_exchange"] != 1 || st.ByAuth["private_key_jwt"] != 1 {
		t.Errorf("IdP stats %+v: want one token exchange with private_key_jwt", st)
	}

	secretClient := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
	hcp := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectHCPTerraform, Aud: iss})
	h = newHarness(t)
	h.env["TFC_WORKLOAD_IDENTITY_TOKEN_OPENEO"] = hcp
	h.env["OPENEO_AUTH_CLIENT_ID"], h.env["OPENEO_AUTH_CLIENT_SECRET"] = secretClient.ID, secretClient.Secret
	r = h.run("", "token-exchange-test", rg.be.URL(), "--hcp-terraform-tag", "OPENEO", "--idp-only")
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Subject token from TFC_WORKLOAD_IDENTITY_TOKEN_OPENEO: issuer '"+ci.URL()+
		"', subject '"+testrig.SubjectHCPTerraform+"'", "for client '"+secretClient.ID+"'")
	mustNotContain(t, "stdout", r.stdout, "back-end")
	noSecrets(t, r, hcp, secretClient.Secret)

	// A ready-made client assertion on stdin (signed here with the client's RS256 key), the
	// subject token in a file (a Kubernetes service-account token, mapped to bob).
	rsaKey := testrig.NewSigningKey(t, "RS256")
	rsaClient := rg.idp.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{rsaKey}, GrantTypes: []string{testrig.GrantTokenExchange}})
	key, err := flows.ParseAssertionKey(rsaKey.PEM, "RS256", rsaKey.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	md, err := flows.NewClient(flows.HTTPOptions{}).Discover(ctxT(t), iss)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := key.Sign(rsaClient.ID, md.TokenEndpoint, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k8s := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectKubernetes, Aud: iss})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(k8s), 0o600); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t)
	r = h.run(assertion, "token-exchange-test", rg.be.URL(), "--client-id", rsaClient.ID, "--client-assertion-stdin", "--subject-token-file", file)
	wantCode(t, r, 0)
	mustContain(t, "stdout", r.stdout, "Subject token from file '"+file+"': issuer '"+ci.URL()+"', subject '"+testrig.SubjectKubernetes+"'",
		"client authentication client_assertion", "user_id '"+testrig.Bob.Name+"'")
	noSecrets(t, r, k8s, assertion, string(rsaKey.PEM))
	if st := rg.idp.Stats(t, rsaClient.ID); st.ByGrant["token_exchange"] != 1 || st.ByAuth["private_key_jwt"] != 1 {
		t.Errorf("IdP stats %+v: want one token exchange with private_key_jwt", st)
	}
}

// TestTokenExchangeTestRefused: an untrusted subject in a file (a
// Kubernetes-style token) is refused: exit code 3, its claims on stdout,
// the IdP's error, the source and the fix on stderr, never the token; a
// configuration without a subject token is a usage error that lists the
// sources.
func TestTokenExchangeTestRefused(t *testing.T) {
	t.Parallel()
	rg := newRig(t)
	ci := testrig.CI(t)
	client := rg.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
	h := newHarness(t)
	h.env["OPENEO_AUTH_CLIENT_ID"], h.env["OPENEO_AUTH_CLIENT_SECRET"] = client.ID, client.Secret
	untrusted := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: rg.idp.Issuer()})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(untrusted+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "token-exchange-test", rg.be.URL(), "--subject-token-file", file)
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stdout", r.stdout, "Subject token from file '"+file+"': issuer '"+ci.URL()+"', subject '"+testrig.SubjectUntrusted+"'")
	mustContain(t, "stderr", r.stderr, "openeo-auth token-exchange-test: the identity provider refused the token exchange: ",
		"invalid_grant", "is not trusted by this identity provider", "(subject token from file '"+file+"')",
		"the provider's administrator trusts its issuer and subject")
	noSecrets(t, r, untrusted, client.Secret)

	// The same token on stdin: the same refusal, named as subject_token.
	r = h.run(untrusted, "token-exchange-test", rg.be.URL(), "--subject-token-stdin", "--idp-only")
	wantCode(t, r, authcli.ExitAuth)
	mustContain(t, "stderr", r.stderr, "(subject token from subject_token)")
	noSecrets(t, r, untrusted, client.Secret)

	r = h.run("", "token-exchange-test", rg.be.URL())
	wantCode(t, r, authcli.ExitUsage)
	mustContain(t, "stderr", r.stderr, "No Subject Token for the Token Exchange", "ACTIONS_ID_TOKEN_REQUEST_URL",
		"oidc.subject_token_env", "TFC_WORKLOAD_IDENTITY_TOKEN")
	if r.stdout != "" {
		t.Errorf("stdout without a subject token: %q", r.stdout)
	}
	if st := rg.idp.Stats(t, client.ID); st.ByGrant["token_exchange"] != 2 {
		t.Errorf("IdP stats %+v: want two (refused) token exchanges", st)
	}
}
