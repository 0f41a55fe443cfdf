package main

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"time"
)

// sample is one measured Terraform command.
type sample struct {
	Round   int     `json:"round"`
	Seconds float64 `json:"seconds"`
	// CPU time (user + system) of Terraform itself and of the provider
	// plugin processes it started; -1: not measured (not Linux).
	TerraformCPU       float64 `json:"terraform_cpu_seconds"`
	PluginCPU          float64 `json:"provider_cpu_seconds"`
	TerraformKB        int64   `json:"terraform_peak_kb"`
	TerraformSampledKB int64   `json:"terraform_sampled_peak_kb"`
	PluginKB           int64   `json:"plugin_peak_kb"`
	Plugins            int     `json:"plugins"`
	TotalKB            int64   `json:"total_peak_kb"`
	// Requests seen during the command (ours, plan scenarios); -1: not counted.
	TokenRequests   int `json:"idp_token_requests"`
	CredentialsOIDC int `json:"backend_credentials_oidc"`
	Me              int `json:"backend_me"`
}

// cell is one scenario at one N.
type cell struct {
	Scenario string   `json:"scenario"`
	Title    string   `json:"title"`
	N        int      `json:"n"`
	Counts   bool     `json:"counts"`
	Ours     []sample `json:"ours"`
	Baseline []sample `json:"baseline"`
}

