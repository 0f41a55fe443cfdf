package testrig

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// SecretEncodings are the forms in which a secret may be echoed and must not
// appear, by name: raw; form and URL encoding (space as "+" and as "%20",
// upper- and lower-case hex); JSON string escaping (Go's, with "\/", and
// every character as \u); HTML entities (named and hexadecimal). Forms
// shorter than 6 bytes are left out (they would match by chance).
func SecretEncodings(v string) map[string]string {
	q := url.QueryEscape(v)
	j, _ := json.Marshal(v)
	js := strings.Trim(string(j), `"`)
	var u, hx strings.Builder
	for _, r := range v {
		fmt.Fprintf(&u, `\u%04x`, r)
		if r < 128 && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			fmt.Fprintf(&hx, "&#x%x;", r)
		} else {
			hx.WriteRune(r)
		}
	}
	out := map[string]string{
		"raw":                         v,
		"form-encoded":                q,
		"URL-encoded":                 strings.ReplaceAll(q, "+", "%20"),
		"URL-encoded, lower-case hex": regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(q, strings.ToLower),
		"JSON-escaped":                js,
		`JSON-escaped with \/`:        strings.ReplaceAll(js, "/", `\/`),
		`JSON \u-escaped`:             u.String(),
		"HTML-escaped":                html.EscapeString(v),
		"HTML hex entities":           hx.String(),
	}
	for k, e := range out {
		if len(e) < 6 {
			delete(out, k)
		}
	}
	return out
}

// Leak is a secret found in a text.
type Leak struct {
	// Secret is the value searched for; Encoding names the form it was
	// found in (a key of SecretEncodings) and At is where that form starts.
	Secret, Encoding string
	At               int
	// Near is the text around it, every form of the secret replaced with
	// <<SECRET>>, for a failure message that does not print the secret.
	Near string
}

// FindSecrets returns every secret (in any of its SecretEncodings) that text
// contains, in the order of secrets, one Leak per secret; empty secrets are
// skipped. It is the leak scan of every test that checks logs, output,
// diagnostics, state or files for secrets.
func FindSecrets(text string, secrets ...string) []Leak {
	var out []Leak
	for _, s := range secrets {
		if s == "" {
			continue
		}
		forms := SecretEncodings(s)
		names := make([]string, 0, len(forms))
		for n := range forms {
			names = append(names, n)
		}
		slices.Sort(names)
		// "raw" first: the plainest explanation of a find.
		if i := slices.Index(names, "raw"); i > 0 {
			names[0], names[i] = names[i], names[0]
		}
		for _, n := range names {
			if i := strings.Index(text, forms[n]); i >= 0 {
				lo, hi := max(0, i-200), min(len(text), i+len(forms[n])+100)
				near := text[lo:hi]
				for _, f := range forms {
					near = strings.ReplaceAll(near, f, "<<SECRET>>")
				}
				out = append(out, Leak{Secret: s, Encoding: n, At: i, Near: near})
				break
			}
		}
	}
	return out
}

// SecretFree is nil when text (named what, e.g. "the state") contains none
// of the secrets in any encoding, else an error that names the first one
// found (its first characters only) and the text around it.
func SecretFree(what, text string, secrets ...string) error {
	leaks := FindSecrets(text, secrets...)
	if len(leaks) == 0 {
		return nil
	}
	l := leaks[0]
	return fmt.Errorf("%s contains the secret %s… (%s) near: %s", what, l.Secret[:min(4, len(l.Secret))], l.Encoding, l.Near)
}
