package provider_test

// Where credentials are sent: CLI acceptance tests with a hostile IdP (a
// token endpoint that redirects to a trap) and a back-end behind a
// certificate the system does not trust.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestAccTokenEndpointRedirectNotFollowed: the IdP's token endpoint answers
// 307 and then 308 with a redirect to a trap on another port. The login fails
// with a diagnostic that names the endpoint and the target, and the trap
// receives nothing (no client secret, no password).
func TestAccTokenEndpointRedirectNotFollowed(t *testing.T) {
	r := acctest.RigPreCheck(t)
	trap := testrig.NewTrap(t)
	config := func(method, extra string) string {
		return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = %s
  oidc {
    client_id     = %s
    client_secret = %s
%s  }
}

data "openeo_account" "me" {}
`, q(r.Backend.URL()), q(method), q(r.Client.ID), q(r.Client.Secret), extra)
	}
	want := regexp.MustCompile(`OIDC Endpoint Redirected(?s:.*)` + regexp.QuoteMeta(r.IdP.Endpoints().Token) +
		`(?s:.*)nothing was sent to\s+` + regexp.QuoteMeta(trap.URL()))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					r.IdP.InjectFault(t, r.Client.ID, testrig.Fault{Status: 307, Location: trap.URL() + "/token", Count: 10})
				},
				Config:      config("client_credentials", ""),
				ExpectError: want,
			},
			{
				PreConfig: func() {
					r.IdP.ClearFaults(t, r.Client.ID)
					r.IdP.InjectFault(t, r.Client.ID, testrig.Fault{Status: 308, Location: trap.URL() + "/token", Count: 10})
				},
				Config: config("password", fmt.Sprintf("    username = %s\n    password = %s\n",
					q(testrig.Alice.Name), q(testrig.Alice.Password))),
				ExpectError: want,
			},
		},
	})
	if reqs := trap.Requests(); len(reqs) != 0 {
		t.Errorf("the redirect target received %d requests, the first: %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
	}
}

// TestAccPrivateCA: a back-end with a self-signed certificate. Without
// ca_cert_file the diagnostic says that the certificate is not trusted and
// how to trust a private CA (and nothing is retried); with ca_cert_file
// naming its PEM, the same configuration works.
func TestAccPrivateCA(t *testing.T) {
	r := acctest.RigPreCheck(t, func(c *testbackend.Config) { c.TLS = true })
	caFile := filepath.Join(t.TempDir(), "private-ca.pem")
	if err := os.WriteFile(caFile, r.Backend.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	config := func(extra string) string {
		return fmt.Sprintf(`provider "openeo" {
  url = %s
%s  basic {
    username = %s
    password = %s
  }
}

data "openeo_account" "me" {}
`, q(r.Backend.URL()), extra, q(acctest.BasicUser), q(acctest.BasicPassword))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(""),
				ExpectError: regexp.MustCompile(`TLS Certificate Not Trusted(?s:.*)certificate signed by unknown\s+authority(?s:.*)ca_cert_file(?s:.*)SSL_CERT_FILE`),
			},
			{
				Config:            config(fmt.Sprintf("  ca_cert_file = %s\n", q(caFile))),
				ConfigStateChecks: []statecheck.StateCheck{account("me", knownvalue.StringExact(acctest.BasicUser))},
			},
		},
	})
	if n := len(r.Backend.Requests("")); n == 0 {
		t.Error("the back-end saw no request with ca_cert_file")
	}
}
