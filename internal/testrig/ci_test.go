package testrig

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// claimsOf decodes a JWT's payload (no verification: the IdP verifies in the exchange below).
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT (%d parts)", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// actionsToken speaks GitHub's request-URL protocol with bearer.
func actionsToken(t *testing.T, ci *CIIssuer, env ActionsEnv, bearer, audience string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.RequestURL+"&audience="+url.QueryEscape(audience), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "bearer "+bearer)
	resp, err := ci.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Value string `json:"value"`
	}
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out.Value
}

func TestCIIssuerActionsProtocolAndTokenExchange(t *testing.T) {
	t.Parallel()
	p := IdP(t)
	ci := CI(t)
	env := ci.ActionsEnv(t, ActionsJob{})
	if !strings.Contains(env.RequestURL, "?api-version=") {
		t.Errorf("request URL %q has no query, unlike GitHub's", env.RequestURL)
	}
	status, tok := actionsToken(t, ci, env, env.RequestToken, p.Issuer())
	if status != http.StatusOK || tok == "" {
		t.Fatalf("Actions token request: HTTP %d", status)
	}
	c := claimsOf(t, tok)
	if c["iss"] != ci.URL() || c["aud"] != p.Issuer() || c["sub"] != SubjectGitHub || c["repository"] != "openeo-tf/demo" ||
		c["ref"] != "refs/heads/main" || c["jti"] == nil || c["exp"] == nil {
		t.Errorf("claims %v", c)
	}
	if status, _ := actionsToken(t, ci, env, "wrong-request-token", p.Issuer()); status != http.StatusUnauthorized {
		t.Errorf("unknown bearer: HTTP %d", status)
	}
	if got := ci.ActionsAudiences(t, env); len(got) != 1 || got[0] != p.Issuer() {
		t.Errorf("the job's audiences: %q, want the one request with %s", got, p.Issuer())
	}

	// The IdP exchanges it for an access token of alice, as the back-end sees by introspection.
	client := p.RegisterClient(t, ClientSpec{GrantTypes: []string{GrantTokenExchange}})
	ctx, cancel := testContext(t)
	defer cancel()
	form := client.AuthForm(url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {tok},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}, "scope": {"openid"}})
	at, err := p.RequestToken(ctx, form)
	if err != nil || at.AccessToken == "" || at.TokenType != "Bearer" {
		t.Fatalf("exchange: %+v, %v", at, err)
	}
	if in := p.Introspect(t, at.AccessToken); in["active"] != true || in["sub"] != Alice.Name {
		t.Errorf("introspection %v", in)
	}
	// A minted token with another audience is refused with a description that says so.
	form.Set("subject_token", ci.Mint(t, MintSpec{Sub: SubjectGitHub, Aud: "other"}))
	_, err = p.RequestToken(ctx, form)
	if ErrorCode(err) != "invalid_grant" || !strings.Contains(err.Error(), `audience "other"`) {
		t.Errorf("err = %v", err)
	}
	if s := p.Stats(t, client.ID); s.ByGrant["token_exchange"] != 2 {
		t.Errorf("stats %+v", s)
	}
}
