package resources

// Tests that need no Terraform CLI.

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://x.org": "https://x.org", "https://x.org/": "https://x.org", "https://x.org///": "https://x.org",
		"": "/", "/": "/", "https://x.org/a/": "https://x.org/a",
	} {
		if got := NormalizeURL(in); got != want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", in, got, want)
		}
		if got := authfiles.NormalizeURL(in); got != NormalizeURL(in) {
			t.Errorf("NormalizeURL(%q) differs from the library's %q", in, got)
		}
	}
}

func TestURLValidator(t *testing.T) {
	for in, ok := range map[string]bool{
		"https://openeo.example.com": true, "http://127.0.0.1:8080/openeo/1.2/": true,
		"openeo.example.com": false, "https://": false, "ftp://x": false, "https://x y": false,
	} {
		resp := &validator.StringResponse{}
		urlValidator{what: "url"}.ValidateString(t.Context(),
			validator.StringRequest{Path: path.Root("url"), ConfigValue: types.StringValue(in)}, resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: error=%v, want ok=%v", in, resp.Diagnostics, ok)
		}
	}
}

// importState runs a resource's ImportState against an empty state.
func importState(t *testing.T, r resource.ResourceWithImportState, id string) (map[string]tftypes.Value, string) {
	t.Helper()
	ctx := t.Context()
	sr := &resource.SchemaResponse{}
	r.Schema(ctx, resource.SchemaRequest{}, sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	resp := &resource.ImportStateResponse{State: tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}}
	r.ImportState(ctx, resource.ImportStateRequest{ID: id}, resp)
	if resp.Diagnostics.HasError() {
		return nil, resp.Diagnostics.Errors()[0].Detail()
	}
	var m map[string]tftypes.Value
	if err := resp.State.Raw.As(&m); err != nil {
		t.Fatal(err)
	}
	return m, ""
}

func str(t *testing.T, v tftypes.Value) string {
	t.Helper()
	var s string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

type fixedDefaults struct{ authfilesStore }

func (fixedDefaults) DefaultAuthConfigPath() (string, error) { return "/default/auth-config.json", nil }
func (fixedDefaults) DefaultRefreshTokensPath() (string, error) {
	return "/default/refresh-tokens.json", nil
}

func TestImportIDs(t *testing.T) {
	basic := &authConfigBasicResource{newEntryResource[authConfigBasicModel](fixedDefaults{}, basicEntry{})}
	oidc := &authConfigOIDCResource{newEntryResource[authConfigOIDCModel](fixedDefaults{}, oidcEntry{})}
	token := &refreshTokenResource{newEntryResource[refreshTokenModel](fixedDefaults{}, tokenEntry{})}
	cases := []struct {
		r                resource.ResourceWithImportState
		id               string
		want             map[string]string
		wantErr          string
		defaultFileInErr bool
	}{
		{r: basic, id: "https://x.org/",
			want: map[string]string{"id": "https://x.org", "url": "https://x.org/", "file": "/default/auth-config.json"}},
		{r: basic, id: "https://x.org /my dir/a.json",
			want: map[string]string{"id": "https://x.org", "url": "https://x.org", "file": "/my dir/a.json"}},
		{r: basic, id: "  ", wantErr: `Expected "<url>"`},
		{r: oidc, id: "https://x.org:8443/api egi",
			want: map[string]string{"id": "https://x.org:8443/api egi", "provider_id": "egi", "file": "/default/auth-config.json"}},
		{r: oidc, id: "https://x.org egi /tmp/f.json",
			want: map[string]string{"id": "https://x.org egi", "provider_id": "egi", "file": "/tmp/f.json"}},
		{r: oidc, id: "https://x.org", wantErr: `Expected "<url> <provider_id>"`},
		{r: token, id: "https://idp.org/realms/a/ client-1",
			want: map[string]string{"id": "https://idp.org/realms/a client-1", "issuer": "https://idp.org/realms/a/", "client_id": "client-1", "file": "/default/refresh-tokens.json"}},
		{r: token, id: "https://idp.org", wantErr: `Expected "<issuer> <client_id>"`},
	}
	for _, c := range cases {
		got, errText := importState(t, c.r, c.id)
		if c.wantErr != "" {
			if !strings.Contains(errText, c.wantErr) {
				t.Errorf("%q: error %q, want %q", c.id, errText, c.wantErr)
			}
			continue
		}
		if errText != "" {
			t.Errorf("%q: %s", c.id, errText)
			continue
		}
		for k, want := range c.want {
			if g := str(t, got[k]); g != want {
				t.Errorf("%q: %s = %q, want %q", c.id, k, g, want)
			}
		}
	}
}

func TestAdapter(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s := authfilesStore{}
	ac := filepath.Join(dir, "sub", "auth-config.json")

	if _, found, err := s.Basic(ac, "https://x.org"); found || err != nil {
		t.Fatalf("missing file: found=%v err=%v", found, err)
	}
	if err := s.RemoveBasic(ctx, ac, "https://x.org"); err != nil {
		t.Fatalf("remove from a missing file: %v", err)
	}
	if _, err := os.Stat(ac); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a removal created the file")
	}
	date, err := s.SetBasic(ctx, ac, "https://x.org", "u", "p")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(date) {
		t.Fatalf("date %q", date)
	}
	e, found, err := s.Basic(ac, "https://x.org/")
	if err != nil || !found || e.Date != date || e.Username != "u" || e.Password == nil || *e.Password != "p" {
		t.Fatalf("entry %+v found=%v err=%v, date written %q", e, found, err, date)
	}
	fi, err := os.Stat(ac)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", fi, err)
	}

	// A directory is refused, for reading and writing, and left alone.
	d := filepath.Join(dir, "a-dir.json")
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"read":  func() error { _, _, err := s.Basic(d, "https://x.org"); return err },
		"write": func() error { _, err := s.SetBasic(ctx, d, "https://x.org", "u", "p"); return err },
		"check": func() error { return s.CheckAuthConfig(d) },
		"token": func() error { _, err := s.SetRefreshToken(ctx, d, "https://i.org", "c", "t"); return err },
	} {
		err := f()
		if !errors.Is(err, authfiles.ErrIsDirectory) || !strings.Contains(err.Error(), d) {
			t.Errorf("%s: %v, want ErrIsDirectory naming the path", name, err)
		}
	}
	if entries, _ := os.ReadDir(d); len(entries) != 0 {
		t.Fatalf("something was written into the directory")
	}

	// OIDC: null client and secret, issuer dropped when unset.
	iss := "https://idp.org"
	if _, err := s.SetOIDC(ctx, ac, "https://x.org", "egi", nil, nil, &iss); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetOIDC(ctx, ac, "https://x.org", "egi", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	o, found, err := s.OIDC(ac, "https://x.org", "egi")
	if err != nil || !found || o.ClientID != nil || o.ClientSecret != nil || o.Issuer != nil {
		t.Fatalf("oidc entry %+v found=%v err=%v", o, found, err)
	}
}
