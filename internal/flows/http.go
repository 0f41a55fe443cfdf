package flows

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// LogLevel is the severity of a log message.
type LogLevel int

// Log levels.
const (
	LevelDebug LogLevel = iota
	LevelInfo
	LevelWarn
	LevelError
)

func (l LogLevel) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelWarn:
		return "warn"
	case LevelError:
		return "error"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// Logger receives the package's log messages. Messages and fields never
// contain secrets (tokens, passwords, client secrets, device codes).
type Logger interface {
	Log(ctx context.Context, level LogLevel, msg string, fields map[string]any)
}

// LevelLogger is a [Logger] that tells whether messages of a level are
// logged at all. The package does not build the fields of a message that
// a LevelLogger would drop (per-request messages cost allocations).
type LevelLogger interface {
	Logger
	Enabled(level LogLevel) bool
}

// LoggerFunc adapts a function to the [Logger] interface.
type LoggerFunc func(ctx context.Context, level LogLevel, msg string, fields map[string]any)

// Log calls f.
func (f LoggerFunc) Log(ctx context.Context, level LogLevel, msg string, fields map[string]any) {
	f(ctx, level, msg, fields)
}

// Defaults of [HTTPOptions].
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 3
	DefaultRetryBaseWait = 1 * time.Second
	DefaultRetryMaxWait  = 30 * time.Second
	DefaultUserAgent     = "terraform-provider-openeo/dev"
)

// UserAgent returns the User-Agent header value for a provider version.
func UserAgent(version string) string { return "terraform-provider-openeo/" + version }

// HTTPOptions configures how requests are sent. The zero value is usable.
type HTTPOptions struct {
	// Client sends the requests; nil means a client with its own transport.
	// Its CheckRedirect, if any, is called after this package's redirect
	// policy (which drops the Authorization header when a redirect leaves
	// the API root). Its Timeout should be zero: per-attempt timeouts come
	// from Timeout below.
	Client *http.Client
	// Timeout bounds each attempt (connect, headers and reading the body).
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is the number of retries after the first attempt, for
	// idempotent requests and OIDC token requests that failed with 429, 502,
	// 503, 504 or a connection error. The refresh token grant, which spends
	// its token, is retried only after 429 or 503 and when the connection
	// could not be made (see [Client.RefreshTokenGrant]). Zero means
	// DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// RetryBaseWait is the first backoff wait; it doubles per retry and gets
	// jitter (a random value between half and all of it). Zero means
	// DefaultRetryBaseWait.
	RetryBaseWait time.Duration
	// RetryMaxWait caps every wait, including one asked for by a Retry-After
	// header. Zero means DefaultRetryMaxWait.
	RetryMaxWait time.Duration
	// UserAgent is sent with every request. Empty means DefaultUserAgent;
	// see [UserAgent].
	UserAgent string
	// Logger receives debug messages about requests and retries; nil
	// discards them.
	Logger Logger
	// RootCAs, when set, are the certificate authorities trusted for https
	// (see [LoadCertPool]); nil means the system's roots (which the
	// environment variable SSL_CERT_FILE can replace).
	RootCAs *x509.CertPool
}

// Client sends openEO and OIDC requests: timeouts, retries, User-Agent,
// Authorization scoping and error parsing. It holds no credentials and is
// safe for concurrent use.
type Client struct {
	hc         *http.Client
	timeout    time.Duration
	maxRetries int
	baseWait   time.Duration
	maxWait    time.Duration
	userAgent  string
	logger     Logger
	sleep      func(ctx context.Context, d time.Duration) error // replaced in tests
}

