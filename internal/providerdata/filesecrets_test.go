package providerdata

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestFileSecretsJoinTheMasks(t *testing.T) {
	dir := t.TempDir()
	ac := filepath.Join(dir, "auth-config.json")
	rt := filepath.Join(dir, "refresh-tokens.json")
	write := func(p, doc string) {
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(ac, `{"backends": {"https://be.test": {"basic": {"username": "u", "password": "file-Pw/+1"},
 "oidc": {"providers": {"p": {"client_id": "c", "client_secret": "file-Cs&<2>"}}}}}}`)
	write(rt, `{"https://idp.test": {"c": {"date": "2026-01-01T00:00:00Z", "refresh_token": "1//file-rt-3"}}}`)

	s := Settings{URL: "https://be.test", AuthConfigPath: ac, RefreshTokenStorePath: rt}
	s.FileSecrets = LoadFileSecrets(s, func(string) string { return "" })
	secrets := []string{"file-Pw/+1", "file-Cs&<2>", "1//file-rt-3", flows.BasicAuthSecret("u", "file-Pw/+1")}
	masks := strings.Join(s.MaskStrings(), "\n")
	for _, sec := range secrets {
		if !strings.Contains(masks, url.QueryEscape(sec)) {
			t.Errorf("the mask list lacks the URL encoding of %q…", sec[:4])
		}
	}
	var text strings.Builder
	for _, sec := range secrets {
		text.WriteString("echo: " + sec + " " + url.QueryEscape(sec) + "\n")
	}
	p := Explain(errors.New(text.String()), s, "read the openEO account")
	for _, sec := range secrets {
		if strings.Contains(p.Summary+p.Detail, sec) || strings.Contains(p.Summary+p.Detail, url.QueryEscape(sec)) {
			t.Errorf("the diagnostic shows %q…: %s", sec[:4], p.Detail)
		}
	}
}
