//go:build linux

package acceptance_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles"
	"github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"
	"github.com/openeo-tf/terraform-provider-openeo/internal/testrig"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

// TestAccKilledProviderLeavesAuthFileIntact: `terraform apply` rewrites the
// passwords of 150 openeo_auth_config_basic entries in one auth-config.json,
// one locked write per resource, 10 at a time. The provider process is killed
// with SIGKILL in the middle of that write loop. Afterwards the file parses,
// holds all 150 entries, and each entry holds either its old or its new
// password, never a mix or a torn write. The next apply finishes the job.
// (Linux: the provider process is found through /proc.)
func TestAccKilledProviderLeavesAuthFileIntact(t *testing.T) {
	const n = 150
	dirs := acctest.PreCheck(t)
	rng := rand.New(rand.NewPCG(11, uint64(time.Now().UnixNano())))
	midLoop := 0
	const rounds = 3
	for round := range rounds {
		file := filepath.Join(t.TempDir(), "auth-config.json")
		d := acctest.NewWorkDir(t, dirs, basicEntries(file, n, "old"))
		if res := d.Apply(); res.Err != nil {
			t.Fatalf("round %d: first apply: %v\n%s", round, res.Err, res.Output)
		}
		d.Write(basicEntries(file, n, "new"))

		var killMu sync.Mutex
		killed := 0
		var wg sync.WaitGroup
		started := func(tfPID int) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Wait for the first new password on disk: the loop runs.
				deadline := time.Now().Add(2 * time.Minute)
				for time.Now().Before(deadline) {
					if data, err := os.ReadFile(file); err == nil && strings.Contains(string(data), "new-password-") {
						break
					}
					time.Sleep(2 * time.Millisecond)
				}
				time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
				for _, pid := range tfrun.Descendants(tfPID) {
					if strings.HasPrefix(tfrun.ProcessName(pid), "terraform-prov") {
						if err := tfrun.Kill(pid); err == nil {
							killMu.Lock()
							killed++
							killMu.Unlock()
						}
					}
				}
			}()
		}
		res := d.Setup.Run(testrig.Context(t), tfrun.Cmd{
			Dir: d.Dir, Args: []string{"apply", "-input=false", "-no-color", "-auto-approve"},
			Env: d.Env, Started: started,
		})
		wg.Wait()
		if res.TimedOut {
			t.Fatalf("round %d: apply hung after the kill:\n%s", round, res.Output)
		}
		if killed == 0 {
			t.Fatalf("round %d: no provider process was found to kill (apply err %v)\n%s", round, res.Err, res.Output)
		}
		if res.Err == nil {
			t.Logf("round %d: the apply finished before the kill took effect", round)
		}

		newCount := checkAuthFile(t, file, n)
		if newCount > 0 && newCount < n {
			midLoop++
		}
		t.Logf("round %d: provider killed after %d of %d entries were rewritten; the file parses and every entry "+
			"is old or new", round, newCount, n)

		// The next run completes the change (a temporary file left by the
		// killed writer does not get in the way).
		if res := d.Apply(); res.Err != nil {
			t.Fatalf("round %d: apply after the kill: %v\n%s", round, res.Err, res.Output)
		}
		if got := checkAuthFile(t, file, n); got != n {
			t.Errorf("round %d: after the re-apply %d of %d entries hold the new password", round, got, n)
		}
	}
	if midLoop == 0 {
		t.Errorf("in none of %d rounds was the provider killed in the middle of the write loop", rounds)
	}
}

// basicEntries declares n openeo_auth_config_basic resources in one file,
// with passwords "<gen>-password-<i>".
func basicEntries(file string, n int, gen string) string {
	var b strings.Builder
	b.WriteString("provider \"openeo\" {}\n")
	for i := range n {
		fmt.Fprintf(&b, `resource "openeo_auth_config_basic" "b%[1]d" {
  file     = %[2]s
  url      = "https://backend-%[1]d.example.org"
  username = "user-%[1]d"
  password = "%[3]s-password-%[1]d"
}
`, i, q(file), gen)
	}
	return b.String()
}

// checkAuthFile parses the file, checks that each of the n entries holds its
// old or its new password, and returns how many hold the new one.
func checkAuthFile(t *testing.T, file string, n int) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading %s: %v", file, err)
	}
	if _, err := ojson.Parse(data); err != nil {
		t.Fatalf("%s does not parse after the kill: %v\n%s", file, err, data)
	}
	c, err := authfiles.OpenAuthConfig(file, authfiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := c.Entries()
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(entries) != n {
		t.Fatalf("%s holds %d entries, want %d", file, len(entries), n)
	}
	newCount := 0
	for i := range n {
		url := fmt.Sprintf("https://backend-%d.example.org", i)
		e, found, err := c.Basic(url)
		if err != nil || !found {
			t.Fatalf("entry %s missing (%v)", url, err)
		}
		switch e.Password {
		case fmt.Sprintf("old-password-%d", i):
		case fmt.Sprintf("new-password-%d", i):
			newCount++
		default:
			t.Fatalf("entry %s holds password %q: neither the old nor the new one", url, e.Password)
		}
		if e.Username != fmt.Sprintf("user-%d", i) {
			t.Fatalf("entry %s holds user %q", url, e.Username)
		}
	}
	return newCount
}
