package flows

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// hostileSecrets have the punctuation that encodings change: a generated
// client secret and a Google-style refresh token.
var hostileSecrets = []string{`Cs3cr/t+x=&<y>-9f1 "q'`, "1//0gAbC-refresh_Tok3n"}

// echoes are the forms in which a hostile server echoes a secret.
func echoes(sec string) map[string]string {
	q := url.QueryEscape(sec)
	return map[string]string{
		"raw":                  sec,
		"form (+)":             q,
		"URL (%20)":            strings.ReplaceAll(q, "+", "%20"),
		"URL, lower-case hex":  regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(q, strings.ToLower),
		"path escape":          url.PathEscape(sec),
		"JSON":                 strings.Trim(mustJSON(sec), `"`),
		"JSON, escaped slash":  strings.ReplaceAll(strings.Trim(mustJSON(sec), `"`), "/", `\/`),
		"JSON \\u for all":     uEscape(sec),
		"HTML":                 html.EscapeString(sec),
		"HTML, hex entities":   hexEntities(sec),
		"HTML of URL encoding": html.EscapeString(q),
	}
}

func mustJSON(s string) string { return jsonEscape(s, true) }

// uEscape writes every character as a JSON \u escape.
func uEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// hexEntities writes the punctuation as hexadecimal HTML character references.
func hexEntities(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`/+=&<>"' `, r) {
			fmt.Fprintf(&b, "&#x%x;", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestScrubRemovesEveryEncodingOfASecret(t *testing.T) {
	for _, sec := range hostileSecrets {
		for name, echo := range echoes(sec) {
			text := "invalid client: client_secret=" + echo + " was sent"
			got := Scrub(text, hostileSecrets...)
			if !strings.Contains(got, Redacted) {
				t.Errorf("%s form %q: nothing redacted in %q", name, echo, got)
			}
			assertNoSecret(t, name, got)
		}
	}
	if got := Scrub("a plain message about %2F and &amp;", hostileSecrets...); got != "a plain message about %2F and &amp;" {
		t.Errorf("text without secrets changed: %q", got)
	}
}

// assertNoSecret fails when text holds any secret, also after decoding.
func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	decoded := []string{text, html.UnescapeString(text)}
	if u, err := url.QueryUnescape(text); err == nil {
		decoded = append(decoded, u)
	}
	for _, sec := range hostileSecrets {
		for _, d := range decoded {
			if strings.Contains(d, sec) || strings.Contains(d, sec[:len(sec)-3]) {
				t.Errorf("%s: secret %q… left in %q", where, sec[:4], text)
				return
			}
		}
	}
}

func TestErrorAnswersAreScrubbedAfterDecoding(t *testing.T) {
	for _, sec := range hostileSecrets {
		for name, echo := range echoes(sec) {
			// An openEO error object whose message echoes the secret.
			body := `{"code":"Bad","message":"got ` + strings.ReplaceAll(echo, `"`, `\"`) + `"}`
			assertNoSecret(t, "openEO error, "+name, parseErrorResponse(400, "application/json", []byte(body), hostileSecrets).Error())
			// An OAuth error whose description echoes it.
			body = `{"error":"invalid_client","error_description":"got ` + strings.ReplaceAll(echo, `"`, `\"`) + `"}`
			assertNoSecret(t, "OAuth error, "+name, parseOIDCError(opToken, "https://idp/token", 400, "application/json", []byte(body), hostileSecrets).Error())
			// An HTML page.
			body = "<html><body><p>request body: client_secret=" + echo + "</p></body></html>"
			assertNoSecret(t, "HTML page, "+name, parseErrorResponse(502, "text/html", []byte(body), hostileSecrets).Error())
		}
	}
}

func TestScrubLongDescriptionBeforeCuttingIt(t *testing.T) {
	// The secret straddles the cut at 200 characters: scrubbing after
	// truncating would leave its first half.
	sec := hostileSecrets[1]
	desc := strings.Repeat("x", maxExcerpt-8) + " " + sec
	e := parseOIDCError(opToken, "https://idp/token", 400, "application/json",
		[]byte(`{"error":"invalid_grant","error_description":"`+desc+`"}`), []string{sec})
	if strings.Contains(e.Error(), sec[:8]) {
		t.Errorf("a part of the secret survived the cut: %q", e.Error())
	}
}

func TestBasicAuthSecretIsScrubbed(t *testing.T) {
	b64 := BasicAuthSecret("alice", "pw+/x")
	if b64 != base64.StdEncoding.EncodeToString([]byte("alice:pw+/x")) {
		t.Fatalf("BasicAuthSecret = %q", b64)
	}
	for _, echo := range []string{"Basic " + b64, url.QueryEscape(b64)} {
		if got := Scrub("header: "+echo, "pw+/x", b64); strings.Contains(got, b64) || strings.Contains(got, url.QueryEscape(b64)) {
			t.Errorf("base64 credentials left in %q", got)
		}
	}
}
