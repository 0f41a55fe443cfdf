package providerdata

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

func TestFileSecretsAreMaskedInLogsAndDiagnostics(t *testing.T) {
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
	var text strings.Builder
	for _, sec := range secrets {
		text.WriteString("echo: " + sec + " " + url.QueryEscape(sec) + "\n")
	}
	var logged bytes.Buffer
	ctx := MaskLog(tflogtest.RootLogger(t.Context(), &logged), s.Secrets()...)
	tflog.Debug(ctx, text.String(), map[string]any{"body": text.String()})
	for _, sec := range secrets {
		if strings.Contains(logged.String(), sec) || strings.Contains(logged.String(), url.QueryEscape(sec)) {
			t.Errorf("the log shows %q…: %s", sec[:4], logged.String())
		}
	}
	if !strings.Contains(logged.String(), "echo: ") {
		t.Fatalf("nothing was logged: %q", logged.String())
	}
}
