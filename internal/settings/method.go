package settings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// method decides the auth method: explicit > OPENEO_AUTH_METHOD > inferred
// from explicit credentials > client config file > inferred from
// environment credentials > none. An explicit "oidc" is the Python client's
// authenticate_oidc(): OPENEO_AUTH_METHOD=client_credentials switches it to
// client credentials (see [Dynamic]).
func (r *resolver) method(urlFromDefaultBackend bool) (flows.Method, Source, string) {
	if r.unknown(AuthMethodPath) {
		return "", SourceUnset, ""
	}
	if m := r.explicit(AuthMethodPath); m != "" {
		if flows.Method(m) == flows.MethodOIDC {
			if d, _ := Dynamic(r.in.Getenv); d == flows.MethodClientCredentials {
				return d, SourceEnv, AuthMethodPath + " = \"oidc\" with " + EnvAuthMethod + "=client_credentials"
			}
		}
		return flows.Method(m), SourceAttribute, AuthMethodPath
	}
	if e := strings.ToLower(r.env(EnvAuthMethod)); e != "" {
		if m, err := flows.ParseMethod(e); err == nil {
			return r.envMethod(m)
		}
		r.problem(Problem{Path: AuthMethodPath, Summary: "Invalid " + EnvAuthMethod,
			Detail: fmt.Sprintf("The environment variable %s is set to %q, which is not an auth method of this provider. "+
				"Set it to one of %s, unset it, or set auth_method in the provider block (which takes precedence).",
				EnvAuthMethod, e, strings.Join(MethodNames(), ", "))})
		return "", SourceUnset, ""
	}

	// Inferred from the explicit credentials: not possible while one of
	// them is unknown (nothing can run before they are known anyway).
	for _, p := range credentialPaths() {
		if r.unknown(p) {
			return "", SourceUnset, ""
		}
	}
	cands := r.inferMethods(r.in.BasicBlock, r.in.OIDCBlock)
	if len(cands) > 1 {
		var parts []string
		for _, c := range cands {
			parts = append(parts, fmt.Sprintf("%s (from %s)", c.method, strings.Join(c.attrs, ", ")))
		}
		r.problem(Problem{Path: AuthMethodPath, Summary: "Ambiguous Authentication Method",
			Detail: fmt.Sprintf("The provider block sets credentials for more than one auth method: %s. "+
				"Set auth_method to the method this provider instance should use.", strings.Join(parts, "; "))})
		return "", SourceUnset, ""
	}
	if len(cands) == 1 {
		return cands[0].method, SourceInferred, strings.Join(cands[0].attrs, ", ")
	}

	// Client config file, through clientconfig's own rules.
	if cc := r.clientConfig(); cc != nil {
		if m, key, set := cc.Config.AutoAuthenticateSetting(urlFromDefaultBackend); set {
			if m == "" {
				// "off" or anything else: no auto-authentication, as the Python client.
				return flows.MethodNone, SourceFile, key + " in " + cc.Path
			}
			return flows.Method(m), SourceFile, key + " in " + cc.Path
		}
	}

	// Inferred from credentials in the environment.
	switch {
	case r.env(EnvAuthUsername) != "":
		return flows.MethodBasic, SourceInferred, EnvAuthUsername
	case r.env(EnvAuthClientID) != "" && r.env(EnvAuthClientSecret) != "":
		return flows.MethodClientCredentials, SourceInferred, EnvAuthClientID + " and " + EnvAuthClientSecret
	}
	return flows.MethodNone, SourceDefault, ""
}

// Dynamic is what the "oidc" method (the Python client's
// authenticate_oidc()) means in this environment: client credentials when
// OPENEO_AUTH_METHOD is client_credentials, else oidc. other is any other
// value of OPENEO_AUTH_METHOD, which authenticate_oidc() refuses
// ("Unhandled auth method").
func Dynamic(getenv func(string) string) (m flows.Method, other string) {
	e := ""
	if getenv != nil {
		e = strings.TrimSpace(getenv(EnvAuthMethod))
	}
	switch e {
	case "":
		return flows.MethodOIDC, ""
	case string(flows.MethodClientCredentials):
		return flows.MethodClientCredentials, ""
	}
	return flows.MethodOIDC, e
}

// candidate is an auth method implied by explicit credentials, with the
// attributes that imply it.
type candidate struct {
	method flows.Method
	attrs  []string
}

// inferMethods lists the methods the explicit credentials imply. An empty
// basic or oidc block counts only when basicBlock or oidcBlock is true.
// Credentials of two methods are two candidates (an error for the caller):
// a basic block and oidc.client_secret do not silently mean basic.
func (r *resolver) inferMethods(basicBlock, oidcBlock bool) []candidate {
	set := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if r.explicit(n) != "" {
				out = append(out, n)
			}
		}
		return out
	}
	var cands []candidate
	add := func(m flows.Method, attrs []string) {
		if len(attrs) > 0 {
			cands = append(cands, candidate{m, attrs})
		}
	}
	add(flows.MethodBearer, set(BearerToken))
	add(flows.MethodAccessToken, set(OIDCAccessToken))
	add(flows.MethodRefreshToken, set(OIDCRefreshToken))
	add(flows.MethodPassword, set(OIDCUsername, OIDCPassword))
	basicAttrs := set(BasicUsername, BasicPassword)
	if len(basicAttrs) == 0 && basicBlock {
		basicAttrs = []string{"basic"} // an empty basic block: credentials from env or auth-config.json
	}
	add(flows.MethodBasic, basicAttrs)
	// The OIDC client attributes imply client credentials (with a secret)
	// or the dynamic oidc method unless an OIDC method above uses them
	// (they all take a client); basic does not use them, so a basic block
	// with them is two methods, not silently basic.
	if !slices.ContainsFunc(cands, func(c candidate) bool { return c.method != flows.MethodBasic }) {
		if attrs := set(OIDCClientSecret); len(attrs) > 0 {
			add(flows.MethodClientCredentials, attrs)
		} else {
			oidcAttrs := set(OIDCProviderID, OIDCClientID)
			if len(oidcAttrs) == 0 && oidcBlock {
				oidcAttrs = []string{"oidc"} // an oidc block without credentials: dynamic selection
			}
			add(flows.MethodOIDC, oidcAttrs)
		}
	}
	return cands
}

