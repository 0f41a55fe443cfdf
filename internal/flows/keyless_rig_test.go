package flows_test

// Keyless CI against the real rig: token exchange (RFC 8693) at the test IdP with subject tokens
// from the rig's CI token issuer, private_key_jwt client authentication, and the exec credential
// helper. The openEO test back-end checks every token by introspection at the IdP.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// keyless is the rig for these tests: the IdP, the CI issuer, a back-end that lists the IdP, and
// the low-level client with the back-end's API root.
type keyless struct {
	idp  *testrig.OpenIDProvider
	ci   *testrig.CIIssuer
	c    *flows.Client
	root string
	p    flows.Provider
	md   *flows.ProviderMetadata
}

func newKeyless(t *testing.T) *keyless {
	t.Helper()
	idp, be := rig(t)
	k := &keyless{idp: idp, ci: testrig.CI(t), c: flows.NewClient(flows.HTTPOptions{Logger: testLogger(t)})}
	ctx := ctxT(t)
	var err error
	if k.root, err = k.c.ResolveRoot(ctx, be.URL()); err != nil {
		t.Fatal(err)
	}
	providers, err := k.c.OIDCProviders(ctx, k.root)
	if err != nil {
		t.Fatal(err)
	}
	if k.p, _, err = flows.SelectProvider(providers, flows.ProviderSelection{}); err != nil {
		t.Fatal(err)
	}
	if k.md, err = k.c.Discover(ctx, k.p.Issuer); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *keyless) grant(c testrig.Client) *flows.GrantConfig {
	return &flows.GrantConfig{Provider: k.p, Metadata: k.md, ClientID: c.ID, ClientSecret: c.Secret}
}

// exchangeClient registers a confidential client that may use the token exchange grant.
func (k *keyless) exchangeClient(t *testing.T) testrig.Client {
	return k.idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
}

// user is the back-end's user id for a bearer (validated by introspection at the IdP).
func (k *keyless) user(t *testing.T, tok *flows.Token) string {
	t.Helper()
	acct, err := k.c.Account(ctxT(t), k.root, tok.Bearer)
	if err != nil {
		t.Fatalf("back-end refused the token: %v", err)
	}
	return acct.UserID
}

func (k *keyless) exchange(t *testing.T, g *flows.GrantConfig, cfg flows.SubjectTokenConfig, a *flows.ClientAssertion) (*flows.Token, error) {
	t.Helper()
	src, err := flows.NewSubjectTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k.c.TokenExchangeGrant(ctxT(t), g, flows.TokenExchange{Subject: src, Audience: k.idp.Issuer(), Scope: "openid email", Assertion: a})
}

// noSecrets fails when text holds one of the secrets.
func noSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("text shows a secret (%d bytes): %s", len(s), text)
		}
	}
}

func TestRigTokenExchangeGitHubActions(t *testing.T) {
	k := newKeyless(t)
	client := k.exchangeClient(t)
	g := k.grant(client)
	env := k.ci.ActionsEnv(t, testrig.ActionsJob{})
	cfg := flows.SubjectTokenConfig{Audience: k.idp.Issuer(),
		Env: flows.SubjectTokenEnv{ActionsRequestURL: env.RequestURL, ActionsRequestToken: env.RequestToken}}
	before := k.ci.Stats(t)
	tok, err := k.exchange(t, g, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Method != flows.MethodTokenExchange || tok.ClientID != client.ID || tok.Expiry.IsZero() || tok.RefreshToken() != "" ||
		tok.Bearer != "oidc/"+providerID+"/"+tok.AccessToken {
		t.Errorf("token %v", tok)
	}
	if u := k.user(t, tok); u != testrig.Alice.Name {
		t.Errorf("user %q, want alice (the IdP maps %s to alice)", u, testrig.SubjectGitHub)
	}
	// Renewal exchanges again with a freshly requested CI token.
	tok2, err := k.exchange(t, g, cfg, nil)
	if err != nil || tok2.AccessToken == tok.AccessToken {
		t.Fatalf("second exchange: %v, %v", tok2, err)
	}
	if got := k.ci.Stats(t).ActionsRequests - before.ActionsRequests; got < 2 {
		t.Errorf("CI issuer issued %d Actions tokens, want one per exchange (2)", got)
	}
	st := k.idp.Stats(t, client.ID)
	if st.ByGrant["token_exchange"] != 2 || st.ByStatus["200"] != 2 || st.ByAuth["client_secret_post"] != 2 {
		t.Errorf("IdP stats %+v", st)
	}

	// A request token GitHub did not issue: refused with the permission to grant, without the bearer.
	bad := cfg
	bad.Env.ActionsRequestToken = "not-the-request-token-of-this-job"
	_, err = k.exchange(t, g, bad, nil)
	var ce *flows.ClientError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "id-token: write") || !strings.Contains(err.Error(), "[401]") {
		t.Errorf("err = %v", err)
	}
	noSecrets(t, fmt.Sprint(err), bad.Env.ActionsRequestToken, env.RequestToken)
}

