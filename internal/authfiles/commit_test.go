package authfiles

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
)

// queued reports the state of a file's commit queue.
func queued(f *privateFile) (busy bool, pending int) {
	q := queueOf(f.cacheKey(f.path))
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.busy, len(q.pending)
}

// waitUntil polls cond until it holds (bounded by the test's deadline).
func waitUntil(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

// stackBatch makes the next commits of f one batch: a leader commit (lead)
// waits for the cross-process lock, which the test holds, until n more
// commits (started by more) are queued behind it; then the lock is released.
// The leader's batch holds only its own edit; the n queued ones form the
// next batch.
func stackBatch(t *testing.T, f *privateFile, lead func(), n int, more func(i int)) {
	t.Helper()
	release := holdLock(t, f.path+".lock")
	go lead()
	waitUntil(func() bool { busy, pending := queued(f); return busy && pending == 0 })
	for i := range n {
		go more(i)
	}
	waitUntil(func() bool { _, pending := queued(f); return pending == n })
	release()
}

// TestGroupCommitFailedEditFailsOnlyItsCaller: six writes share one
// rewrite; the one whose edit fails gets its error, the other five land,
// and every edit runs exactly once.
func TestGroupCommitFailedEditFailsOnlyItsCaller(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	if err := c.SetBasic("https://first", "u", "p"); err != nil {
		t.Fatal(err)
	}
	const n, failing = 6, 3
	boom := errors.New("boom")
	var (
		wg      sync.WaitGroup
		errs    [n]error
		applied [n]int
		drafts  [n]*draft
		leadErr error
	)
	url := func(i int) string { return fmt.Sprintf("https://b%d", i) }
	wg.Add(n + 1)
	stackBatch(t, c.f, func() {
		defer wg.Done()
		leadErr = c.SetBasic("https://leader", "u", "p")
	}, n, func(i int) {
		defer wg.Done()
		errs[i] = c.f.commit(func(d *draft) error {
			applied[i]++
			drafts[i] = d
			if i == failing {
				return boom
			}
			return c.wrapShape(setBasic(d, url(i), fmt.Sprintf("u%d", i), "p", PasswordAlways, "2024-01-01T00:00:00Z"))
		})
	})
	wg.Wait()
	if leadErr != nil {
		t.Fatal(leadErr)
	}
	for i := range n {
		if applied[i] != 1 {
			t.Errorf("edit %d ran %d times, want once", i, applied[i])
		}
		if drafts[i] != drafts[0] {
			t.Errorf("edit %d was not in the batch of edit 0", i)
		}
		e, found, err := c.Basic(url(i))
		if err != nil {
			t.Fatal(err)
		}
		if i == failing {
			if !errors.Is(errs[i], boom) || found {
				t.Errorf("failing edit: error %v, entry found %v; want boom and no entry", errs[i], found)
			}
			continue
		}
		if errs[i] != nil || !found || e.Username != fmt.Sprintf("u%d", i) {
			t.Errorf("edit %d: error %v, entry %+v (found %v)", i, errs[i], e, found)
		}
	}
	for _, u := range []string{"https://first", "https://leader"} {
		if _, found, err := c.Basic(u); err != nil || !found {
			t.Errorf("%s lost (%v)", u, err)
		}
	}
}

// TestGroupCommitRemovalsAndSets: removals and writes of one batch each
// report their own result.
func TestGroupCommitRemovalsAndSets(t *testing.T) {
	path := filepath.Join(t.TempDir(), AuthConfigFileName)
	c := openAuthConfig(t, path)
	for _, u := range []string{"https://keep", "https://gone"} {
		if err := c.SetBasic(u, "u", "p"); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg                 sync.WaitGroup
		removed, notThere  bool
		errRm, errNo, errS error
	)
	wg.Add(4)
	stackBatch(t, c.f, func() { defer wg.Done(); _ = c.SetBasic("https://leader", "u", "p") }, 3, func(i int) {
		defer wg.Done()
		switch i {
		case 0:
			removed, errRm = c.RemoveBasic("https://gone")
		case 1:
			notThere, errNo = c.RemoveBasic("https://never")
		case 2:
			errS = c.SetBasic("https://new", "u", "p")
		}
	})
	wg.Wait()
	if errRm != nil || errNo != nil || errS != nil || !removed || notThere {
		t.Fatalf("removed %v (%v), never there %v (%v), set %v", removed, errRm, notThere, errNo, errS)
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Backend)
	}
	if fmt.Sprint(got) != "[https://keep https://leader https://new]" {
		t.Fatalf("entries %v", got)
	}
}

// groupKillChild is the child of TestKilledDuringGroupCommit: n SetBasic
// calls set the password "new" for https://e<i>; the first commits alone
// (the parent holds the lock until the others are queued), the n-1 others
// form the second commit, which stops for good at stage ("rename": the new
// file is written and synced, not yet renamed; "renamed": renamed, the
// folder not yet synced) after printing "stopped", to be killed there.
func groupKillChild(path, stage string, n int) int {
	c, err := OpenAuthConfig(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	commits := 0
	c.f.atReplace = func(s string) {
		if s != stage {
			return
		}
		if commits++; commits == 2 {
			fmt.Println("stopped")
			select {}
		}
	}
	set := func(i int) {
		if err := c.SetBasic(fmt.Sprintf("https://e%d", i), "u", "new"); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	go set(0)
	waitUntil(func() bool { busy, pending := queued(c.f); return busy && pending == 0 })
	for i := 1; i < n; i++ {
		go set(i)
	}
	waitUntil(func() bool { _, pending := queued(c.f); return pending == n-1 })
	fmt.Println("queued")
	select {}
}

// TestKilledDuringGroupCommit SIGKILLs a process in the middle of a group
// commit of seven entries, before and after the rename: the file parses and
// holds the old content of all seven, or the new content of all seven.
func TestKilledDuringGroupCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const n = 8
	for stage, wantNew := range map[string]bool{"rename": false, "renamed": true} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, AuthConfigFileName)
			c := openAuthConfig(t, path)
			for i := range n {
				if err := c.SetBasic(fmt.Sprintf("https://e%d", i), "u", "old"); err != nil {
					t.Fatal(err)
				}
			}
			release := holdLock(t, path+".lock")
			cmd := childCmd(t, "groupkill", path, stage, n)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			expect := func(want string) {
				t.Helper()
				if !lines.Scan() || lines.Text() != want {
					_ = cmd.Process.Kill()
					t.Fatalf("child said %q, want %q (%v)", lines.Text(), want, lines.Err())
				}
			}
			expect("queued")
			release()
			expect("stopped")
			if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
				t.Fatal(err)
			}
			_ = cmd.Wait() // "signal: killed" is the expected outcome

			if _, err := ojson.Parse(testrig.ReadFile(t, path)); err != nil {
				t.Fatalf("the file does not parse after SIGKILL: %v", err)
			}
			for i := range n {
				e, found, err := c.Basic(fmt.Sprintf("https://e%d", i))
				if err != nil || !found || !e.HasPassword {
					t.Fatalf("entry %d: %+v found %v (%v)", i, e, found, err)
				}
				want := "old"
				if i == 0 || wantNew { // entry 0 was the first, complete commit
					want = "new"
				}
				if e.Password != want {
					t.Errorf("entry %d holds %q, want %q", i, e.Password, want)
				}
			}
			// The next write removes a temporary file the killed writer left.
			if err := c.SetBasic("https://after", "u", "p"); err != nil {
				t.Fatal(err)
			}
			assertNoTemps(t, dir)
		})
	}
}
