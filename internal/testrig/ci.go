package testrig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// EnvCIIssuer is the environment variable that carries the URL of the rig's CI token issuer
// (test/idp/ci-issuer.mjs), whose ID tokens the test IdP accepts for the token exchange grant.
const EnvCIIssuer = "OPENEO_TEST_CI_ISSUER"

// Subjects of CI identity tokens that the test IdP trusts (idp.mjs TRUSTED_SUBJECTS), and the users
// they are mapped to.
const (
	// SubjectGitHub is what GitHub Actions puts in "sub" for a push to main of openeo-tf/demo; the
	// default of CIIssuer.ActionsEnv. Mapped to alice.
	SubjectGitHub = "repo:openeo-tf/demo:ref:refs/heads/main"
	// SubjectGitLab is a GitLab CI id_tokens subject (branch main of openeo-tf/demo). Mapped to bob.
	SubjectGitLab = "project_path:openeo-tf/demo:ref_type:branch:ref:main"
	// SubjectHCPTerraform is an HCP Terraform workload identity subject. Mapped to alice.
	SubjectHCPTerraform = "organization:openeo-tf:project:Default Project:workspace:demo:run_phase:apply"
	// SubjectKubernetes is a projected service-account token's subject. Mapped to bob.
	SubjectKubernetes = "system:serviceaccount:ci:deployer"
	// SubjectUntrusted is a subject the IdP refuses.
	SubjectUntrusted = "repo:someone-else/fork:ref:refs/heads/main"
)

