package datasources_test

// Terraform CLI acceptance tests against the rig (test IdP + openEO test
// back-end). They skip without TF_ACC, without a Terraform CLI or without
// the IdP; `make test` provides all three.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

var q = acctest.HCLString

// accountAndToken reads the account and the token through the default provider.
const accountAndToken = `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`

func userID(v string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.openeo_account.me", tfjsonpath.New("user_id"), knownvalue.StringExact(v))
}

func tokenAttr(attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("data.openeo_bearer_token.t", tfjsonpath.New(attr), check)
}

// TestAccAuthMethods authenticates with every auth method and reads the
// account and the bearer token with it.
func TestAccAuthMethods(t *testing.T) {
	for _, tc := range []struct {
		name     string
		provider func(t *testing.T, r *acctest.Rig) string
		device   bool
		user     func(r *acctest.Rig) string
		method   string
		auth     string
	}{
		{
			name: "basic",
			provider: func(t *testing.T, r *acctest.Rig) string {
				return acctest.ProviderBlock{URL: r.Backend.URL(), Username: acctest.BasicUser, Password: acctest.BasicPassword}.HCL()
			},
			user: fixed(acctest.BasicUser), method: "basic", auth: "basic",
		},
		{
			name: "client_credentials",
			provider: func(t *testing.T, r *acctest.Rig) string {
				return acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, ClientSecret: r.Client.Secret}.HCL()
			},
			user: func(r *acctest.Rig) string { return r.Client.ID }, method: "oidc", auth: "client_credentials",
		},
		{
			name: "password",
			provider: func(t *testing.T, r *acctest.Rig) string {
				return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "password"
  oidc {
    client_id     = %s
    client_secret = %s
    username      = %s
    password      = %s
  }
}`, q(r.Backend.URL()), q(r.Client.ID), q(r.Client.Secret), q(testrig.Alice.Name), q(testrig.Alice.Password))
			},
			user: fixed(testrig.Alice.Name), method: "oidc", auth: "password",
		},
		{
			name: "refresh_token",
			provider: func(t *testing.T, r *acctest.Rig) string {
				tok := r.IdP.PasswordToken(t, r.Client, testrig.Bob, "openid offline_access")
				if tok.RefreshToken == "" {
					t.Fatal("the IdP returned no refresh token")
				}
				return fmt.Sprintf(`provider "openeo" {
  url = %s
  oidc {
    client_id     = %s
    client_secret = %s
    refresh_token = %s
  }
}`, q(r.Backend.URL()), q(r.Client.ID), q(r.Client.Secret), q(tok.RefreshToken))
			},
			user: fixed(testrig.Bob.Name), method: "oidc", auth: "refresh_token",
		},
		{
			name: "oidc_stored_refresh_token",
			provider: func(t *testing.T, r *acctest.Rig) string {
				tok := r.IdP.PasswordToken(t, r.Client, testrig.Alice, "openid offline_access")
				writeRefreshTokens(t, r, r.Client.ID, tok.RefreshToken)
				return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "oidc"
  oidc {
    client_id     = %s
    client_secret = %s
  }
}`, q(r.Backend.URL()), q(r.Client.ID), q(r.Client.Secret))
			},
			user: fixed(testrig.Alice.Name), method: "oidc", auth: "oidc",
		},
		{
			name:   "device_code",
			device: true,
			provider: func(t *testing.T, r *acctest.Rig) string {
				// The back-end's default client (public, device code + PKCE).
				return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "device_code"
}`, q(r.Backend.URL()))
			},
			user: fixed(testrig.Alice.Name), method: "oidc", auth: "device_code",
		},
		{
			name: "access_token",
			provider: func(t *testing.T, r *acctest.Rig) string {
				tok := r.IdP.ClientCredentialsToken(t, r.Client, "openid")
				return fmt.Sprintf(`provider "openeo" {
  url = %s
  oidc {
    provider_id  = %s
    access_token = %s
  }
}`, q(r.Backend.URL()), q(acctest.ProviderID), q(tok.AccessToken))
			},
			user: func(r *acctest.Rig) string { return r.Client.ID }, method: "oidc", auth: "access_token",
		},
		{
			name: "bearer",
			provider: func(t *testing.T, r *acctest.Rig) string {
				tok := r.IdP.PasswordToken(t, r.Client, testrig.Bob, "openid")
				return fmt.Sprintf(`provider "openeo" {
  url          = %s
  bearer_token = %s
}`, q(r.Backend.URL()), q("oidc/"+acctest.ProviderID+"/"+tok.AccessToken))
			},
			user: fixed(testrig.Bob.Name), method: "oidc", auth: "bearer",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			var opts = acctest.Options(nil, nil)
			if tc.device {
				opts = acctest.Options(nil, r.ApproveAs(t, testrig.Alice))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.Factories(opts),
				Steps: []resource.TestStep{{
					Config: tc.provider(t, r) + accountAndToken,
					ConfigStateChecks: []statecheck.StateCheck{
						userID(tc.user(r)),
						tokenAttr("method", knownvalue.StringExact(tc.method)),
						tokenAttr("auth_method", knownvalue.StringExact(tc.auth)),
						tokenAttr("authorization_header", knownvalue.StringRegexp(regexp.MustCompile(`^Bearer (basic//|oidc/testidp/)\S+$`))),
						statecheck.ExpectSensitiveValue("data.openeo_bearer_token.t", tfjsonpath.New("access_token")),
					},
				}},
			})
		})
	}
}

