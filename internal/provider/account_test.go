package provider_test

// The account data source at the provider level: every attribute, from a
// fake session and from the in-process openEO test back-end (no IdP, no
// Terraform CLI: basic login only).

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/provider"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

// accountLink is the part of a link the tests compare.
type accountLink struct{ rel, href, typ, title string }

// checkAccount compares the storage, budget (nil: null) and links of a
// decoded openeo_account state.
func checkAccount(t *testing.T, acc map[string]tftypes.Value, free, quota int64, budget *float64, links []accountLink) {
	t.Helper()
	var storage map[string]tftypes.Value
	if err := acc["storage"].As(&storage); err != nil || storage == nil {
		t.Fatalf("storage: %v (%v)", acc["storage"], err)
	}
	for name, want := range map[string]int64{"free": free, "quota": quota} {
		var n big.Float
		if err := storage[name].As(&n); err != nil {
			t.Fatalf("storage.%s: %v", name, err)
		}
		if got, acc := n.Int64(); got != want || acc != big.Exact {
			t.Errorf("storage.%s = %s, want %d", name, n.String(), want)
		}
	}
	if budget == nil {
		if !acc["budget"].IsNull() {
			t.Errorf("budget = %v, want null", acc["budget"])
		}
	} else {
		var b big.Float
		if err := acc["budget"].As(&b); err != nil {
			t.Fatalf("budget: %v", err)
		}
		if got, _ := b.Float64(); got != *budget {
			t.Errorf("budget = %v, want %v", got, *budget)
		}
	}
	var list []tftypes.Value
	if err := acc["links"].As(&list); err != nil {
		t.Fatalf("links: %v", err)
	}
	if len(list) != len(links) {
		t.Fatalf("links = %v, want %d", list, len(links))
	}
	optional := func(v tftypes.Value) string {
		if v.IsNull() {
			return ""
		}
		var s string
		if err := v.As(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for i, l := range list {
		var m map[string]tftypes.Value
		if err := l.As(&m); err != nil {
			t.Fatal(err)
		}
		got := accountLink{rel: optional(m["rel"]), href: optional(m["href"]), typ: optional(m["type"]), title: optional(m["title"])}
		if want := links[i]; got != want {
			t.Errorf("links[%d] = %+v, want %+v", i, got, want)
		}
	}
}

// TestAccountFromBackendWithAuthConfigPath logs in with basic credentials
// that only the file named by the provider's auth_config_path holds (not
// the one OPENEO_CONFIG_HOME points at), reads the account, and compares
// every attribute with what the test back-end's GET /me returns.
func TestAccountFromBackendWithAuthConfigPath(t *testing.T) {
	dirs := acctest.IsolateEnv(t)
	const user, password = "carol", "carol-basic-Pw-3e1d"
	be := testbackend.Start(t, testbackend.Config{BasicUsers: map[string]string{user: password}})

	authConfig := filepath.Join(t.TempDir(), "elsewhere", "auth-config.json")
	if err := os.MkdirAll(filepath.Dir(authConfig), 0o700); err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf(`{"backends": {%q: {"basic": {"date": "2026-01-01T00:00:00Z", "username": %q, "password": %q}}}}`,
		be.URL(), user, password)
	if err := os.WriteFile(authConfig, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, provider.Options{Interaction: noInteraction})
	read := func(cfg map[string]any) (map[string]tftypes.Value, string) {
		t.Helper()
		if d := h.configure(cfg); hasError(d) {
			t.Fatal(diagsText(d))
		}
		resp := h.readDataSource("openeo_account", false)
		if hasError(resp.Diagnostics) {
			return nil, diagsText(resp.Diagnostics)
		}
		v, err := resp.State.Unmarshal(h.schemas.DataSourceSchemas["openeo_account"].Block.ValueType())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]tftypes.Value{}
		if err := v.As(&m); err != nil {
			t.Fatal(err)
		}
		return m, ""
	}

	// Control: the default auth-config.json (OPENEO_CONFIG_HOME) has no
	// entry, so without auth_config_path there are no credentials.
	if _, err := os.Stat(dirs.AuthConfigPath()); err == nil {
		t.Fatalf("%s exists; the control needs it absent", dirs.AuthConfigPath())
	}
	if _, errText := read(map[string]any{"url": be.URL(), "auth_method": "basic"}); !strings.Contains(errText, "Missing Basic Credentials") {
		t.Fatalf("without auth_config_path, want Missing Basic Credentials, got: %q", errText)
	}
	be.ResetCounts()

	acc, errText := read(map[string]any{"url": be.URL(), "auth_method": "basic", "auth_config_path": authConfig})
	if errText != "" {
		t.Fatalf("basic login with auth_config_path: %s", errText)
	}
	logins := be.Requests("/credentials/basic")
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	if len(logins) != 1 || logins[0].Authorization != wantAuth {
		t.Errorf("the back-end saw %d basic logins; want one with the user and password of %s", len(logins), authConfig)
	}
	me := be.Requests("/me")
	if len(me) != 1 || !strings.HasPrefix(me[0].Authorization, "Bearer basic//") {
		t.Errorf("want one GET /me with the basic bearer, got %d", len(me))
	}

	str := func(v tftypes.Value) string {
		var s string
		if err := v.As(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// What testbackend's serveMe answers for a basic user.
	if got := str(acc["user_id"]); got != user {
		t.Errorf("user_id = %q, want %q", got, user)
	}
	if got := str(acc["default_plan"]); got != "free" {
		t.Errorf("default_plan = %q, want free", got)
	}
	checkAccount(t, acc, 536870912, 1073741824, nil, []accountLink{
		{rel: "edit-form", href: be.URL() + "/account/" + user, typ: "text/html", title: "Edit account"},
	})
}