// NewClient returns a Client configured by opts.
func NewClient(opts HTTPOptions) *Client {
	c := &Client{
		timeout:    orDuration(opts.Timeout, DefaultTimeout),
		maxRetries: opts.MaxRetries,
		baseWait:   orDuration(opts.RetryBaseWait, DefaultRetryBaseWait),
		maxWait:    orDuration(opts.RetryMaxWait, DefaultRetryMaxWait),
		userAgent:  opts.UserAgent,
		logger:     opts.Logger,
		sleep:      sleepCtx,
	}
	if c.maxRetries == 0 {
		c.maxRetries = DefaultMaxRetries
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	var hc http.Client
	if opts.Client != nil {
		hc = *opts.Client // shallow copy: keep the caller's transport and jar
	} else {
		// Clone the default transport so that this client's idle
		// connections are its own; a replaced DefaultTransport is used as is.
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			hc.Transport = dt.Clone()
		}
	}
	if opts.RootCAs != nil {
		hc.Transport = withRootCAs(hc.Transport, opts.RootCAs)
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := scopeRedirect(req, via); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	c.hc = &hc
	return c
}

// withRootCAs returns a copy of rt (nil: the default transport) that trusts
// pool. A transport that is not an *http.Transport is returned unchanged.
func withRootCAs(rt http.RoundTripper, pool *x509.CertPool) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	t.TLSClientConfig.RootCAs = pool
	return t
}

// LoadCertPool returns the system's trusted roots plus the certificates of
// the PEM file at path. It fails when the file cannot be read or holds no
// PEM certificate.
func LoadCertPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the CA certificate file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("the CA certificate file %s holds no PEM certificate", path)
	}
	return pool, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// log sends a message to the logger. String field values (which may come
// from servers: URLs, error texts) go through [CleanText].
func (c *Client) log(ctx context.Context, level LogLevel, msg string, fields map[string]any) {
	if !c.logs(level) {
		return // dropped: no need to clean its fields
	}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			fields[k] = CleanText(s)
		}
	}
	c.logger.Log(ctx, level, msg, fields)
}

// logs reports whether a message of level reaches the logger; callers on
// hot paths check it before building the fields.
func (c *Client) logs(level LogLevel) bool {
	if c.logger == nil {
		return false
	}
	if l, ok := c.logger.(LevelLogger); ok {
		return l.Enabled(level)
	}
	return true
}

// rootKey carries the API root of a request to the redirect policy.
type rootKey struct{}

// noRedirectKey marks a request whose redirects the policy refuses.
type noRedirectKey struct{}

// RedirectRefusedError is an OIDC POST (token, device authorization,
// revocation) that was answered with a redirect. Such requests carry client
// secrets, passwords, refresh tokens or device codes, and a client that
// follows a 307 or 308 sends them again to the new target: they are never
// followed, and nothing is sent to Target.
type RedirectRefusedError struct {
	// Endpoint is the URL that was requested (without query and user info).
	Endpoint string
	// Status is the redirect status (301, 302, 303, 307, 308).
	Status int
	// Target is the scheme, host and port the redirect pointed at.
	Target string
}

func (e *RedirectRefusedError) Error() string {
	return fmt.Sprintf("the endpoint answered [%d] with a redirect to %s, which is not followed: OIDC requests carry "+
		"credentials and go only to the endpoint the discovery document names (nothing was sent to %s)",
		e.Status, e.Target, e.Target)
}

// errTooManyRedirects is returned by the redirect policy.
var errTooManyRedirects = errors.New("stopped after 10 redirects")

// scopeRedirect drops the Authorization header when a redirect leaves the
// API root of the original request (or, without a root, its host).
func scopeRedirect(req *http.Request, via []*http.Request) error {
	if refuse, _ := req.Context().Value(noRedirectKey{}).(bool); refuse {
		e := &RedirectRefusedError{Endpoint: logURL(via[0].URL.String()), Target: origin(req.URL)}
		if req.Response != nil {
			e.Status = req.Response.StatusCode
		}
		return e
	}
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	if req.Header.Get("Authorization") == "" {
		return nil
	}
	root, _ := req.Context().Value(rootKey{}).(string)
	keep := false
	if root != "" {
		keep = InsideRoot(root, req.URL.String())
	}
	if !keep || !sameOrigin(via[0].URL, req.URL) {
		req.Header.Del("Authorization")
	}
	return nil
}

