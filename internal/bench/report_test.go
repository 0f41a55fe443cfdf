package main

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing")
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0.23: 0.25, 1.9: 2, 2.1: 2.5, 7: 10, 12: 20, 0: 1} {
		if got := niceCeil(in); math.Abs(got-want) > 1e-9 {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/openeo-tf/terraform-provider-openeo/internal/flows
BenchmarkTokenCached-2           	 9560420	       124.3 ns/op	       0 B/op	       0 allocs/op
BenchmarkBearer-2                	30000000	        40.0 ns/op	      96 B/op	       1 allocs/op
PASS
pkg: github.com/openeo-tf/terraform-provider-openeo/internal/authfiles
BenchmarkAuthConfigUpdate-2      	    1000	   1200000 ns/op	   52000 B/op	     900 allocs/op
BenchmarkNoMem 	 5	 7 ns/op
`
	got := parseGoBench(out)
	if len(got) != 4 {
		t.Fatalf("%+v", got)
	}
	if got[0].Name != "BenchmarkTokenCached" || got[0].NsPerOp != 124.3 || !strings.HasSuffix(got[0].Package, "/flows") ||
		got[2].Name != "BenchmarkAuthConfigUpdate" || got[2].AllocsPerOp != 900 || !strings.HasSuffix(got[2].Package, "/authfiles") ||
		got[3].NsPerOp != 7 || got[3].BytesPerOp != 0 {
		t.Errorf("%+v", got)
	}
}

func fakeReport() *report {
	r := &report{Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Rounds: 2, Ns: []int{10, 100}}
	for _, sc := range scenarios {
		for _, n := range r.Ns {
			c := &cell{Scenario: sc.name, Title: sc.title, N: n, Counts: sc.counts}
			for round := 1; round <= 2; round++ {
				s := sample{Round: round, Seconds: 0.5 + float64(n)/100, TerraformKB: 70000, PluginKB: 30000, TotalKB: 100000,
					PluginCPU: 0.3 + float64(n)/1000, TerraformCPU: 0.2 + float64(n)/500,
					TokenRequests: 1, CredentialsOIDC: 1, Me: n}
				c.Ours = append(c.Ours, s)
				c.Baseline = append(c.Baseline, sample{Round: round, Seconds: 0.2 + float64(n)/200, TerraformKB: 65000, TotalKB: 65000,
					PluginCPU: 0, TerraformCPU: 0.1 + float64(n)/1000})
			}
			r.Cells = append(r.Cells, c)
		}
	}
	r.GoBench = []goBench{{Package: "github.com/openeo-tf/terraform-provider-openeo/internal/flows", Name: "BenchmarkBearer", NsPerOp: 40}}
	return r
}

func TestMarkdown(t *testing.T) {
	md := fakeReport().markdown()
	for _, want := range []string{
		"| data | 10 | 0.60 | 0.25 | 2.40× |",
		"| data | 100 | 1.50 | 0.70 | 2.14× | 15.00 | 7.00 | 10.00 | 5.00 | 98 (68 + 29) | 63 | 1.54× |",
		"| ephemeral | 100 | 1, 1 | 1, 1 | 100, 100 | yes |",
		// 1.5 s and 0.7 s for 100: 15 and 7 ms per object; provider CPU
		// 0.4 s (4 ms per object); Terraform 0.4 s ours, 0.2 s baseline.
		"| apply | 100 | 15.00 | 7.00 | 2.14× | 8.00 | 0.40 | 4.00 | 4.00 | 2.00 |",
		"| internal/flows | BenchmarkBearer | 40.0 |",
		"![median wall time against N, ours and baseline](bench.svg)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| apply | 10 | 1, 1") {
		t.Error("the apply scenario has no request counts")
	}
	r := fakeReport()
	r.Cells[0].Ours[1].TokenRequests = 2
	if !strings.Contains(r.markdown(), "| data | 10 | 1, 2 | 1, 1 | 10, 10 | **NO** |") {
		t.Error("a second token request is not flagged")
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	svg := fakeReport().svg()
	d := xml.NewDecoder(strings.NewReader(svg))
	polylines := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 2*len(scenarios) {
		t.Errorf("%d lines, want ours and baseline for %d scenarios", polylines, len(scenarios))
	}
}

// TestMarkdownMarksNoisySlopes: a marginal cost below zero, or one whose
// median difference is within the spread of the rounds, is marked and
// explained; the figures stay as measured.
func TestMarkdownMarksNoisySlopes(t *testing.T) {
	md := fakeReport().markdown()
	if strings.Contains(md, noiseMark) || strings.Contains(md, noiseNote) {
		t.Errorf("steady rounds with a clear slope must not be marked:\n%s", md)
	}

	// Below zero: our N=100 cell of "data" ran faster than N=10.
	r := fakeReport()
	for i := range r.cellsOf("data")[1].Ours {
		r.cellsOf("data")[1].Ours[i].Seconds = 0.51
	}
	md = r.markdown()
	if !strings.Contains(md, "| data | 100 | 0.51 | 0.70 | 0.73× | 5.10 | 7.00 | -1.00 (noise) | 5.00 |") {
		t.Errorf("a negative slope is not marked:\n%s", md)
	}
	if !strings.Contains(md, noiseNote) || !strings.Contains(md, "BENCH_ROUNDS, now 2") {
		t.Errorf("the note on noise is missing:\n%s", md)
	}

	// Within noise: positive, but the rounds of the two cells spread more
	// than the medians differ (baseline of "apply": 0.25 s and 0.70 s medians).
	r = fakeReport()
	lo, hi := r.cellsOf("apply")[0].Baseline, r.cellsOf("apply")[1].Baseline
	lo[0].Seconds, lo[1].Seconds = 0.0, 0.5 // median 0.25, spread 0.5
	hi[0].Seconds, hi[1].Seconds = 0.3, 1.1 // median 0.70, spread 0.8
	md = r.markdown()
	if !strings.Contains(md, "| apply | 100 | 1.50 | 0.70 | 2.14× | 15.00 | 7.00 | 10.00 | 5.00 (noise) |") {
		t.Errorf("a slope within the noise is not marked:\n%s", md)
	}
	if strings.Contains(md, "10.00 (noise)") {
		t.Errorf("a clear slope is marked:\n%s", md)
	}
}

func TestScaleTargets(t *testing.T) {
	r := fakeReport()
	r.Ns = []int{100, 500, 1000}
	r.Cells = fakeReportCells(r.Ns)
	md := r.markdown()
	for _, want := range []string{
		// apply: 0.4 s of provider CPU for 100 (4 ms each), 1.3 s for 1000 (1.3 ms each).
		"| apply: provider CPU per entry at N=1000 / at N=100 | 0.33× | 1.50× | yes |",
		// apply N=1000: 10.5 s against 5.2 s, 5.3 ms per object more.
		"| apply at N=1000: ours − terraform_data, ms per object | 5.30 ms | 15.00 ms | yes |",
		// data N=500: 0.8 s of provider CPU, 1.6 ms per read.
		"| data at N=500: provider CPU ms per read | 1.60 ms | 1.00 ms | **no** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(fakeReport().markdown(), "## Scale targets") {
		t.Error("a run without the target cells has a targets table")
	}
}

// fakeReportCells is one round of every scenario at each n.
func fakeReportCells(ns []int) []*cell {
	var cells []*cell
	for _, sc := range scenarios {
		for _, n := range ns {
			c := &cell{Scenario: sc.name, Title: sc.title, N: n, Counts: sc.counts}
			c.Ours = []sample{{Round: 1, Seconds: 0.5 + float64(n)/100, PluginCPU: 0.3 + float64(n)/1000}}
			c.Baseline = []sample{{Round: 1, Seconds: 0.2 + float64(n)/200}}
			cells = append(cells, c)
		}
	}
	return cells
}
