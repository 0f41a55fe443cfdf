package datasources

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
	pd "github.com/openeo-tf/terraform-provider-openeo/internal/providerdata"
)

func TestExplainRefusedRedirect(t *testing.T) {
	err := &flows.OIDCError{Op: "retrieve access token at", Endpoint: "https://idp.test/token",
		Err: &flows.TransportError{Method: "POST", URL: "https://idp.test/token", Attempts: 1,
			Err: &flows.RedirectRefusedError{Endpoint: "https://idp.test/token", Status: 307, Target: "http://evil.test:8080"}}}
	p := explain(err, pd.Settings{}, "read the openEO account")
	if p.Summary != "OIDC Endpoint Redirected" || !strings.Contains(p.Detail, "nothing was sent to http://evil.test:8080") ||
		!strings.Contains(p.Detail, "https://idp.test/token") {
		t.Errorf("%s: %s", p.Summary, p.Detail)
	}
}

func TestExplainUntrustedCertificateAndCAFile(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"api_version":"1.2.0","endpoints":[]}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)

	_, err := flows.NewClient(flows.HTTPOptions{}).Capabilities(t.Context(), srv.URL, "")
	p := explain(err, pd.Settings{URL: srv.URL}, "read the capabilities")
	if p.Summary != "TLS Certificate Not Trusted" || !strings.Contains(p.Detail, "ca_cert_file") ||
		!strings.Contains(p.Detail, "SSL_CERT_FILE") || strings.Contains(p.Detail, "max_retries") {
		t.Errorf("%s: %s", p.Summary, p.Detail)
	}

	// The server's certificate in a PEM file makes it trusted.
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	pool, err := flows.LoadCertPool(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flows.NewClient(flows.HTTPOptions{RootCAs: pool}).Capabilities(t.Context(), srv.URL, ""); err != nil {
		t.Errorf("with the CA file: %v", err)
	}
	if err := os.WriteFile(caFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := flows.LoadCertPool(caFile); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("a file without certificates: %v", err)
	}
}

func TestExplainAssumedHTTPS(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()
	_, err := flows.NewClient(flows.HTTPOptions{}).Capabilities(t.Context(), "https://"+host, "")
	p := explain(err, pd.Settings{URL: "https://" + host, SchemeAssumed: true}, "read the capabilities")
	if p.Summary != "Server Answers Plain HTTP, Not HTTPS" || !strings.Contains(p.Detail, "https:// was assumed") ||
		!strings.Contains(p.Detail, `url = "http://`+host+`"`) || strings.Contains(p.Detail, "attempts") {
		t.Errorf("%s: %s", p.Summary, p.Detail)
	}
	p = explain(err, pd.Settings{URL: "https://" + host}, "read the capabilities")
	if strings.Contains(p.Detail, "was assumed") || !strings.Contains(p.Detail, "http://") {
		t.Errorf("explicit https://: %s", p.Detail)
	}
}

// Server text in any error (here a provider id the back-end listed) reaches
// the diagnostic without control characters or bidi overrides.
func TestExplainCleansServerText(t *testing.T) {
	err := fmt.Errorf("the back-end lists the provider %q", "egi\x1b[2J\u202Eevil\x00")
	p := explain(err, pd.Settings{}, "read the openEO account")
	for _, r := range p.Summary + p.Detail {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Fatalf("the diagnostic keeps %U: %q", r, p.Detail)
		}
	}
}
