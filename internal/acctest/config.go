package acctest

import "strings"

// ProviderBlock is a `provider "openeo"` block of a test configuration, the
// one builder of provider configurations for the CLI tests. Empty fields
// are left out; Username or Password makes a basic block, ClientID or
// ClientSecret an oidc block.
type ProviderBlock struct {
	Alias, URL, Method     string
	Username, Password     string
	ClientID, ClientSecret string
	// Extra is more HCL inside the block (after auth_method), as written.
	Extra string
}

// HCL is the block, with every value quoted (HCLString).
func (p ProviderBlock) HCL() string {
	var b strings.Builder
	b.WriteString("provider \"openeo\" {\n")
	attr := func(indent, name, v string) {
		if v != "" {
			b.WriteString(indent + name + " = " + HCLString(v) + "\n")
		}
	}
	attr("  ", "alias", p.Alias)
	attr("  ", "url", p.URL)
	attr("  ", "auth_method", p.Method)
	if p.Extra != "" {
		b.WriteString(strings.TrimSuffix(p.Extra, "\n") + "\n")
	}
	if p.Username != "" || p.Password != "" {
		b.WriteString("  basic {\n")
		attr("    ", "username", p.Username)
		attr("    ", "password", p.Password)
		b.WriteString("  }\n")
	}
	if p.ClientID != "" || p.ClientSecret != "" {
		b.WriteString("  oidc {\n")
		attr("    ", "client_id", p.ClientID)
		attr("    ", "client_secret", p.ClientSecret)
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}
