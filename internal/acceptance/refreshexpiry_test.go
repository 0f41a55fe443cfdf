package acceptance_test

// The refresh-token expiry warning with the real CLI: a client of the test
// IdP registered with ClientSpec.RefreshExpiresIn answers with Keycloak's
// refresh_expires_in, the provider logs in with the refresh token stored
// for it, and `terraform plan` shows "Stored Refresh Token Expires Soon"
// once per provider instance when the stored token expires within
// oidc.refresh_token_warning, and nothing otherwise. The refresh tokens
// appear neither in the output nor in the TF_LOG=trace log.

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

const expirySoonTitle = "Warning: Stored Refresh Token Expires Soon"

// expiringLogin registers a client whose refresh tokens live ttl and whose
// token answers carry refresh_expires_in, configures it for the back-end in
// auth-config.json and stores a refresh token of alice for it (with its
// expiry, as openeo-auth would). The IdP rotates the client's refresh
// tokens, so every plan writes a new token and expiry to the store.
func expiringLogin(t *testing.T, r *acctest.Rig, ttl time.Duration) (testrig.Client, string) {
	t.Helper()
	c := r.IdP.RegisterClient(t, testrig.ClientSpec{RefreshExpiresIn: true, RefreshTokenTTL: int(ttl / time.Second)})
	r.IdP.RotateRefreshTokens(t, c.ID, true)
	ac, err := authfiles.OpenAuthConfig(r.Dirs.AuthConfigPath(), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetOIDCProvider(r.Backend.URL(), acctest.ProviderID, authfiles.OIDCClientConfig{
		ClientID: &c.ID, ClientSecret: &c.Secret, Issuer: r.IdP.Issuer()}); err != nil {
		t.Fatal(err)
	}
	tok := r.IdP.PasswordToken(t, c, testrig.Alice, "openid email offline_access")
	if tok.RefreshToken == "" || tok.RefreshExpiresIn <= 0 {
		t.Fatalf("the IdP returned no refresh token or no refresh_expires_in (%d)", tok.RefreshExpiresIn)
	}
	exp := time.Now().Add(time.Duration(tok.RefreshExpiresIn) * time.Second)
	if err := refreshTokens(t, r).SetRefreshToken(r.IdP.Issuer(), c.ID, tok.RefreshToken, exp); err != nil {
		t.Fatal(err)
	}
	return c, tok.RefreshToken
}

// expiryConfig is a provider block with auth_method = "oidc" (the stored
// token, else the device flow, which TF_IN_AUTOMATION rules out) and extra
// oidc settings, two data sources that log in and an output of the bearer
// token's refresh_token_expires_at.
func expiryConfig(r *acctest.Rig, oidc string) string {
	return fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "oidc"
  oidc {
    %s
  }
}

data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}

output "refresh_token_expires_at" {
  value = data.openeo_bearer_token.t.refresh_token_expires_at
}
`, q(r.Backend.URL()), oidc)
}

// storedEntry is the refresh-tokens.json entry of client c.
func storedEntry(t *testing.T, r *acctest.Rig, c testrig.Client) authfiles.TokenEntry {
	t.Helper()
	e, ok, err := refreshTokens(t, r).Entry(r.IdP.Issuer(), c.ID)
	if err != nil || !ok {
		t.Fatalf("no stored refresh token for %s: %v", c.ID, err)
	}
	return e
}

// tracedPlan runs terraform plan with TF_LOG=trace; it returns the CLI
// output (diagnostics and outputs, boxes and line breaks removed) and the
// log.
func tracedPlan(t *testing.T, d *acctest.WorkDir) (text, log string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	res := d.Run([]string{"TF_LOG=trace", "TF_LOG_PATH=" + logPath}, "plan", "-input=false", "-no-color")
	noCrash(t, "plan", res.Output)
	if res.Err != nil {
		t.Fatalf("plan failed: %v\n%s", res.Err, errorBlocks(res.Output))
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(res.Output, "│", " ")), " "), string(testrig.ReadFile(t, logPath))
}

func TestAccRefreshTokenExpiryWarning(t *testing.T) {
	r := acctest.RigPreCheck(t)
	// The token lives an hour: within the default window of 7 days.
	c, first := expiringLogin(t, r, time.Hour)
	d := acctest.NewWorkDir(t, r.Dirs, expiryConfig(r, ""))
	text, log := tracedPlan(t, d)

	// The login rotated the stored token; the warning is about the one
	// stored now, which the next run uses.
	e := storedEntry(t, r, c)
	if e.RefreshToken == first || e.ExpiresAt.IsZero() {
		t.Fatalf("the plan did not store the rotated token with its expiry: %+v", e.ExpiresAt)
	}
	if left := time.Until(e.ExpiresAt); left <= 0 || left > time.Hour {
		t.Fatalf("stored expiry %v is not within the token's hour", e.ExpiresAt)
	}
	when := e.ExpiresAt.UTC().Format(time.RFC3339)
	if n := strings.Count(text, expirySoonTitle); n != 1 {
		t.Fatalf("the plan shows %q %d times, want once (one provider instance, two data sources):\n%s", expirySoonTitle, n, text)
	}
	for _, want := range []string{
		fmt.Sprintf("The refresh token stored for the issuer %s and the client %q (in %s) expires at %s, within "+
			"oidc.refresh_token_warning (168h).", r.IdP.Issuer(), c.ID, r.Dirs.RefreshTokensPath(), when),
		"Log in again before then, e.g. with `openeo-auth oidc-auth",
		"or with the device code flow and oidc.store_refresh_token = true",
		`or raise oidc.refresh_token_warning ("0" turns this warning off).`,
		// The bearer token data source describes the same login.
		fmt.Sprintf(`+ refresh_token_expires_at = "%s"`, when),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan output lacks %q:\n%s", want, text)
		}
	}
	for what, s := range map[string]string{"the plan output": text, "the TF_LOG=trace log": log} {
		if err := testrig.SecretFree(what, s, first, e.RefreshToken); err != nil {
			t.Error(err)
		}
	}
}

