package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

// idp talks to the test IdP (test/idp, started by scripts/rig.sh) over its
// plain HTTP knobs: dynamic client registration and per-client counters.
type idp struct {
	issuer string
	http   *http.Client
}

type client struct {
	ID, Secret string
}

func (p *idp) do(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, url, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// register registers a confidential client_credentials client.
func (p *idp) register(ctx context.Context, name string) (client, error) {
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	err := p.do(ctx, http.MethodPost, p.issuer+"/reg", map[string]any{
		"client_name":                name,
		"grant_types":                []string{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_post",
		"response_types":             []string{},
		"redirect_uris":              []string{},
	}, &out)
	if err == nil && (out.ClientID == "" || out.ClientSecret == "") {
		err = fmt.Errorf("registering a client at %s: incomplete answer", p.issuer)
	}
	return client{ID: out.ClientID, Secret: out.ClientSecret}, err
}

// tokenRequests is the number of POST /token the IdP saw for the client.
func (p *idp) tokenRequests(ctx context.Context, clientID string) (int, error) {
	var st struct {
		TokenRequests int `json:"token_requests"`
	}
	err := p.do(ctx, http.MethodGet, p.issuer+"/test/stats/"+clientID, nil, &st)
	return st.TokenRequests, err
}

// backend is the openEO test back-end, served in this process.
type backend struct {
	*testbackend.Server
	srv *http.Server
}

func startBackend(issuer string, cacheTTL time.Duration) (*backend, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := testbackend.New(testbackend.Config{
		ID:    "openeo-bench",
		Title: "openEO test back-end (make bench)",
		Providers: []testbackend.Provider{
			testbackend.ProviderFor("testidp", issuer),
		},
		// A production back-end validates a token once and caches the
		// answer; without the cache every /me would wait for an
		// introspection at the (single-threaded, Node.js) test IdP and the
		// figures would measure the IdP.
		IntrospectionCacheTTL: cacheTTL,
		SkipUserinfo:          true,
	})
	s.SetBaseURL("http://" + l.Addr().String())
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return &backend{Server: s, srv: srv}, nil
}

func (b *backend) close() { _ = b.srv.Close() }
