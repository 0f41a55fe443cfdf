// Command bench is `make bench`: it measures the provider against
// Terraform's built-in terraform_data with the real Terraform CLI, counts
// the requests the test IdP and the openEO test back-end see per plan, runs
// the Go benchmarks of the hot paths, and writes results/bench.md,
// results/bench.svg and results/bench.json. It prints figures; it never
// passes or fails on time.
//
// It needs the test IdP (OPENEO_TEST_ISSUER; scripts/bench.sh starts the rig)
// and a Terraform CLI. The provider is built once from this checkout and
// installed through a private CLI configuration with dev_overrides. The
// openEO back-end runs inside this program.
//
// Environment:
//
//	BENCH_N             object counts, comma separated, for every scenario
//	                    (default: apply 10,100,500,1000,2000; data
//	                    10,100,500,1000; ephemeral 10,100,500)
//	BENCH_ROUNDS        rounds per count (default 3); the median is reported
//	BENCH_SCENARIOS     data,ephemeral,apply (default all)
//	BENCH_RESULTS       output folder (default <module>/results)
//	BENCH_GO            0 skips the Go benchmarks (default 1)
//	BENCH_GO_BENCHTIME  -benchtime of the Go benchmarks (default 1s)
//	BENCH_TIMEOUT       limit of one terraform command (default 30m; an
//	                    apply of 2000 entries on a busy machine takes more
//	                    than 10 minutes)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/openeo-tf/terraform-provider-openeo/internal/settings"
	"github.com/openeo-tf/terraform-provider-openeo/internal/tfrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	ns         []int // from BENCH_N; nil: each scenario's defaults
	rounds     int
	scenarios  []scenario
	results    string
	goBench    bool
	benchtime  string
	issuer     string
	runTimeout time.Duration
}