func TestAccRefreshTokenExpiryNoWarning(t *testing.T) {
	r := acctest.RigPreCheck(t)
	c, first := expiringLogin(t, r, time.Hour)
	for _, window := range []string{
		"30m", // the token's hour ends after the window
		"0",   // the warning is off
	} {
		t.Run(window, func(t *testing.T) {
			d := acctest.NewWorkDir(t, r.Dirs, expiryConfig(r, "refresh_token_warning = "+q(window)))
			text, log := tracedPlan(t, d)
			if strings.Contains(text, "Stored Refresh Token") {
				t.Errorf("refresh_token_warning = %q: the plan warns about the refresh token:\n%s", window, text)
			}
			e := storedEntry(t, r, c)
			if want := fmt.Sprintf(`+ refresh_token_expires_at = "%s"`, e.ExpiresAt.UTC().Format(time.RFC3339)); !strings.Contains(text, want) {
				t.Errorf("the plan output lacks %q:\n%s", want, text)
			}
			for what, s := range map[string]string{"the plan output": text, "the TF_LOG=trace log": log} {
				if err := testrig.SecretFree(what, s, first, e.RefreshToken); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestAccRefreshTokenExpiredWarning: a stored refresh token whose stored
// expiry has passed, which the IdP refuses (invalid_grant, as for every
// expired refresh token): the plan fails with the refresh token error and
// a warning that says that the stored token expired, and when.
func TestAccRefreshTokenExpiredWarning(t *testing.T) {
	r := acctest.RigPreCheck(t)
	c := r.IdP.RegisterClient(t, testrig.ClientSpec{RefreshExpiresIn: true})
	ac, err := authfiles.OpenAuthConfig(r.Dirs.AuthConfigPath(), authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ac.SetOIDCProvider(r.Backend.URL(), acctest.ProviderID, authfiles.OIDCClientConfig{
		ClientID: &c.ID, ClientSecret: &c.Secret, Issuer: r.IdP.Issuer()}); err != nil {
		t.Fatal(err)
	}
	const stale = "expired-refresh-token-4f2a9c"
	expired := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	if err := refreshTokens(t, r).SetRefreshToken(r.IdP.Issuer(), c.ID, stale, expired); err != nil {
		t.Fatal(err)
	}
	d := acctest.NewWorkDir(t, r.Dirs, fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "refresh_token"
}

data "openeo_account" "me" {}
data "openeo_bearer_token" "t" {}
`, q(r.Backend.URL())))
	logPath := filepath.Join(t.TempDir(), "trace.log")
	res := d.Run([]string{"TF_LOG=trace", "TF_LOG_PATH=" + logPath}, "plan", "-input=false", "-no-color")
	noCrash(t, "plan", res.Output)
	if res.Err == nil {
		t.Fatalf("the plan succeeded with a refresh token the IdP refuses:\n%s", res.Output)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(res.Output, "│", " ")), " ")
	if n := strings.Count(text, "Warning: Stored Refresh Token Has Expired"); n != 1 {
		t.Errorf("the plan shows the expired warning %d times, want once:\n%s", n, text)
	}
	for _, want := range []string{
		fmt.Sprintf("The refresh token stored for the issuer %s and the client %q (in %s) expired at %s,",
			r.IdP.Issuer(), c.ID, r.Dirs.RefreshTokensPath(), expired.Format(time.RFC3339)),
		"Log in again, e.g. with `openeo-auth oidc-auth",
		"Error: Stored Refresh Token No Longer Valid",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan output lacks %q:\n%s", want, text)
		}
	}
	for what, s := range map[string]string{"the plan output": text, "the TF_LOG=trace log": string(testrig.ReadFile(t, logPath))} {
		if err := testrig.SecretFree(what, s, stale); err != nil {
			t.Error(err)
		}
	}
}
