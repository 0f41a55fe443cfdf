package flows_test

// The keyless methods through a Session, as the provider and openeo-auth use them: the session
// picks the provider and client from the back-end, logs in, and renews when the back-end rejects
// the token.

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

func TestRigSessionTokenExchangeAndAssertionClientCredentials(t *testing.T) {
	idp, be := rig(t)
	ci := testrig.CI(t)
	sk := testrig.NewSigningKey(t, "PS256")
	client := idp.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{sk},
		GrantTypes: []string{testrig.GrantTokenExchange, testrig.GrantClientCredentials}})
	key, err := flows.ParseAssertionKey(sk.PEM, "PS256", sk.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	subject := ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitLab, Aud: idp.Issuer()})
	keyless := flows.KeylessSettings{Audience: idp.Issuer(), ClientAssertion: &flows.ClientAssertion{Key: key},
		SubjectToken: flows.SubjectTokenConfig{EnvName: "CI_ID_TOKEN", Env: flows.SubjectTokenEnv{Named: subject}}}
	for m, want := range map[flows.Method]string{flows.MethodTokenExchange: testrig.Bob.Name, flows.MethodClientCredentials: client.ID} {
		s := session(t, flows.Config{BackendURL: be.URL(), Method: m, OIDC: flows.OIDCSettings{ClientID: client.ID, Keyless: keyless}})
		acct, err := s.Account(ctxT(t))
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		tok, err := s.Token(ctxT(t))
		if err != nil || acct.UserID != want || tok.Method != m {
			t.Errorf("%s: user %q (want %q), token %v, %v", m, acct.UserID, want, tok, err)
		}
		g, err := s.GrantConfig(ctxT(t))
		if err != nil || g.ClientID != client.ID {
			t.Errorf("%s: grant config %v, %v", m, g, err)
		}
	}
	if st := idp.Stats(t, client.ID); st.ByGrant["token_exchange"] != 1 || st.ByGrant["client_credentials"] != 1 || st.ByAuth["private_key_jwt"] != 2 {
		t.Errorf("IdP stats %+v", st)
	}
}

func TestRigSessionTokenExchangeWithoutSubjectToken(t *testing.T) {
	idp, be := rig(t)
	client := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodTokenExchange,
		OIDC: flows.OIDCSettings{ClientID: client.ID, ClientSecret: client.Secret}})
	_, err := s.Token(ctxT(t))
	if err == nil {
		t.Fatal("no subject token: no error")
	}
	for _, want := range []string{"subject_token", "subject_token_file"} {
		if !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}

func TestRigSessionExecRenewsWhenTheBackendRejectsTheToken(t *testing.T) {
	idp, be := rig(t)
	client := idp.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
	// The helper prints a real access token of the IdP; after its first run it prints a token the
	// back-end rejects, so the session must run it again.
	good := idp.ClientCredentialsToken(t, client, "").AccessToken
	runs := filepath.Join(t.TempDir(), "runs")
	helper := helperScript(t, `echo x >> "$1"; if [ "$(wc -l < "$1" | tr -d ' ')" = 1 ]; then echo '{"access_token":"not-valid","expires_in":300}'; else echo "$2"; fi`)
	s := session(t, flows.Config{BackendURL: be.URL(), Method: flows.MethodExec,
		OIDC: flows.OIDCSettings{Keyless: flows.KeylessSettings{Exec: &flows.ExecCredential{Command: helper, Args: []string{runs, good}, ProviderID: providerID}}}})
	acct, err := s.Account(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Token(ctxT(t))
	if err != nil || acct.UserID != client.ID || tok.Method != flows.MethodExec || tok.AccessToken != good {
		t.Errorf("user %q, token %v, %v", acct.UserID, tok, err)
	}
	if _, err := flows.NewSession(ctxT(t), flows.Config{BackendURL: be.URL(), Method: flows.MethodExec}); err == nil || !strings.Contains(err.Error(), "exec block") {
		t.Errorf("exec without a helper: %v", err)
	}
}
