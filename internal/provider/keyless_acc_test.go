package provider_test

// Terraform CLI acceptance tests of auth_method = "token_exchange" (RFC 8693)
// against the rig: the CI issuer plays GitHub Actions, GitLab CI, HCP
// Terraform and a Kubernetes token file; the test IdP exchanges its tokens
// for access tokens of the users it trusts their subjects as (GitHub and
// HCP Terraform: alice; GitLab and Kubernetes: bob). They skip without
// TF_ACC, a Terraform CLI or the rig.

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// gitLabVar is the variable a GitLab CI `id_tokens:` entry writes.
const gitLabVar = "OPENEO_TEST_GITLAB_ID_TOKEN"

// hcpTag is the tag of the tagged HCP Terraform workload identity token.
const hcpTag = "OPENEO"

// setCIEnv sets the CI variables of the subject token sources to vars (the
// ones vars lacks to "").
func setCIEnv(t *testing.T, vars map[string]string) {
	for _, v := range []string{settings.EnvActionsIDTokenRequestURL, settings.EnvActionsIDTokenRequestToken,
		settings.EnvHCPTerraformToken, settings.EnvHCPTerraformToken + "_" + hcpTag, gitLabVar} {
		t.Setenv(v, vars[v])
	}
}

// keylessRig is the rig plus the CI issuer and a client allowed to use the
// token exchange grant. The CI variables of the test process are emptied,
// so that a test run inside a real CI job does not see that job's tokens.
func keylessRig(t *testing.T) (*acctest.Rig, *testrig.CIIssuer, testrig.Client) {
	t.Helper()
	r := acctest.RigPreCheck(t)
	ci := testrig.CI(t)
	setCIEnv(t, nil)
	cl := r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
	return r, ci, cl
}

// exchangeConfig is a token_exchange provider block with the client cl,
// audience and more oidc attributes (extra), plus the data sources
// openeo_account "me" and openeo_bearer_token "t".
func exchangeConfig(r *acctest.Rig, cl testrig.Client, audience, extra string) string {
	return acctest.ProviderBlock{URL: r.Backend.URL(), Method: "token_exchange", Extra: fmt.Sprintf(`  oidc {
    client_id     = %s
    client_secret = %s
    audience      = %s
%s  }`, q(cl.ID), q(cl.Secret), q(audience), extra)}.HCL() + `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`
}

// exchangedAs checks that the account is user's and that the token came
// from a token exchange.
func exchangedAs(user testrig.User) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		account("me", knownvalue.StringExact(user.Name)),
		token("t", "auth_method", knownvalue.StringExact("token_exchange")),
		token("t", "provider_id", knownvalue.StringExact(acctest.ProviderID)),
	}
}

