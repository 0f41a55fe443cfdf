package resources_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/acctest"
)

// manyConfig declares n entries spread over the three resource types in the
// given files; prefix keeps the entries of several runs apart.
func manyConfig(acFile, rtFile, prefix string, nBasic, nOIDC, nToken int) string {
	return fmt.Sprintf(`
resource "openeo_auth_config_basic" "b" {
  count    = %[4]d
  file     = %[1]s
  url      = "https://%[3]s-${count.index}.example.org"
  username = "user-${count.index}"
  password = "pw-%[3]s-${count.index}"
}

resource "openeo_auth_config_oidc" "o" {
  count         = %[5]d
  file          = %[1]s
  url           = "https://%[3]s.example.org"
  provider_id   = "idp-${count.index}"
  client_id     = "client-${count.index}"
  client_secret = "cs-%[3]s-${count.index}"
  issuer        = "https://idp-${count.index}.example.org"
}

resource "openeo_refresh_token" "t" {
  count         = %[6]d
  file          = %[2]s
  issuer        = "https://issuer-%[3]s.example.org"
  client_id     = "client-${count.index}"
  refresh_token = "rt-%[3]s-${count.index}"
}
`, q(acFile), q(rtFile), prefix, nBasic, nOIDC, nToken)
}

// TestAccParallelApply200 applies 200 resources of the three types in one
// run at -parallelism=10, all writing the same two files, then destroys them.
func TestAccParallelApply200(t *testing.T) {
	dirs := acctest.PreCheck(t)
	ac, rt := dirs.AuthConfigPath(), dirs.RefreshTokensPath()
	d := acctest.NewWorkDir(t, dirs, manyConfig(ac, rt, "par", 70, 70, 60))

	start := time.Now()
	d.Must("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	t.Logf("apply of 200 resources at -parallelism=10: %s", time.Since(start).Round(time.Millisecond))

	b, o, tok, err := countEntries(ac, rt)
	if err != nil {
		t.Fatal(err)
	}
	if b != 70 || o != 70 || tok != 60 {
		t.Fatalf("after apply: %d basic, %d oidc, %d tokens; want 70, 70, 60", b, o, tok)
	}
	out := d.Must("plan", "-input=false", "-no-color", "-detailed-exitcode", "-parallelism=10")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply is not empty:\n%s", out)
	}

	start = time.Now()
	d.Must("destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	t.Logf("destroy of 200 resources at -parallelism=10: %s", time.Since(start).Round(time.Millisecond))
	if b, o, tok, err = countEntries(ac, rt); err != nil || b+o+tok != 0 {
		t.Fatalf("after destroy: %d basic, %d oidc, %d tokens (err %v); want none", b, o, tok, err)
	}
}

// TestAccConcurrentRuns runs two Terraform configurations with their own
// state and provider process against the same files at the same time.
// Nothing may be lost, on apply and on destroy.
func TestAccConcurrentRuns(t *testing.T) {
	dirs := acctest.PreCheck(t)
	ac, rt := dirs.AuthConfigPath(), dirs.RefreshTokensPath()
	const nB, nO, nT = 20, 20, 20
	var runs []*acctest.WorkDir
	for _, prefix := range []string{"one", "two"} {
		d := acctest.NewWorkDir(t, dirs, manyConfig(ac, rt, prefix, nB, nO, nT))
		runs = append(runs, d)
	}

	both := func(args ...string) {
		t.Helper()
		var wg sync.WaitGroup
		outs := make([]string, len(runs))
		errs := make([]error, len(runs))
		spans := make([][2]time.Time, len(runs))
		for i, d := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				spans[i][0] = time.Now()
				res := d.Run(nil, args...)
				outs[i], errs[i] = res.Output, res.Err
				spans[i][1] = time.Now()
			}()
		}
		wg.Wait()
		for i := range runs {
			if errs[i] != nil {
				t.Fatalf("run %d: terraform %s: %v\n%s", i, strings.Join(args, " "), errs[i], outs[i])
			}
		}
		firstEnd, lastStart := spans[0][1], spans[1][0]
		if spans[1][1].Before(firstEnd) {
			firstEnd = spans[1][1]
		}
		if spans[0][0].After(lastStart) {
			lastStart = spans[0][0]
		}
		overlap := firstEnd.Sub(lastStart)
		t.Logf("terraform %s: run 1 %s, run 2 %s, overlapping for %s", args[0],
			spans[0][1].Sub(spans[0][0]).Round(time.Millisecond), spans[1][1].Sub(spans[1][0]).Round(time.Millisecond),
			overlap.Round(time.Millisecond))
		if overlap <= 0 {
			t.Errorf("the two runs did not overlap")
		}
	}

	both("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	b, o, tok, err := countEntries(ac, rt)
	if err != nil {
		t.Fatal(err)
	}
	if b != 2*nB || o != 2*nO || tok != 2*nT {
		t.Fatalf("after two concurrent applies: %d basic, %d oidc, %d tokens; want %d, %d, %d", b, o, tok, 2*nB, 2*nO, 2*nT)
	}
	for i, d := range runs {
		if out := d.Must("plan", "-input=false", "-no-color"); !strings.Contains(out, "No changes.") {
			t.Fatalf("run %d: plan after apply is not empty:\n%s", i, out)
		}
	}

	both("destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
	if b, o, tok, err = countEntries(ac, rt); err != nil || b+o+tok != 0 {
		t.Fatalf("after two concurrent destroys: %d basic, %d oidc, %d tokens (err %v); want none", b, o, tok, err)
	}
}
