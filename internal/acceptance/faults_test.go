package acceptance_test

// Fault injection at the provider level: a real `terraform apply` against the
// provider binary, with the test IdP and the openEO test back-end answering
// badly. Every case must end in success through retries and renewal, or in a
// clear diagnostic, within a bounded time, and never in a panic.

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testbackend"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// TestAccFaultTokenEndpoint503Twice: the IdP's token endpoint answers 503
// twice, then 200. The apply succeeds, the IdP saw exactly three token
// requests (two 503, one 200), and TF_LOG=debug shows both retries.
func TestAccFaultTokenEndpoint503Twice(t *testing.T) {
	r := acctest.RigPreCheck(t)
	r.IdP.FailNext(t, r.Client.ID, http.StatusServiceUnavailable, 2)
	d := newTFDir(t, r.Dirs, clientCredentialsProvider(r.Backend.URL(), r.Client.ID, "")+dataSources(1))
	logPath := filepath.Join(t.TempDir(), "terraform.log")

	res := d.apply(2*time.Minute, secretEnv(r.Client.Secret), "TF_LOG=debug", "TF_LOG_PATH="+logPath)
	noCrash(t, "apply", res.Output)
	if res.Err != nil {
		t.Fatalf("apply failed although the IdP recovered after two 503: %v\n%s", res.Err, res.Output)
	}
	st := r.IdP.Stats(t, r.Client.ID)
	if st.TokenRequests != 3 || st.ByStatus["503"] != 2 || st.ByStatus["200"] != 1 {
		t.Errorf("IdP stats %+v, want 3 token requests: 503, 503, 200", st)
	}
	log := readFile(t, logPath)
	retry := regexp.MustCompile(`\[DEBUG\] provider[^\n]*retrying request after retryable status[^\n]*`)
	var retries []string
	for _, line := range retry.FindAllString(log, -1) {
		if strings.Contains(line, r.IdP.Endpoints().Token) && strings.Contains(line, "status=503") {
			retries = append(retries, line)
		}
	}
	if len(retries) != 2 {
		t.Errorf("the TF_LOG=debug log shows %d retries of the token endpoint after 503, want 2:\n%s",
			len(retries), strings.Join(retry.FindAllString(log, -1), "\n"))
	}
	for _, l := range retries {
		t.Logf("log: %s", l)
	}
	t.Logf("apply took %v", res.Wall.Round(time.Millisecond))
}

// TestAccFaultIdPDown: the back-end lists an IdP that refuses connections,
// or one that accepts them and never answers. The apply fails with a
// diagnostic that names the issuer, within the configured request timeout
// (plus the bounded retries), instead of hanging.
func TestAccFaultIdPDown(t *testing.T) {
	dead := deadURL(t)
	hanging := hangingURL(t)
	for _, tc := range []struct {
		name, issuer string
		want         *regexp.Regexp
		bound        time.Duration
	}{
		// Connection refused: retried with back-off (1 s, 2 s), then reported.
		{"refused", dead, regexp.MustCompile(`(?s)Error: .*` + regexp.QuoteMeta(dead) + `/\.well-known/openid-configuration`), 30 * time.Second},
		// Never answers: each attempt ends after request_timeout (2 s).
		{"hanging", hanging, regexp.MustCompile(`(?s)Error: .*` + regexp.QuoteMeta(hanging) + `/\.well-known/openid-configuration.*timed\s+out\s+after\s+2s`), 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t, func(c *testbackend.Config) {
				c.Providers = []testbackend.Provider{testbackend.ProviderFor("down", tc.issuer)}
			})
			d := newTFDir(t, r.Dirs, clientCredentialsProvider(r.Backend.URL(), r.Client.ID,
				"  request_timeout = \"2s\"\n  max_retries     = 2")+dataSources(3))
			start := time.Now()
			res := d.apply(2*time.Minute, secretEnv(r.Client.Secret))
			took := time.Since(start)
			noCrash(t, "apply", res.Output)
			if res.Err == nil {
				t.Fatalf("apply succeeded with the IdP down:\n%s", res.Output)
			}
			if !tc.want.MatchString(res.Output) {
				t.Errorf("the diagnostic does not name the issuer's discovery URL (%s):\n%s", tc.issuer, errorBlocks(res.Output))
			}
			if took > tc.bound {
				t.Errorf("apply took %v, want < %v (request_timeout 2s, max_retries 2)", took, tc.bound)
			}
			t.Logf("failed after %v with:\n%s", took.Round(time.Millisecond), errorBlocks(res.Output))
		})
	}
}

