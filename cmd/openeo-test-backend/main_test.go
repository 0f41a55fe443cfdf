package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// start runs the program with args; it stops when the test ends.
func start(t *testing.T, args ...string) (string, *testrig.SyncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	logs := &testrig.SyncBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, logs, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case base := <-ready:
		return base, logs
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, logs.String())
	case <-testrig.Context(t).Done():
		t.Fatalf("not ready before the test deadline\n%s", logs.String())
	}
	return "", nil
}

func getJSON(t *testing.T, url, auth string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func TestProgram(t *testing.T) {
	urlFile := filepath.Join(t.TempDir(), "sub", "url")
	base, logs := start(t, "--issuer", "http://127.0.0.1:9/", "--basic-user", "john:j-secret-pw", "--url-file", urlFile, "--jwt")
	if b, err := os.ReadFile(urlFile); err != nil || strings.TrimSpace(string(b)) != base {
		t.Fatalf("url file: %q %v (base %s)", b, err, base)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("base %s", base)
	}
	st, wk := getJSON(t, base+"/.well-known/openeo", "")
	if st != 200 || !strings.Contains(jsonString(wk), base+"/openeo/1.2") {
		t.Errorf("well-known %d %v", st, wk)
	}
	_, caps := getJSON(t, base+"/openeo/1.2/", "")
	if !strings.Contains(jsonString(caps["conformsTo"]), "authentication/jwt") {
		t.Errorf("--jwt not applied: %v", caps["conformsTo"])
	}
	_, oidc := getJSON(t, base+"/openeo/1.2/credentials/oidc", "")
	ps, _ := oidc["providers"].([]any)
	if len(ps) == 0 {
		t.Fatalf("no providers: %v", oidc)
	}
	p, _ := ps[0].(map[string]any)
	if p["id"] != "testidp" || p["issuer"] != "http://127.0.0.1:9" || !strings.Contains(jsonString(p), "openeo-public") {
		t.Errorf("provider %v", p)
	}
	st, tok := getJSON(t, base+"/openeo/1.2/credentials/basic", "Basic "+base64.StdEncoding.EncodeToString([]byte("john:j-secret-pw")))
	if st != 200 {
		t.Fatalf("basic %d", st)
	}
	secret, _ := tok["access_token"].(string)
	if secret == "" {
		t.Fatalf("no access_token: %v", tok)
	}
	if st, me := getJSON(t, base+"/openeo/1.2/me", "Bearer basic//"+secret); st != 200 || me["user_id"] != "john" {
		t.Errorf("me %d %v", st, me)
	}
	if st, _ := getJSON(t, base+"/_test/counts", ""); st != 200 {
		t.Errorf("admin API: %d", st)
	}
	l := logs.String()
	if !strings.Contains(l, "GET /openeo/1.2/me 200") || strings.Contains(l, secret) || strings.Contains(l, "j-secret-pw") {
		t.Errorf("log lacks the request or leaks a secret:\n%s", l)
	}
}

func TestProgramWithIdP(t *testing.T) {
	idp := testrig.IdP(t)
	base, _ := start(t, "--issuer", idp.Issuer(), "--token-invalid-status", "401", "--quiet")
	tok := idp.ClientCredentialsToken(t, testrig.StaticClient, "")
	if st, me := getJSON(t, base+"/openeo/1.2/me", "Bearer oidc/testidp/"+tok.AccessToken); st != 200 || me["user_id"] != testrig.StaticClient.ID {
		t.Errorf("me %d %v", st, me)
	}
	if st, e := getJSON(t, base+"/openeo/1.2/me", "Bearer oidc/testidp/nope"); st != 401 || e["code"] != "TokenInvalid" {
		t.Errorf("invalid token %d %v", st, e)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "0.0.0.0:0"},
		{"--basic-user", "nopassword"},
		{"--token-invalid-status", "500"},
		{"--extra-provider", "noissuer"},
		{"stray"},
	} {
		if err := run(t.Context(), args, io.Discard, nil); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }
