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
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
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
	d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID}.HCL()+dataSources(1))
	logPath := filepath.Join(t.TempDir(), "terraform.log")

	res := d.Apply(secretEnv(r.Client.Secret), "TF_LOG=debug", "TF_LOG_PATH="+logPath)
	noCrash(t, "apply", res.Output)
	if res.Err != nil {
		t.Fatalf("apply failed although the IdP recovered after two 503: %v\n%s", res.Err, res.Output)
	}
	st := r.IdP.Stats(t, r.Client.ID)
	if st.TokenRequests != 3 || st.ByStatus["503"] != 2 || st.ByStatus["200"] != 1 {
		t.Errorf("IdP stats %+v, want 3 token requests: 503, 503, 200", st)
	}
	log := string(testrig.ReadFile(t, logPath))
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
	}{
		// Connection refused: retried with back-off (1 s, 2 s), then reported.
		{"refused", dead, regexp.MustCompile(`(?s)Error: .*` + regexp.QuoteMeta(dead) + `/\.well-known/openid-configuration`)},
		// Never answers: each attempt ends after request_timeout (2 s).
		{"hanging", hanging, regexp.MustCompile(`(?s)Error: .*` + regexp.QuoteMeta(hanging) + `/\.well-known/openid-configuration.*timed\s+out\s+after\s+2s`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t, func(c *testbackend.Config) {
				c.Providers = []testbackend.Provider{testbackend.ProviderFor("down", tc.issuer)}
			})
			d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID, Extra: "  request_timeout = \"2s\"\n  max_retries     = 2"}.HCL()+dataSources(3))
			start := time.Now()
			res := d.Apply(secretEnv(r.Client.Secret))
			took := time.Since(start)
			noCrash(t, "apply", res.Output)
			if res.Err == nil {
				t.Fatalf("apply succeeded with the IdP down:\n%s", res.Output)
			}
			if !tc.want.MatchString(res.Output) {
				t.Errorf("the diagnostic does not name the issuer's discovery URL (%s):\n%s", tc.issuer, errorBlocks(res.Output))
			}
			t.Logf("failed after %v with:\n%s", took.Round(time.Millisecond), errorBlocks(res.Output))
		})
	}
}

// TestAccFaultTokensExpire: while an apply reads 100 openeo_account data
// sources, their tokens expire every tokenPeriod: at the back-end (every
// token known so far becomes TokenInvalid: reactive renewal), or at the IdP
// (access tokens live tokenPeriod: proactive renewal). The apply succeeds,
// and the IdP sees renewals, not a token request per data source.
//
// tokenPeriod is long enough that a renewed token is used well before it
// expires in turn even on a machine loaded many times over (a renewal that
// is stale again on arrival fails the read, as it should), and /me is slow
// enough that several periods fall inside the apply.
func TestAccFaultTokensExpire(t *testing.T) {
	const tokenPeriod = 6 * time.Second
	for _, tc := range []struct {
		name    string
		backend bool // the back-end expires tokens; else the IdP's TTL is tokenPeriod
	}{
		{name: "backend_expires_tokens", backend: true},
		{name: "idp_access_token_ttl", backend: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t)
			cl := r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
			if !tc.backend {
				r.IdP.SetAccessTokenTTL(t, cl.ID, int(tokenPeriod/time.Second))
			}
			// Slow /me down (1.5 s each; 100 reads at Terraform's default
			// parallelism of 10 take at least 15 s), so that at least two
			// expiry periods fall inside the apply.
			r.Backend.InjectFault(testbackend.Fault{Path: "/me", Kind: testbackend.KindDelay, Delay: 1500 * time.Millisecond, Count: -1})
			d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: cl.ID}.HCL()+dataSources(100))

			stop := make(chan struct{})
			var wg sync.WaitGroup
			var expiries atomic.Int32
			if tc.backend {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tick := time.NewTicker(tokenPeriod)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							r.Backend.ExpireTokens()
							expiries.Add(1)
						}
					}
				}()
			}
			res := d.Apply(secretEnv(cl.Secret))
			close(stop)
			wg.Wait()
			noCrash(t, "apply", res.Output)
			if res.Err != nil {
				t.Fatalf("apply failed: %v\n%s", res.Err, res.Output)
			}
			periods := int(res.Wall/tokenPeriod) + 1
			tokens := r.IdP.TokenRequests(t, cl.ID)
			me := r.Backend.Count("/me")
			t.Logf("apply took %v: %d token requests at the IdP, %d GET /me, %d back-end expiries, %d periods of %v",
				res.Wall.Round(time.Millisecond), tokens, me, expiries.Load(), periods, tokenPeriod)
			if me < 100 {
				t.Errorf("the back-end saw %d GET /me, want >= 100", me)
			}
			if tokens < 3 {
				t.Errorf("the IdP saw %d token requests: tokens expired every %v during a %v apply, want >= 2 renewals",
					tokens, tokenPeriod, res.Wall.Round(time.Millisecond))
			}
			// One token at the start, then one renewal per expiry, with a
			// little slack for an expiry that falls between a token's use
			// and its renewal; never one per data source.
			limit := periods + 2
			if tc.backend {
				limit = int(expiries.Load()) + 2
			}
			if tokens > limit {
				t.Errorf("the IdP saw %d token requests, want <= %d: renewals are not shared by the data sources", tokens, limit)
			}
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