// origin is "scheme://host:port" of u.
func origin(u *url.URL) string { return strings.ToLower(u.Scheme) + "://" + hostPort(u) }

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	h, p := u.Hostname(), u.Port()
	if p == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			p = "443"
		case "http":
			p = "80"
		}
	}
	return strings.ToLower(h) + ":" + p
}

// InsideRoot reports whether target is the API root itself or below it:
// same scheme, host and port, and a path equal to the root path or starting
// with it followed by "/". Authorization headers are only sent to such
// URLs (the Python client's rule, evaluated on parsed and cleaned URLs).
func InsideRoot(root, target string) bool {
	r, err := url.Parse(root)
	if err != nil || r.Host == "" {
		return false
	}
	t, err := url.Parse(target)
	if err != nil || t.Host == "" {
		return false
	}
	if !sameOrigin(r, t) || t.User != nil {
		return false
	}
	rp := cleanPath(r.EscapedPath())
	tp := cleanPath(t.EscapedPath())
	if rp == "/" {
		return true
	}
	return tp == rp || strings.HasPrefix(tp, rp+"/")
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	return path.Clean("/" + p)
}

// request describes one logical HTTP request; send turns it into one or more
// attempts.
type request struct {
	method      string
	url         string
	body        []byte
	contentType string
	accept      string
	// auth is the Authorization header value; it is only attached when url
	// is inside root.
	auth string
	root string
	// retry allows retries (idempotent requests and OIDC token requests).
	retry bool
	// noRedirect refuses redirects with a *RedirectRefusedError (OIDC POSTs).
	noRedirect bool
	// oneTime marks a request that spends a one-time credential (the
	// refresh token grant at identity providers that rotate refresh
	// tokens): it is retried only when it cannot have reached the server
	// (see unsent) or the server answered 429 or 503, never after a
	// timeout or a dropped connection.
	oneTime bool
	// secrets are scrubbed from error bodies and log messages.
	secrets []string
	// timeout bounds each attempt instead of the client's timeout when it
	// is positive and shorter (device-flow polls).
	timeout time.Duration
	// template, when set, is cloned for each attempt instead of building a
	// request from method/url/body (Session.Do). Its body must be
	// replayable through GetBody.
	template *http.Request
}

func (r *request) build(ctx context.Context) (*http.Request, error) {
	var req *http.Request
	if r.template != nil {
		req = r.template.Clone(ctx)
		if r.template.GetBody != nil {
			b, err := r.template.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = b
		}
	} else {
		var body io.Reader
		if r.body != nil {
			body = bytes.NewReader(r.body)
		}
		var err error
		req, err = http.NewRequestWithContext(ctx, r.method, r.url, body)
		if err != nil {
			return nil, err
		}
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		req.Header.Set("Accept", orString(r.accept, "application/json"))
	}
	req.Header.Del("Authorization")
	if r.auth != "" && r.root != "" && InsideRoot(r.root, req.URL.String()) {
		req.Header.Set("Authorization", r.auth)
	}
	return req, nil
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// retryableStatus lists the statuses retried (like the Python client's API
// session).
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError reports whether a transport error is worth retrying:
// connection problems and timeouts yes; redirect policy and certificate
// problems no.
func retryableError(err error) bool {
	var rre *RedirectRefusedError
	if errors.Is(err, errTooManyRedirects) || errors.As(err, &rre) || errors.Is(err, ErrPlainHTTPServer) {
		return false
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && (ue.Op == "parse" || strings.Contains(ue.Err.Error(), "unsupported protocol scheme")) {
		return false
	}
	return true
}

// ErrPlainHTTPServer matches a request to an https:// URL whose server
// answered in plain HTTP (it is not retried).
var ErrPlainHTTPServer = errors.New("the server answers plain http, not https")

// classifyTransport gives transport errors that net/http reports as plain
// text a kind that errors.Is can match.
func classifyTransport(err error) error {
	if err != nil && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fmt.Errorf("%w (%w)", ErrPlainHTTPServer, err)
	}
	return err
}

// TransportError is a request that got no HTTP response, after retries, or
// whose response body could not be read in full (then Status is set).
type TransportError struct {
	Method   string
	URL      string // without query and user info
	Attempts int
	// Status is the status of a response whose body broke off (connection
	// dropped, timeout while reading); 0 when no response arrived.
	Status int
	Err    error

	// unsent: the request cannot have reached the server (see unsent).
	unsent bool
}

// unsent reports whether a transport error happened before a request could
// reach the server: the connection was never made (DNS failure, connection
// refused, dial timeout).
func unsent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.cause())
}

