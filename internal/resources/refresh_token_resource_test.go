package resources_test

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
)

const tokenName = "openeo_refresh_token.test"

func tokenConfig(file, issuer, clientID, token, lifecycle string) string {
	return fmt.Sprintf(`
resource "openeo_refresh_token" "test" {
  %s
  issuer        = %s
  client_id     = %s
  refresh_token = %s
  %s
}
`, fileLine(file), q(issuer), q(clientID), q(token), lifecycle)
}

// tokenIssuer is the issuer of most tests.
const tokenIssuer = "https://oidc.example.net"

func tokenWOConfig(file, token string, version int, lifecycle string) string {
	const clientID = "runner"
	issuer := tokenIssuer
	return fmt.Sprintf(`
resource "openeo_refresh_token" "test" {
  file                     = %s
  issuer                   = %s
  client_id                = %s
  refresh_token_wo         = %s
  refresh_token_wo_version = %d
  %s
}
`, q(file), q(issuer), q(clientID), q(token), version, lifecycle)
}

func checkToken(file, clientID, token string) resource.TestCheckFunc {
	issuer := tokenIssuer
	return func(*terraform.State) error {
		s, err := authfiles.OpenRefreshTokens(file, authfiles.Options{})
		if err != nil {
			return err
		}
		e, found, err := s.Entry(issuer, clientID)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no token for %s %s", issuer, clientID)
		}
		if e.RefreshToken != token {
			return fmt.Errorf("token %s %s: not the configured token", issuer, clientID)
		}
		return nil
	}
}

// rotate stores another token the way the Python client does after a
// refresh (a new entry with a new date).
func rotate(t *testing.T, file, clientID, token string) func() {
	issuer := tokenIssuer
	return editRefreshTokens(t, file, func(root *ojson.Object) {
		e := ojson.NewObject()
		e.Set("date", ojson.String("2021-02-03T04:05:06Z"))
		e.Set("refresh_token", ojson.String(token))
		obj(t, root, issuer).Set(clientID, ojson.ObjectValue(e))
	})
}

// TestAccRefreshToken_lifecycle: create in the default refresh-tokens.json
// next to Python-written tokens, update, import, drift (rotated, removed),
// ignore_changes for runners that rotate their token, destroy restoring the
// original bytes.
func TestAccRefreshToken_lifecycle(t *testing.T) {
	dirs := acctest.PreCheck(t)
	file := dirs.RefreshTokensPath()
	original := fixture(t, "refresh-tokens.python.json")
	writePrivate(t, file, original, 0o600)
	const issuer, key, cid = "https://oidc.example.net/", "https://oidc.example.net", "new-client"
	const ignore = "lifecycle {\n    ignore_changes = [refresh_token]\n  }"
	applied := steady{tokenName, tokenConfig("", issuer, cid, "rt-2", ""), checkToken(file, cid, "rt-2")}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkBytes(file, original),
		Steps: []resource.TestStep{
			{
				Config: tokenConfig("", issuer, cid, "rt-\u00e9-1", ""),
				Check:  checkPythonFile(t, file, "refresh-tokens.python.token-added.tmpl", tokenName),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), knownvalue.StringExact(key+" "+cid)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("file"), knownvalue.StringExact(file)),
				},
			},
			applied.after(nil, plancheck.ResourceActionUpdate),
			importStep(tokenName, issuer+" "+cid, "refresh_token"),
			applied.after(rotate(t, file, cid, "rotated-by-runner"), plancheck.ResourceActionUpdate),
			{
				// Bootstrap once: the runner owns the token afterwards.
				PreConfig:        rotate(t, file, cid, "rotated-again"),
				Config:           tokenConfig("", issuer, cid, "rt-2", ignore),
				ConfigPlanChecks: expectNoChanges(),
				Check:            checkToken(file, cid, "rotated-again"),
			},
			applied.after(editRefreshTokens(t, file, func(root *ojson.Object) { obj(t, root, key).Delete(cid) }),
				plancheck.ResourceActionCreate),
			{
				Config:           tokenConfig("", issuer, "another-client", "rt-2", ""),
				ConfigPlanChecks: expect(tokenName, plancheck.ResourceActionReplace),
				Check:            checkToken(file, "another-client", "rt-2"),
			},
		},
	})
}