// TestAccFaultBrokenAnswers: slow answers past the timeout, 429 with
// Retry-After, truncated and non-JSON bodies, wrong content types, HTML
// error pages and a back-end without OIDC providers. Each either succeeds
// (through a retry where a retry is allowed to help, or because the answer
// is usable as it is) or fails with its own diagnostic summary that names the
// request, in bounded time, without a panic.
func TestAccFaultBrokenAnswers(t *testing.T) {
	type rigFn = func(t *testing.T, r *acctest.Rig, cl testrig.Client)
	for _, tc := range []struct {
		name    string
		mods    []func(*testbackend.Config)
		arm     rigFn
		extra   string         // provider block attributes
		wantErr *regexp.Regexp // nil: the apply must succeed
		// wantURL, when set, is a URL the diagnostic must show verbatim
		// (the request that failed), or with a successful apply a path
		// the back-end must have served (the fault must have fired).
		wantURL func(r *acctest.Rig) string
		minTime time.Duration // e.g. a Retry-After that must be honoured
	}{
		{
			name: "me_slower_than_timeout",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/me", Delay: 10 * time.Second, Count: -1})
			},
			extra:   "  request_timeout = \"1s\"\n  max_retries     = 1",
			wantErr: regexp.MustCompile(`(?s)Error: openEO Back-End Unreachable.*GET\s+\S+/me.*timed\s+out\s+after\s+1s`),
		},
		{
			name: "token_endpoint_slower_than_timeout",
			arm: func(t *testing.T, r *acctest.Rig, cl testrig.Client) {
				r.IdP.DelayNext(t, cl.ID, 10*time.Second, 5)
			},
			extra:   "  request_timeout = \"1s\"\n  max_retries     = 1",
			wantErr: regexp.MustCompile(`(?s)Error: OIDC Request Failed.*Failed\s+to\s+retrieve\s+access\s+token\s+at\s+'\S+/token':.*timed\s+out\s+after\s+1s`),
			wantURL: func(r *acctest.Rig) string { return r.IdP.Endpoints().Token },
		},
		{
			name: "me_429_retry_after_then_ok",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/me", Status: http.StatusTooManyRequests, RetryAfter: "2", Count: 1})
			},
			minTime: 2 * time.Second,
		},
		{
			name: "me_429_until_retries_run_out",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/me", Status: http.StatusTooManyRequests, RetryAfter: "1", Count: -1})
			},
			extra: "  max_retries = 1",
			// The request, the status, both attempts and the fix.
			wantErr: regexp.MustCompile(`(?s)Error: openEO Back-End Busy.*GET\s+\S+/openeo/1\.2/me\s+answered\s+\[429\]` +
				`.*after\s+2\s+attempts.*raise\s+max_retries\s+\(now\s+1\)`),
			minTime: 1 * time.Second,
		},
		{
			name: "token_endpoint_429_retry_after_then_ok",
			arm: func(t *testing.T, r *acctest.Rig, cl testrig.Client) {
				r.IdP.InjectFault(t, cl.ID, testrig.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2", Count: 1})
			},
			minTime: 2 * time.Second,
		},
		{
			name: "me_truncated",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/me", Kind: testbackend.KindTruncated, Count: -1})
			},
			extra: "  max_retries = 1",
			// The same summary as a truncated /credentials/oidc.
			wantErr: regexp.MustCompile(`(?s)Error: openEO Back-End Answer Incomplete.*GET\s+\S+/openeo/1\.2/me:\s+reading\s+the\s+body` +
				`.*unexpected\s+EOF.*try\s+again`),
		},
		{
			name: "me_not_json",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/me", Kind: testbackend.KindMalformed, Count: -1})
			},
			wantErr: regexp.MustCompile(`(?s)Error: .*account.*GET\s+\S+/openeo/1\.2/me:\s+invalid\s+account\s+document`),
		},
		{
			name: "capabilities_wrong_content_type",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/", Kind: testbackend.KindWrongContentType, Count: -1})
			},
			// Like the Python client (requests' Response.json() ignores the
			// Content-Type), a JSON body served as text/html is parsed and
			// used: the apply succeeds.
			wantURL: func(*acctest.Rig) string { return "/" },
		},
		{
			name: "credentials_oidc_html_502",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/credentials/oidc", Kind: testbackend.KindHTML, Count: -1})
			},
			extra: "  max_retries = 1",
			// The request, the status and the page's text (not its markup),
			// both attempts and the fix.
			wantErr: regexp.MustCompile(`(?s)Error: openEO Back-End Error.*GET\s+\S+/openeo/1\.2/credentials/oidc\s+answered\s+` +
				`\[502\]\s+Bad\s+Gateway:\s+502\s+Bad\s+Gateway.*nginx\s+\(after\s+2\s+attempts\).*try\s+again\s+later`),
		},
		{
			name: "credentials_oidc_truncated",
			arm: func(t *testing.T, r *acctest.Rig, _ testrig.Client) {
				r.Backend.InjectFault(testbackend.Fault{Path: "/credentials/oidc", Kind: testbackend.KindTruncated, Count: -1})
			},
			extra: "  max_retries = 1",
			wantErr: regexp.MustCompile(`(?s)Error: openEO Back-End Answer Incomplete.*GET\s+\S+/openeo/1\.2/credentials/oidc:\s+reading\s+the\s+body` +
				`.*unexpected\s+EOF.*try\s+again`),
		},
		{
			name: "credentials_oidc_no_providers",
			mods: []func(*testbackend.Config){func(c *testbackend.Config) { c.EmptyProviders = true }},
			// Its own summary, the Python client's message, the request and
			// the fix (no provider to pick from, so no provider_id advice).
			wantErr: regexp.MustCompile(`(?s)Error: No OIDC Providers Listed.*Backend\s+lists\s+no\s+OIDC\s+providers\.\s+GET\s+` +
				`\S+/openeo/1\.2/credentials/oidc\s+lists\s+no\s+usable\s+OIDC\s+provider.*auth_method\s+=\s+"basic".*` +
				`ask\s+the\s+back-end's\s+operator.*check\s+GET\s+\S+/openeo/1\.2/credentials/oidc\s+again`),
			wantURL: func(r *acctest.Rig) string { return r.Backend.URL() + "/openeo/1.2/credentials/oidc" },
		},
		{
			name: "token_endpoint_not_json",
			arm: func(t *testing.T, r *acctest.Rig, cl testrig.Client) {
				r.IdP.InjectFault(t, cl.ID, testrig.Fault{Status: http.StatusOK, Body: "<html><body>Welcome</body></html>",
					ContentType: "text/html", Count: 5})
			},
			wantErr: regexp.MustCompile(`(?s)Error: OIDC Token Response Invalid.*Failed\s+to\s+retrieve\s+access\s+token\s+at\s+` +
				`'\S+/token':\s+\[200\]\s+OK:\s+token\s+response\s+is\s+not\s+a\s+JSON\s+object.*not\s+with\s+an\s+OAuth\s+token\s+response` +
				`.*token_endpoint`),
			wantURL: func(r *acctest.Rig) string { return r.IdP.Endpoints().Token },
		},
		{
			name: "token_endpoint_wrong_content_type",
			arm: func(t *testing.T, r *acctest.Rig, cl testrig.Client) {
				r.IdP.InjectFault(t, cl.ID, testrig.Fault{Status: http.StatusBadRequest,
					Body:        map[string]any{"error": "invalid_request", "error_description": "served as text/plain"},
					ContentType: "text/plain", Count: 5})
			},
			// The OAuth error is read from the body whatever its Content-Type.
			wantErr: regexp.MustCompile(`(?s)Error: OIDC Request Failed.*Failed\s+to\s+retrieve\s+access\s+token\s+at\s+'\S+/token':\s+` +
				`\[400\]\s+invalid_request:\s+served\s+as\s+text/plain`),
			wantURL: func(r *acctest.Rig) string { return r.IdP.Endpoints().Token },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := acctest.RigPreCheck(t, tc.mods...)
			cl := r.IdP.RegisterClient(t, testrig.ClientSpec{GrantTypes: []string{testrig.GrantClientCredentials}})
			if tc.arm != nil {
				tc.arm(t, r, cl)
			}
			d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: cl.ID, Extra: tc.extra}.HCL()+dataSources(1))
			res := d.Apply(secretEnv(cl.Secret))
			noCrash(t, "apply", res.Output)
			if tc.wantErr == nil {
				if res.Err != nil {
					t.Fatalf("apply failed: %v\n%s", res.Err, res.Output)
				}
				if tc.wantURL != nil && r.Backend.Count(tc.wantURL(r)) == 0 {
					t.Errorf("the back-end never served %s: the fault was not tested", tc.wantURL(r))
				}
			} else {
				if res.Err == nil {
					t.Fatalf("apply succeeded, want an error matching %s:\n%s", tc.wantErr, res.Output)
				}
				if !tc.wantErr.MatchString(res.Output) {
					t.Errorf("the diagnostic does not match %s:\n%s", tc.wantErr, errorBlocks(res.Output))
				}
				if tc.wantURL != nil && !strings.Contains(errorBlocks(res.Output), tc.wantURL(r)) {
					t.Errorf("the diagnostic does not name %s:\n%s", tc.wantURL(r), errorBlocks(res.Output))
				}
				if strings.Contains(errorBlocks(res.Output), "<html") {
					t.Errorf("the diagnostic quotes HTML:\n%s", errorBlocks(res.Output))
				}
			}
			if strings.Contains(res.Output, cl.Secret) {
				t.Error("the output shows the client secret")
			}
			if res.Wall < tc.minTime {
				t.Errorf("apply took %v, want >= %v (Retry-After must be honoured)", res.Wall, tc.minTime)
			}
			t.Logf("apply took %v (err %v)\n%s", res.Wall.Round(time.Millisecond), res.Err, errorBlocks(res.Output))
		})
	}
}