// cause is the error text without method and URL.
func (e *TransportError) cause() string {
	s := fmt.Sprint(e.Err)
	if e.Status != 0 {
		s = fmt.Sprintf("reading the body of the [%d] response: %s", e.Status, s)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// LogURL strips user info, query and fragment from a URL for logs, errors
// and diagnostics; an unparsable URL becomes "<invalid URL>".
func LogURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// logURL is [LogURL] (the short name the package's messages use).
func logURL(raw string) string { return LogURL(raw) }

// send performs r with retries and returns the final response and the
// number of attempts it took. The caller must close the body; closing it
// also releases the attempt's timeout.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, int, error) {
	method := r.method
	target := r.url
	if r.template != nil {
		method, target = r.template.Method, r.template.URL.String()
	}
	if method == "" {
		method = http.MethodGet
	}
	timeout := c.attemptTimeout(r.timeout)
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		actx = context.WithValue(actx, rootKey{}, r.root)
		if r.noRedirect {
			actx = context.WithValue(actx, noRedirectKey{}, true)
		}
		req, err := r.build(actx)
		if err != nil {
			cancel()
			return nil, 0, fmt.Errorf("%s %s: %w", method, logURL(target), err)
		}
		req.Header.Set("User-Agent", c.userAgent)
		start := time.Now()
		resp, err := c.hc.Do(req)
		if err != nil {
			timedOut := actx.Err() != nil && ctx.Err() == nil
			notSent := unsent(err)
			cancel()
			if ctx.Err() != nil {
				return nil, 0, &TransportError{Method: method, URL: logURL(target), Attempts: attempt + 1, Err: ctx.Err()}
			}
			if timedOut {
				err = fmt.Errorf("timed out after %s", timeout)
			} else {
				var ue *url.Error
				if errors.As(err, &ue) {
					err = ue.Err // the URL is already part of TransportError
				}
				err = classifyTransport(err)
			}
			if !r.retry || attempt >= c.maxRetries || !retryableError(err) || (r.oneTime && !notSent) {
				return nil, 0, &TransportError{Method: method, URL: logURL(target), Attempts: attempt + 1, Err: err, unsent: notSent}
			}
			wait := c.backoff(attempt)
			c.log(ctx, LevelDebug, "retrying request after connection error", map[string]any{
				"method": method, "url": logURL(target), "attempt": attempt + 1, "max_retries": c.maxRetries,
				"wait": wait.String(), "error": scrub(err.Error(), r.secrets),
			})
			if err := c.sleep(ctx, wait); err != nil {
				return nil, 0, &TransportError{Method: method, URL: logURL(target), Attempts: attempt + 1, Err: err}
			}
			continue
		}
		if c.logs(LevelDebug) {
			c.log(ctx, LevelDebug, "HTTP request", map[string]any{
				"method": method, "url": logURL(target), "status": resp.StatusCode,
				"attempt": attempt + 1, "duration_ms": time.Since(start).Milliseconds(),
			})
		}
		if r.retry && attempt < c.maxRetries && retryableStatus(resp.StatusCode) &&
			(!r.oneTime || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			wait, fromHeader := c.retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !fromHeader {
				wait = c.backoff(attempt)
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			cancel()
			c.log(ctx, LevelDebug, "retrying request after retryable status", map[string]any{
				"method": method, "url": logURL(target), "status": resp.StatusCode, "attempt": attempt + 1,
				"max_retries": c.maxRetries, "wait": wait.String(), "retry_after_header": fromHeader,
			})
			if err := c.sleep(ctx, wait); err != nil {
				return nil, 0, &TransportError{Method: method, URL: logURL(target), Attempts: attempt + 1, Err: err}
			}
			continue
		}
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, attempt + 1, nil
	}
}

// attemptTimeout is the per-attempt timeout of a request that asks for d:
// d when it is positive and shorter than the client's timeout, else the
// client's timeout.
func (c *Client) attemptTimeout(d time.Duration) time.Duration {
	if d > 0 && d < c.timeout {
		return d
	}
	return c.timeout
}

// backoff returns the wait before retry number attempt+1: RetryBaseWait
// doubled per attempt, with jitter between half and all of it, capped at
// RetryMaxWait.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.baseWait
	for i := 0; i < attempt && d < c.maxWait; i++ {
		d *= 2
	}
	if d > c.maxWait {
		d = c.maxWait
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}

// retryAfter parses a Retry-After header (delay seconds or HTTP date) and
// caps it at RetryMaxWait. ok is false when the header is absent or invalid.
func (c *Client) retryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(c.maxWait/time.Second) {
			return c.maxWait, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d < 0 {
		d = 0
	}
	if d > c.maxWait {
		d = c.maxWait
	}
	return d, true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// maxBody bounds the response bodies read into memory.
const maxBody = 8 << 20

// response is a fully read HTTP response.
type response struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
	// secrets are the request's secrets (see request.secrets), for the
	// parsers of error answers.
	secrets []string
}

// fetch sends r and reads the whole response body.
func (c *Client) fetch(ctx context.Context, r *request) (*response, error) {
	resp, attempts, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := c.readBody(ctx, resp, maxBody+1, r.method, r.url, attempts, c.attemptTimeout(r.timeout))
	if err != nil {
		return nil, err
	}
	if len(body) > maxBody {
		return nil, errTooLarge(r.method, r.url)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body, attempts: attempts, secrets: r.secrets}, nil
}

// errTooLarge is the error of a response body over maxBody bytes.
func errTooLarge(method, rawURL string) error {
	return fmt.Errorf("%s %s: response larger than %d bytes", orString(method, http.MethodGet), logURL(rawURL), maxBody)
}

// readBody reads at most limit bytes of a response body sent by send. A
// body that breaks off (dropped connection, per-attempt timeout, which was
// timeout) gives a *TransportError with the response's status.
func (c *Client) readBody(ctx context.Context, resp *http.Response, limit int64, method, rawURL string, attempts int,
	timeout time.Duration) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err == nil {
		return body, nil
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("timed out after %s", timeout)
	}
	return nil, &TransportError{Method: orString(method, http.MethodGet), URL: logURL(rawURL), Attempts: attempts,
		Status: resp.StatusCode, Err: err}
}

// getOpenEO performs an openEO GET below root and returns the body of a 200
// response; other statuses become *APIError or *PlainError.
func (c *Client) getOpenEO(ctx context.Context, root, endpoint, auth string, secrets ...string) ([]byte, error) {
	resp, err := c.fetch(ctx, &request{
		method: http.MethodGet, url: joinURL(root, endpoint), auth: auth, root: root, retry: true, secrets: secrets,
	})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, withRequest(parseErrorResponse(resp.status, resp.header.Get("Content-Type"), resp.body, secrets),
			http.MethodGet, joinURL(root, endpoint), resp.attempts)
	}
	return resp.body, nil
}

// joinURL appends an endpoint path to a root URL like the Python client's
// url_join: root without trailing "/" plus "/" plus endpoint without leading "/".
func joinURL(root, endpoint string) string {
	return strings.TrimRight(root, "/") + "/" + strings.TrimLeft(endpoint, "/")
}
