package settings

import (
	"fmt"
	"os"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// The environment variables of the automatic subject token sources of a
// token exchange (read here, never by flows).
const (
	EnvActionsIDTokenRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvActionsIDTokenRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	EnvHCPTerraformToken          = "TFC_WORKLOAD_IDENTITY_TOKEN"
)

// ClientAssertionAlgs are the signing algorithms of client_assertion_alg.
var ClientAssertionAlgs = []string{"RS256", "PS256", "ES256"}

// Keyless builds the settings of the keyless methods from the resolved
// values of r and the environment: the subject token sources of a token
// exchange (subject_token, subject_token_file, GitHub Actions'
// ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, the variable subject_token_env
// names, TFC_WORKLOAD_IDENTITY_TOKEN or TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>
// for hcp_terraform_tag), the client assertion (a key, read from
// client_assertion_key_file when client_assertion_key is not set, or a
// ready-made JWT) and the exec helper's command (its args and env are
// given by the caller). Problems name the attribute and the fix; they never
// show a secret.
func Keyless(r Result, getenv func(string) string, exec *flows.ExecCredential) (flows.KeylessSettings, []Problem) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var problems []Problem
	k := flows.KeylessSettings{
		SubjectTokenType:   r.Get(OIDCSubjectTokenType),
		Audience:           r.Get(OIDCAudience),
		RequestedTokenType: r.Get(OIDCRequestedTokenType),
	}
	if k.SubjectTokenType == "" {
		k.SubjectTokenType = Default(OIDCSubjectTokenType)
	}
	st := flows.SubjectTokenConfig{Token: r.Get(OIDCSubjectToken), File: r.Get(OIDCSubjectTokenFile),
		EnvName: r.Get(OIDCSubjectTokenEnv), HCPTerraformTag: r.Get(OIDCHCPTerraformTag), Audience: k.Audience}
	st.Env = flows.SubjectTokenEnv{ActionsRequestURL: env(EnvActionsIDTokenRequestURL),
		ActionsRequestToken: env(EnvActionsIDTokenRequestToken), HCPTerraform: map[string]string{}}
	if st.EnvName != "" {
		st.Env.Named = env(st.EnvName)
	}
	if v := env(EnvHCPTerraformToken); v != "" {
		st.Env.HCPTerraform[""] = v
	}
	if tag := st.HCPTerraformTag; tag != "" {
		// Kept when empty too: the tag then names the variable to set.
		st.Env.HCPTerraform[tag] = env(EnvHCPTerraformToken + "_" + tag)
	}
	k.SubjectToken = st

	if r.Method == flows.MethodTokenExchange {
		if _, err := flows.NewSubjectTokenSource(st); err != nil {
			problems = append(problems, Problem{Path: OIDCSubjectToken, Summary: "No Subject Token for the Token Exchange",
				Detail: fmt.Sprintf("%s Sources, in this order: oidc.subject_token, oidc.subject_token_file, GitHub Actions' "+
					"%s and %s (a job with `permissions: id-token: write`), the environment variable named by "+
					"oidc.subject_token_env (GitLab CI's id_tokens), %s (or %s_<TAG> with oidc.hcp_terraform_tag).", err,
					EnvActionsIDTokenRequestURL, EnvActionsIDTokenRequestToken, EnvHCPTerraformToken, EnvHCPTerraformToken)})
		}
	}

	alg, kid := r.Get(OIDCClientAssertionAlg), r.Get(OIDCClientAssertionKeyID)
	pemData, keyFrom := r.Get(OIDCClientAssertionKey), OIDCClientAssertionKey
	if pemData == "" && r.Get(OIDCClientAssertionKeyFile) != "" {
		keyFrom = OIDCClientAssertionKeyFile
		b, err := os.ReadFile(r.Get(OIDCClientAssertionKeyFile))
		if err != nil {
			problems = append(problems, Problem{Path: OIDCClientAssertionKeyFile, Summary: "Client Assertion Key File Unreadable",
				Detail: fmt.Sprintf("oidc.client_assertion_key_file could not be read: %s. Give the path of a PEM private key "+
					"(PKCS#8, PKCS#1 or SEC1) readable by Terraform.", flows.CleanText(err.Error()))})
		}
		pemData = string(b)
	}
	switch {
	case pemData != "" && r.Get(OIDCClientAssertion) != "":
		problems = append(problems, Problem{Path: OIDCClientAssertion, Summary: "Two Client Assertions",
			Detail: "Both " + keyFrom + " and oidc.client_assertion are set: set only one (a key signs a fresh assertion " +
				"for every request; client_assertion is sent as it is)."})
	case pemData != "":
		key, err := flows.ParseAssertionKey([]byte(pemData), alg, kid)
		if err != nil {
			problems = append(problems, Problem{Path: keyFrom, Summary: "Unusable Client Assertion Key",
				Detail: fmt.Sprintf("oidc.%s: %s", strings.TrimPrefix(keyFrom, "oidc."), err)})
			break
		}
		k.ClientAssertion = &flows.ClientAssertion{Key: key}
	case r.Get(OIDCClientAssertion) != "":
		k.ClientAssertion = &flows.ClientAssertion{JWT: r.Get(OIDCClientAssertion)}
	}
	if k.ClientAssertion != nil && r.Get(OIDCClientSecret) != "" && r.Sources[OIDCClientSecret] == SourceAttribute {
		problems = append(problems, Problem{Path: OIDCClientSecret, Summary: "Client Secret and Client Assertion",
			Detail: "oidc.client_secret and a client assertion are both set: the client authenticates in one way; " +
				"remove oidc.client_secret, or the client assertion attributes."})
	}

	if exec != nil {
		exec.Command = r.Get(ExecCommand)
		k.Exec = exec
	}
	if r.Method == flows.MethodExec && (k.Exec == nil || k.Exec.Command == "") {
		problems = append(problems, Problem{Path: "exec", Summary: "Missing Credential Helper",
			Detail: "auth_method = \"exec\" needs an exec block with the command of a credential helper that prints an " +
				"access token, e.g. exec { command = \"openeo-auth\" args = [\"token\"] }."})
	}
	return k, problems
}
