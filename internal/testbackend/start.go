package testbackend

import (
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
)

// Start runs a back-end for the test on a free port of 127.0.0.1 and closes it when the test ends.
// cfg.BaseURL is set to the server's URL.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testbackend: listen: %v", err)
	}
	s := New(cfg)
	hs := httptest.NewUnstartedServer(s)
	hs.Listener.Close()
	hs.Listener = l
	if cfg.TLS {
		hs.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that do not trust the certificate
		hs.StartTLS()
		s.mu.Lock()
		s.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
		s.mu.Unlock()
	} else {
		hs.Start()
	}
	s.SetBaseURL(hs.URL)
	t.Cleanup(hs.Close)
	return s
}

// CertificatePEM is the PEM of the self-signed certificate of a back-end started with
// Config.TLS (nil otherwise): what a client must trust to reach it.
func (s *Server) CertificatePEM() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certPEM
}

// TestLog returns a writer for Config.Log that writes through t.Log.
func TestLog(t testing.TB) io.Writer { return testLog{t} }

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