func TestRigTokenExchangeFileIsReadForEachExchange(t *testing.T) {
	k := newKeyless(t)
	g := k.grant(k.exchangeClient(t))
	path := filepath.Join(t.TempDir(), "token")
	good := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectKubernetes, Aud: k.idp.Issuer()})
	if err := os.WriteFile(path, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := flows.SubjectTokenConfig{File: path}
	tok, err := k.exchange(t, g, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := k.user(t, tok); u != testrig.Bob.Name {
		t.Errorf("user %q, want bob", u)
	}
	// The same source, the file rewritten (as the kubelet rotates it) with an untrusted subject.
	src, err := flows.NewSubjectTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.c.TokenExchangeGrant(ctxT(t), g, flows.TokenExchange{Subject: src}); err != nil {
		t.Fatal(err)
	}
	untrusted := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: k.idp.Issuer()})
	if err := os.WriteFile(path, []byte(untrusted), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = k.c.TokenExchangeGrant(ctxT(t), g, flows.TokenExchange{Subject: src})
	var xe *flows.TokenExchangeError
	var oe *flows.OIDCError
	if !errors.As(err, &xe) || !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"is not trusted", "subject token from file '" + path + "'", "trusts its issuer and subject"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	noSecrets(t, err.Error(), untrusted, good, g.ClientSecret)

	// Emptied or removed: a message that names the file and what to do.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err = k.c.TokenExchangeGrant(ctxT(t), g, flows.TokenExchange{Subject: src}); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("empty file: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err = k.c.TokenExchangeGrant(ctxT(t), g, flows.TokenExchange{Subject: src}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}

func TestRigTokenExchangeGitLabAndHCPTerraform(t *testing.T) {
	k := newKeyless(t)
	g := k.grant(k.exchangeClient(t))
	gitlab := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitLab, Aud: k.idp.Issuer(),
		Claims: map[string]any{"project_path": "openeo-tf/demo", "ref": "main", "ref_type": "branch"}})
	tok, err := k.exchange(t, g, flows.SubjectTokenConfig{EnvName: "OPENEO_ID_TOKEN", Env: flows.SubjectTokenEnv{Named: gitlab}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := k.user(t, tok); u != testrig.Bob.Name {
		t.Errorf("GitLab: user %q, want bob", u)
	}

	hcp := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectHCPTerraform, Aud: k.idp.Issuer(),
		Claims: map[string]any{"terraform_run_phase": "apply", "terraform_workspace_name": "demo"}})
	other := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: k.idp.Issuer()})
	// The tagged token is picked by its tag, and alone without one.
	for _, cfg := range []flows.SubjectTokenConfig{
		{HCPTerraformTag: "OPENEO", Env: flows.SubjectTokenEnv{HCPTerraform: map[string]string{"OPENEO": hcp, "VAULT": other}}},
		{Env: flows.SubjectTokenEnv{HCPTerraform: map[string]string{"OPENEO": hcp}}},
		{Env: flows.SubjectTokenEnv{HCPTerraform: map[string]string{"": hcp}}},
	} {
		tok, err := k.exchange(t, g, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if u := k.user(t, tok); u != testrig.Alice.Name {
			t.Errorf("HCP Terraform: user %q, want alice", u)
		}
	}
	// Two tagged tokens and no tag: which one is ambiguous.
	_, err = flows.NewSubjectTokenSource(flows.SubjectTokenConfig{Env: flows.SubjectTokenEnv{HCPTerraform: map[string]string{"A": hcp, "B": other}}})
	if err == nil || !strings.Contains(err.Error(), "tags A, B") {
		t.Errorf("err = %v", err)
	}
	noSecrets(t, fmt.Sprint(err), hcp, other)
}