type report struct {
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
	Rounds    int       `json:"rounds"`
	Ns        []int     `json:"n"`
	GOOS      string    `json:"goos"`
	GOARCH    string    `json:"goarch"`
	CPUs      int       `json:"cpus"`
	Terraform string    `json:"terraform"`
	Go        string    `json:"go"`
	LoadAvg   string    `json:"load_average"` // /proc/loadavg at the end
	Cells     []*cell   `json:"cells"`
	GoBench   []goBench `json:"go_benchmarks"`
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func field(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	return median(v)
}

func secs(s sample) float64 { return s.Seconds }

func mb(kb int64) float64 { return float64(kb) / 1024 }

func ratio(a, b float64) string {
	if b <= 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// cellsOf returns the cells of one scenario, by N.
func (r *report) cellsOf(name string) []*cell {
	var out []*cell
	for _, c := range r.Cells {
		if c.Scenario == name {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *cell) int { return a.N - b.N })
	return out
}

func (r *report) scenarioNames() []string {
	var out []string
	for _, c := range r.Cells {
		if !slices.Contains(out, c.Scenario) {
			out = append(out, c.Scenario)
		}
	}
	return out
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# make bench\n\n")
	w("Measured %s on %s/%s, %d CPUs; %s; %s. Each cell is the median of %d rounds; within a round the two sides "+
		"run one after the other, alternating which goes first.\n\n",
		r.Started.Format("2006-01-02 15:04 MST"), r.GOOS, r.GOARCH, r.CPUs, r.Terraform, r.Go, r.Rounds)
	w("- **Time** is the wall time of one `terraform` command, from start to exit, in a fresh working directory (no state).\n")
	w("- **Memory** is Terraform's peak RSS (`ru_maxrss` from wait4) plus the peak RSS of each provider plugin process " +
		"(`VmHWM` from `/proc/<pid>/status`, sampled every 10 ms; Terraform starts the provider several times per command, one " +
		"after the other, so the largest sum of the plugins running at the same moment is taken). The baseline starts no plugin: " +
		"`terraform_data` is built into Terraform. The sum of the two peaks is an upper bound of what the command held at once.\n")
	w("- **Per object** is the median time divided by N; **marginal** is the extra time per extra object between two " +
		"consecutive N, i.e. the slope of the chart.\n")
	w("- The provider is built from this checkout and installed through a private CLI configuration with `dev_overrides` " +
		"(no registry). The openEO test back-end runs in the bench process and caches token introspection, as a " +
		"production back-end does; the IdP is the rig's test IdP.\n\n")

	w("## Wall time and peak memory\n\n")
	w("| scenario | N | ours s | baseline s | ours / baseline | ours ms per object | baseline ms per object | " +
		"ours marginal ms per object | baseline marginal ms per object | ours peak MB (Terraform + provider) | baseline peak MB | memory ours / baseline |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	noisy := false
	for _, name := range r.scenarioNames() {
		var prev *cell
		for _, c := range r.cellsOf(name) {
			to, tb := field(c.Ours, secs), field(c.Baseline, secs)
			mo := field(c.Ours, func(s sample) float64 { return mb(s.TotalKB) })
			mt := field(c.Ours, func(s sample) float64 { return mb(s.TerraformKB) })
			mp := field(c.Ours, func(s sample) float64 { return mb(s.PluginKB) })
			mbase := field(c.Baseline, func(s sample) float64 { return mb(s.TotalKB) })
			margO, margB := "–", "–"
			if prev != nil {
				var n bool
				margO, n = marginal(prev.N, c.N, prev.Ours, c.Ours)
				noisy = noisy || n
				margB, n = marginal(prev.N, c.N, prev.Baseline, c.Baseline)
				noisy = noisy || n
			}
			w("| %s | %d | %.2f | %.2f | %s | %.2f | %.2f | %s | %s | %.0f (%.0f + %.0f) | %.0f | %s |\n",
				name, c.N, to, tb, ratio(to, tb), to*1000/float64(c.N), tb*1000/float64(c.N), margO, margB,
				mo, mt, mp, mbase, ratio(mo, mbase))
			prev = c
		}
	}
	w("\n")
	if noisy {
		w("%s A marginal cost marked so is below zero, or the difference of the two medians it comes from is not larger "+
			"than the spread (slowest minus fastest round) of the two cells: it is %s, not a property of the provider. "+
			"Run more rounds (BENCH_ROUNDS, now %d) on an idle machine for a usable slope.\n\n", noiseMark, noiseNote, r.Rounds)
	}
	for _, name := range r.scenarioNames() {
		if cs := r.cellsOf(name); len(cs) > 0 {
			w("- `%s`: %s\n", name, cs[0].Title)
		}
	}

	w("\n## Cost per object and CPU\n\n")
	w("Wall time per object of both sides, their ratio and difference; the CPU time (user + system) of the provider " +
		"plugin processes of our side (from /proc/<pid>/stat of the exited Terraform: the children it waited for) per " +
		"object, and Terraform's own CPU time per object on both sides. Medians of the rounds. CPU time, unlike wall " +
		"time, hardly depends on what else the machine runs.\n\n")
	if r.LoadAvg != "" {
		w("Load average at the end of the run: %s (%d CPUs).\n\n", r.LoadAvg, r.CPUs)
	}
	w("| scenario | N | ours ms per object | baseline ms per object | ours / baseline | ours − baseline ms per object | " +
		"provider CPU s | provider CPU ms per object | Terraform CPU ms per object (ours) | Terraform CPU ms per object (baseline) |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, name := range r.scenarioNames() {
		for _, c := range r.cellsOf(name) {
			n := float64(c.N)
			to, tb := field(c.Ours, secs), field(c.Baseline, secs)
			pc := field(c.Ours, func(s sample) float64 { return s.PluginCPU })
			tco := field(c.Ours, func(s sample) float64 { return s.TerraformCPU })
			tcb := field(c.Baseline, func(s sample) float64 { return s.TerraformCPU })
			w("| %s | %d | %.2f | %.2f | %s | %.2f | %s | %s | %s | %s |\n", name, c.N, to*1000/n, tb*1000/n, ratio(to, tb),
				(to-tb)*1000/n, cpuText(pc, 1), cpuText(pc, n), cpuText(tco, n), cpuText(tcb, n))
		}
	}

	if lines := r.targets(); len(lines) > 0 {
		w("\n## Scale targets\n\n")
		w("The targets the provider is held to, from the cells of this run (medians); a target whose cells were not " +
			"measured is left out.\n\n")
		w("| target | measured | limit | met |\n|---|---:|---:|---|\n")
		for _, l := range lines {
			w("%s\n", l)
		}
	}

	var counted []*cell
	for _, c := range r.Cells {
		if c.Counts {
			counted = append(counted, c)
		}
	}
	if len(counted) > 0 {
		w("\n## Requests per plan (one provider configuration)\n\n")
		w("Counted at the test IdP (token requests of the bench's client) and at the back-end, per `terraform plan` " +
			"of our side, one value per round.\n\n")
		w("| scenario | N | IdP token requests | back-end GET /credentials/oidc | back-end GET /me | one token request and one /credentials/oidc per plan |\n")
		w("|---|---:|---|---|---|---|\n")
		for _, c := range counted {
			ok := true
			var tok, oidc, me []string
			for _, s := range c.Ours {
				tok = append(tok, fmt.Sprint(s.TokenRequests))
				oidc = append(oidc, fmt.Sprint(s.CredentialsOIDC))
				me = append(me, fmt.Sprint(s.Me))
				ok = ok && s.TokenRequests == 1 && s.CredentialsOIDC == 1
			}
			verdict := "yes"
			if !ok {
				verdict = "**NO**"
			}
			w("| %s | %d | %s | %s | %s | %s |\n", c.Scenario, c.N, strings.Join(tok, ", "), strings.Join(oidc, ", "),
				strings.Join(me, ", "), verdict)
		}
	}

	if len(r.GoBench) > 0 {
		w("\n## Go benchmarks of the hot paths\n\n")
		w("`go test -bench . -benchmem` of %s.\n\n", strings.Join(goBenchPackages, " "))
		w("| package | benchmark | ns/op | B/op | allocs/op |\n|---|---|---:|---:|---:|\n")
		for _, g := range r.GoBench {
			w("| %s | %s | %s | %.0f | %.0f |\n", strings.TrimPrefix(g.Package, "github.com/openeo-tf/terraform-provider-openeo/"),
				g.Name, fmtNs(g.NsPerOp), g.BytesPerOp, g.AllocsPerOp)
		}
	}
	w("\n![median wall time against N, ours and baseline](bench.svg)\n")
	return b.String()
}

// noiseMark flags a marginal cost that is noise; noiseNote says why.
const (
	noiseMark = "(noise)"
	noiseNote = "noise: fewer rounds or a busy machine"
)

// spread is the slowest minus the fastest round of samples.
func spread(ss []sample) float64 {
	if len(ss) == 0 {
		return 0
	}
	lo, hi := ss[0].Seconds, ss[0].Seconds
	for _, s := range ss[1:] {
		lo, hi = min(lo, s.Seconds), max(hi, s.Seconds)
	}
	return hi - lo
}

// marginal formats the extra milliseconds per extra object between two
// consecutive N (the slope of the chart) from the medians, as before, and
// marks it with noiseMark when it is below zero or when the difference of
// the medians is not larger than the mean spread of the two cells' rounds.
// The figure itself is never changed. noisy reports the mark.
func marginal(prevN, n int, prev, cur []sample) (text string, noisy bool) {
	diff := field(cur, secs) - field(prev, secs)
	slope := diff * 1000 / float64(n-prevN)
	text = fmt.Sprintf("%.2f", slope)
	if slope < 0 || diff <= (spread(prev)+spread(cur))/2 {
		return text + " " + noiseMark, true
	}
	return text, false
}

// cpuText is seconds of CPU divided by n (in ms when n > 1), "–" when not
// measured.
func cpuText(seconds, n float64) string {
	if seconds < 0 || math.IsNaN(seconds) {
		return "–"
	}
	if n == 1 {
		return fmt.Sprintf("%.2f", seconds)
	}
	return fmt.Sprintf("%.2f", seconds*1000/n)
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.0f (%.2f ms)", ns, ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.0f (%.1f µs)", ns, ns/1e3)
	}
	return fmt.Sprintf("%.1f", ns)
}

// niceCeil rounds x up to 1, 2 or 5 times a power of ten, for axis ranges.
func niceCeil(x float64) float64 {
	if x <= 0 || math.IsNaN(x) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if x <= m*p+1e-12 {
			return m * p
		}
	}
	return 10 * p
}

