package flows

import (
	"context"
	"errors"
	"sync"
	"time"
)

// TokenSource returns a valid openEO token, obtaining or renewing it when
// needed. [Session] implements it.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
}

// renewFunc obtains a new token to replace old without user interaction.
type renewFunc func(ctx context.Context, old *Token) (*Token, error)

// errCannotRenew is returned when a rejected token has no renewal method.
var errCannotRenew = errors.New("the authentication method cannot renew its token")

// DefaultRenewBefore caps how long before expiry a token is renewed; see
// [Config.RenewBefore].
const DefaultRenewBefore = 30 * time.Second

// cachingSource caches one token and renews it. Concurrent callers share a
// single in-flight acquisition or renewal ("flight"); the flight runs
// detached from any one caller's cancellation and is cancelled only when all
// of its waiters have gone.
type cachingSource struct {
	acquire     func(ctx context.Context) (*Token, renewFunc, error)
	renewBefore time.Duration
	log         func(ctx context.Context, level LogLevel, msg string, fields map[string]any)

	mu    sync.Mutex
	tok   *Token
	renew renewFunc
	fl    *flight
	// quietUntil: after a failed proactive renewal, the still valid token
	// is handed out without new attempts until then.
	quietUntil time.Time
}

// renewalRetryWait is how long a still valid token is used without a new
// renewal attempt after a proactive renewal failed.
const renewalRetryWait = 5 * time.Second

type flight struct {
	done    chan struct{}
	tok     *Token
	err     error
	waiters int
	cancel  context.CancelFunc
	// forced: the current token was rejected by the back-end, so a failed
	// renewal must not fall back to it.
	forced bool
}

// skew is how long before expiry t is renewed: renewBefore when set,
// otherwise 10% of the token's lifetime but at most DefaultRenewBefore.
func (s *cachingSource) skew(t *Token) time.Duration {
	if s.renewBefore > 0 {
		return s.renewBefore
	}
	d := t.Expiry.Sub(t.obtained) / 10
	if d > DefaultRenewBefore {
		d = DefaultRenewBefore
	}
	if d < 0 {
		d = 0
	}
	return d
}

// fresh reports whether t can be handed out without renewal. Tokens that
// cannot be renewed are always handed out (the back-end decides).
func (s *cachingSource) freshLocked(t *Token) bool {
	if s.renew == nil {
		return true
	}
	now := time.Now()
	if !t.ExpiresWithin(now, s.skew(t)) {
		return true
	}
	return now.Before(s.quietUntil) && !t.ExpiresWithin(now, 0)
}

// Token returns the cached token, or waits for a shared acquisition or
// renewal.
func (s *cachingSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	if t := s.tok; t != nil && s.freshLocked(t) {
		s.mu.Unlock()
		return t, nil
	}
	f := s.fl
	if f == nil {
		f = s.startLocked(ctx, false)
	}
	f.waiters++
	s.mu.Unlock()
	return s.wait(ctx, f)
}

// set makes t the cached token, renewed with renew (nil: never). A flight
// that is under way replaces it when it ends.
func (s *cachingSource) set(t *Token, renew renewFunc) {
	s.mu.Lock()
	s.tok, s.renew, s.quietUntil = t, renew, time.Time{}
	s.mu.Unlock()
}

// peek returns the cached token if it is fresh, without any network.
func (s *cachingSource) peek() *Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.freshLocked(s.tok) {
		return s.tok
	}
	return nil
}

// rejected renews after the back-end refused bearer (reactive renewal). If
// the cached token already differs from bearer, another caller renewed it
// meanwhile and that token is returned.
func (s *cachingSource) rejected(ctx context.Context, bearer string) (*Token, error) {
	s.mu.Lock()
	if s.renew == nil {
		s.mu.Unlock()
		return nil, errCannotRenew
	}
	if t := s.tok; t != nil && t.Bearer != bearer && s.freshLocked(t) {
		s.mu.Unlock()
		return t, nil
	}
	f := s.fl
	if f == nil {
		f = s.startLocked(ctx, true)
	} else {
		f.forced = true
	}
	f.waiters++
	s.mu.Unlock()
	return s.wait(ctx, f)
}

func (s *cachingSource) startLocked(ctx context.Context, forced bool) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel, forced: forced}
	s.fl = f
	old, renew := s.tok, s.renew
	go func() {
		defer cancel()
		var (
			tok      *Token
			newRenew = renew
			err      error
		)
		if old == nil || renew == nil {
			tok, newRenew, err = s.acquire(fctx)
		} else {
			tok, err = renew(fctx, old)
		}
		s.mu.Lock()
		switch {
		case err == nil:
			s.tok, s.renew, s.quietUntil = tok, newRenew, time.Time{}
		case old != nil && !f.forced && !old.ExpiresWithin(time.Now(), 0):
			s.quietUntil = time.Now().Add(renewalRetryWait)
			// Proactive renewal failed but the token is still valid: keep
			// using it and try again on the next call.
			s.log(fctx, LevelWarn, "token renewal failed; using the current token until it expires", map[string]any{
				"error": err.Error(), "expiry": old.Expiry.UTC().Format(time.RFC3339),
			})
			tok, err = old, nil
		}
		f.tok, f.err = tok, err
		if s.fl == f {
			s.fl = nil
		}
		s.mu.Unlock()
		close(f.done)
	}()
	return f
}

func (s *cachingSource) wait(ctx context.Context, f *flight) (*Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		s.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if s.fl == f {
				s.fl = nil
			}
		}
		s.mu.Unlock()
		return nil, ctx.Err()
	}
}