func fixed(s string) func(*acctest.Rig) string { return func(*acctest.Rig) string { return s } }

// writeRefreshTokens stores a refresh token the way `openeo-auth oidc-auth` does.
func writeRefreshTokens(t *testing.T, r *acctest.Rig, clientID, token string) {
	t.Helper()
	doc := fmt.Sprintf(`{%q: {%q: {"date": "2026-01-01T00:00:00Z", "refresh_token": %q}}}`,
		strings.TrimRight(r.IdP.Issuer(), "/"), clientID, token)
	if err := os.WriteFile(r.Dirs.RefreshTokensPath(), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAccCapabilitiesAndProviders(t *testing.T) {
	r := acctest.RigPreCheck(t)
	caps := "data.openeo_capabilities.c"
	provs := "data.openeo_oidc_providers.p"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			// No credentials at all: both data sources are public.
			Config: acctest.ProviderBlock{URL: r.Backend.URL()}.HCL() + `
data "openeo_capabilities" "c" {}
data "openeo_oidc_providers" "p" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("api_version"), knownvalue.StringExact("1.2.0")),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("url"), knownvalue.StringExact(r.Backend.APIURL())),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("backend_version"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("auth_endpoints"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("GET /credentials/basic"), knownvalue.StringExact("GET /credentials/oidc"),
					knownvalue.StringExact("GET /me")})),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("basic_auth_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("oidc_auth_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("account_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(caps, tfjsonpath.New("jwt_bearer_supported"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(provs, tfjsonpath.New("default_provider_id"), knownvalue.StringExact(acctest.ProviderID)),
				statecheck.ExpectKnownValue(provs, tfjsonpath.New("providers").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"id":     knownvalue.StringExact(acctest.ProviderID),
					"issuer": knownvalue.StringExact(strings.TrimRight(r.IdP.Issuer(), "/")),
					"scopes": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("openid"), knownvalue.StringExact("email")}),
					"default_clients": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact("openeo-public"),
						"grant_types": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact(testbackend.GrantDeviceCodePKCE), knownvalue.StringExact(testbackend.GrantRefreshToken)}),
						"redirect_urls": knownvalue.ListSizeExact(0),
					})}),
				})),
			},
		}},
	})
}

// TestAccCapabilitiesJWT: a back-end that accepts plain JWT bearers (openEO
// API 1.3) is reported as such; the rig IdP's opaque access token keeps the
// oidc/<provider_id>/ prefix there (only a JWT with an iss claim is sent
// plain, see flows.TestBuildBearer).
func TestAccCapabilitiesJWT(t *testing.T) {
	r := acctest.RigPreCheck(t, func(c *testbackend.Config) { c.JWTConformance = true })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, ClientSecret: r.Client.Secret}.HCL() + `
data "openeo_capabilities" "c" {}
` + accountAndToken,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.openeo_capabilities.c", tfjsonpath.New("jwt_bearer_supported"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.openeo_capabilities.c", tfjsonpath.New("conforms_to"),
					knownvalue.ListPartial(map[int]knownvalue.Check{1: knownvalue.StringExact(testbackend.ConformanceJWT)})),
				userID(r.Client.ID),
				tokenAttr("authorization_header", knownvalue.StringRegexp(regexp.MustCompile(`^Bearer oidc/`+acctest.ProviderID+`/[^/\s]+$`))),
			},
		}},
	})
}

// TestAccBackendWithoutBasic: a back-end without /credentials/basic gives a
// clear error for the basic method; the capabilities say so.
func TestAccBackendWithoutBasic(t *testing.T) {
	r := acctest.RigPreCheck(t, func(c *testbackend.Config) { c.BasicDisabled = true })
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock{URL: r.Backend.URL()}.HCL() + `
data "openeo_capabilities" "c" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.openeo_capabilities.c", tfjsonpath.New("basic_auth_supported"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.openeo_capabilities.c", tfjsonpath.New("auth_endpoints"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("GET /credentials/oidc"), knownvalue.StringExact("GET /me")})),
				},
			},
			{
				Config: acctest.ProviderBlock{URL: r.Backend.URL(), Username: acctest.BasicUser, Password: acctest.BasicPassword}.HCL() + `
data "openeo_account" "me" {}
`,
				ExpectError: regexp.MustCompile(`(?s)Basic Authentication Not Supported.*does\s+not\s+support\s+basic\s+authentication.*Use\s+an\s+OIDC\s+auth\s+method`),
			},
		},
	})
}

