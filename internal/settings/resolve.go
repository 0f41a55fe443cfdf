package settings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/clientconfig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// Source says where a resolved value came from. It is shown in messages, so
// it never contains the value itself.
type Source string

// Where a value can come from, in decreasing precedence.
const (
	SourceUnset     Source = ""
	SourceAttribute Source = "attribute"
	SourceEnv       Source = "environment"
	SourceFile      Source = "client config file"
	SourceInferred  Source = "inferred"
	SourceDefault   Source = "default"
)

// ClientConfigFile is a loaded openeo-client-config.ini.
type ClientConfigFile struct {
	// Path is the file that was read; "" when none was found.
	Path   string
	Config *clientconfig.Config
	// Warnings are candidate files that were skipped, as sentences.
	Warnings []string
}

// Input is what one provider instance or command sets explicitly.
type Input struct {
	// Explicit holds the explicit string values by attribute path; a
	// missing or empty value is unset.
	Explicit map[string]string
	// Unknown holds the paths whose explicit values are not known yet (a
	// Terraform value known only after apply): they resolve to nothing and
	// do not fall back.
	Unknown map[string]bool
	// BasicBlock and OIDCBlock: the provider block has a basic or oidc
	// block (perhaps empty).
	BasicBlock, OIDCBlock bool
	// Getenv reads the environment; an empty (or blank) value is unset.
	Getenv func(string) string
	// LoadClientConfig reads the client config file; called at most once
	// and only when a field needs it. Nil: no client config file.
	LoadClientConfig func() (*ClientConfigFile, error)
}

// Problem is an error or warning of the resolution, for the attribute Path.
type Problem struct {
	Path    string
	Warning bool
	Summary string
	Detail  string
}

// Result is the resolved configuration.
type Result struct {
	// Values are the resolved strings by attribute path (the fields of
	// [Fields] that resolve to a string: not the auth method).
	Values map[string]string
	// Sources record where each resolved field came from.
	Sources map[string]Source

	// URLDetail names the env var or file the URL came from (no value).
	URLDetail string
	// SchemeAssumed: the URL had no scheme and "https://" was put in front.
	SchemeAssumed bool

	Method       flows.Method
	MethodSource Source
	// MethodDetail names the env var, file key or attributes the method
	// came from.
	MethodDetail string

	// ClientConfigPath is the client config file that was read ("" none).
	ClientConfigPath string

	Problems []Problem
}

// Get is the resolved value of path ("" when unset).
func (r Result) Get(path string) string { return r.Values[path] }

// HasError reports whether a problem is an error.
func (r Result) HasError() bool {
	return slices.ContainsFunc(r.Problems, func(p Problem) bool { return !p.Warning })
}

type resolver struct {
	in        Input
	ini       *ClientConfigFile
	iniLoaded bool
	out       Result
}

// Resolve decides every field of in with the table's precedence.
func Resolve(in Input) Result {
	if in.Getenv == nil {
		in.Getenv = func(string) string { return "" }
	}
	r := &resolver{in: in, out: Result{Values: map[string]string{}, Sources: map[string]Source{}}}
	r.run()
	return r.out
}

func (r *resolver) env(name string) string {
	if name == "" {
		return ""
	}
	return strings.TrimSpace(r.in.Getenv(name))
}

func (r *resolver) unknown(path string) bool { return r.in.Unknown[path] }

func (r *resolver) explicit(path string) string {
	if r.unknown(path) {
		return ""
	}
	return r.in.Explicit[path]
}

func (r *resolver) problem(p Problem) { r.out.Problems = append(r.out.Problems, p) }

// pick resolves the row of path: explicit > Env (when the method is one of
// EnvFor). Files other than the client config are read by flows.
func (r *resolver) pick(path string) {
	f := field(path)
	switch {
	case r.unknown(path):
		return
	case r.explicit(path) != "":
		r.out.Values[path], r.out.Sources[path] = r.explicit(path), SourceAttribute
	case f.Env != "" && (f.EnvFor == nil || slices.Contains(f.EnvFor, r.out.Method)) && r.env(f.Env) != "":
		r.out.Values[path], r.out.Sources[path] = r.env(f.Env), SourceEnv
	}
}

func (r *resolver) clientConfig() *ClientConfigFile {
	if r.iniLoaded {
		return r.ini
	}
	r.iniLoaded = true
	if r.unknown(ClientConfigPath) || r.in.LoadClientConfig == nil {
		return nil
	}
	cfg, err := r.in.LoadClientConfig()
	if err != nil {
		r.problem(Problem{Path: ClientConfigPath, Summary: "Unreadable openEO Client Config File",
			Detail: fmt.Sprintf("The openEO client config file could not be read: %s. Fix or remove the file, or point "+
				"client_config_path (or OPENEO_CLIENT_CONFIG) at a valid .ini file.", err)})
		return nil
	}
	if cfg != nil {
		for _, w := range cfg.Warnings {
			r.problem(Problem{Warning: true, Summary: "openEO Client Config File Skipped",
				Detail: w + ". The provider reads the same files as the Python client; fix or remove the file to silence this warning."})
		}
		if cfg.Path == "" || cfg.Config == nil {
			cfg = nil // no file was loaded
		}
	}
	r.ini = cfg
	return cfg
}