// TestAccRefreshToken_freshFile: Python's layout for a new file.
func TestAccRefreshToken_freshFile(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "data", "refresh-tokens.json")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             checkBytes(file, []byte("{}")),
		Steps: []resource.TestStep{
			planFails(fmt.Sprintf(`
resource "openeo_refresh_token" "test" {
  file      = %s
  issuer    = "https://oidc.example.net"
  client_id = "default-client"
}`, q(file)), "Exactly one of these attributes must be configured: [refresh_token,refresh_token_wo]"),
			planFails(tokenConfig(file, "oidc.example.net", "default-client", "rt-1", ""), "Invalid issuer"),
			{
				Config: tokenConfig(file, "https://oidc.example.net", "default-client", "rt-1", ""),
				Check:  checkPythonFile(t, file, "refresh-tokens.fresh.tmpl", tokenName),
			},
		},
	})
}

// TestAccRefreshToken_writeOnly: the token stays out of the state; a token
// rotated by the runner is written again unless ignore_changes says not to.
func TestAccRefreshToken_writeOnly(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "refresh-tokens.json")
	const issuer, cid = "https://oidc.example.net", "runner"
	const t1, t2 = "wo-refresh-token-0001", "wo-refresh-token-0002"
	const ignore = "lifecycle {\n    ignore_changes = [refresh_token_wo_version]\n  }"
	noSecrets := stateHasNoSecrets(t1, t2)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.WriteOnlyAttributes},
		Steps: []resource.TestStep{
			{
				Config:            tokenWOConfig(file, t1, 1, ""),
				Check:             checkToken(file, cid, t1),
				ConfigStateChecks: []statecheck.StateCheck{noSecrets},
			},
			{
				PreConfig:         rotate(t, file, cid, "rotated-by-runner"),
				Config:            tokenWOConfig(file, t1, 1, ""),
				ConfigPlanChecks:  expect(tokenName, plancheck.ResourceActionUpdate),
				Check:             checkToken(file, cid, t1),
				ConfigStateChecks: []statecheck.StateCheck{noSecrets},
			},
			{
				PreConfig:        rotate(t, file, cid, "rotated-again"),
				Config:           tokenWOConfig(file, t1, 1, ignore),
				ConfigPlanChecks: expectNoChanges(),
				Check:            checkToken(file, cid, "rotated-again"),
			},
			{
				Config:            tokenWOConfig(file, t2, 2, ""),
				ConfigPlanChecks:  expect(tokenName, plancheck.ResourceActionUpdate),
				Check:             checkToken(file, cid, t2),
				ConfigStateChecks: []statecheck.StateCheck{noSecrets},
			},
		},
	})
}

// TestAccRefreshToken_expiresAt: a JWT refresh token's exp is stored as
// refresh_token_expires_at and shown on the resource; an opaque token has
// no known expiry (null), and its write removes the stale key.
func TestAccRefreshToken_expiresAt(t *testing.T) {
	dirs := acctest.PreCheck(t)
	file := dirs.RefreshTokensPath()
	const cid = "runner"
	exp := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc(fmt.Appendf(nil, `{"exp":%d,"sub":"alice"}`, exp.Unix())) + "." + enc([]byte("signature"))
	stored := func(want time.Time) resource.TestCheckFunc {
		return func(*terraform.State) error {
			s, err := authfiles.OpenRefreshTokens(file, authfiles.Options{})
			if err != nil {
				return err
			}
			e, found, err := s.Entry(tokenIssuer, cid)
			if err != nil {
				return err
			}
			if !found || !e.ExpiresAt.Equal(want) {
				return fmt.Errorf("entry found %v: expiry %v, want %v", found, e.ExpiresAt, want)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: tokenConfig(file, tokenIssuer, cid, jwt, ""),
				Check:  stored(exp),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName,
					tfjsonpath.New("refresh_token_expires_at"), knownvalue.StringExact("2031-02-03T04:05:06Z"))},
			},
			{
				Config: tokenConfig(file, tokenIssuer, cid, "opaque-refresh-token", ""),
				Check:  stored(time.Time{}),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(tokenName,
					tfjsonpath.New("refresh_token_expires_at"), knownvalue.Null())},
			},
		},
	})
}
