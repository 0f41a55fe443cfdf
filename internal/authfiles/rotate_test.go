package authfiles

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// rotateOnce stands for a refresh grant at an identity provider that
// rotates: it spends "tok-K" and returns "tok-K+1". It prints the token it
// spent (read by the parent of child processes).
func rotateOnce(_ context.Context, current string, _ time.Time) (string, time.Time, error) {
	k, err := strconv.Atoi(strings.TrimPrefix(current, "tok-"))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("unexpected stored token %q", current)
	}
	fmt.Println("spent", current)
	return fmt.Sprintf("tok-%d", k+1), time.Time{}, nil
}

// TestRotateRefreshTokenRereadsUnderLock: a store rewritten by another
// process between our first read and our refresh gives the refresh the
// newer token, and the rotated token is written back.
func TestRotateRefreshTokenRereadsUnderLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	if err := s.SetRefreshToken("https://issuer/", "client", "tok-0", time.Time{}); err != nil {
		t.Fatal(err)
	}
	first, _, err := s.RefreshToken("https://issuer", "client")
	if err != nil || first != "tok-0" {
		t.Fatalf("first read %q, %v", first, err)
	}
	// Another process rotates the token meanwhile.
	var out bytes.Buffer
	child := childCmd(t, "rotate", path, "", 1)
	child.Stdout = &out
	if err := child.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
	var got string
	err = s.RotateRefreshToken(t.Context(), "https://issuer", "client", func(ctx context.Context, current string, _ time.Time) (string, time.Time, error) {
		got = current
		return "tok-2", time.Time{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != "tok-1" {
		t.Errorf("refresh got %q, want the token the other process stored (tok-1)", got)
	}
	if e, _, _ := s.Entry("https://issuer", "client"); e.RefreshToken != "tok-2" || e.Date == "" {
		t.Errorf("entry after rotation: %+v", e)
	}
}

// TestRotateRefreshTokenFailureLeavesFile: a failed refresh returns its
// error and leaves the file byte for byte; an unchanged or empty token
// writes nothing; the stored expiry is passed with the token; a missing
// entry is passed as "".
func TestRotateRefreshTokenFailureLeavesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	if err := s.SetRefreshToken("https://issuer", "client", "tok-0", time.Time{}); err != nil {
		t.Fatal(err)
	}
	before := testrig.ReadFile(t, path)
	boom := errors.New("refused")
	for _, fn := range []func(context.Context, string, time.Time) (string, time.Time, error){
		func(context.Context, string, time.Time) (string, time.Time, error) { return "tok-9", time.Time{}, boom },
		func(_ context.Context, cur string, _ time.Time) (string, time.Time, error) {
			return cur, time.Time{}, nil
		},
		func(context.Context, string, time.Time) (string, time.Time, error) { return "", time.Time{}, nil },
	} {
		err := s.RotateRefreshToken(t.Context(), "https://issuer", "client", fn)
		if err != nil && !errors.Is(err, boom) {
			t.Fatal(err)
		}
	}
	assertBytes(t, "file after refreshes that store nothing", testrig.ReadFile(t, path), before)

	// The stored expiry reaches refresh with the stored token.
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.SetRefreshToken("https://issuer", "client", "tok-1", exp); err != nil {
		t.Fatal(err)
	}
	var gotExpiry time.Time
	if err := s.RotateRefreshToken(t.Context(), "https://issuer", "client", func(_ context.Context, cur string, e time.Time) (string, time.Time, error) {
		gotExpiry = e
		return cur, time.Time{}, nil
	}); err != nil || !gotExpiry.Equal(exp) {
		t.Errorf("refresh got the stored expiry %v (%v), want %v", gotExpiry, err, exp)
	}
	var got = "unset"
	if err := s.RotateRefreshToken(t.Context(), "https://issuer", "other", func(_ context.Context, cur string, _ time.Time) (string, time.Time, error) {
		got = cur
		return "", time.Time{}, nil
	}); err != nil || got != "" {
		t.Errorf("missing entry: refresh got %q, err %v", got, err)
	}
}

// TestRotateRefreshTokenHoldsLock: the refresh runs only once the
// cross-process lock is ours; while another process holds it, nothing runs
// and the lock timeout applies.
func TestRotateRefreshTokenHoldsLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	opts := testOptions()
	opts.LockTimeout = 50 * time.Millisecond
	s, err := OpenRefreshTokens(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefreshToken("https://issuer", "client", "tok-0", time.Time{}); err != nil {
		t.Fatal(err)
	}
	release := holdLock(t, path+".lock")
	called := false
	err = s.RotateRefreshToken(t.Context(), "https://issuer", "client", func(context.Context, string, time.Time) (string, time.Time, error) {
		called = true
		return "tok-1", time.Time{}, nil
	})
	release()
	if !errors.Is(err, ErrLockTimeout) || called {
		t.Fatalf("err %v, refresh called %v: want a lock timeout before any refresh", err, called)
	}
}

// TestRotateRefreshTokenProcesses: four processes and this one rotate one
// token 20 times each at once; every token is spent exactly once and the
// last one is stored.
func TestRotateRefreshTokenProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	if err := s.SetRefreshToken("https://issuer", "client", "tok-0", time.Time{}); err != nil {
		t.Fatal(err)
	}
	const procs, per = 4, 20
	var mu sync.Mutex
	spent := map[string]int{}
	var wg sync.WaitGroup
	for range procs {
		cmd := childCmd(t, "rotate", path, "", per)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if tok, ok := strings.CutPrefix(sc.Text(), "spent "); ok {
					mu.Lock()
					spent[tok]++
					mu.Unlock()
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("child: %v", err)
			}
		}()
	}
	for range per {
		if err := s.RotateRefreshToken(t.Context(), "https://issuer", "client", func(ctx context.Context, cur string, _ time.Time) (string, time.Time, error) {
			mu.Lock()
			spent[cur]++
			mu.Unlock()
			k, _ := strconv.Atoi(strings.TrimPrefix(cur, "tok-"))
			return fmt.Sprintf("tok-%d", k+1), time.Time{}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	total := (procs + 1) * per
	for k := range total {
		if n := spent[fmt.Sprintf("tok-%d", k)]; n != 1 {
			t.Errorf("tok-%d spent %d times, want once", k, n)
		}
	}
	if got, _, _ := s.RefreshToken("https://issuer", "client"); got != fmt.Sprintf("tok-%d", total) {
		t.Errorf("stored %q, want tok-%d", got, total)
	}
}
