package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// SubjectTokenKind says where a token exchange's subject token comes from.
type SubjectTokenKind string

// Subject token sources, in the order [NewSubjectTokenSource] tries them.
const (
	// SubjectFromValue: the subject_token setting (e.g. an ephemeral value).
	SubjectFromValue SubjectTokenKind = "subject_token"
	// SubjectFromFile: the subject_token_file setting, read again for every
	// exchange (e.g. a Kubernetes projected service-account token, which the
	// kubelet rotates).
	SubjectFromFile SubjectTokenKind = "subject_token_file"
	// SubjectFromGitHubActions: requested from GitHub Actions' ID token
	// request URL for every exchange, with the audience setting as its
	// audience parameter.
	SubjectFromGitHubActions SubjectTokenKind = "github_actions"
	// SubjectFromEnv: the environment variable that subject_token_env names
	// (GitLab CI's id_tokens: writes one per token).
	SubjectFromEnv SubjectTokenKind = "subject_token_env"
	// SubjectFromHCPTerraform: HCP Terraform / Terraform Enterprise
	// workload identity, TFC_WORKLOAD_IDENTITY_TOKEN or
	// TFC_WORKLOAD_IDENTITY_TOKEN_<TAG>.
	SubjectFromHCPTerraform SubjectTokenKind = "hcp_terraform"
)

// SubjectTokenEnv holds the CI environment that a subject token source may
// use. This package reads no environment variable: the resolver reads them
// and fills this in (each field names its variable).
type SubjectTokenEnv struct {
	// ActionsRequestURL and ActionsRequestToken are
	// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, which
	// GitHub Actions sets for jobs with `permissions: id-token: write`.
	ActionsRequestURL   string
	ActionsRequestToken string
	// Named is the value of the variable that SubjectTokenConfig.EnvName
	// names (GitLab CI: the variable of an `id_tokens:` entry).
	Named string
	// HCPTerraform maps the tag of each HCP Terraform workload identity
	// token to its value: "" for TFC_WORKLOAD_IDENTITY_TOKEN, "TAG" for
	// TFC_WORKLOAD_IDENTITY_TOKEN_TAG.
	HCPTerraform map[string]string
}

// SubjectTokenConfig are a token exchange's subject token settings.
type SubjectTokenConfig struct {
	// Token is the subject_token setting.
	Token string
	// File is the subject_token_file setting.
	File string
	// EnvName is the subject_token_env setting: the name of the variable
	// whose value Env.Named holds (used in messages).
	EnvName string
	// HCPTerraformTag picks TFC_WORKLOAD_IDENTITY_TOKEN_<tag>; "" picks
	// TFC_WORKLOAD_IDENTITY_TOKEN, else the only tagged token there is.
	HCPTerraformTag string
	// Audience is the audience setting: the audience parameter of the GitHub
	// Actions token request (the same value the token exchange sends).
	Audience string
	// Env is the CI environment (see [SubjectTokenEnv]).
	Env SubjectTokenEnv
}

// SubjectTokenSource gives the subject token of each token exchange.
type SubjectTokenSource struct {
	kind     SubjectTokenKind
	value    string
	file     string
	envName  string
	tag      string
	audience string
	reqURL   string
	reqToken string
}

// subjectErrorf is a *ClientError of kind [ErrSubjectToken].
func subjectErrorf(format string, args ...any) error {
	return kindErrorf(ErrSubjectToken, format, args...)
}

// maxSubjectToken bounds a subject token read from a file or a response.
const maxSubjectToken = 64 << 10

