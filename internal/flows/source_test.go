package flows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testSource(acquire func(ctx context.Context) (*Token, renewFunc, error)) *cachingSource {
	return &cachingSource{acquire: acquire, log: func(context.Context, LogLevel, string, map[string]any) {}}
}

func TestSourceCancelledWaiters(t *testing.T) {
	started := make(chan struct{})
	var calls atomic.Int32
	var flightCtx context.Context
	s := testSource(func(ctx context.Context) (*Token, renewFunc, error) {
		if calls.Add(1) == 1 {
			flightCtx = ctx
			close(started)
			<-ctx.Done()
			return nil, nil, ctx.Err()
		}
		return &Token{Bearer: "b"}, nil, nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, err := s.Token(ctx); done <- err }()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// The flight was cancelled because nobody waits any more.
	select {
	case <-flightCtx.Done():
	case <-time.After(time.Second):
		t.Fatal("flight not cancelled")
	}
	// A new caller starts a new flight.
	tok, err := s.Token(t.Context())
	if err != nil || tok.Bearer != "b" {
		t.Fatalf("%v %v", tok, err)
	}
}

func TestSourceOneWaiterLeavesOthersStay(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	s := testSource(func(ctx context.Context) (*Token, renewFunc, error) {
		calls.Add(1)
		select {
		case <-release:
			return &Token{Bearer: "b"}, nil, nil
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var leaverErr, stayerErr error
	wg.Go(func() { _, leaverErr = s.Token(ctx) })
	wg.Go(func() { _, stayerErr = s.Token(t.Context()) })
	time.Sleep(20 * time.Millisecond)
	cancel()
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if !errors.Is(leaverErr, context.Canceled) || stayerErr != nil || calls.Load() != 1 {
		t.Errorf("leaver %v, stayer %v, calls %d", leaverErr, stayerErr, calls.Load())
	}
}

func TestSourceRenewalRules(t *testing.T) {
	var renewals atomic.Int32
	var failRenew atomic.Bool
	renew := func(context.Context, *Token) (*Token, error) {
		n := renewals.Add(1)
		if failRenew.Load() {
			return nil, errors.New("idp down")
		}
		return &Token{Bearer: fmt.Sprint("renewed-", n), Expiry: time.Now().Add(time.Hour), obtained: time.Now()}, nil
	}
	s := testSource(func(ctx context.Context) (*Token, renewFunc, error) {
		return &Token{Bearer: "first", Expiry: time.Now().Add(time.Hour), obtained: time.Now()}, renew, nil
	})
	ctx := t.Context()
	tok, _ := s.Token(ctx)
	// Rejected bearer: renewed once, even with many concurrent callers.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if t2, err := s.rejected(ctx, tok.Bearer); err != nil || t2.Bearer != "renewed-1" {
				t.Errorf("%v %v", t2, err)
			}
		})
	}
	wg.Wait()
	if renewals.Load() != 1 {
		t.Errorf("%d renewals, want 1", renewals.Load())
	}
	// A failed proactive renewal keeps a still valid token.
	s.mu.Lock()
	s.tok = &Token{Bearer: "soon", Expiry: time.Now().Add(2 * time.Second), obtained: time.Now().Add(-time.Hour)}
	s.mu.Unlock()
	failRenew.Store(true)
	before := renewals.Load()
	for range 3 {
		if t2, err := s.Token(ctx); err != nil || t2.Bearer != "soon" {
			t.Errorf("%v %v", t2, err)
		}
	}
	if n := renewals.Load() - before; n != 1 {
		t.Errorf("%d renewal attempts after a failure, want 1 (then a quiet period)", n)
	}
	// A failed renewal of a rejected token is an error.
	if _, err := s.rejected(ctx, "soon"); err == nil {
		t.Error("rejected renewal failure hidden")
	}
	// An expired token whose renewal fails is an error.
	s.mu.Lock()
	s.tok = &Token{Bearer: "expired", Expiry: time.Now().Add(-time.Second), obtained: time.Now().Add(-time.Hour)}
	s.mu.Unlock()
	if _, err := s.Token(ctx); err == nil {
		t.Error("expired token handed out")
	}
	// Without a renewer, a rejected token cannot be renewed.
	s2 := testSource(func(ctx context.Context) (*Token, renewFunc, error) { return &Token{Bearer: "x"}, nil, nil })
	_, _ = s2.Token(ctx)
	if _, err := s2.rejected(ctx, "x"); !errors.Is(err, errCannotRenew) {
		t.Errorf("err = %v", err)
	}
}

func TestSkew(t *testing.T) {
	s := testSource(nil)
	now := time.Now()
	if got := s.skew(&Token{obtained: now, Expiry: now.Add(time.Hour)}); got != 30*time.Second {
		t.Errorf("1h token skew %v", got)
	}
	if got := s.skew(&Token{obtained: now, Expiry: now.Add(60 * time.Second)}); got != 6*time.Second {
		t.Errorf("60s token skew %v", got)
	}
	s.renewBefore = time.Minute
	if got := s.skew(&Token{obtained: now, Expiry: now.Add(time.Hour)}); got != time.Minute {
		t.Errorf("configured skew %v", got)
	}
}
