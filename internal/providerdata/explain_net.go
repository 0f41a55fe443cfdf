package providerdata

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/openeo-tf/terraform-provider-openeo/internal/flows"
)

// explainConnection explains the connection problems that are not
// transient and are therefore not retried: a refused redirect of an OIDC
// request, a certificate that cannot be verified, and an https:// URL whose
// server answers plain http.
func explainConnection(err error, s Settings, what string) (Problem, bool) {
	var rre *flows.RedirectRefusedError
	if errors.As(err, &rre) {
		return Problem{
			Summary: "OIDC Endpoint Redirected",
			Detail: fmt.Sprintf("Cannot %s: %s. Requests to an identity provider's token, device authorization and "+
				"revocation endpoints carry credentials (client secret, password, refresh token or device code), so the "+
				"provider never follows their redirects: nothing was sent to %s. The endpoint %s is named by the "+
				"identity provider's discovery document; ask its operator to name the final URL there, or, if %s is a "+
				"proxy in front of it, to make the proxy answer instead of redirecting.",
				what, errorText(err), rre.Target, flows.LogURL(rre.Endpoint), flows.LogURL(rre.Endpoint)),
		}, true
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return Problem{
			Summary: "TLS Certificate Not Trusted",
			Detail: fmt.Sprintf("Cannot %s: %s. The server's certificate could not be verified, so no request was sent "+
				"(this is not retried: it does not go away by waiting). If the server uses a certificate from a private "+
				"certificate authority, set ca_cert_file in the provider block to a PEM file with that authority's "+
				"certificate (it is added to the system's trusted roots), or set the environment variable SSL_CERT_FILE "+
				"to a PEM bundle that replaces the system's roots. Otherwise check the host name in the URL and the "+
				"server's certificate (expired, or issued for another name). The provider has no option to skip "+
				"verification.", what, errorText(err)),
		}, true
	}
	if errors.Is(err, flows.ErrPlainHTTPServer) {
		fix := "The URL says https://, but the server answers plain http: check the port, or write the URL with " +
			"http:// if the server only speaks plain http."
		if s.SchemeAssumed {
			u := strings.TrimPrefix(flows.LogURL(s.URL), "https://")
			fix = fmt.Sprintf("The back-end URL was given without a scheme, so https:// was assumed (as the Python "+
				"client does), but the server answers plain http. Write the scheme in the URL: url = \"http://%s\" if "+
				"the server only speaks plain http (basic authentication then needs a loopback host or "+
				"allow_insecure_basic_auth), or give the server's https:// address.", u)
		}
		return Problem{
			Summary: "Server Answers Plain HTTP, Not HTTPS",
			Detail:  fmt.Sprintf("Cannot %s: %s. %s", what, errorText(err), fix),
		}, true
	}
	return Problem{}, false
}

// errorText is the error's message without a trailing period.
func errorText(err error) string { return strings.TrimSuffix(strings.TrimSpace(err.Error()), ".") }