// NewSubjectTokenSource picks the first source that cfg configures, in
// this order:
//
//  1. Token (subject_token);
//  2. File (subject_token_file), read again for every exchange;
//  3. GitHub Actions, when Env.ActionsRequestURL and Env.ActionsRequestToken
//     are set: the token is requested for every exchange, with Audience;
//  4. the variable EnvName names (subject_token_env; GitLab CI id_tokens);
//  5. HCP Terraform workload identity (Env.HCPTerraform, HCPTerraformTag).
//
// It fails when none applies, or when EnvName names an empty variable, with
// a message that lists what to set.
func NewSubjectTokenSource(cfg SubjectTokenConfig) (*SubjectTokenSource, error) {
	s := &SubjectTokenSource{audience: cfg.Audience}
	env := cfg.Env
	switch {
	case trimToken(cfg.Token) != "":
		s.kind, s.value = SubjectFromValue, trimToken(cfg.Token)
	case cfg.File != "":
		s.kind, s.file = SubjectFromFile, cfg.File
	case env.ActionsRequestURL != "" && env.ActionsRequestToken != "":
		s.kind, s.reqURL, s.reqToken = SubjectFromGitHubActions, env.ActionsRequestURL, env.ActionsRequestToken
		if err := checkURL(s.reqURL); err != nil {
			return nil, subjectErrorf("ACTIONS_ID_TOKEN_REQUEST_URL is not a usable URL (%v): it is set by GitHub Actions; do not set it by hand.", err)
		}
	case cfg.EnvName != "":
		s.kind, s.envName = SubjectFromEnv, cfg.EnvName
		if s.value = trimToken(env.Named); s.value == "" {
			return nil, subjectErrorf("subject_token_env names the environment variable %s, but it is empty or unset: "+
				"in GitLab CI, add `id_tokens: %s: aud: <audience>` to the job (or set the variable).", cfg.EnvName, cfg.EnvName)
		}
	case len(env.HCPTerraform) > 0:
		s.kind = SubjectFromHCPTerraform
		tag, value, err := pickHCPToken(env.HCPTerraform, cfg.HCPTerraformTag)
		if err != nil {
			return nil, err
		}
		s.tag, s.value = tag, value
	default:
		return nil, subjectErrorf("Token exchange found no subject token: set subject_token, subject_token_file or " +
			"subject_token_env, or run in GitHub Actions with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL) " +
			"or in HCP Terraform with workload identity (TFC_WORKLOAD_IDENTITY_TOKEN).")
	}
	return s, nil
}

func pickHCPToken(tokens map[string]string, tag string) (string, string, error) {
	if tag != "" {
		if v := trimToken(tokens[tag]); v != "" {
			return tag, v, nil
		}
		return "", "", subjectErrorf("TFC_WORKLOAD_IDENTITY_TOKEN_%s is empty or unset: set TFC_WORKLOAD_IDENTITY_AUDIENCE_%s "+
			"in the workspace's variables so that HCP Terraform issues it, or pick another tag.", tag, tag)
	}
	if v := trimToken(tokens[""]); v != "" {
		return "", v, nil
	}
	var tags []string
	for t, v := range tokens {
		if t != "" && trimToken(v) != "" {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	switch len(tags) {
	case 0:
		return "", "", subjectErrorf("TFC_WORKLOAD_IDENTITY_TOKEN is empty: set TFC_WORKLOAD_IDENTITY_AUDIENCE in the workspace's variables so that HCP Terraform issues it.")
	case 1:
		return tags[0], trimToken(tokens[tags[0]]), nil
	}
	return "", "", subjectErrorf("HCP Terraform issued several workload identity tokens (tags %s): pick one with the tag setting.", strings.Join(tags, ", "))
}

// Kind says which source gives the subject token.
func (s *SubjectTokenSource) Kind() SubjectTokenKind { return s.kind }

// describe names the source in messages.
func (s *SubjectTokenSource) describe() string {
	switch s.kind {
	case SubjectFromFile:
		return fmt.Sprintf("file '%s'", s.file)
	case SubjectFromGitHubActions:
		return "GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)"
	case SubjectFromEnv:
		return "environment variable " + s.envName
	case SubjectFromHCPTerraform:
		if s.tag != "" {
			return "TFC_WORKLOAD_IDENTITY_TOKEN_" + s.tag
		}
		return "TFC_WORKLOAD_IDENTITY_TOKEN"
	}
	return "subject_token"
}

// Describe names the source for people, without secrets: "file '<path>'",
// "GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)", "environment variable
// <NAME>", "TFC_WORKLOAD_IDENTITY_TOKEN[_<TAG>]" or "subject_token" (the
// words of [TokenExchangeError.Source]).
func (s *SubjectTokenSource) Describe() string { return s.describe() }

// String describes the source without secrets.
func (s *SubjectTokenSource) String() string { return "SubjectTokenSource{" + s.describe() + "}" }

// GoString is String, so %#v does not reveal secrets either.
func (s *SubjectTokenSource) GoString() string { return s.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (s *SubjectTokenSource) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, s.String()) }

// Token returns the subject token for one exchange: the value, the file's
// content now, or a token just requested from GitHub Actions. c sends the
// GitHub Actions request.
func (s *SubjectTokenSource) Token(ctx context.Context, c *Client) (string, error) {
	switch s.kind {
	case SubjectFromFile:
		return s.readFile()
	case SubjectFromGitHubActions:
		return s.requestActions(ctx, c)
	}
	return s.value, nil
}

func (s *SubjectTokenSource) readFile() (string, error) {
	f, err := os.Open(s.file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", subjectErrorf("subject_token_file '%s' does not exist: point it at the token file (e.g. a projected "+
				"service-account token) or create it before Terraform runs.", s.file)
		}
		return "", &ClientError{Message: fmt.Sprintf("subject_token_file '%s' cannot be read; make it readable by this process", s.file), Err: err, Kind: ErrSubjectToken}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSubjectToken+1))
	if err != nil {
		return "", &ClientError{Message: fmt.Sprintf("subject_token_file '%s' cannot be read", s.file), Err: err, Kind: ErrSubjectToken}
	}
	if len(data) > maxSubjectToken {
		return "", subjectErrorf("subject_token_file '%s' is larger than %d bytes: it must hold one token.", s.file, maxSubjectToken)
	}
	tok := trimToken(string(data))
	if tok == "" {
		return "", subjectErrorf("subject_token_file '%s' is empty: it must hold the subject token (written before Terraform runs).", s.file)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", subjectErrorf("subject_token_file '%s' holds more than one word: it must hold the subject token only.", s.file)
	}
	return tok, nil
}

