package acceptance_test

// Secret-leak checks: for every auth method, a real `terraform apply`, a
// `terraform plan -out` with its plan JSON (`terraform show -json`) and
// (where a wrong secret can be given) a failing plan run with TF_LOG=trace.
// No password, client secret, refresh token, access token, bearer, subject
// token, GitHub Actions request token or client assertion may appear in the
// captured logs (Terraform's and the provider's), in the CLI output (every
// diagnostic), or in any file Terraform wrote (state, state backup, the plan
// file and its members); no JWT at all may (subject tokens and assertions
// are JWTs the test does not all know). The configurations use the
// ephemeral bearer token to configure a second provider instance and
// write-only attributes of the resources, so those paths are checked against
// the state file too.
//
// Hostile error paths too: for every method a run in which the back-end
// echoes the Authorization header it got (basic: at /credentials/basic, so
// the base64 of user:password), and for the OIDC methods with their own
// client a run in which the IdP's token endpoint echoes the request form,
// one testrig.Echo* mode per method (URL-encoded, JSON \u escapes, HTML
// character references, decoded in an OAuth error). The wrong secrets have
// the punctuation that encodings change. Every secret is searched in every
// encoding of testrig.SecretEncodings.
//
// The test knows every secret it used: the values it passed, every
// Authorization header the back-end received (access tokens and bearers the
// provider obtained), and every refresh token in the refresh-token files
// (refresh tokens the IdP handed out are stored there: store_refresh_token is
// on for the methods that get one).

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// leakSpec is one auth method's configuration.
type leakSpec struct {
	// provider is the default provider block; secrets come from var.<name>.
	provider string
	// vars are the secret (sensitive, ephemeral) variables: name -> value.
	vars map[string]string
	// wrongVars replace some vars for a run that must fail; nil: no such run.
	wrongVars map[string]string
	// wantError matches the failing run's diagnostic.
	wantError *regexp.Regexp
	// writeOnly declares resources with write-only secrets (var.<name>).
	writeOnly string
	// extraSecrets are other secrets the test used (e.g. for a device login).
	extraSecrets []string
	// device approves device code logins as alice through a terminal.
	device bool
	// idpEcho, when set, adds a run in which the IdP's token endpoint echoes
	// the request (the wrong variables) in this testrig.Echo* mode.
	idpEcho string
	// echoClient is the client whose token requests the IdP echoes
	// (default: the rig's client).
	echoClient string
	// echoPath is the back-end path of a run in which the back-end echoes
	// the Authorization header of the request (default "/me").
	echoPath string
}

