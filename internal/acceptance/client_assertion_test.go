package acceptance_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestAccReadyMadeClientAssertion: oidc.client_assertion is sent as it is.
// The test IdP (like any that follows RFC 7523's advice) accepts a client
// assertion once (its jti is remembered), so a ready-made assertion is one
// Terraform run's credential: one `terraform apply` logs in with it (a
// single token request), and a second run with the same assertion is
// refused with a diagnostic that says to give a fresh one. The assertion is
// in neither output nor state.
func TestAccReadyMadeClientAssertion(t *testing.T) {
	r := acctest.RigPreCheck(t)
	acctest.RequireCLI(t, acctest.EphemeralResources)
	key := testrig.NewSigningKey(t, "ES256")
	client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{key}})
	d := acctest.NewWorkDir(t, r.Dirs, `variable "client_assertion" {
  type      = string
  sensitive = true
  ephemeral = true
}
`+acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", Extra: fmt.Sprintf(`  oidc {
    client_id        = %s
    client_assertion = var.client_assertion
  }`, q(client.ID))}.HCL()+dataSources(2))

	// Made elsewhere (e.g. by a CI system), signed with the client's key.
	ak, err := flows.ParseAssertionKey(key.PEM, key.Alg, key.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := ak.Sign(client.ID, r.IdP.Endpoints().Token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	env := "TF_VAR_client_assertion=" + assertion

	res := d.Apply(env)
	noCrash(t, "apply", res.Output)
	if res.Err != nil {
		t.Fatalf("apply with a ready-made client assertion: %v\n%s", res.Err, res.Output)
	}
	state := string(testrig.ReadFile(t, filepath.Join(d.Dir, "terraform.tfstate")))
	var doc any
	if err := json.Unmarshal([]byte(state), &doc); err != nil {
		t.Fatal(err)
	}
	users := 0
	walkJSON(doc, func(key, value string) {
		if key == "user_id" && value == client.ID {
			users++
		}
	})
	if users != 2 {
		t.Errorf("the state holds the client's account %d times, want 2 (two data sources):\n%s", users, state)
	}
	if s := r.IdP.Stats(t, client.ID); s.TokenRequests != 1 || s.ByAuth[testrig.AuthPrivateKeyJWT] != 1 || s.ByStatus["200"] != 1 {
		t.Errorf("token requests of the client %+v: want one, with the client assertion", s)
	}

	again := d.Run([]string{env}, "plan", "-input=false", "-no-color")
	noCrash(t, "second plan", again.Output)
	if again.Err == nil {
		t.Fatalf("a second run with the same client assertion succeeded:\n%s", again.Output)
	}
	want := regexp.MustCompile(`(?s)Error: OIDC Client Authentication Failed.*invalid_client.*oidc.client_assertion:.*` +
		`accepted\s+once,\s+so\s+give\s+a\s+fresh\s+one\s+for\s+every\s+run`)
	if !want.MatchString(again.Output) {
		t.Errorf("the refusal's diagnostic does not match %s:\n%s", want, errorBlocks(again.Output))
	}
	for name, text := range map[string]string{"the apply output": res.Output, "the plan output": again.Output, "the state": state} {
		if leaks := testrig.FindSecrets(text, assertion); len(leaks) > 0 {
			t.Errorf("%s contains the client assertion (%s): %s", name, leaks[0].Encoding, leaks[0].Near)
		}
	}
}