// requestActions requests a GitHub Actions ID token: GET the request URL
// with the audience parameter added, bearer the request token; the answer is
// {"value": <token>}.
func (s *SubjectTokenSource) requestActions(ctx context.Context, c *Client) (string, error) {
	u, err := url.Parse(s.reqURL)
	if err != nil {
		return "", subjectErrorf("ACTIONS_ID_TOKEN_REQUEST_URL is not a usable URL: it is set by GitHub Actions; do not set it by hand.")
	}
	if s.audience != "" {
		q := u.Query()
		q.Set("audience", s.audience)
		u.RawQuery = q.Encode()
	}
	root := *u
	root.RawQuery, root.Fragment = "", ""
	secrets := []string{s.reqToken}
	resp, err := c.fetch(ctx, &request{
		method: http.MethodGet, url: u.String(), auth: "Bearer " + s.reqToken, root: root.String(),
		retry: true, noRedirect: true, secrets: secrets,
	})
	if err != nil {
		return "", &ClientError{Message: "The GitHub Actions ID token request failed (check that the job has the permission " +
			"`id-token: write` and can reach ACTIONS_ID_TOKEN_REQUEST_URL)", Err: err, Kind: ErrSubjectToken}
	}
	if resp.status != http.StatusOK {
		return "", subjectErrorf("The GitHub Actions ID token request to '%s' failed: [%d] %s. Give the job the permission "+
			"`id-token: write` (permissions: in the workflow or job).", logURL(u.String()), resp.status,
			excerpt(resp.header.Get("Content-Type"), scrubBytes(resp.body, secrets), secrets))
	}
	var out struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(resp.body, &out) != nil || trimToken(out.Value) == "" {
		return "", subjectErrorf("The GitHub Actions ID token request to '%s' answered without a token (%d bytes, no \"value\").",
			logURL(u.String()), len(resp.body))
	}
	return trimToken(out.Value), nil
}

// checkFresh refuses a JWT subject token that has already expired, before
// it is sent, with a message that fits its source.
func (s *SubjectTokenSource) checkFresh(tok, typ string, now time.Time) error {
	if typ != TokenTypeJWT && typ != TokenTypeIDToken {
		return nil
	}
	_, exp, ok := jwtClaims(tok)
	if !ok || exp.IsZero() || now.Before(exp) {
		return nil
	}
	fix := "give a fresh one"
	switch s.kind {
	case SubjectFromFile:
		fix = "the file is not being renewed; check what writes it (e.g. the projected service-account token's expirationSeconds)"
	case SubjectFromEnv:
		fix = "CI identity tokens live for minutes; run Terraform early in the job or split long jobs"
	case SubjectFromHCPTerraform:
		fix = "HCP Terraform issues it per run phase; it cannot outlive the run"
	}
	return subjectErrorf("The subject token from %s expired at %s: %s.", s.describe(), exp.UTC().Format(time.RFC3339), fix)
}