// MethodUses lists the provider block's credential attributes each auth
// method reads.
var MethodUses = map[flows.Method][]string{
	flows.MethodNone:              nil,
	flows.MethodBasic:             {BasicUsername, BasicPassword},
	flows.MethodOIDC:              {OIDCProviderID, OIDCClientID, OIDCClientSecret, OIDCRefreshToken},
	flows.MethodClientCredentials: {OIDCProviderID, OIDCClientID, OIDCClientSecret},
	flows.MethodPassword:          {OIDCProviderID, OIDCClientID, OIDCClientSecret, OIDCUsername, OIDCPassword},
	flows.MethodRefreshToken:      {OIDCProviderID, OIDCClientID, OIDCClientSecret, OIDCRefreshToken},
	flows.MethodDeviceCode:        {OIDCProviderID, OIDCClientID, OIDCClientSecret},
	flows.MethodAccessToken:       {OIDCProviderID, OIDCAccessToken},
	flows.MethodBearer:            {BearerToken},
	flows.MethodTokenExchange:     {OIDCProviderID, OIDCClientID, OIDCClientSecret},
	flows.MethodExec:              nil,
}

// envMethod applies OPENEO_AUTH_METHOD (a valid method) when auth_method
// is not set. Explicit configuration beats the environment: when the
// explicit credentials imply exactly one method, and env would not use some
// of them, the block's method wins and a warning says which value of
// OPENEO_AUTH_METHOD was ignored. Without explicit credentials (or while
// one of them is unknown), env applies.
func (r *resolver) envMethod(env flows.Method) (flows.Method, Source, string) {
	for _, p := range credentialPaths() {
		if r.unknown(p) {
			return env, SourceEnv, EnvAuthMethod
		}
	}
	// Only values count: an empty basic or oidc block holds no credentials.
	cands := r.inferMethods(false, false)
	if len(cands) != 1 || cands[0].method == env {
		return env, SourceEnv, EnvAuthMethod
	}
	var unused []string
	for _, p := range credentialPaths() {
		if r.explicit(p) != "" && !slices.Contains(MethodUses[env], p) {
			unused = append(unused, p)
		}
	}
	if len(unused) == 0 {
		// env uses every credential of the block (e.g. oidc with a client id
		// and secret): nothing explicit contradicts it.
		return env, SourceEnv, EnvAuthMethod
	}
	slices.Sort(unused)
	c := cands[0]
	r.problem(Problem{Path: AuthMethodPath, Warning: true, Summary: EnvAuthMethod + " Ignored",
		Detail: fmt.Sprintf("The environment variable %[1]s is set to %[2]q, but this provider block sets credentials for the "+
			"%[3]q method (%[4]s), and %[2]q would not use %[5]s. Explicit configuration takes precedence over the "+
			"environment, so this provider instance uses %[3]q and ignores %[1]s. To choose the method yourself, set "+
			"auth_method in the provider block; to use %[2]q, remove those credentials from the block.",
			EnvAuthMethod, env, c.method, strings.Join(c.attrs, ", "), strings.Join(unused, ", "))})
	return c.method, SourceInferred, strings.Join(c.attrs, ", ")
}

// warnUnused warns about explicit credentials the decided method does not
// read: they would be ignored without a word.
func (r *resolver) warnUnused() {
	var unused []string
	for _, p := range credentialPaths() {
		if r.unknown(p) {
			return // the method may still change; the warning comes when all are known
		}
		if r.explicit(p) != "" && !slices.Contains(MethodUses[r.out.Method], p) {
			unused = append(unused, p)
		}
	}
	if len(unused) == 0 {
		return
	}
	slices.Sort(unused)
	from := ""
	switch r.out.MethodSource {
	case SourceAttribute:
		from = " (set by auth_method)"
	case SourceEnv:
		from = " (from the environment variable " + EnvAuthMethod + ")"
	case SourceInferred:
		from = " (inferred from " + r.out.MethodDetail + ")"
	case SourceFile:
		from = " (from " + r.out.MethodDetail + ")"
	}
	them, they, are := "it", "it", "is"
	if len(unused) > 1 {
		them, they, are = "them", "they", "are"
	}
	r.problem(Problem{Path: unused[0], Warning: true, Summary: "Unused Provider Credentials",
		Detail: fmt.Sprintf("%s %s set in the provider block, but the auth method is %q%s, which does not use %s: %s %s "+
			"ignored. Remove %s from the provider block, or set auth_method to the method that uses %s.",
			strings.Join(unused, ", "), are, r.out.Method, from, them, they, are, them, them)})
}