// TestAccFaultDiscoveryWithoutTokenEndpoint: the IdP's discovery document
// has no token_endpoint. The diagnostic has its own summary, names the
// discovery URL and points at the issuer URL and the IdP's configuration
// (not at the network: the IdP answered).
func TestAccFaultDiscoveryWithoutTokenEndpoint(t *testing.T) {
	issuer := fakeIssuer(t, `{"issuer": "{{issuer}}", "jwks_uri": "{{issuer}}/jwks", "scopes_supported": ["openid"]}`)
	r := acctest.RigPreCheck(t, func(c *testbackend.Config) {
		c.Providers = []testbackend.Provider{testbackend.ProviderFor("broken", issuer)}
	})
	d := acctest.NewWorkDir(t, r.Dirs, acctest.ProviderBlock{URL: r.Backend.URL(), Method: "client_credentials", ClientID: r.Client.ID}.HCL()+dataSources(1))
	res := d.Apply(secretEnv(r.Client.Secret))
	noCrash(t, "apply", res.Output)
	if res.Err == nil {
		t.Fatalf("apply succeeded:\n%s", res.Output)
	}
	discovery := regexp.QuoteMeta(issuer + "/.well-known/openid-configuration")
	want := regexp.MustCompile(`(?s)Error: OIDC Discovery Document Incomplete.*Failed\s+to\s+obtain\s+OIDC\s+discovery\s+document\s+` +
		`from\s+'` + discovery + `':\s+discovery\s+document\s+has\s+no\s+token_endpoint\.\s+The\s+identity\s+provider\s+answered\s+` +
		`GET\s+` + discovery + `,.*issuer\s+URL\s+the\s+back-end\s+lists.*identity\s+provider's\s+configuration`)
	if !want.MatchString(res.Output) {
		t.Errorf("the diagnostic does not match %s:\n%s", want, errorBlocks(res.Output))
	}
	if strings.Contains(errorBlocks(res.Output), "reachable") {
		t.Errorf("the diagnostic blames the network although the IdP answered:\n%s", errorBlocks(res.Output))
	}
	t.Logf("\n%s", errorBlocks(res.Output))
}
