package authfiles

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// Child-process modes of the test binary (see TestMain).
const (
	childModeVar   = "AUTHFILES_TEST_CHILD"
	childPathVar   = "AUTHFILES_TEST_PATH"
	childPrefixVar = "AUTHFILES_TEST_PREFIX"
	childCountVar  = "AUTHFILES_TEST_COUNT"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeVar); mode != "" {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

// runChild is the body of a re-executed test binary.
func runChild(mode string) int {
	path := os.Getenv(childPathVar)
	prefix := os.Getenv(childPrefixVar)
	n, _ := strconv.Atoi(os.Getenv(childCountVar))
	switch mode {
	case "update": // n SetBasic calls on distinct back-ends
		c, err := OpenAuthConfig(path, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for i := range n {
			if err := c.SetBasic(fmt.Sprintf("https://%s-%d", prefix, i), "u", "p"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
		}
		return 0
	case "rotate": // n rotations of one token "tok-K" to "tok-K+1", printing each token spent
		s, err := OpenRefreshTokens(path, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for range n {
			if err := s.RotateRefreshToken(context.Background(), "https://issuer", "client", rotateOnce); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
		}
		return 0
	case "setbasic": // one SetBasic for https://<prefix>
		c, err := OpenAuthConfig(path, Options{})
		if err == nil {
			err = c.SetBasic("https://"+prefix, "u", "p")
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		return 0
	case "groupkill":
		return groupKillChild(path, prefix, n)
	case "loop": // rewrite one token forever, announcing each completed write
		s, err := OpenRefreshTokens(path, Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for i := 0; ; i++ {
			if err := s.SetRefreshToken("https://issuer", "client", fmt.Sprintf("tok-%d", i), time.Time{}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Println(i)
		}
	}
	return 1
}

func childCmd(t *testing.T, mode, path, prefix string, n int) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childModeVar+"="+mode, childPathVar+"="+path, childPrefixVar+"="+prefix, childCountVar+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	return cmd
}

// holdLock takes the cross-process lock of a file like another writer would.
func holdLock(t *testing.T, lockPath string) (release func()) {
	t.Helper()
	lk := flock.New(lockPath)
	if err := lk.Lock(); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := lk.Unlock(); err != nil {
			t.Error(err)
		}
	}
}

// TestConcurrentGoroutines: 200 goroutines, each with its own AuthConfig on
// the same file, add one entry each; none is lost. A reader running at the
// same time always sees a complete document.
func TestConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	const n = 200
	stop := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() {
		reads := 0
		for {
			select {
			case <-stop:
				readerErr <- nil
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				if os.IsNotExist(err) {
					continue
				}
				readerErr <- err
				return
			}
			if _, err := ojson.Parse(data); err != nil {
				readerErr <- fmt.Errorf("read %d saw a partial file: %w", reads, err)
				return
			}
			reads++
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			c, err := OpenAuthConfig(path, Options{})
			if err == nil {
				err = c.SetBasic(fmt.Sprintf("https://b%d", i), fmt.Sprintf("u%d", i), "p")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-readerErr; err != nil {
		t.Fatal(err)
	}
	c := openAuthConfig(t, path)
	entries, err := c.Entries()
	if err != nil || len(entries) != n {
		t.Fatalf("%d entries, want %d (%v)", len(entries), n, err)
	}
	for i := range n {
		if u, _, found, _ := c.BasicCredentials(fmt.Sprintf("https://b%d", i)); !found || u != fmt.Sprintf("u%d", i) {
			t.Fatalf("entry %d lost", i)
		}
	}
	assertMode(t, path, 0o600)
	assertNoTemps(t, filepath.Dir(path))
}

// TestConcurrentProcesses: several processes (the test binary re-executed)
// and this process update the same file at the same time; no update is lost.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	const procs, perProc = 4, 25
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := childCmd(t, "update", path, fmt.Sprintf("proc%d", p), perProc)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	c := openAuthConfig(t, path)
	for i := range perProc {
		if err := c.SetBasic(fmt.Sprintf("https://parent-%d", i), "u", "p"); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if want := (procs + 1) * perProc; len(entries) != want {
		t.Fatalf("%d entries, want %d: updates were lost", len(entries), want)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Backend] = true
	}
	for p := range procs {
		for i := range perProc {
			if !seen[fmt.Sprintf("https://proc%d-%d", p, i)] {
				t.Fatalf("proc%d-%d lost", p, i)
			}
		}
	}
	assertNoTemps(t, filepath.Dir(path))
}

// TestKilledWriter SIGKILLs a process in a tight write loop at random
// moments: the file always parses, keeps every other entry, and holds a
// token that was completely written (the one announced last or the next).
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, RefreshTokensFileName)
	s := openRefreshTokens(t, path)
	const bulk = 2000 // ~0.5 MB, so that each write takes a while and kills often land mid-write
	err := s.Update(func(root *ojson.Object) error {
		for i := range bulk {
			setRefreshToken(inPlace(root), fmt.Sprintf("https://issuer-%d", i), "c", strings.Repeat("x", 200), "2024-01-01T00:00:00Z", time.Time{})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	midWrite := 0
	for round := range 6 {
		cmd := childCmd(t, "loop", path, "", 0)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan int, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				n, _ := strconv.Atoi(sc.Text())
				lines <- n
			}
			close(lines)
		}()
		<-lines // at least one complete write
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
			t.Fatal(err)
		}
		_ = cmd.Wait() // "signal: killed" is the expected outcome
		last := 0
		for n := range lines {
			last = n
		}
		if entries, err := os.ReadDir(dir); err == nil {
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") {
					midWrite++
					break
				}
			}
		}
		data := testrig.ReadFile(t, path)
		if _, err := ojson.Parse(data); err != nil {
			t.Fatalf("round %d: file does not parse after SIGKILL: %v", round, err)
		}
		entries, err := s.Entries()
		if err != nil || len(entries) != bulk+1 {
			t.Fatalf("round %d: %d entries (%v)", round, len(entries), err)
		}
		tok, found, err := s.RefreshToken("https://issuer", "client")
		if err != nil || !found {
			t.Fatalf("round %d: token missing (%v)", round, err)
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(tok, "tok-"))
		if n != last && n != last+1 {
			t.Fatalf("round %d: token %q, last announced write %d", round, tok, last)
		}
		t.Logf("round %d: killed after write %d, file holds %s", round, last, tok)
	}
	t.Logf("rounds killed mid-write (a temporary file was left): %d of 6", midWrite)
	// A temporary file left by a killed writer is removed by the next write.
	if err := s.SetRefreshToken("https://issuer", "client", "final", time.Time{}); err != nil {
		t.Fatal(err)
	}
	assertNoTemps(t, dir)
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}
