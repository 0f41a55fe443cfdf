package authcli

import "strings"

// OIDCAuthLine describes an `openeo-auth oidc-auth` command line, the one
// fix that diagnostics of the provider and of openeo-auth name when a login
// must be stored again. Empty fields are left out.
type OIDCAuthLine struct {
	BackendURL        string
	ProviderID        string
	ClientID          string
	ClientSecretStdin bool // --client-secret-stdin (with ClientID only)
	AuthConfig        string
	RefreshTokens     string
}

// String is the command line, each argument quoted for a POSIX shell when
// it has characters other than letters, digits and @%+=:,./_-.
func (l OIDCAuthLine) String() string {
	args := []string{"openeo-auth", "oidc-auth", l.BackendURL}
	if l.ProviderID != "" {
		args = append(args, "--provider-id", l.ProviderID)
	}
	if l.ClientID != "" {
		args = append(args, "--client-id", l.ClientID)
		if l.ClientSecretStdin {
			args = append(args, "--client-secret-stdin")
		}
	}
	if l.AuthConfig != "" {
		args = append(args, "--auth-config", l.AuthConfig)
	}
	if l.RefreshTokens != "" {
		args = append(args, "--refresh-tokens", l.RefreshTokens)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

func shellQuote(a string) string {
	plain := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)
	}
	if a != "" && strings.IndexFunc(a, func(r rune) bool { return !plain(r) }) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