func parseOptions(root string) (options, error) {
	o := options{rounds: 3, goBench: true, benchtime: "1s", runTimeout: 30 * time.Minute,
		results: filepath.Join(root, "results")}
	if nList := os.Getenv("BENCH_N"); strings.TrimSpace(nList) != "" {
		for _, f := range strings.Split(nList, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return o, fmt.Errorf("BENCH_N=%q: %q is not a positive number", nList, f)
			}
			o.ns = append(o.ns, n)
		}
		slices.Sort(o.ns)
		o.ns = slices.Compact(o.ns)
	}
	if v := os.Getenv("BENCH_ROUNDS"); v != "" {
		r, err := strconv.Atoi(v)
		if err != nil || r < 1 {
			return o, fmt.Errorf("BENCH_ROUNDS=%q is not a positive number", v)
		}
		o.rounds = r
	}
	for _, name := range strings.Split(envOr("BENCH_SCENARIOS", "data,ephemeral,apply"), ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == name })
		if i < 0 {
			return o, fmt.Errorf("BENCH_SCENARIOS: unknown scenario %q (known: data, ephemeral, apply)", name)
		}
		o.scenarios = append(o.scenarios, scenarios[i])
	}
	if v := os.Getenv("BENCH_RESULTS"); v != "" {
		o.results = v
	}
	o.goBench = os.Getenv("BENCH_GO") != "0"
	o.benchtime = envOr("BENCH_GO_BENCHTIME", o.benchtime)
	if v := os.Getenv("BENCH_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("BENCH_TIMEOUT=%q is not a positive duration (for example 45m)", v)
		}
		o.runTimeout = d
	}
	o.issuer = strings.TrimRight(os.Getenv("OPENEO_TEST_ISSUER"), "/")
	return o, nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func run(ctx context.Context) error {
	root, err := tfrun.ModuleRoot()
	if err != nil {
		return err
	}
	o, err := parseOptions(root)
	if err != nil {
		return err
	}
	if o.issuer == "" {
		return fmt.Errorf("OPENEO_TEST_ISSUER is not set: run `make bench` (scripts/bench.sh starts the test IdP), " +
			"or `scripts/rig.sh start && eval \"$(scripts/rig.sh env)\"` first")
	}
	tmp, err := os.MkdirTemp("", "openeo-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	logf("building the provider ...")
	setup, err := tfrun.Build(ctx, root, tmp, tfrun.Install{})
	if err != nil {
		return err
	}
	rep := &report{
		Started: time.Now().UTC(), Rounds: o.rounds, Ns: o.allNs(),
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
		Terraform: versionLine(ctx, setup.Terraform, "version"), Go: versionLine(ctx, "go", "version"),
	}

	p := &idp{issuer: o.issuer, http: &http.Client{Timeout: 30 * time.Second}}
	cl, err := p.register(ctx, "make-bench")
	if err != nil {
		return fmt.Errorf("the test IdP at %s: %w", o.issuer, err)
	}
	be, err := startBackend(o.issuer, 10*time.Minute)
	if err != nil {
		return err
	}
	defer be.close()
	e := &env{backendURL: be.URL(), client: cl}
	b := &bencher{setup: setup, idp: p, be: be, env: e, tmp: tmp, timeout: o.runTimeout}

	// Warm-up (not measured): page cache, binaries, the IdP's first token.
	logf("warming up ...")
	for _, sc := range o.scenarios {
		if _, err := b.runOurs(ctx, sc, o.nsOf(sc)[0]); err != nil {
			return err
		}
		if _, err := b.runBaseline(ctx, sc, o.nsOf(sc)[0]); err != nil {
			return err
		}
	}

	cells := map[string]*cell{}
	for _, sc := range o.scenarios {
		for _, n := range o.nsOf(sc) {
			c := &cell{Scenario: sc.name, Title: sc.title, N: n, Counts: sc.counts}
			cells[key(sc.name, n)] = c
			rep.Cells = append(rep.Cells, c)
		}
	}
	for round := 1; round <= o.rounds; round++ {
		for _, sc := range o.scenarios {
			for _, n := range o.nsOf(sc) {
				c := cells[key(sc.name, n)]
				// Alternate which side goes first, so that a drift of the
				// machine (other jobs, thermal) hits both sides alike.
				oursFirst := round%2 == 1
				for side := range 2 {
					if (side == 0) == oursFirst {
						s, err := b.runOurs(ctx, sc, n)
						if err != nil {
							return err
						}
						s.Round = round
						c.Ours = append(c.Ours, s)
					} else {
						s, err := b.runBaseline(ctx, sc, n)
						if err != nil {
							return err
						}
						s.Round = round
						c.Baseline = append(c.Baseline, s)
					}
				}
				so, sb := c.Ours[len(c.Ours)-1], c.Baseline[len(c.Baseline)-1]
				extra := ""
				if sc.counts {
					extra = fmt.Sprintf(" | IdP token requests %d, /credentials/oidc %d, /me %d", so.TokenRequests, so.CredentialsOIDC, so.Me)
				}
				logf("[round %d/%d] %-9s N=%-4d ours %6.2fs %5.0f MB, provider CPU %6.2fs | baseline %6.2fs %5.0f MB%s | load %s",
					round, o.rounds, sc.name, n, so.Seconds, mb(so.TotalKB), so.PluginCPU, sb.Seconds, mb(sb.TotalKB), extra, loadAvg())
			}
		}
	}

	if o.goBench {
		logf("running the Go benchmarks (-benchtime %s) ...", o.benchtime)
		rep.GoBench, err = runGoBenchmarks(ctx, root, o.benchtime)
		if err != nil {
			return err
		}
	}
	rep.Finished = time.Now().UTC()
	rep.LoadAvg = loadAvg()

	if err := os.MkdirAll(o.results, 0o755); err != nil {
		return err
	}
	md := rep.markdown()
	files := map[string][]byte{"bench.md": []byte(md), "bench.svg": []byte(rep.svg())}
	if files["bench.json"], err = json.MarshalIndent(rep, "", "  "); err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(o.results, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Print(md)
	logf("\nwritten: %s, %s, %s", filepath.Join(o.results, "bench.md"), filepath.Join(o.results, "bench.svg"),
		filepath.Join(o.results, "bench.json"))
	return nil
}

func key(s string, n int) string { return s + "/" + strconv.Itoa(n) }

// nsOf is the object counts of a scenario: BENCH_N, or its defaults.
func (o options) nsOf(sc scenario) []int {
	if o.ns != nil {
		return o.ns
	}
	return sc.ns
}

// allNs is every object count measured, in order.
func (o options) allNs() []int {
	var all []int
	for _, sc := range o.scenarios {
		all = append(all, o.nsOf(sc)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// loadAvg is the first three fields of /proc/loadavg ("" elsewhere): the
// machine's load while the figures were taken.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func versionLine(ctx context.Context, bin string, args ...string) string {
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return first
}

// bencher runs the Terraform commands of the scenarios.
type bencher struct {
	setup   *tfrun.Setup
	idp     *idp
	be      *backend
	env     *env
	tmp     string
	timeout time.Duration
	seq     int
}

// workdir is a fresh folder with main.tf and private openEO/home folders.
func (b *bencher) workdir(config func(work string) string) (string, []string, error) {
	b.seq++
	work := filepath.Join(b.tmp, fmt.Sprintf("run-%04d", b.seq))
	for _, d := range []string{"tf", "openeo", "home", "xdg-config", "xdg-data"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o700); err != nil {
			return "", nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(work, "tf", "main.tf"), []byte(config(work)), 0o600); err != nil {
		return "", nil, err
	}
	env := []string{
		"HOME=" + filepath.Join(work, "home"),
		"OPENEO_CONFIG_HOME=" + filepath.Join(work, "openeo"),
		"XDG_CONFIG_HOME=" + filepath.Join(work, "xdg-config"),
		"XDG_DATA_HOME=" + filepath.Join(work, "xdg-data"),
		settings.EnvAuthClientSecret + "=" + b.env.client.Secret,
	}
	return work, env, nil
}

func (b *bencher) terraform(ctx context.Context, command string, config func(work string) string) (sample, error) {
	work, env, err := b.workdir(config)
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(work)
	res := b.setup.Run(ctx, tfrun.Cmd{Dir: filepath.Join(work, "tf"), Args: commandArgs(command), Env: env, Timeout: b.timeout})
	if res.Err != nil {
		return sample{}, fmt.Errorf("terraform %s failed: %w\n%s", command, res.Err, tail(res.Output, 40))
	}
	return sample{
		Seconds: res.Wall.Seconds(), TerraformCPU: res.TerraformCPU.Seconds(), PluginCPU: res.PluginCPU.Seconds(),
		TerraformKB: res.TerraformPeakKB, TerraformSampledKB: res.TerraformSampledKB,
		PluginKB: res.PluginPeakKB, Plugins: res.Plugins, TotalKB: res.TotalPeakKB(),
		TokenRequests: -1, CredentialsOIDC: -1, Me: -1,
	}, nil
}

func (b *bencher) runOurs(ctx context.Context, sc scenario, n int) (sample, error) {
	var tokens0 int
	var counts0 map[string]int
	if sc.counts {
		var err error
		if tokens0, err = b.idp.tokenRequests(ctx, b.env.client.ID); err != nil {
			return sample{}, err
		}
		counts0 = b.be.Counts()
	}
	s, err := b.terraform(ctx, sc.command, func(work string) string { return sc.ours(b.env, n, work) })
	if err != nil {
		return s, fmt.Errorf("%s N=%d (ours): %w", sc.name, n, err)
	}
	if sc.counts {
		tokens1, err := b.idp.tokenRequests(ctx, b.env.client.ID)
		if err != nil {
			return s, err
		}
		counts1 := b.be.Counts()
		s.TokenRequests = tokens1 - tokens0
		s.CredentialsOIDC = counts1["/credentials/oidc"] - counts0["/credentials/oidc"]
		s.Me = counts1["/me"] - counts0["/me"]
	}
	return s, nil
}

func (b *bencher) runBaseline(ctx context.Context, sc scenario, n int) (sample, error) {
	s, err := b.terraform(ctx, sc.command, func(string) string { return baseline(n) })
	if err != nil {
		return s, fmt.Errorf("%s N=%d (baseline): %w", sc.name, n, err)
	}
	return s, nil
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