// TestAccTokenExchangeCISources: one configuration per CI system, each
// finding its subject token where that system puts it, and logging in as the
// user the IdP trusts that subject as.
func TestAccTokenExchangeCISources(t *testing.T) {
	r, ci, cl := keylessRig(t)
	issuer := r.IdP.Issuer()
	job := ci.ActionsEnv(t, testrig.ActionsJob{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// GitHub Actions: the ID token is requested from the request URL
				// with the audience setting as its audience parameter (the
				// default audience, the owner's URL, is one the IdP refuses).
				PreConfig:         func() { setCIEnv(t, job.Vars()) },
				Config:            exchangeConfig(r, cl, issuer, ""),
				ConfigStateChecks: exchangedAs(testrig.Alice),
				Check: func(*terraform.State) error {
					auds := ci.ActionsAudiences(t, job)
					if len(auds) == 0 || slices.ContainsFunc(auds, func(a string) bool { return a != issuer }) {
						return fmt.Errorf("the GitHub Actions token requests asked for the audiences %q, want only %s", auds, issuer)
					}
					return nil
				},
			},
			{
				// GitLab CI: id_tokens writes the token into the variable that
				// subject_token_env names; the Actions variables are gone.
				PreConfig: func() {
					setCIEnv(t, map[string]string{gitLabVar: ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitLab, Aud: issuer,
						Claims: map[string]any{"project_path": "openeo-tf/demo", "ref_type": "branch", "ref": "main"}})})
				},
				Config:            exchangeConfig(r, cl, issuer, fmt.Sprintf("    subject_token_env = %s\n", q(gitLabVar))),
				ConfigStateChecks: exchangedAs(testrig.Bob),
			},
			{
				// HCP Terraform: TFC_WORKLOAD_IDENTITY_TOKEN.
				PreConfig: func() {
					setCIEnv(t, map[string]string{settings.EnvHCPTerraformToken: ci.Mint(t, testrig.MintSpec{
						Sub: testrig.SubjectHCPTerraform, Aud: issuer, Claims: map[string]any{"run_phase": "apply"}})})
				},
				Config:            exchangeConfig(r, cl, issuer, ""),
				ConfigStateChecks: exchangedAs(testrig.Alice),
			},
			{
				// HCP Terraform with hcp_terraform_tag: the tagged token is used,
				// not the untagged one next to it (a subject trusted as bob).
				PreConfig: func() {
					setCIEnv(t, map[string]string{
						settings.EnvHCPTerraformToken: ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectKubernetes, Aud: issuer}),
						settings.EnvHCPTerraformToken + "_" + hcpTag: ci.Mint(t, testrig.MintSpec{
							Sub: testrig.SubjectHCPTerraform, Aud: issuer, Claims: map[string]any{"run_phase": "apply"}}),
					})
				},
				Config:            exchangeConfig(r, cl, issuer, fmt.Sprintf("    hcp_terraform_tag = %s\n", q(hcpTag))),
				ConfigStateChecks: exchangedAs(testrig.Alice),
			},
		},
	})
	if s := r.IdP.Stats(t, cl.ID); s.ByGrant["token_exchange"] < 4 {
		t.Errorf("the IdP saw %d token exchanges of the client, want one per step at least: %+v", s.ByGrant["token_exchange"], s)
	}
}