func TestRigTokenExchangeRefused(t *testing.T) {
	k := newKeyless(t)
	client := k.exchangeClient(t)
	g := k.grant(client)
	for _, tc := range []struct {
		name, want string
		spec       testrig.MintSpec
	}{
		{"wrong audience", "is not this identity provider's issuer", testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: "https://elsewhere.example"}},
		{"untrusted subject", "'" + testrig.SubjectUntrusted + "' of the CI issuer is not trusted", testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: k.idp.Issuer()}},
		{"untrusted issuer", "is not the trusted CI issuer", testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: k.idp.Issuer(), Iss: "https://ci.elsewhere.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subject := k.ci.Mint(t, tc.spec)
			_, err := k.exchange(t, g, flows.SubjectTokenConfig{Token: subject}, nil)
			var xe *flows.TokenExchangeError
			var oe *flows.OIDCError
			if !errors.As(err, &xe) || !errors.As(err, &oe) || oe.Status != 400 || oe.Code != "invalid_grant" {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "check that its audience") {
				t.Errorf("error lacks %q or the fix: %v", tc.want, err)
			}
			noSecrets(t, err.Error(), subject, client.Secret)
		})
	}
	// An expired subject token is refused before it is sent.
	before := k.idp.Stats(t, client.ID).TokenRequests
	expired := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: k.idp.Issuer(), TTL: -60})
	_, err := k.exchange(t, g, flows.SubjectTokenConfig{EnvName: "CI_JOB_JWT", Env: flows.SubjectTokenEnv{Named: expired}}, nil)
	if err == nil || !strings.Contains(err.Error(), "environment variable CI_JOB_JWT expired at") {
		t.Errorf("err = %v", err)
	}
	if n := k.idp.Stats(t, client.ID).TokenRequests - before; n != 0 {
		t.Errorf("%d token requests for an expired subject token", n)
	}
	// A client without the grant: the IdP's refusal and who must allow it.
	plain := k.idp.RegisterClient(t, testrig.ClientSpec{})
	subject := k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: k.idp.Issuer()})
	_, err = k.exchange(t, k.grant(plain), flows.SubjectTokenConfig{Token: subject}, nil)
	if err == nil || !strings.Contains(err.Error(), "ask the identity provider's administrator to allow token exchange") {
		t.Errorf("err = %v", err)
	}
	noSecrets(t, fmt.Sprint(err), subject, plain.Secret)
	// No source at all.
	_, err = flows.NewSubjectTokenSource(flows.SubjectTokenConfig{})
	if err == nil || !strings.Contains(err.Error(), "id-token: write") {
		t.Errorf("err = %v", err)
	}
}

