package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// PKCE is a Proof Key for Code Exchange pair (RFC 7636, method S256).
type PKCE struct {
	Verifier  string
	Challenge string
	Method    string // always "S256"
}

// NewPKCE returns a fresh verifier (x/oauth2's GenerateVerifier: 32 random
// octets, base64url) and its S256 challenge.
func NewPKCE() *PKCE {
	v := oauth2.GenerateVerifier()
	return &PKCE{Verifier: v, Challenge: oauth2.S256ChallengeFromVerifier(v), Method: "S256"}
}

// MinPollInterval is the shortest polling interval the device flow accepts
// from a provider: a smaller one is raised to it.
const MinPollInterval = time.Second

// DeviceAuthorization is the response of the device authorization endpoint.
// The device code and the PKCE verifier stay unexported: together with the
// client id they are enough to obtain a token.
type DeviceAuthorization struct {
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	// ExpiresAt is when the device code expires according to the provider
	// (zero if not given). Polling is bounded by MaxPollTime instead, like
	// the Python client.
	ExpiresAt time.Time
	// Interval is the polling interval the provider asked for: 5 s when it
	// gave none or an invalid one (RFC 8628), and never less than
	// [MinPollInterval].
	Interval time.Duration

	deviceCode string
	pkce       *PKCE
	received   time.Time
}

// UsesPKCE reports whether the authorization was requested with PKCE.
func (d *DeviceAuthorization) UsesPKCE() bool { return d.pkce != nil }

// Instructions returns the Python client's instruction line.
func (d *DeviceAuthorization) Instructions() string {
	if d.VerificationURIComplete != "" {
		return fmt.Sprintf("Visit %s to authenticate.", d.VerificationURIComplete)
	}
	return fmt.Sprintf("Visit %s and enter user code '%s' to authenticate.", d.VerificationURI, d.UserCode)
}