// errorReporter is the part of *testing.T that expectErrorWithoutSecrets
// uses (a fake in its own test).
type errorReporter interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
}

// expectErrorWithoutSecrets checks a step that must fail with an error
// matching want whose text shows none of the secrets. It replaces ExpectError:
// terraform-plugin-testing calls a TestCase's ErrorCheck only for steps
// without ExpectError (and only with a non-nil error), so the two cannot be
// combined. Use the result as the TestCase's ErrorCheck and the step's Check:
//
//   - an error that shows a secret fails the test (the secret is not printed);
//   - an error that does not match want is returned, which fails the step;
//   - a matching error without secrets is swallowed (nil): the step passes;
//   - no error at all fails the test: ErrorCheck sees nil, or, as
//     terraform-plugin-testing never calls it without an error, the step's
//     Check runs after a successful apply and fails it.
func expectErrorWithoutSecrets(t errorReporter, want *regexp.Regexp, secrets ...string) (resource.ErrorCheckFunc, resource.TestCheckFunc) {
	t.Helper()
	noError := fmt.Errorf("expected an error matching %s, got none", want)
	errorCheck := func(err error) error {
		if err == nil {
			t.Error(noError)
			return noError
		}
		text := err.Error()
		var shown []string
		for i, s := range secrets {
			if len(testrig.FindSecrets(text, s)) > 0 {
				shown = append(shown, fmt.Sprintf("secret #%d", i+1))
				text = strings.ReplaceAll(text, s, fmt.Sprintf("<secret #%d>", i+1))
			}
		}
		if len(shown) > 0 {
			t.Errorf("the error text shows %s (redacted here):\n%s", strings.Join(shown, ", "), text)
			return fmt.Errorf("the error text shows a secret")
		}
		if !want.MatchString(text) {
			return fmt.Errorf("expected an error matching %s, got: %w", want, err)
		}
		return nil
	}
	check := func(*terraform.State) error { return noError }
	return errorCheck, check
}

func TestAccWrongBasicPassword(t *testing.T) {
	r := acctest.RigPreCheck(t)
	const wrong = "not-alices-Pw-0b1e"
	errorCheck, noErrorCheck := expectErrorWithoutSecrets(t,
		regexp.MustCompile(`(?s)Basic Authentication Failed.*CredentialsInvalid.*Check the user name\s+and\s+password`),
		wrong, acctest.BasicPassword)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		ErrorCheck:               errorCheck,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Username: acctest.BasicUser, Password: wrong}.HCL() + `
data "openeo_account" "me" {}
`,
			Check: noErrorCheck,
		}},
	})
}

func TestAccWrongClientSecret(t *testing.T) {
	r := acctest.RigPreCheck(t)
	const wrong = "not-the-client-secret-5d2a"
	errorCheck, noErrorCheck := expectErrorWithoutSecrets(t,
		regexp.MustCompile(`(?s)OIDC Client Authentication Failed.*invalid_client.*Check\s+oidc.client_id\s+and\s+oidc.client_secret`),
		wrong, r.Client.Secret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		ErrorCheck:               errorCheck,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, ClientSecret: wrong}.HCL() + `
data "openeo_bearer_token" "t" {}
`,
			Check: noErrorCheck,
		}},
	})
}

