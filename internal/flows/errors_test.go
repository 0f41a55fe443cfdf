package flows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrorResponse(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string
		api         bool
	}{
		{"openEO error with id", 403, "application/json",
			`{"id":"936DA01F","code":"TokenInvalid","message":"Authorization token has expired or is invalid. Please authenticate again.","url":"https://x/e"}`,
			"[403] TokenInvalid: Authorization token has expired or is invalid. Please authenticate again. (ref: 936DA01F)", true},
		{"openEO error without id", 401, "application/json", `{"code":"AuthenticationRequired","message":"Unauthorized."}`,
			"[401] AuthenticationRequired: Unauthorized.", true},
		{"numeric id", 500, "application/json", `{"code":"Internal","message":"boom","id":42}`, "[500] Internal: boom (ref: 42)", true},
		{"code not a string", 500, "application/json", `{"code":5,"message":"x"}`, `[500] Internal Server Error: {"code":5,"message":"x"}`, false},
		{"missing message", 400, "application/json", `{"code":"X"}`, `[400] Bad Request: {"code":"X"}`, false},
		{"html page", 502, "text/html", "<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body>\n<h1>Bad   Gateway</h1><script>x()</script><p>nginx &amp; co</p></body></html>",
			"[502] Bad Gateway: 502 Bad Gateway Bad Gateway nginx & co", false},
		{"plain text", 503, "text/plain", "  Service\n\tUnavailable  ", "[503] Service Unavailable: Service Unavailable", false},
		{"truncated json", 500, "application/json", `{"code":"Internal","mess`, `[500] Internal Server Error: {"code":"Internal","mess`, false},
		{"empty body", 504, "", "", "[504] Gateway Timeout", false},
		{"long body is cut", 500, "text/plain", long, "[500] Internal Server Error: " + strings.TrimSpace(long[:200]) + "…", false},
		{"invalid utf8", 500, "text/plain", "bad \xff byte", "[500] Internal Server Error: bad \uFFFD byte", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseErrorResponse(tt.status, tt.contentType, []byte(tt.body))
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q\nwant      %q", got, tt.want)
			}
			var ae *APIError
			if errors.As(err, &ae) != tt.api {
				t.Errorf("APIError = %v, want %v", !tt.api, tt.api)
			}
		})
	}
}

func TestAPIErrorMatching(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", ParseErrorResponse(401, "", []byte(`{"code":"TokenInvalid","message":"m"}`)))
	if !errors.Is(err, CodeTokenInvalid) {
		t.Error("errors.Is(err, CodeTokenInvalid) = false")
	}
	if errors.Is(err, CodeCredentialsInvalid) {
		t.Error("errors.Is(err, CodeCredentialsInvalid) = true")
	}
	if !IsCode(err, CodeCredentialsInvalid, CodeTokenInvalid) || IsCode(err, CodeInternal) {
		t.Error("IsCode mismatch")
	}
	if !errors.Is(err, &APIError{Status: 401}) || errors.Is(err, &APIError{Status: 403, Code: "TokenInvalid"}) {
		t.Error("errors.Is with *APIError target mismatch")
	}
	if !isTokenInvalid(err) {
		t.Error("401 TokenInvalid must trigger renewal")
	}
	if isTokenInvalid(ParseErrorResponse(500, "", []byte(`{"code":"TokenInvalid","message":"m"}`))) {
		t.Error("500 TokenInvalid must not trigger renewal")
	}
	if isTokenInvalid(ParseErrorResponse(403, "", []byte(`{"code":"PermissionsInsufficient","message":"m"}`))) {
		t.Error("403 PermissionsInsufficient must not trigger renewal")
	}
}

func TestOIDCErrorText(t *testing.T) {
	e := parseOIDCError(opToken, "https://idp/token", 400, "application/json", []byte(`{"error":"invalid_grant","error_description":"grant request is invalid"}`), nil)
	if got, want := e.Error(), "Failed to retrieve access token at 'https://idp/token': [400] invalid_grant: grant request is invalid"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = parseOIDCError(opDevice, "https://idp/device", 500, "text/html", []byte(`<h1>oops</h1>`), nil)
	if got, want := e.Error(), "Failed to get verification URL and user code from 'https://idp/device': [500] oops"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &OIDCError{Op: "obtain OIDC discovery document from", Endpoint: "http://127.0.0.1:1/.well-known/openid-configuration",
		Err: &TransportError{Method: "GET", URL: "x", Attempts: 4, Err: errors.New("connection refused")}}
	if got, want := e.Error(), "Failed to obtain OIDC discovery document from 'http://127.0.0.1:1/.well-known/openid-configuration': connection refused (after 4 attempts)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNeedsInteractiveLoginErrorText(t *testing.T) {
	e := &NeedsInteractiveLoginError{BackendURL: "https://oeo.test", ProviderID: "egi", ClientID: "c", Issuer: "https://idp", Reason: "no refresh token stored"}
	msg := e.Error()
	for _, want := range []string{"https://oeo.test", "'egi'", "'c'", "no refresh token stored", "openeo-auth oidc-auth https://oeo.test"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}