// ParseDeviceAuthorization parses a device authorization response. It
// accepts Google's verification_url for verification_uri.
func ParseDeviceAuthorization(data []byte) (*DeviceAuthorization, error) {
	var r struct {
		DeviceCode              any `json:"device_code"`
		UserCode                any `json:"user_code"`
		VerificationURI         any `json:"verification_uri"`
		VerificationURL         any `json:"verification_url"`
		VerificationURIComplete any `json:"verification_uri_complete"`
		ExpiresIn               any `json:"expires_in"`
		Interval                any `json:"interval"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("device authorization response is not a JSON object (%d bytes)", len(data))
	}
	now := time.Now()
	d := &DeviceAuthorization{received: now, Interval: 5 * time.Second}
	d.deviceCode, _ = r.DeviceCode.(string)
	d.UserCode, _ = r.UserCode.(string)
	d.VerificationURI, _ = r.VerificationURI.(string)
	if d.VerificationURI == "" {
		d.VerificationURI, _ = r.VerificationURL.(string)
	}
	d.VerificationURIComplete, _ = r.VerificationURIComplete.(string)
	// The provider's strings are shown on terminals and in logs.
	d.UserCode = CleanText(d.UserCode)
	d.VerificationURI = CleanText(d.VerificationURI)
	d.VerificationURIComplete = CleanText(d.VerificationURIComplete)
	if s, ok := seconds(r.ExpiresIn); ok && s > 0 {
		d.ExpiresAt = now.Add(time.Duration(s * float64(time.Second)))
	}
	if s, ok := seconds(r.Interval); ok && s >= 0 {
		d.Interval = max(time.Duration(s*float64(time.Second)), MinPollInterval)
	}
	switch {
	case d.deviceCode == "":
		return nil, errors.New("device authorization response has no device_code")
	case d.UserCode == "":
		return nil, errors.New("device authorization response has no user_code")
	case d.VerificationURI == "":
		return nil, errors.New("device authorization response has no verification_uri")
	}
	return d, nil
}

const opDevice = "get verification URL and user code from"

// DeviceAuthorize starts a device flow: it POSTs client_id and scope (plus
// code_challenge and code_challenge_method=S256 when pkce is not nil, and the
// provider's authorization_parameters) to the device authorization endpoint.
// A confidential client (one with a ClientSecret) also sends client_secret,
// as RFC 8628 §3.1 asks; the Python client never does, and a public client
// sends exactly what it sends. Authorization parameters cannot override the
// fields above.
func (c *Client) DeviceAuthorize(ctx context.Context, g *GrantConfig, scope string, pkce *PKCE) (*DeviceAuthorization, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	endpoint := g.Metadata.DeviceAuthorizationEndpoint
	if endpoint == "" {
		return nil, clientErrorf("No support for device authorization grant at issuer '%s' (no device_authorization_endpoint).", g.Provider.Issuer)
	}
	form := url.Values{}
	for k, v := range g.Provider.AuthorizationParameters {
		form.Set(k, v)
	}
	g.authenticate(form)
	form.Set("scope", scope)
	if pkce != nil {
		form.Set("code_challenge", pkce.Challenge)
		form.Set("code_challenge_method", "S256")
	}
	resp, err := c.postForm(ctx, opDevice, endpoint, form)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, parseOIDCError(opDevice, endpoint, resp.status, resp.header.Get("Content-Type"), resp.body, resp.secrets)
	}
	d, err := ParseDeviceAuthorization(resp.body)
	if err != nil {
		return nil, &OIDCError{Op: opDevice, Endpoint: endpoint, Status: resp.status, Err: err}
	}
	d.pkce = pkce
	return d, nil
}

// DeviceStatus is the state of a device flow, as shown to the user.
type DeviceStatus string

// Device flow states (the Python client's progress texts).
const (
	DevicePending    DeviceStatus = "Authorization pending"
	DevicePolling    DeviceStatus = "Polling"
	DeviceSlowDown   DeviceStatus = "Slowing down"
	DeviceAuthorized DeviceStatus = "Authorized successfully"
	DeviceTimedOut   DeviceStatus = "Timed out"
)

// DeviceEvent is passed to the display callback of a device flow: first
// when the flow starts (Status DevicePending) and then on every change.
type DeviceEvent struct {
	Status                  DeviceStatus
	VerificationURI         string
	VerificationURIComplete string
	UserCode                string
	// ExpiresAt is when the user code expires (zero if unknown).
	ExpiresAt time.Time
	// Deadline is when polling gives up (MaxPollTime after the start).
	Deadline time.Time
	// Elapsed is the time since the device authorization response.
	Elapsed time.Duration
	// Instructions is the Python client's instruction line, e.g.
	// "Visit https://idp/device and enter user code 'ABCD-EFGH' to authenticate."
	Instructions string
}

// DefaultMaxPollTime bounds device-flow polling (the Python client's
// DEFAULT_MAX_POLL_TIME).
const DefaultMaxPollTime = 300 * time.Second

// DefaultPollRequestTimeout bounds each device-flow poll request (the
// Python client polls with timeout=5).
const DefaultPollRequestTimeout = 5 * time.Second

// PollOptions configures [Client.PollDeviceToken].
type PollOptions struct {
	// RequestTimeout bounds each poll request; zero means
	// DefaultPollRequestTimeout. It is never longer than the client's
	// per-attempt timeout ([HTTPOptions.Timeout]).
	RequestTimeout time.Duration
	// Interval overrides the provider's polling interval when > 0 (tests).
	Interval time.Duration
	// MaxPollTime bounds polling; zero means DefaultMaxPollTime.
	MaxPollTime time.Duration
	// SlowDownStep is added to the interval on "slow_down"; zero means 5 s.
	SlowDownStep time.Duration
	// Display receives progress events; nil ignores them.
	Display func(DeviceEvent)
}

// pollTimeout is the timeout of each device-flow poll request.
func (c *Client) pollTimeout(opts PollOptions) time.Duration {
	return c.attemptTimeout(orDuration(opts.RequestTimeout, DefaultPollRequestTimeout))
}

// DeviceTimeoutError is returned when nobody authorised the device within
// the maximum poll time.
type DeviceTimeoutError struct {
	MaxPollTime time.Duration
}

func (e *DeviceTimeoutError) Error() string {
	return fmt.Sprintf("Timeout (%.1fs) while polling for access token.", e.MaxPollTime.Seconds())
}

// PollDeviceToken polls the token endpoint until the user authorised the
// device, the provider answered with an error other than
// authorization_pending or slow_down, MaxPollTime passed or ctx ended. Each
// poll has its own timeout ([PollOptions.RequestTimeout], 5 s by default, like
// the Python client) and sends grant_type, device_code and client_id, plus code_verifier with
// PKCE and client_secret when set (the Python client drops the secret when
// it uses PKCE); no scope. slow_down adds SlowDownStep to the interval for
// the rest of the flow.
func (c *Client) PollDeviceToken(ctx context.Context, g *GrantConfig, d *DeviceAuthorization, opts PollOptions) (*Token, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	maxPoll := orDuration(opts.MaxPollTime, DefaultMaxPollTime)
	interval := d.Interval
	if opts.Interval > 0 {
		interval = opts.Interval
	}
	step := orDuration(opts.SlowDownStep, 5*time.Second)
	start := d.received
	if start.IsZero() {
		start = time.Now()
	}
	deadline := start.Add(maxPoll)
	emit := func(s DeviceStatus) {
		if opts.Display != nil {
			opts.Display(DeviceEvent{
				Status: s, VerificationURI: d.VerificationURI, VerificationURIComplete: d.VerificationURIComplete,
				UserCode: d.UserCode, ExpiresAt: d.ExpiresAt, Deadline: deadline, Elapsed: time.Since(start),
				Instructions: d.Instructions(),
			})
		}
	}
	emit(DevicePending)
	next := start.Add(interval)
	for {
		if next.After(deadline) {
			if err := c.sleep(ctx, time.Until(deadline)); err != nil {
				return nil, err
			}
			emit(DeviceTimedOut)
			return nil, &DeviceTimeoutError{MaxPollTime: maxPoll}
		}
		if err := c.sleep(ctx, time.Until(next)); err != nil {
			return nil, err
		}
		emit(DevicePolling)
		params := url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d.deviceCode}}
		if d.pkce != nil {
			params.Set("code_verifier", d.pkce.Verifier)
		}
		t, err := c.tokenRequest(ctx, g, GrantDeviceCode, false, c.pollTimeout(opts), g.clientCredentialsConfig("", params).Token)
		var oerr *OIDCError
		switch {
		case err == nil:
			emit(DeviceAuthorized)
			return g.finish(t, MethodDeviceCode), nil
		case !errors.As(err, &oerr) || oerr.Status == 0:
			return nil, err
		}
		switch oerr.Code {
		case "authorization_pending":
			emit(DevicePending)
		case "slow_down":
			interval += step
			emit(DeviceSlowDown)
		default:
			return nil, oerr
		}
		next = time.Now().Add(interval)
	}
}