// TestAccOIDCNeedsInteractiveLogin: the oidc method without a stored refresh
// token, on a machine where nobody can approve a device flow, names the
// command that fixes it.
func TestAccOIDCNeedsInteractiveLogin(t *testing.T) {
	r := acctest.RigPreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(nil, nil)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "oidc"
}
data "openeo_bearer_token" "t" {}
`, q(r.Backend.URL())),
			ExpectError: regexp.MustCompile(`(?s)Interactive OIDC Login Required.*` + "`" + `openeo-auth\s+oidc-auth\s+` +
				regexp.QuoteMeta(r.Backend.URL()) + "`"),
		}},
	})
}

// TestAccBearerTokenEphemeral passes the ephemeral token through the echo
// provider (the only way to look at an ephemeral value in a test).
func TestAccBearerTokenEphemeral(t *testing.T) {
	r := acctest.RigPreCheck(t)
	rec := &acctest.Recorder{}
	resource.Test(t, resource.TestCase{
		// Terraform >= 1.10, OpenTofu >= 1.11 (asks the binary which it is).
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.EphemeralResources},
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(rec, nil)),
		Steps: acctest.AdaptEphemeralSteps(t, resource.TestStep{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, ClientSecret: r.Client.Secret}.HCL() + `
ephemeral "openeo_bearer_token" "t" {}

provider "echo" {
  data = ephemeral.openeo_bearer_token.t
}

resource "echo" "test" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("method"), knownvalue.StringExact("oidc")),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("auth_method"), knownvalue.StringExact("client_credentials")),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("provider_id"), knownvalue.StringExact(acctest.ProviderID)),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("bearer"),
					knownvalue.StringRegexp(regexp.MustCompile(`^oidc/testidp/\S+$`))),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("authorization_header"),
					knownvalue.StringRegexp(regexp.MustCompile(`^Bearer oidc/testidp/\S+$`))),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("expires_at"),
					knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
			},
		}),
	})
	// Opened afresh in each phase (plan, apply, the plans that follow): a
	// new token each time, not one cached across phases.
	if n := r.IdP.TokenRequests(t, r.Client.ID); n < 2 {
		t.Errorf("token requests = %d, want one per phase (at least 2)", n)
	}
	if n := rec.Len(); n < 4 {
		t.Errorf("distinct bearers and access tokens handed out = %d, want at least 2 of each", n)
	}
}

// TestAccEphemeralOnlyKeepsSecretsOutOfState uses only the ephemeral
// resource: its token configures a second provider instance that reads the
// account. Afterwards no token and no secret is in any file Terraform wrote
// (state, plans, configuration copies).
//
// It runs the built provider binary: Terraform then starts one provider
// process per provider block, as in a real run. In-process test providers
// are served once for all blocks and keep a single configuration, so the
// account could be read with the first block's client credentials and the
// test would not show that the ephemeral token was used. Here the
// with_token process has nothing but bearer_token, and the back-end's record
// of GET /me shows which bearers it presented.
func TestAccEphemeralOnlyKeepsSecretsOutOfState(t *testing.T) {
	r := acctest.RigPreCheck(t)
	providers := acctest.BinaryProvider(t)
	work := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", work)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{acctest.EphemeralResources},
		ExternalProviders:      providers,
		Steps: acctest.AdaptEphemeralSteps(t, resource.TestStep{
			// The client secret comes from the environment, so that no file
			// of the test itself holds it.
			PreConfig: func() {
				t.Setenv("OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret)
				r.Backend.ResetCounts()
			},
			Config: fmt.Sprintf(`provider "openeo" {
  url         = %[1]s
  auth_method = "client_credentials"
  oidc {
    client_id = %[2]s
  }
}

ephemeral "openeo_bearer_token" "t" {}

provider "openeo" {
  alias        = "with_token"
  url          = %[1]s
  bearer_token = ephemeral.openeo_bearer_token.t.bearer
}

data "openeo_account" "me" {
  provider = openeo.with_token
}
`, q(r.Backend.URL()), q(r.Client.ID)),
			ConfigStateChecks: []statecheck.StateCheck{
				// The token worked: the account of the client was read with it.
				userID(r.Client.ID),
			},
			Check: func(*terraform.State) error {
				bearers, err := ephemeralBearersAtMe(t, r)
				if err != nil {
					return err
				}
				secrets := []string{r.Client.Secret}
				for _, b := range bearers {
					secrets = append(secrets, b, strings.TrimPrefix(b, "oidc/"+acctest.ProviderID+"/"))
				}
				found, files, err := acctest.FindSecretsInFiles(work, secrets)
				if err != nil {
					return err
				}
				if !slices.Contains(files, "terraform.tfstate") {
					return fmt.Errorf("no state file below %s (files: %v)", work, files)
				}
				if len(found) > 0 {
					return fmt.Errorf("secrets found in Terraform's files:\n%s", strings.Join(found, "\n"))
				}
				t.Logf("no token or secret in the files Terraform wrote: %v", files)
				return nil
			},
		}),
	})
}

// ephemeralBearersAtMe returns the distinct bearers presented at the
// back-end's GET /me since its counters were reset, after checking that each
// one has the form of the ephemeral openeo_bearer_token's bearer
// (oidc/<provider>/<access token>), was issued to the rig's client by the
// client credentials grant (the back-end's /me answer for it names the
// client), and that there are no more of them than the IdP issued tokens
// to that client (the with_token instance cannot get tokens of its own).
func ephemeralBearersAtMe(t *testing.T, r *acctest.Rig) ([]string, error) {
	form := regexp.MustCompile(`^Bearer (oidc/` + regexp.QuoteMeta(acctest.ProviderID) + `/\S+)$`)
	var bearers []string
	for _, req := range r.Backend.Requests("/me") {
		m := form.FindStringSubmatch(req.Authorization)
		if m == nil {
			return nil, fmt.Errorf("GET /me with an Authorization that is not the ephemeral token's bearer form "+
				"\"Bearer oidc/%s/...\" (redacted: %.14q...)", acctest.ProviderID, req.Authorization)
		}
		if !slices.Contains(bearers, m[1]) {
			bearers = append(bearers, m[1])
		}
	}
	if len(bearers) == 0 {
		return nil, fmt.Errorf("the back-end saw no GET /me: the account was not read with the ephemeral token")
	}
	if issued := r.IdP.TokenRequests(t, r.Client.ID); len(bearers) > issued {
		return nil, fmt.Errorf("%d distinct bearers at GET /me, but the IdP issued only %d tokens to %s", len(bearers), issued, r.Client.ID)
	}
	for i, b := range bearers {
		info, err := meInfo(t, r.Backend.APIURL()+"/me", b)
		if err != nil {
			return nil, fmt.Errorf("bearer %d: %w", i+1, err)
		}
		if info.AuthMethod != "oidc" || info.Provider != acctest.ProviderID || info.ClientID != r.Client.ID || info.Sub != "" {
			return nil, fmt.Errorf("bearer %d was not issued to %s by the client credentials grant: %+v", i+1, r.Client.ID, info)
		}
	}
	t.Logf("GET /me saw %d distinct ephemeral bearers of %s; the IdP issued %d tokens to it", len(bearers), r.Client.ID,
		r.IdP.TokenRequests(t, r.Client.ID))
	return bearers, nil
}

// meAuthInfo is the test back-end's "info" member of GET /me: how it
// authenticated the request.
type meAuthInfo struct {
	AuthMethod string `json:"auth_method"`
	Provider   string `json:"oidc_provider"`
	ClientID   string `json:"client_id"`
	Sub        string `json:"sub"`
}

// meInfo asks the test back-end who bearer is.
func meInfo(t *testing.T, url, bearer string) (meAuthInfo, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		return meAuthInfo{}, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return meAuthInfo{}, err
	}
	defer resp.Body.Close()
	var body struct {
		Info meAuthInfo `json:"info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return meAuthInfo{}, fmt.Errorf("GET /me: %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return meAuthInfo{}, fmt.Errorf("GET /me: %s", resp.Status)
	}
	return body.Info, nil
}