// GitHub Actions' variables for requesting an ID token.
const (
	EnvActionsRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvActionsRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// CIIssuer is the rig's CI token issuer.
type CIIssuer struct {
	url    string
	client *http.Client
}

// CI returns the rig's CI token issuer. It skips the test when OPENEO_TEST_CI_ISSUER is unset (a
// rig started before the issuer existed, or no rig), and fails it when the issuer does not answer.
func CI(t testing.TB) *CIIssuer {
	t.Helper()
	u := strings.TrimRight(strings.TrimSpace(os.Getenv(EnvCIIssuer)), "/")
	if u == "" {
		t.Skip("CI token issuer not running: " + SkipMessage() + " (it exports " + EnvCIIssuer + " too)")
	}
	ci := &CIIssuer{url: u, client: &http.Client{Timeout: 30 * time.Second}}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	ctx, cancel := testContext(t)
	defer cancel()
	if err := (&OpenIDProvider{client: ci.client}).doJSON(ctx, http.MethodGet, u+"/.well-known/openid-configuration", nil, &doc); err != nil {
		t.Fatalf("%s=%s is set, but the CI token issuer does not answer: %v (restart the rig with `scripts/rig.sh start`)", EnvCIIssuer, u, err)
	}
	if doc.Issuer != u || doc.JWKSURI == "" {
		t.Fatalf("%s=%s: discovery names issuer %q, jwks_uri %q", EnvCIIssuer, u, doc.Issuer, doc.JWKSURI)
	}
	return ci
}

// URL is the issuer URL ("iss" of its tokens).
func (ci *CIIssuer) URL() string { return ci.url }

func (ci *CIIssuer) post(t testing.TB, path string, in, out any) {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	if err := (&OpenIDProvider{client: ci.client}).doJSON(ctx, http.MethodPost, ci.url+path, in, out); err != nil {
		t.Fatalf("testrig: CI issuer %s: %v", path, err)
	}
}

// MintSpec describes an ID token for CIIssuer.Mint.
type MintSpec struct {
	Sub string
	// Aud is the audience; the test IdP accepts its own issuer URL (OpenIDProvider.Issuer).
	Aud string
	// TTL in seconds; 0: 300; negative: already expired.
	TTL int
	// Iss overrides the issuer (an issuer the IdP does not trust).
	Iss string
	// Claims are added (e.g. GitLab's project_path, HCP Terraform's run_phase).
	Claims map[string]any
}

// Mint returns an ID token signed by the CI issuer with the given claims (GitLab-, HCP Terraform-
// or file-style tokens, expired tokens, wrong audiences).
func (ci *CIIssuer) Mint(t testing.TB, spec MintSpec) string {
	t.Helper()
	in := map[string]any{"sub": spec.Sub, "aud": spec.Aud}
	if spec.TTL != 0 {
		in["ttl"] = spec.TTL
	}
	if spec.Iss != "" {
		in["iss"] = spec.Iss
	}
	if spec.Claims != nil {
		in["claims"] = spec.Claims
	}
	var out struct {
		Token string `json:"token"`
	}
	ci.post(t, "/test/mint", in, &out)
	if out.Token == "" {
		t.Fatal("testrig: CI issuer minted no token")
	}
	return out.Token
}

// ActionsJob describes the GitHub Actions job whose ID tokens a request token stands for; the zero
// value is a push to main of openeo-tf/demo (subject SubjectGitHub).
type ActionsJob struct {
	Repository string `json:"repository,omitempty"`
	Ref        string `json:"ref,omitempty"`
	// Sub overrides the subject derived from repository and ref.
	Sub string `json:"sub,omitempty"`
	// TTL of the tokens in seconds (0: 300).
	TTL int `json:"ttl,omitempty"`
}

// ActionsEnv is what GitHub Actions gives a job with `permissions: id-token: write`.
type ActionsEnv struct {
	RequestURL   string
	RequestToken string
}

// Vars are the environment variables of e (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN), e.g. for
// t.Setenv before a Terraform run.
func (e ActionsEnv) Vars() map[string]string {
	return map[string]string{EnvActionsRequestURL: e.RequestURL, EnvActionsRequestToken: e.RequestToken}
}

// ActionsEnv returns a fresh request URL and bearer for job at the CI issuer's GitHub Actions
// endpoint: GET RequestURL&audience=A with "Authorization: bearer RequestToken" answers
// {"value": <ID token>}. The URL already has a query (api-version), as GitHub's does.
func (ci *CIIssuer) ActionsEnv(t testing.TB, job ActionsJob) ActionsEnv {
	t.Helper()
	var out struct {
		RequestURL   string `json:"request_url"`
		RequestToken string `json:"request_token"`
	}
	ci.post(t, "/test/actions", job, &out)
	if out.RequestURL == "" || out.RequestToken == "" {
		t.Fatal("testrig: CI issuer gave no Actions request URL")
	}
	return ActionsEnv{RequestURL: out.RequestURL, RequestToken: out.RequestToken}
}

// ActionsAudiences are the audience parameters of the token requests made with e's request token
// so far, in order ("" for a request without one): what a GitHub Actions job's ID token requests
// asked for.
func (ci *CIIssuer) ActionsAudiences(t testing.TB, e ActionsEnv) []string {
	t.Helper()
	ctx, cancel := testContext(t)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ci.url+"/test/actions/audiences", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "bearer "+e.RequestToken)
	resp, err := ci.client.Do(req)
	if err != nil {
		t.Fatalf("testrig: CI issuer audiences: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Audiences []string `json:"audiences"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("testrig: CI issuer audiences: HTTP %d", resp.StatusCode)
	}
	return out.Audiences
}

// CIStats are the CI issuer's counters (for the whole issuer: compare before and after).
type CIStats struct {
	// ActionsRequests counts the ID tokens issued through the Actions protocol, ActionsRefused the
	// requests with an unknown bearer.
	ActionsRequests int `json:"actions_requests"`
	ActionsRefused  int `json:"actions_refused"`
	Minted          int `json:"minted"`
}

// Stats reads the CI issuer's counters.
func (ci *CIIssuer) Stats(t testing.TB) CIStats {
	t.Helper()
	var s CIStats
	ctx, cancel := testContext(t)
	defer cancel()
	if err := (&OpenIDProvider{client: ci.client}).doJSON(ctx, http.MethodGet, ci.url+"/test/stats", nil, &s); err != nil {
		t.Fatalf("testrig: CI issuer stats: %v", err)
	}
	return s
}

// SigningKey is a private key for private_key_jwt client authentication, made for one test.
type SigningKey struct {
	// Alg is RS256, PS256 or ES256; KeyID the "kid" registered with the public key.
	Alg   string
	KeyID string
	// PEM is the private key, PKCS #8 PEM.
	PEM    []byte
	public crypto.PublicKey
}

// NewSigningKey makes a fresh key for alg: RSA 2048 for RS256 and PS256, P-256 for ES256.
func NewSigningKey(t testing.TB, alg string) SigningKey {
	t.Helper()
	var key crypto.Signer
	var err error
	switch alg {
	case "RS256", "PS256":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("testrig: NewSigningKey: unsupported alg %q", alg)
	}
	if err != nil {
		t.Fatalf("testrig: NewSigningKey: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("testrig: NewSigningKey: %v", err)
	}
	kid := make([]byte, 6)
	_, _ = rand.Read(kid)
	return SigningKey{
		Alg: alg, KeyID: fmt.Sprintf("test-%s-%s", strings.ToLower(alg), base64.RawURLEncoding.EncodeToString(kid)),
		PEM:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		public: key.Public(),
	}
}

// jwksOf is the JWKS of the keys' public halves, for client registration.
func jwksOf(keys []SigningKey) map[string]any {
	var list []json.RawMessage
	for _, k := range keys {
		raw, err := jose.JSONWebKey{Key: k.public, KeyID: k.KeyID, Algorithm: k.Alg, Use: "sig"}.MarshalJSON()
		if err != nil {
			panic(fmt.Sprintf("testrig: JWK of a generated key: %v", err))
		}
		list = append(list, raw)
	}
	return map[string]any{"keys": list}
}