// svg draws one panel per scenario: median wall time against N (log scale),
// ours and the baseline.
func (r *report) svg() string {
	const (
		pw, ph                   = 380.0, 300.0
		left, right, top, bottom = 58.0, 16.0, 44.0, 52.0
		header                   = 34.0
	)
	names := r.scenarioNames()
	width := pw * float64(max(len(names), 1))
	height := ph + header
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	w(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	// Legend.
	w(`<line x1="20" y1="18" x2="50" y2="18" stroke="#1f77b4" stroke-width="2.5"/><circle cx="35" cy="18" r="4" fill="#1f77b4"/>`)
	w(`<text x="56" y="22">ours (terraform-provider-openeo)</text>`)
	w(`<line x1="270" y1="18" x2="300" y2="18" stroke="#7f7f7f" stroke-width="2.5" stroke-dasharray="6 4"/><rect x="281" y="14" width="8" height="8" fill="#7f7f7f"/>`)
	w(`<text x="306" y="22">baseline (built-in terraform_data)</text>` + "\n")
	w(`<text x="%.0f" y="22" text-anchor="end" fill="#555">median of %d rounds</text>`+"\n", width-16, r.Rounds)

	for i, name := range names {
		cs := r.cellsOf(name)
		ox, oy := float64(i)*pw, header
		x0, x1 := ox+left, ox+pw-right
		y0, y1 := oy+ph-bottom, oy+top
		minN, maxN := float64(cs[0].N), float64(cs[len(cs)-1].N)
		xOf := func(n int) float64 {
			if maxN == minN {
				return (x0 + x1) / 2
			}
			return x0 + (math.Log10(float64(n))-math.Log10(minN))/(math.Log10(maxN)-math.Log10(minN))*(x1-x0)
		}
		var ours, base []float64
		top := 0.0
		for _, c := range cs {
			ours = append(ours, field(c.Ours, secs))
			base = append(base, field(c.Baseline, secs))
			top = max(top, ours[len(ours)-1], base[len(base)-1])
		}
		yMax := niceCeil(top * 1.05)
		yOf := func(v float64) float64 { return y0 - v/yMax*(y0-y1) }
		cmd := "plan"
		if strings.Contains(cs[0].Title, "apply") {
			cmd = "apply"
		}
		w(`<text x="%.1f" y="%.1f" text-anchor="middle" font-weight="bold">%s (terraform %s)</text>`+"\n",
			(x0+x1)/2, oy+18, html.EscapeString(name), cmd)
		// Grid and y ticks.
		for k := 0; k <= 5; k++ {
			v := yMax * float64(k) / 5
			y := yOf(v)
			w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`, x0, y, x1, y)
			w(`<text x="%.1f" y="%.1f" text-anchor="end" fill="#333">%s</text>`+"\n", x0-6, y+4, trimFloat(v))
		}
		// X ticks at the measured N.
		for _, c := range cs {
			x := xOf(c.N)
			w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`, x, y0, x, y0+5)
			w(`<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%d</text>`+"\n", x, y0+18, c.N)
		}
		w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, x0, y0, x1, y0)
		w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`+"\n", x0, y0, x0, y1)
		w(`<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">N objects (log scale)</text>`+"\n", (x0+x1)/2, y0+38)
		w(`<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle" fill="#333">median wall time (s)</text>`+"\n",
			ox+16, (y0+y1)/2)
		// Lines.
		poly := func(v []float64, style string) {
			var pts []string
			for j, c := range cs {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(c.N), yOf(v[j])))
			}
			w(`<polyline fill="none" %s points="%s"/>`+"\n", style, strings.Join(pts, " "))
		}
		poly(base, `stroke="#7f7f7f" stroke-width="2.5" stroke-dasharray="6 4"`)
		poly(ours, `stroke="#1f77b4" stroke-width="2.5"`)
		for j, c := range cs {
			x := xOf(c.N)
			w(`<rect x="%.1f" y="%.1f" width="8" height="8" fill="#7f7f7f"><title>baseline N=%d: %.2f s</title></rect>`,
				x-4, yOf(base[j])-4, c.N, base[j])
			w(`<circle cx="%.1f" cy="%.1f" r="4.5" fill="#1f77b4"><title>ours N=%d: %.2f s</title></circle>`+"\n",
				x, yOf(ours[j]), c.N, ours[j])
		}
	}
	w("</svg>\n")
	return b.String()
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-0" {
		return "0"
	}
	return s
}