// TestAccBearerTokenDataSourceIsStored is the control for the test above:
// the data source's token does end up in the state file (as its
// documentation warns), so the search would find a leak.
func TestAccBearerTokenDataSourceIsStored(t *testing.T) {
	r := acctest.RigPreCheck(t)
	work := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", work)
	rec := &acctest.Recorder{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(rec, nil)),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, ClientSecret: r.Client.Secret}.HCL() + `
data "openeo_bearer_token" "t" {}
`,
			Check: func(*terraform.State) error {
				found, files, err := acctest.FindSecretsInFiles(work, rec.Secrets())
				if err != nil {
					return err
				}
				for _, f := range found {
					if strings.Contains(f, "terraform.tfstate") {
						return nil
					}
				}
				return fmt.Errorf("the data source's token was not found in the state file (files: %v)", files)
			},
		}},
	})
}

// TestAccNoSecretsInTraceLog runs several auth methods with TF_LOG=trace
// (Terraform and the provider) and searches the log for every secret and
// token. The secrets come from the environment and the refresh-token store,
// so that the test's own copy of the configuration (which plugin-testing
// logs) holds none.
func TestAccNoSecretsInTraceLog(t *testing.T) {
	r := acctest.RigPreCheck(t)
	logFile := t.TempDir() + "/trace.log"
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	rec := &acctest.Recorder{}
	rt := r.IdP.PasswordToken(t, r.Client, testrig.Bob, "openid offline_access")
	writeRefreshTokens(t, r, r.Client.ID, rt.RefreshToken)
	rec.Add(r.Client.Secret, acctest.BasicPassword, testrig.Alice.Password, rt.RefreshToken, rt.AccessToken)
	const wrongPassword = "wrong-basic-Pw-in-env-44e1"
	rec.Add(wrongPassword)

	env := func(kv ...string) func() {
		return func() {
			for _, v := range acctest.EnvVarsCleared {
				t.Setenv(v, "")
			}
			for i := 0; i+1 < len(kv); i += 2 {
				t.Setenv(kv[i], kv[i+1])
			}
		}
	}
	withToken := `
data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
ephemeral "openeo_bearer_token" "t" {}
`
	url := r.Backend.URL()
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.EphemeralResources},
		ProtoV6ProviderFactories: acctest.Factories(acctest.Options(rec, nil)),
		Steps: acctest.AdaptEphemeralSteps(t,
			resource.TestStep{
				PreConfig: env("OPENEO_BACKEND_URL", url, "OPENEO_AUTH_METHOD", "client_credentials",
					"OPENEO_AUTH_CLIENT_ID", r.Client.ID, "OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret),
				Config:            `provider "openeo" {}` + withToken,
				ConfigStateChecks: []statecheck.StateCheck{userID(r.Client.ID)},
			},
			resource.TestStep{
				PreConfig: env("OPENEO_BACKEND_URL", url, "OPENEO_AUTH_USERNAME", acctest.BasicUser,
					"OPENEO_AUTH_PASSWORD", acctest.BasicPassword),
				Config:            `provider "openeo" {}` + withToken,
				ConfigStateChecks: []statecheck.StateCheck{userID(acctest.BasicUser)},
			},
			resource.TestStep{
				PreConfig: env("OPENEO_BACKEND_URL", url, "OPENEO_AUTH_METHOD", "password",
					"OPENEO_AUTH_CLIENT_ID", r.Client.ID, "OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret,
					"OPENEO_AUTH_USERNAME", testrig.Alice.Name, "OPENEO_AUTH_PASSWORD", testrig.Alice.Password),
				Config:            `provider "openeo" {}` + withToken,
				ConfigStateChecks: []statecheck.StateCheck{userID(testrig.Alice.Name)},
			},
			resource.TestStep{
				// The refresh token comes from refresh-tokens.json.
				PreConfig: env("OPENEO_BACKEND_URL", url, "OPENEO_AUTH_METHOD", "refresh_token",
					"OPENEO_AUTH_CLIENT_ID", r.Client.ID, "OPENEO_AUTH_CLIENT_SECRET", r.Client.Secret),
				Config:            `provider "openeo" {}` + withToken,
				ConfigStateChecks: []statecheck.StateCheck{userID(testrig.Bob.Name)},
			},
			resource.TestStep{
				PreConfig: env("OPENEO_BACKEND_URL", url, "OPENEO_AUTH_USERNAME", acctest.BasicUser,
					"OPENEO_AUTH_PASSWORD", wrongPassword),
				Config:      `provider "openeo" {}` + withToken,
				ExpectError: regexp.MustCompile(`Basic Authentication Failed`),
			},
		),
	})
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("no trace log: %v", err)
	}
	if !strings.Contains(string(data), "openEO provider configured") {
		t.Fatalf("the trace log at %s has no provider log lines", logFile)
	}
	secrets := rec.Secrets()
	if len(secrets) < 8 {
		t.Fatalf("only %d secrets recorded", len(secrets))
	}
	for _, s := range secrets {
		if i := strings.Index(string(data), s); i >= 0 {
			start := max(0, i-200)
			t.Errorf("a secret (%.6s…) is in the TF_LOG=trace output: …%s…", s, data[start:i])
		}
	}
	t.Logf("%d secrets and tokens, none in %d bytes of trace log", len(secrets), len(data))
}
