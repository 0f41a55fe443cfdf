// Command openeo-test-backend runs the openEO API 1.2 test back-end (authentication part) of
// internal/testbackend as a program, e.g. for `make demo`:
//
//	openeo-test-backend --issuer "$OPENEO_TEST_ISSUER" --basic-user alice:alice-pw --url-file .demo/backend-url
//
// It listens on 127.0.0.1 only, logs one line per request (never a secret) to stderr, and serves
// the knobs under /_test/ (see internal/testbackend/admin.go) unless --admin=false.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "openeo-test-backend:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, when not nil, receives the base URL once listening.
func run(ctx context.Context, args []string, logw io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("openeo-test-backend", flag.ContinueOnError)
	fs.SetOutput(logw)
	var basicUsers, extraIssuers multiFlag
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback only; port 0 = a free port)")
	issuer := fs.String("issuer", "", "issuer URL of the OIDC provider (empty: no OIDC provider)")
	providerID := fs.String("provider-id", "testidp", "id of the OIDC provider (bearer prefix oidc/<id>/)")
	providerTitle := fs.String("provider-title", "Test IdP", "title of the OIDC provider")
	scopes := fs.String("scopes", "openid,email", "comma-separated scopes listed for the provider")
	defaultClient := fs.String("default-client", "openeo-public", "default client id listed for the provider (empty: none)")
	defaultGrants := fs.String("default-client-grants", testbackend.GrantDeviceCodePKCE+","+testbackend.GrantRefreshToken,
		"comma-separated grant types of the default client")
	introspection := fs.String("introspection-client", "openeo-backend:openeo-backend-secret",
		"client_id:client_secret the back-end uses for introspection at the IdP")
	fs.Var(&extraIssuers, "extra-provider", "another provider as id=issuer (repeatable; same introspection client)")
	fs.Var(&basicUsers, "basic-user", "basic-auth user as name:password (repeatable)")
	urlFile := fs.String("url-file", "", "write the base URL to this file once listening")
	noBasic := fs.Bool("no-basic", false, "disable /credentials/basic")
	jwt := fs.Bool("jwt", false, "list the JWT conformance class and accept plain bearer tokens")
	invalidStatus := fs.Int("token-invalid-status", 403, "HTTP status of TokenInvalid errors (401 or 403)")
	basicTTL := fs.Duration("basic-token-ttl", time.Hour, "lifetime of basic tokens")
	maxAge := fs.Duration("oidc-max-token-age", 0, "refuse OIDC access tokens this long after first seeing them (0: off)")
	cacheTTL := fs.Duration("introspection-cache", 0, "cache positive introspection answers this long (0: off)")
	admin := fs.Bool("admin", true, "serve the test knobs under /_test/")
	quiet := fs.Bool("quiet", false, "do not log requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--listen %s: only loopback addresses are allowed", *listen)
	}
	if *invalidStatus != 401 && *invalidStatus != 403 {
		return fmt.Errorf("--token-invalid-status must be 401 or 403")
	}

	cfg := testbackend.Config{
		BasicUsers:            map[string]string{},
		BasicDisabled:         *noBasic,
		BasicTokenTTL:         *basicTTL,
		JWTConformance:        *jwt,
		TokenInvalidStatus:    *invalidStatus,
		OIDCMaxTokenAge:       *maxAge,
		IntrospectionCacheTTL: *cacheTTL,
		AdminAPI:              *admin,
	}
	if !*quiet {
		cfg.Log = logw
	}
	for _, u := range basicUsers {
		name, pw, ok := strings.Cut(u, ":")
		if !ok || name == "" || pw == "" {
			return fmt.Errorf("--basic-user %q: want name:password", strings.SplitN(u, ":", 2)[0]+":***")
		}
		cfg.BasicUsers[name] = pw
	}
	introID, introSecret, _ := strings.Cut(*introspection, ":")
	provider := func(id, iss string) testbackend.Provider {
		p := testbackend.Provider{ID: id, Issuer: strings.TrimRight(iss, "/"), Title: *providerTitle,
			IntrospectionClientID: introID, IntrospectionClientSecret: introSecret}
		if *scopes != "" {
			p.Scopes = strings.Split(*scopes, ",")
		}
		if *defaultClient != "" {
			p.DefaultClients = []testbackend.DefaultClient{{ID: *defaultClient, GrantTypes: strings.Split(*defaultGrants, ",")}}
		}
		return p
	}
	if *issuer != "" {
		cfg.Providers = append(cfg.Providers, provider(*providerID, *issuer))
	}
	for _, e := range extraIssuers {
		id, iss, ok := strings.Cut(e, "=")
		if !ok || id == "" || iss == "" {
			return fmt.Errorf("--extra-provider %q: want id=issuer", e)
		}
		p := provider(id, iss)
		p.Title = id
		cfg.Providers = append(cfg.Providers, p)
	}

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + l.Addr().String()
	cfg.BaseURL = base
	s := testbackend.New(cfg)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()

	if *urlFile != "" {
		if err := writeAtomic(*urlFile, base+"\n"); err != nil {
			_ = srv.Close()
			return fmt.Errorf("--url-file: %w", err)
		}
	}
	fmt.Fprintf(logw, "openeo-test-backend: serving %s (API %s%s, %d OIDC provider(s), %d basic user(s))\n",
		base, base, testbackend.APIPath, len(cfg.Providers), len(cfg.BasicUsers))
	if ready != nil {
		ready <- base
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if *urlFile != "" {
		_ = os.Remove(*urlFile)
	}
	return err
}

func writeAtomic(path, content string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".url-*")
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