func TestAccNoSecretsInLogsDiagnosticsOrState(t *testing.T) {
	cases := []struct {
		name string
		spec func(t *testing.T, r *acctest.Rig) leakSpec
	}{
		{"basic", func(t *testing.T, r *acctest.Rig) leakSpec {
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url = %s
  basic {
    username = %s
    password = var.password
  }
}
`, q(r.Backend.URL()), q(acctest.BasicUser)),
				vars:      map[string]string{"password": acctest.BasicPassword},
				wrongVars: map[string]string{"password": "wrong-basic-Pw/+=&<leak> 4c1d"},
				wantError: regexp.MustCompile(`Basic Authentication Failed`),
				echoPath:  "/credentials/basic",
				writeOnly: fmt.Sprintf(`resource "openeo_auth_config_basic" "wo" {
  url                 = %s
  username            = %s
  password_wo         = var.password
  password_wo_version = 1
}
`, q(r.Backend.URL()), q(acctest.BasicUser)),
			}
		}},
		{"client_credentials", func(t *testing.T, r *acctest.Rig) leakSpec {
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
  oidc {
    client_id     = %s
    client_secret = var.client_secret
  }
}
`, q(r.Backend.URL()), q(r.Client.ID)),
				vars:      map[string]string{"client_secret": r.Client.Secret},
				wrongVars: map[string]string{"client_secret": "wrong-client/secret+=&<leak> 77e0"},
				wantError: regexp.MustCompile(`OIDC Client Authentication Failed`),
				idpEcho:   testrig.EchoForm,
				writeOnly: fmt.Sprintf(`resource "openeo_auth_config_oidc" "wo" {
  url                      = %s
  provider_id              = %s
  client_id                = %s
  client_secret_wo         = var.client_secret
  client_secret_wo_version = 1
}
`, q(r.Backend.URL()), q(acctest.ProviderID), q(r.Client.ID)),
			}
		}},
		{"client_credentials_assertion", func(t *testing.T, r *acctest.Rig) leakSpec {
			key := testrig.NewSigningKey(t, "RS256")
			client := r.IdP.RegisterClient(t, testrig.ClientSpec{Keys: []testrig.SigningKey{key}})
			wrong := testrig.NewSigningKey(t, "RS256")
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "client_credentials"
  oidc {
    client_id               = %s
    client_assertion_key    = var.client_assertion_key
    client_assertion_key_id = %s
  }
}
`, q(r.Backend.URL()), q(client.ID), q(key.KeyID)),
				vars:      map[string]string{"client_assertion_key": string(key.PEM)},
				wrongVars: map[string]string{"client_assertion_key": string(wrong.PEM)},
				wantError: regexp.MustCompile(`(?s)OIDC Client Authentication Failed.*public\s+key\s+of\s+oidc.client_assertion_key\s+must\s+be\s+in\s+the\s+JWKS`),
				// The signed assertions are found by the JWT pattern; a line of
				// a key is a leak too.
				extraSecrets: append(pemLines(key.PEM), pemLines(wrong.PEM)...),
				idpEcho:      testrig.EchoForm,
				echoClient:   client.ID,
			}
		}},
		{"exec", func(t *testing.T, r *acctest.Rig) leakSpec {
			at := r.IdP.ClientCredentialsToken(t, r.Client, "openid").AccessToken
			const secret = "helper-Secret/+=&<leak> 2e9a"
			h := testrig.NewCredentialHelper(t, at, secret)
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "exec"
  exec {
    command = %s
    args    = ["json", "300", %s]
    env     = { HELPER_SECRET = var.helper_secret }
  }
}
`, q(r.Backend.URL()), q(h.Path), q(acctest.ProviderID)),
				vars:      map[string]string{"helper_secret": secret},
				wrongVars: map[string]string{"helper_secret": "wrong-helper/Secret+=&<leak> 6f0b"},
				// The helper names the wrong secret on its standard error.
				wantError:    regexp.MustCompile(`(?s)Credential Helper Failed.*refused\s+the\s+secret\s+<redacted>`),
				extraSecrets: []string{at},
			}
		}},
		{"password", func(t *testing.T, r *acctest.Rig) leakSpec {
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "password"
  oidc {
    client_id           = %s
    client_secret       = var.client_secret
    username            = %s
    password            = var.password
    scopes              = ["offline_access"]
    store_refresh_token = true
  }
}
`, q(r.Backend.URL()), q(r.Client.ID), q(testrig.Alice.Name)),
				vars:      map[string]string{"client_secret": r.Client.Secret, "password": testrig.Alice.Password},
				wrongVars: map[string]string{"password": "wrong-alice-Pw/+=&<leak> 0a9b"},
				wantError: regexp.MustCompile(`OIDC Login Failed`),
				idpEcho:   testrig.EchoJSON,
			}
		}},
		{"refresh_token", func(t *testing.T, r *acctest.Rig) leakSpec {
			rt := r.IdP.PasswordToken(t, r.Client, testrig.Bob, "openid offline_access").RefreshToken
			if rt == "" {
				t.Fatal("the IdP returned no refresh token")
			}
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url = %s
  oidc {
    client_id           = %s
    client_secret       = var.client_secret
    refresh_token       = var.refresh_token
    store_refresh_token = true
  }
}
`, q(r.Backend.URL()), q(r.Client.ID)),
				vars:      map[string]string{"client_secret": r.Client.Secret, "refresh_token": rt},
				wrongVars: map[string]string{"refresh_token": "1//0g-not-a-refresh+token/leak=5e2f"},
				wantError: regexp.MustCompile(`Refresh Token No Longer Valid`),
				idpEcho:   testrig.EchoHTML,
				// Another client's entry, in another file, so that it does not
				// meet the provider's own store.
				writeOnly: fmt.Sprintf(`resource "openeo_refresh_token" "wo" {
  file                     = %s
  issuer                   = %s
  client_id                = "another-client"
  refresh_token_wo         = var.refresh_token
  refresh_token_wo_version = 1
}
`, q(filepath.Join(r.Dirs.ConfigHome, "other", "refresh-tokens.json")), q(r.IdP.Issuer())),
			}
		}},
		{"oidc_stored_refresh_token", func(t *testing.T, r *acctest.Rig) leakSpec {
			rt := r.IdP.PasswordToken(t, r.Client, testrig.Alice, "openid offline_access").RefreshToken
			doc := fmt.Sprintf(`{%q: {%q: {"date": "2026-01-01T00:00:00Z", "refresh_token": %q}}}`,
				strings.TrimRight(r.IdP.Issuer(), "/"), r.Client.ID, rt)
			if err := os.WriteFile(r.Dirs.RefreshTokensPath(), []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "oidc"
  oidc {
    client_id     = %s
    client_secret = var.client_secret
  }
}
`, q(r.Backend.URL()), q(r.Client.ID)),
				vars:         map[string]string{"client_secret": r.Client.Secret},
				wrongVars:    map[string]string{"client_secret": "wrong-client/secret+=&\"leak\" 3b6c"},
				wantError:    regexp.MustCompile(`(?s)Error: (OIDC Client Authentication Failed|OIDC Login Failed|Interactive OIDC Login Required)`),
				extraSecrets: []string{rt},
				idpEcho:      testrig.EchoOAuth,
			}
		}},
		{"device_code", func(t *testing.T, r *acctest.Rig) leakSpec {
			return leakSpec{
				// The back-end's default client: public, device code + PKCE.
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "device_code"
  oidc {
    store_refresh_token = true
  }
}
`, q(r.Backend.URL())),
				device:       true,
				extraSecrets: []string{testrig.Alice.Password},
			}
		}},
		{"token_exchange_github_actions", func(t *testing.T, r *acctest.Rig) leakSpec {
			// The subject tokens come from the CI issuer's GitHub Actions
			// protocol (JWTs: the scan finds any JWT), requested with the
			// request token (a known secret).
			job := testrig.CI(t).ActionsEnv(t, testrig.ActionsJob{})
			for k, v := range job.Vars() {
				t.Setenv(k, v)
			}
			r.Client = r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange}})
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "token_exchange"
  oidc {
    client_id     = %s
    client_secret = var.client_secret
    audience      = %s
  }
}
`, q(r.Backend.URL()), q(r.Client.ID), q(r.IdP.Issuer())),
				vars:         map[string]string{"client_secret": r.Client.Secret},
				wrongVars:    map[string]string{"client_secret": "wrong-client/secret+=&<leak> 5a1f"},
				wantError:    regexp.MustCompile(`Token Exchange Refused`),
				idpEcho:      testrig.EchoForm,
				extraSecrets: []string{job.RequestToken},
			}
		}},
		{"token_exchange_private_key_jwt", func(t *testing.T, r *acctest.Rig) leakSpec {
			// A subject token and a client assertion key given as ephemeral
			// variables; the client authenticates with signed assertions
			// (JWTs: the scan finds any JWT). The wrong subject is one the
			// IdP does not trust.
			ci := testrig.CI(t)
			key := testrig.NewSigningKey(t, "ES256")
			r.Client = r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantTokenExchange},
				Keys: []testrig.SigningKey{key}})
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url         = %s
  auth_method = "token_exchange"
  oidc {
    client_id               = %s
    subject_token           = var.subject_token
    client_assertion_key    = var.client_assertion_key
    client_assertion_key_id = %s
    client_assertion_alg    = "ES256"
  }
}
`, q(r.Backend.URL()), q(r.Client.ID), q(key.KeyID)),
				vars: map[string]string{
					"subject_token":        ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectGitLab, Aud: r.IdP.Issuer()}),
					"client_assertion_key": string(key.PEM),
				},
				wrongVars: map[string]string{"subject_token": ci.Mint(t, testrig.MintSpec{Sub: testrig.SubjectUntrusted, Aud: r.IdP.Issuer()})},
				wantError: regexp.MustCompile(`Token Exchange Refused(?s:.*)is\s+not\s+trusted`),
				idpEcho:   testrig.EchoForm,
			}
		}},
		{"access_token", func(t *testing.T, r *acctest.Rig) leakSpec {
			at := r.IdP.ClientCredentialsToken(t, r.Client, "openid").AccessToken
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url = %s
  oidc {
    provider_id  = %s
    access_token = var.access_token
  }
}
`, q(r.Backend.URL()), q(acctest.ProviderID)),
				vars:      map[string]string{"access_token": at},
				wrongVars: map[string]string{"access_token": "not-an-access-token-leak-9d3e"},
				wantError: regexp.MustCompile(`openEO Token Rejected|openEO Back-End Error`),
			}
		}},
		{"bearer", func(t *testing.T, r *acctest.Rig) leakSpec {
			at := r.IdP.PasswordToken(t, r.Client, testrig.Bob, "openid").AccessToken
			return leakSpec{
				provider: fmt.Sprintf(`provider "openeo" {
  url          = %s
  bearer_token = var.bearer
}
`, q(r.Backend.URL())),
				vars:      map[string]string{"bearer": "oidc/" + acctest.ProviderID + "/" + at},
				wrongVars: map[string]string{"bearer": "oidc/" + acctest.ProviderID + "/not-a-token-leak-1f7a"},
				wantError: regexp.MustCompile(`openEO Token Rejected|openEO Back-End Error`),
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			acctest.RequireCLI(t, acctest.EphemeralResources, acctest.WriteOnlyAttributes)
			spec := tc.spec(t, r)
			if spec.device {
				m, s, err := openPTY()
				if err != nil {
					t.Skipf("device code login needs a terminal for the provider: %v", err)
				}
				m.Close()
				s.Close()
			}
			runLeakCase(t, r, spec)
		})
	}
}

// leakConfig is the whole configuration of a case.
func leakConfig(r *acctest.Rig, spec leakSpec) string {
	var b strings.Builder
	names := make([]string, 0, len(spec.vars))
	for n := range spec.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "variable %q {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n", n)
	}
	b.WriteString(spec.provider)
	b.WriteString(accountAndTokenChain(r.Backend.URL()))
	b.WriteString(spec.writeOnly)
	return b.String()
}

func varEnv(vars ...map[string]string) []string {
	merged := map[string]string{}
	for _, m := range vars {
		for k, v := range m {
			merged[k] = v
		}
	}
	var env []string
	for k, v := range merged {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	return env
}

func runLeakCase(t *testing.T, r *acctest.Rig, spec leakSpec) {
	d := acctest.NewWorkDir(t, r.Dirs, leakConfig(r, spec))
	logDir := t.TempDir()
	type captured struct{ name, text string }
	var outputs []captured
	run := func(name string, wantErr bool, vars map[string]string, args ...string) string {
		t.Helper()
		logPath := filepath.Join(logDir, name+".log")
		env := append(append([]string(nil), d.Env...), varEnv(spec.vars, vars)...)
		env = append(env, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
		c := tfrun.Cmd{Dir: d.Dir, Args: args, Env: env}
		var stopApprover func()
		if spec.device {
			c.Env = append(c.Env, "TF_IN_AUTOMATION=")
			ts := newTerminalSession(t, r, 0)
			c.Prepare, stopApprover = ts.prepare, ts.stop
		}
		res := d.Setup.Run(testrig.Context(t), c)
		if stopApprover != nil {
			stopApprover()
		}
		if res.TimedOut {
			t.Fatalf("terraform %s hung:\n%s", strings.Join(args, " "), res.Output)
		}
		noCrash(t, name, res.Output)
		if (res.Err != nil) != wantErr {
			t.Fatalf("terraform %s: err=%v, want error %v\n%s", strings.Join(args, " "), res.Err, wantErr, res.Output)
		}
		outputs = append(outputs, captured{"the CLI output (diagnostics) of " + name, res.Output},
			captured{"the TF_LOG=trace log of " + name, string(testrig.ReadFile(t, logPath))})
		return res.Output
	}
	run("apply", false, nil, "apply", "-input=false", "-no-color", "-auto-approve")
	run("plan-out", false, nil, "plan", "-input=false", "-no-color", "-out=tfplan")
	if out := run("plan-json", false, nil, "show", "-json", "-no-color", "tfplan"); !strings.Contains(out, `"planned_values"`) {
		t.Errorf("terraform show -json tfplan printed no plan JSON:\n%s", out)
	}
	if spec.wrongVars != nil {
		out := run("failing-plan", true, spec.wrongVars, "plan", "-input=false", "-no-color")
		if !spec.wantError.MatchString(out) {
			t.Errorf("the failing run's diagnostic does not match %s:\n%s", spec.wantError, errorBlocks(out))
		}
	}

	// Hostile error paths: the IdP echoes the token request (with the
	// secrets of the provider block and of the files), and the back-end
	// echoes the Authorization header (basic user:password in base64, or
	// the bearer).
	if spec.idpEcho != "" {
		echoClient := cmp.Or(spec.echoClient, r.Client.ID)
		r.IdP.InjectFault(t, echoClient, testrig.Fault{Status: http.StatusBadRequest, Echo: spec.idpEcho, Count: 20})
		out := run("idp-echo-"+spec.idpEcho, true, spec.wrongVars, "plan", "-input=false", "-no-color")
		if !strings.Contains(out, "<redacted>") {
			t.Errorf("the IdP's echo (%s) shows no redacted secret: the run did not test the scrubbing:\n%s", spec.idpEcho, errorBlocks(out))
		}
		r.IdP.ClearFaults(t, echoClient)
	}
	r.Backend.InjectFault(testbackend.Fault{Path: cmp.Or(spec.echoPath, "/me"), Kind: testbackend.KindEcho, Count: -1})
	out := run("backend-echo", true, nil, "plan", "-input=false", "-no-color")
	r.Backend.ClearFaults()
	if !strings.Contains(out, "EchoedRequest") || !strings.Contains(out, "<redacted>") {
		t.Errorf("the back-end's echo was not shown redacted: the run did not test the scrubbing:\n%s", errorBlocks(out))
	}

	secrets := knownSecrets(t, r, spec)
	if len(secrets) < 2 {
		t.Fatalf("only %d secrets known: the search would prove nothing", len(secrets))
	}
	// The files Terraform wrote: state, backup, plan file (and its members).
	files := map[string][]byte{}
	err := filepath.WalkDir(d.Dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !e.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.Dir, p)
		files[rel] = data
		if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				member, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return err
				}
				files[rel+"!"+f.Name] = member
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"terraform.tfstate", "tfplan"} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s in the working directory: the check would miss it", want)
		}
	}
	for name, data := range files {
		outputs = append(outputs, captured{"the file " + name, string(data)})
	}

	jwt := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	searched := 0
	for _, c := range outputs {
		searched += len(c.text)
		for _, s := range secrets {
			for _, l := range testrig.FindSecrets(c.text, s.value) {
				t.Errorf("%s contains %s (%s…), %s", c.name, s.kind, s.value[:min(6, len(s.value))], l.Encoding)
			}
		}
		if m := jwt.FindString(c.text); m != "" {
			t.Errorf("%s contains a JWT (%s…)", c.name, m[:16])
		}
	}

	// The search must be able to find something: the logs are at trace
	// level and hold the provider's own lines, and the state holds the
	// account read with the ephemeral token.
	logs := ""
	for _, c := range outputs {
		if strings.HasPrefix(c.name, "the TF_LOG") {
			logs += c.text
		}
	}
	for _, want := range []string{"[TRACE]", "openEO provider configured", "opened openEO bearer token"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q: the check cannot see the provider's log lines", want)
		}
	}
	if !strings.Contains(string(files["terraform.tfstate"]), `"user_id"`) {
		t.Error("the state lacks the account read with the ephemeral token")
	}
	kinds := map[string]int{}
	for _, s := range secrets {
		kinds[s.kind]++
	}
	t.Logf("searched %d bytes (%d outputs and files) for %d secrets %v", searched, len(outputs), len(secrets), kinds)
}

// pemLines are the base64 lines of a PEM block.
func pemLines(p []byte) []string {
	var out []string
	for _, l := range strings.Split(string(p), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

type secret struct{ kind, value string }

// knownSecrets collects every secret of the case: the values given, the
// bearers and access tokens the back-end received, the refresh tokens stored.
func knownSecrets(t *testing.T, r *acctest.Rig, spec leakSpec) []secret {
	t.Helper()
	seen := map[string]bool{}
	var out []secret
	add := func(kind, v string) {
		if len(v) < 6 || seen[v] {
			return
		}
		seen[v] = true
		out = append(out, secret{kind, v})
	}
	for name, v := range spec.vars {
		add("the variable "+name, v)
	}
	for name, v := range spec.wrongVars {
		add("the wrong "+name, v)
	}
	for _, v := range spec.extraSecrets {
		add("a password or token the test used", v)
	}
	for _, req := range r.Backend.Requests("") {
		bearer, ok := strings.CutPrefix(req.Authorization, "Bearer ")
		if !ok {
			if req.Authorization != "" {
				add("an Authorization header", req.Authorization)
			}
			if b64, ok := strings.CutPrefix(req.Authorization, "Basic "); ok {
				add("the base64 of basic user:password", b64)
			}
			continue
		}
		add("a bearer sent to the back-end", bearer)
		if parts := strings.SplitN(bearer, "/", 3); len(parts) == 3 {
			add("an access token sent to the back-end", parts[2])
		}
	}
	err := filepath.WalkDir(r.Dirs.ConfigHome, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		walkJSON(doc, func(key, v string) {
			switch key {
			case "refresh_token":
				add("a refresh token stored in "+filepath.Base(p), v)
			case "password", "client_secret":
				add("a "+key+" stored in "+filepath.Base(p), v)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatalf("reading the openEO files: %v", err)
	}
	if spec.device && !hasKind(out, "a refresh token stored in refresh-tokens.json") {
		t.Error("the device login stored no refresh token: the test cannot know it")
	}
	return out
}

func hasKind(s []secret, kind string) bool {
	for _, x := range s {
		if x.kind == kind {
			return true
		}
	}
	return false
}

func walkJSON(v any, f func(key, value string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok {
				f(k, s)
			}
			walkJSON(c, f)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, f)
		}
	}
}
