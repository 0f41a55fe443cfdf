package providerdata

import (
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// LoadFileSecrets returns every secret value (passwords and the base64 of
// basic "user:password", client secrets, refresh tokens) in the auth-config.json and refresh-tokens.json files the
// settings name (or the default ones of env), so that they join the masks
// of logs and diagnostics before anything reads them for a login. A file
// that is missing or cannot be read adds nothing: the login that needs it
// reports the problem. getenv resolves the default paths.
func LoadFileSecrets(s Settings, getenv func(string) string) []string {
	opts := authfiles.Options{Env: authfiles.GetenvEnv(getenv)}
	var out []string
	if ac, err := authfiles.OpenAuthConfig(s.AuthConfigPath, opts); err == nil {
		if doc, _, err := ac.Document(true); err == nil {
			out = append(out, authfiles.SecretValues(doc)...)
		}
		entries, _ := ac.Entries()
		for _, e := range entries {
			if e.Basic != nil {
				out = append(out, flows.BasicAuthSecret(e.Basic.Username, e.Basic.Password))
			}
		}
	}
	if rt, err := authfiles.OpenRefreshTokens(s.RefreshTokenStorePath, opts); err == nil {
		if doc, _, err := rt.Document(true); err == nil {
			out = append(out, authfiles.SecretValues(doc)...)
		}
	}
	return out
}