// cellAt is the cell of a scenario at n, or nil.
func (r *report) cellAt(name string, n int) *cell {
	for _, c := range r.Cells {
		if c.Scenario == name && c.N == n && len(c.Ours) > 0 {
			return c
		}
	}
	return nil
}

// pluginCPUPerObject is the median provider CPU in milliseconds per object.
func (c *cell) pluginCPUPerObject() float64 {
	return field(c.Ours, func(s sample) float64 { return s.PluginCPU }) * 1000 / float64(c.N)
}

// targets are the rows of the scale targets table: the provider CPU per
// auth-config entry stays flat (at the largest N within 1.5× of N=100), an
// apply of 1000 entries costs at most 15 ms per entry more than 1000
// terraform_data, and a data-source read at N=500 costs at most 1 ms of
// provider CPU.
func (r *report) targets() []string {
	var out []string
	row := func(what string, measured, limit float64, unit string) {
		if math.IsNaN(measured) || measured < 0 {
			return
		}
		met := "yes"
		if measured > limit {
			met = "**no**"
		}
		out = append(out, fmt.Sprintf("| %s | %.2f%s | %.2f%s | %s |", what, measured, unit, limit, unit, met))
	}
	if lo := r.cellAt("apply", 100); lo != nil {
		cs := r.cellsOf("apply")
		if hi := cs[len(cs)-1]; hi.N > lo.N && lo.pluginCPUPerObject() > 0 {
			row(fmt.Sprintf("apply: provider CPU per entry at N=%d / at N=100", hi.N),
				hi.pluginCPUPerObject()/lo.pluginCPUPerObject(), 1.5, "×")
		}
	}
	if c := r.cellAt("apply", 1000); c != nil {
		row("apply at N=1000: ours − terraform_data, ms per object",
			(field(c.Ours, secs)-field(c.Baseline, secs))*1000/float64(c.N), 15, " ms")
	}
	if c := r.cellAt("data", 500); c != nil {
		row("data at N=500: provider CPU ms per read", c.pluginCPUPerObject(), 1, " ms")
	}
	return out
}