// credentialPaths are the rows that imply an auth method.
func credentialPaths() []string {
	var out []string
	for _, f := range Fields {
		if f.Credential {
			out = append(out, f.Path)
		}
	}
	return out
}

func (r *resolver) run() {
	// URL: explicit > OPENEO_BACKEND_URL > connection.default_backend.
	r.pick(URL)
	if r.out.Sources[URL] == SourceEnv {
		r.out.URLDetail = EnvBackendURL
	}
	urlFromDefaultBackend := false
	if r.out.Values[URL] == "" && !r.unknown(URL) {
		if cc := r.clientConfig(); cc != nil {
			if u, ok := cc.Config.DefaultBackend(); ok && strings.TrimSpace(u) != "" {
				r.out.Values[URL], r.out.Sources[URL], r.out.URLDetail = strings.TrimSpace(u), SourceFile, cc.Path
				urlFromDefaultBackend = true
			}
		}
	}
	if u := r.out.Values[URL]; u != "" && !strings.Contains(u, "://") {
		// As the Python client: a URL without scheme means https.
		r.out.Values[URL], r.out.SchemeAssumed = "https://"+u, true
	}

	r.out.Method, r.out.MethodSource, r.out.MethodDetail = r.method(urlFromDefaultBackend)
	if r.out.Method != "" {
		r.out.Sources[AuthMethodPath] = r.out.MethodSource
		r.warnUnused()
	}

	for _, f := range Fields {
		switch f.Path {
		case URL, AuthMethodPath, ClientConfigPath:
		default:
			r.pick(f.Path)
		}
	}
	r.client()
	if !r.unknown(ClientConfigPath) {
		r.out.Values[ClientConfigPath] = r.explicit(ClientConfigPath)
	}
	if r.ini != nil {
		r.out.ClientConfigPath = r.ini.Path
		r.out.Values[ClientConfigPath] = r.ini.Path
	}
}

// client applies the rule that a client id and its secret are one
// credential (see [Client]).
func (r *resolver) client() {
	c := Client(r.explicit(OIDCClientID), r.explicit(OIDCClientSecret), r.in.Getenv)
	if r.unknown(OIDCClientID) || r.unknown(OIDCClientSecret) || c.ID.Value == "" {
		// Without a client id a given secret is not used (flows takes the
		// auth-config.json entry's or none); it stays in Values so that it
		// is masked like every configured secret.
		return
	}
	for path, v := range map[string]Value{OIDCClientID: c.ID, OIDCClientSecret: c.Secret} {
		delete(r.out.Values, path)
		delete(r.out.Sources, path)
		if v.Value != "" {
			r.out.Values[path], r.out.Sources[path] = v.Value, v.Source
		}
	}
}

// Value is one resolved value and its source.
type Value struct {
	Value  string
	Source Source
}

// ClientCredential is a client id with its secret.
type ClientCredential struct {
	ID, Secret Value
}

// Client resolves the OIDC client, one credential: the client id is the
// explicit one, else OPENEO_AUTH_CLIENT_ID; its secret is the explicit one,
// else OPENEO_AUTH_CLIENT_SECRET (an environment secret completes an
// explicit client id). A secret belongs to the client id it was given
// with: without a client id from either place none is returned, and the
// auth-config.json entry (read by flows when the id is empty) brings its
// own client and secret. A client id given here never takes the secret of
// an auth-config.json entry, and is a public client when no secret is
// given.
func Client(explicitID, explicitSecret string, getenv func(string) string) ClientCredential {
	id := Pick(OIDCClientID, strings.TrimSpace(explicitID), getenv)
	if id.Value == "" {
		return ClientCredential{}
	}
	return ClientCredential{ID: id, Secret: Pick(OIDCClientSecret, explicitSecret, getenv)}
}

// FlowsClientSource is the flows name of the client's source.
func (c ClientCredential) FlowsClientSource() flows.ClientSource {
	if c.ID.Source == SourceEnv {
		return flows.ClientFromEnvironment
	}
	return flows.ClientFromArgument
}

// Pick resolves one row of the table for a caller that decides no auth
// method (openeo-auth): the explicit value, else the row's environment
// variable (blank counts as unset), else nothing (the caller or flows
// reads the files).
func Pick(path, explicit string, getenv func(string) string) Value {
	if explicit != "" {
		return Value{explicit, SourceAttribute}
	}
	if f := field(path); f.Env != "" && getenv != nil {
		if v := strings.TrimSpace(getenv(f.Env)); v != "" {
			return Value{v, SourceEnv}
		}
	}
	return Value{}
}