// TestAccFaultTokensExpireEvery2s: while an apply reads 100 openeo_account
// data sources, their tokens expire every 2 seconds: at the back-end (every
// token known so far becomes TokenInvalid: reactive renewal), or at the IdP
// (access tokens live 2 s: proactive renewal). The apply succeeds, and the
// IdP sees renewals, not a token request per data source.
func TestAccFaultTokensExpireEvery2s(t *testing.T) {
	for _, tc := range []struct {
		name     string
		backend  bool // the back-end expires tokens; else the IdP's TTL is 2 s
		maxExtra int  // token requests allowed beyond one per expiry period
	}{
		{name: "backend_expires_tokens", backend: true, maxExtra: 2},
		{name: "idp_access_token_ttl_2s", backend: false, maxExtra: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			cl := r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
			if !tc.backend {
				r.IdP.SetAccessTokenTTL(t, cl.ID, 2)
			}
			// Slow /me down (300 ms each; 100 reads at Terraform's default
			// parallelism of 10 take at least 3 s), so that several expiry
			// periods fall inside the apply.
			r.Backend.InjectFault(testbackend.Fault{Path: "/me", Kind: testbackend.KindDelay, Delay: 300 * time.Millisecond, Count: -1})
			d := newTFDir(t, r.Dirs, clientCredentialsProvider(r.Backend.URL(), cl.ID, "")+dataSources(100))

			stop := make(chan struct{})
			var wg sync.WaitGroup
			expiries := 0
			if tc.backend {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tick := time.NewTicker(2 * time.Second)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							r.Backend.ExpireTokens()
							expiries++
						}
					}
				}()
			}
			res := d.apply(5*time.Minute, secretEnv(cl.Secret))
			close(stop)
			wg.Wait()
			noCrash(t, "apply", res.Output)
			if res.Err != nil {
				t.Fatalf("apply failed: %v\n%s", res.Err, res.Output)
			}
			periods := int(res.Wall/(2*time.Second)) + 1
			tokens := r.IdP.TokenRequests(t, cl.ID)
			me := r.Backend.Count("/me")
			invalid := 0
			t.Logf("apply took %v: %d token requests at the IdP, %d GET /me, %d back-end expiries, %d periods of 2 s",
				res.Wall.Round(time.Millisecond), tokens, me, expiries, periods)
			if me < 100 {
				t.Errorf("the back-end saw %d GET /me, want >= 100", me)
			}
			if tokens < 2 {
				t.Errorf("the IdP saw %d token requests: no renewal happened although tokens expired every 2 s "+
					"during a %v apply", tokens, res.Wall.Round(time.Millisecond))
			}
			if tokens > periods+tc.maxExtra {
				t.Errorf("the IdP saw %d token requests for %d periods of 2 s: renewals are not shared by the data sources",
					tokens, periods)
			}
			_ = invalid
		})
	}
}

// deadURL is an http URL on which nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// hangingURL is an http URL whose server accepts connections and never
// answers.
func hangingURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// fakeIssuer serves only a discovery document (doc, with {{issuer}} replaced
// by the server's URL).
func fakeIssuer(t *testing.T, doc string) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, strings.ReplaceAll(doc, "{{issuer}}", srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