// TestAccTokenExchangeFileRenewal: a Kubernetes-style projected token in a
// file. The file is read for every exchange: when the back-end rejects the
// access token (TokenInvalid), the provider exchanges again with what the
// file holds now. The file holds a token of bob's subject at the first login
// and is then replaced (as the kubelet does) by one of alice's subject, so
// the login of the retried request shows that the renewal read it again.
func TestAccTokenExchangeFileRenewal(t *testing.T) {
	r, ci, cl := keylessRig(t)
	issuer := r.IdP.Issuer()
	file := filepath.Join(t.TempDir(), "token")
	writeToken := func(sub string) {
		tmp := file + ".new"
		if err := os.WriteFile(tmp, []byte(ci.Mint(t, testrig.MintSpec{Sub: sub, Aud: issuer})+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
	}
	writeToken(testrig.SubjectKubernetes)
	var once sync.Once
	r.Backend.InjectFault(testbackend.Fault{Path: "/me", Status: http.StatusForbidden, Code: "TokenInvalid"})
	resource.Test(t, resource.TestCase{
		// The file changes when the first token is handed out, before the
		// account is read with it.
		ProtoV6ProviderFactories: acctest.Factories(provider.Options{Interaction: acctest.NoInteraction,
			OnToken: func(*flows.Token) { once.Do(func() { writeToken(testrig.SubjectHCPTerraform) }) }}),
		Steps: []resource.TestStep{{
			Config:            exchangeConfig(r, cl, issuer, fmt.Sprintf("    subject_token_file = %s\n", q(file))),
			ConfigStateChecks: exchangedAs(testrig.Alice),
		}},
	})
	me := r.Backend.Requests("/me")
	if len(me) < 2 {
		t.Fatalf("the back-end saw %d requests of /me, want the rejected one and its retry", len(me))
	}
	var subs []any
	for _, req := range me[:2] {
		bearer, _ := strings.CutPrefix(req.Authorization, "Bearer oidc/"+acctest.ProviderID+"/")
		subs = append(subs, r.IdP.Introspect(t, bearer)["sub"])
	}
	if subs[0] != testrig.Bob.Name || subs[1] != testrig.Alice.Name {
		t.Errorf("the rejected request and its retry carried tokens of %v, want bob's (the first file content) and then "+
			"alice's (the file read again)", subs)
	}
}

// TestAccTokenExchangeRefused: what the IdP or the provider refuses, each
// with a diagnostic that names the cause and the fix.
func TestAccTokenExchangeRefused(t *testing.T) {
	r, ci, cl := keylessRig(t)
	issuer := r.IdP.Issuer()
	withToken := func(tok string) string {
		return exchangeConfig(r, cl, issuer, fmt.Sprintf("    subject_token = %s\n", q(tok)))
	}
	job := ci.ActionsEnv(t, testrig.ActionsJob{})
	expiredFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(expiredFile, []byte(ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectKubernetes, Aud: issuer, TTL: -60})), 0o600); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A subject token issued for another audience.
				Config: withToken(ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitHub, Aud: "https://other.example"})),
				ExpectError: regexp.MustCompile(`Token Exchange Refused(?s:.*)from\s+subject_token\s+\(` +
					`(?s:.*)subject\s+token\s+audience(?s:.*)https://other\.example(?s:.*)check\s+that\s+its\s+audience\s+is\s+the\s+one`),
			},
			{
				// A subject the IdP does not trust.
				Config: withToken(ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: issuer})),
				ExpectError: regexp.MustCompile(`Token Exchange Refused(?s:.*)` + regexp.QuoteMeta(testrig.SubjectUntrusted) +
					`(?s:.*)is\s+not\s+trusted(?s:.*)trusts\s+its\s+issuer\s+and\s+subject`),
			},
			{
				// GitHub Actions with an audience the IdP refuses: the same
				// audience went to the CI issuer and to the exchange.
				PreConfig: func() { setCIEnv(t, job.Vars()) },
				Config:    exchangeConfig(r, cl, "https://other.example", ""),
				ExpectError: regexp.MustCompile(`Token Exchange Refused(?s:.*)GitHub\s+Actions(?s:.*)` +
					`set\s+audience\s+to\s+a\s+value\s+the\s+provider\s+accepts`),
			},
			{
				// An expired token in the file: refused before it is sent.
				PreConfig: func() { setCIEnv(t, nil) },
				Config:    exchangeConfig(r, cl, issuer, fmt.Sprintf("    subject_token_file = %s\n", q(expiredFile))),
				ExpectError: regexp.MustCompile(`Subject Token Unusable(?s:.*)The\s+subject\s+token\s+from\s+file(?s:.*)expired\s+at` +
					`(?s:.*)the\s+file\s+is\s+not\s+being\s+renewed`),
			},
			{
				// A file that does not exist.
				Config: exchangeConfig(r, cl, issuer, fmt.Sprintf("    subject_token_file = %s\n", q(expiredFile+".missing"))),
				ExpectError: regexp.MustCompile(`Subject Token Unusable(?s:.*)token\.missing'\s+does\s+not\s+exist(?s:.*)create\s+it\s+before` +
					`\s+Terraform\s+runs`),
			},
			{
				// No subject token anywhere.
				Config: exchangeConfig(r, cl, issuer, ""),
				ExpectError: regexp.MustCompile(`No Subject Token for the Token Exchange(?s:.*)subject_token_file` +
					`(?s:.*)` + settings.EnvActionsIDTokenRequestURL + `(?s:.*)` + settings.EnvHCPTerraformToken),
			},
		},
	})
	if got := ci.ActionsAudiences(t, job); !slices.Contains(got, "https://other.example") {
		t.Errorf("the GitHub Actions token requests asked for %q, want the configured audience", got)
	}
}
