package resources

// Tests that need no Terraform CLI.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
)

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

func TestImportIDs(t *testing.T) {
	// Both default files are in OPENEO_CONFIG_HOME (the Python client's rule).
	home := t.TempDir()
	t.Setenv("OPENEO_CONFIG_HOME", home)
	defaultAC, defaultRT := filepath.Join(home, "auth-config.json"), filepath.Join(home, "refresh-tokens.json")
	basic := &authConfigBasicResource{newEntryResource[authConfigBasicModel](basicEntry{})}
	oidc := &authConfigOIDCResource{newEntryResource[authConfigOIDCModel](oidcEntry{})}
	token := &refreshTokenResource{newEntryResource[refreshTokenModel](tokenEntry{})}
	cases := []struct {
		r                resource.ResourceWithImportState
		id               string
		want             map[string]string
		wantErr          string
		defaultFileInErr bool
	}{
		{r: basic, id: "https://x.org/",
			want: map[string]string{"id": "https://x.org", "url": "https://x.org/", "file": defaultAC}},
		{r: basic, id: "https://x.org /my dir/a.json",
			want: map[string]string{"id": "https://x.org", "url": "https://x.org", "file": "/my dir/a.json"}},
		{r: basic, id: "  ", wantErr: `Expected "<url>"`},
		{r: oidc, id: "https://x.org:8443/api egi",
			want: map[string]string{"id": "https://x.org:8443/api egi", "provider_id": "egi", "file": defaultAC}},
		{r: oidc, id: "https://x.org egi /tmp/f.json",
			want: map[string]string{"id": "https://x.org egi", "provider_id": "egi", "file": "/tmp/f.json"}},
		{r: oidc, id: "https://x.org", wantErr: `Expected "<url> <provider_id>"`},
		{r: token, id: "https://idp.org/realms/a/ client-1",
			want: map[string]string{"id": "https://idp.org/realms/a client-1", "issuer": "https://idp.org/realms/a/", "client_id": "client-1", "file": defaultRT}},
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

// TestEntryFileOperations drives the entry types' reads and writes on the
// real files, as the resources call them.
func TestEntryFileOperations(t *testing.T) {
	dir := t.TempDir()
	b := &base{}
	o := b.fileOptions(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	ac := filepath.Join(dir, "sub", "auth-config.json")
	ref := entryRef{file: ac, key: "https://x.org"}
	var m authConfigBasicModel

	if _, found, err := (basicEntry{}).read(o, ref, &m); found || err != nil {
		t.Fatalf("missing file: found=%v err=%v", found, err)
	}
	if err := (basicEntry{}).remove(o, ref); err != nil {
		t.Fatalf("remove from a missing file: %v", err)
	}
	if _, err := os.Stat(ac); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a removal created the file")
	}
	m.Username = types.StringValue("u")
	pw := "p"
	if err := (basicEntry{}).write(o, ref, &m, &pw); err != nil {
		t.Fatal(err)
	}
	m = authConfigBasicModel{}
	e, found, err := (basicEntry{}).read(o, entryRef{file: ac, key: "https://x.org"}, &m)
	if err != nil || !found || e.date != "2026-03-04T05:06:07Z" || m.Username.ValueString() != "u" || e.secret == nil || *e.secret != "p" {
		t.Fatalf("entry %+v (user %s) found=%v err=%v", e, m.Username, found, err)
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
	inDir := entryRef{file: d, key: "https://x.org", sub: "c"}
	for name, f := range map[string]func() error{
		"read":  func() error { _, _, err := (basicEntry{}).read(o, inDir, &m); return err },
		"write": func() error { return (basicEntry{}).write(o, inDir, &m, &pw) },
		"check": func() error { return b.check(authConfigFile, d) },
		"token": func() error { return (tokenEntry{}).write(o, inDir, nil, &pw) },
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
	oref := entryRef{file: ac, key: "https://x.org", sub: "egi"}
	om := authConfigOIDCModel{ClientID: types.StringNull(), Issuer: types.StringValue("https://idp.org")}
	if err := (oidcEntry{}).write(o, oref, &om, nil); err != nil {
		t.Fatal(err)
	}
	om.Issuer = types.StringNull()
	if err := (oidcEntry{}).write(o, oref, &om, nil); err != nil {
		t.Fatal(err)
	}
	om = authConfigOIDCModel{}
	oe, found, err := (oidcEntry{}).read(o, oref, &om)
	if err != nil || !found || !om.ClientID.IsNull() || oe.secret != nil || !om.Issuer.IsNull() {
		t.Fatalf("oidc entry %+v (%+v) found=%v err=%v", oe, om, found, err)
	}
}
