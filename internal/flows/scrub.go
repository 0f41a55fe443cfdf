package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted replaces a secret in scrubbed text.
const Redacted = "<redacted>"

// minSecretLen is the shortest secret that is scrubbed: replacing shorter
// values would mangle ordinary words without protecting anything.
const minSecretLen = 4

// SecretForms returns every form in which a server may echo each secret:
// the raw value; form and URL encoding (space as "+" and as "%20", upper- and
// lower-case hex); JSON string escaping (with and without HTML-safe escapes,
// with and without an escaped "/"); and HTML entities (named and numeric).
// The result has no duplicates and is sorted longest first, so that it can
// be handed to a log masker that replaces exact strings. Secrets shorter
// than 4 bytes are left out.
func SecretForms(secrets ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if len(v) >= minSecretLen && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		q := url.QueryEscape(sec)
		urlForms := []string{q, strings.ReplaceAll(q, "+", "%20"), url.PathEscape(sec)}
		jsonForms := []string{jsonEscape(sec, true), jsonEscape(sec, false)}
		for _, v := range append(append([]string{sec}, urlForms...), jsonForms...) {
			add(v)
			add(lowerHex(v))
			add(strings.ReplaceAll(v, "/", `\/`))
		}
		h := html.EscapeString(sec)
		add(h)
		add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;").Replace(h))
		add(strings.NewReplacer("&#34;", "&quot;", "&#39;", "&apos;").Replace(h))
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// BasicAuthSecret is the base64 of "user:password" that an HTTP Basic
// Authorization header carries; scrub it like the password itself.
func BasicAuthSecret(username, password string) string {
	if password == "" {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
}

func jsonEscape(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(b.String(), `"`), "\n"), `"`)
}

var percentHex = regexp.MustCompile(`%[0-9A-F]{2}`)

func lowerHex(s string) string { return percentHex.ReplaceAllStringFunc(s, strings.ToLower) }

// Scrub replaces every form of each secret in s (see [SecretForms]) with
// "<redacted>". When a secret still shows after decoding the text (HTML
// entities, percent encoding with "+" as space or not, JSON string escapes;
// up to three nested layers), the decoded text is returned, scrubbed. It is
// the one place where secrets are removed from text that is shown or logged.
func Scrub(s string, secrets ...string) string {
	forms := SecretForms(secrets...)
	if len(forms) == 0 {
		return s
	}
	s = replaceForms(s, forms)
	for round := 0; round < 3; round++ {
		changed := false
		for _, decode := range decoders {
			d := decode(s)
			if d != s && containsAny(d, forms) {
				s = replaceForms(d, forms)
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return s
}

func replaceForms(s string, forms []string) string {
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	return s
}

func containsAny(s string, forms []string) bool {
	for _, f := range forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

var (
	percentRun  = regexp.MustCompile(`(?:%[0-9A-Fa-f]{2})+`)
	jsonEscapes = regexp.MustCompile(`\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\["\\/bfnrt]`)
)

// decoders undo the encodings a server may apply to an echoed secret. Each
// leaves text it does not understand as it is.
var decoders = []func(string) string{
	html.UnescapeString,
	percentDecode,
	func(s string) string { return percentDecode(strings.ReplaceAll(s, "+", " ")) },
	func(s string) string {
		return jsonEscapes.ReplaceAllStringFunc(s, func(m string) string {
			var out string
			if json.Unmarshal([]byte(`"`+m+`"`), &out) != nil {
				return m
			}
			return out
		})
	},
}

func percentDecode(s string) string {
	return percentRun.ReplaceAllStringFunc(s, func(m string) string {
		d, err := url.PathUnescape(m)
		if err != nil {
			return m
		}
		return d
	})
}

// scrubBytes replaces every form of each secret in a response body. It does
// not decode (the body keeps its syntax, so it can still be parsed); the
// texts taken from the parsed body go through [Scrub].
func scrubBytes(b []byte, secrets []string) []byte {
	for _, f := range SecretForms(secrets...) {
		b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
	}
	return b
}

// scrub is [Scrub] with a slice.
func scrub(s string, secrets []string) string { return Scrub(s, secrets...) }