func TestRigPrivateKeyJWTClientCredentials(t *testing.T) {
	k := newKeyless(t)
	for _, alg := range flows.AssertionAlgs {
		t.Run(alg, func(t *testing.T) {
			sk := testrig.NewSigningKey(t, alg)
			client := k.idp.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{sk},
				GrantTypes: []string{testrig.GrantClientCredentials, testrig.GrantTokenExchange}})
			key, err := flows.ParseAssertionKey(sk.PEM, alg, sk.KeyID)
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprintf("%v %+v %#v %s", key, key, key, key); strings.Contains(s, "PRIVATE") || !strings.Contains(s, sk.KeyID) {
				t.Errorf("printed key: %s", s)
			}
			g := k.grant(client)
			a := &flows.ClientAssertion{Key: key}
			tok, err := k.c.ClientCredentialsAssertionGrant(ctxT(t), g, "", a)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Method != flows.MethodClientCredentials {
				t.Errorf("token %v", tok)
			}
			if u := k.user(t, tok); u != client.ID {
				t.Errorf("user %q, want the client %q", u, client.ID)
			}
			// A second request signs a fresh assertion (the IdP refuses a replayed jti).
			if _, err := k.c.ClientCredentialsAssertionGrant(ctxT(t), g, "", a); err != nil {
				t.Fatalf("second request: %v", err)
			}
			// Token exchange with the same client authentication.
			if _, err := k.exchange(t, g, flows.SubjectTokenConfig{Token: k.ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: k.idp.Issuer()})}, a); err != nil {
				t.Fatalf("token exchange: %v", err)
			}
			st := k.idp.Stats(t, client.ID)
			if st.ByAuth["private_key_jwt"] != 3 || st.ByStatus["200"] != 3 {
				t.Errorf("IdP stats %+v", st)
			}

			// A key the client did not register: invalid_client, and no assertion in the message.
			other, err := flows.ParseAssertionKey(testrig.NewSigningKey(t, alg).PEM, alg, sk.KeyID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = k.c.ClientCredentialsAssertionGrant(ctxT(t), g, "", &flows.ClientAssertion{Key: other})
			var oe *flows.OIDCError
			if !errors.As(err, &oe) || oe.Code != "invalid_client" {
				t.Errorf("err = %v", err)
			}
			if strings.Contains(fmt.Sprint(err), "eyJ") {
				t.Errorf("error shows a JWT: %v", err)
			}
			// A ready-made assertion is sent as it is: signed by hand here, then replayed.
			ready, err := key.Sign(client.ID, k.md.TokenEndpoint, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.c.ClientCredentialsAssertionGrant(ctxT(t), g, "", &flows.ClientAssertion{JWT: ready}); err != nil {
				t.Fatalf("ready-made assertion: %v", err)
			}
			_, err = k.c.ClientCredentialsAssertionGrant(ctxT(t), g, "", &flows.ClientAssertion{JWT: ready})
			if !errors.As(err, &oe) || oe.Code != "invalid_client" {
				t.Errorf("replayed assertion: %v", err)
			}
			noSecrets(t, fmt.Sprint(err), ready)
		})
	}
}

func TestRigKeylessLoginAndRenew(t *testing.T) {
	k := newKeyless(t)
	ctx := ctxT(t)
	// Token exchange with a GitHub Actions token, the client authenticated by a signed JWT.
	sk := testrig.NewSigningKey(t, "ES256")
	client := k.idp.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{sk},
		GrantTypes: []string{testrig.GrantTokenExchange, testrig.GrantClientCredentials}})
	key, err := flows.ParseAssertionKey(sk.PEM, "", sk.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	env := k.ci.ActionsEnv(t, testrig.ActionsJob{})
	settings := flows.KeylessSettings{Audience: k.idp.Issuer(), ClientAssertion: &flows.ClientAssertion{Key: key},
		SubjectToken: flows.SubjectTokenConfig{Env: flows.SubjectTokenEnv{ActionsRequestURL: env.RequestURL, ActionsRequestToken: env.RequestToken}}}
	g := k.grant(client)
	for _, m := range []flows.Method{flows.MethodTokenExchange, flows.MethodClientCredentials} {
		tok, renew, err := k.c.KeylessLogin(ctx, m, g, settings, "openid")
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		tok2, err := renew(ctx)
		if err != nil || tok2.AccessToken == tok.AccessToken || tok2.Method != tok.Method {
			t.Fatalf("%s renewed: %v, %v", m, tok2, err)
		}
		want := testrig.Alice.Name
		if m == flows.MethodClientCredentials {
			want = client.ID
		}
		if u := k.user(t, tok2); u != want {
			t.Errorf("%s: user %q, want %q", m, u, want)
		}
	}
	if st := k.idp.Stats(t, client.ID); st.ByGrant["token_exchange"] != 2 || st.ByGrant["client_credentials"] != 2 || st.ByAuth["private_key_jwt"] != 4 {
		t.Errorf("IdP stats %+v", st)
	}
	// exec: the helper runs again for the renewal.
	count := filepath.Join(t.TempDir(), "runs")
	settings.Exec = &flows.ExecCredential{Command: helperScript(t, `echo x >> "$1"; echo "token-$(wc -l < "$1" | tr -d ' ')"`),
		Args: []string{count}, ProviderID: providerID}
	tok, renew, err := k.c.KeylessLogin(ctx, flows.MethodExec, nil, settings, "")
	if err != nil || tok.AccessToken != "token-1" {
		t.Fatalf("%v, %v", tok, err)
	}
	if tok, err = renew(ctx); err != nil || tok.AccessToken != "token-2" {
		t.Fatalf("renewed: %v, %v", tok, err)
	}
	if _, _, err := k.c.KeylessLogin(ctx, flows.MethodPassword, g, settings, ""); err == nil {
		t.Error("password is not a keyless method")
	}
}
