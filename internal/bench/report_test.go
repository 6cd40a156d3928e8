package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	rep := &Report{Database: "postgres", ServerMode: "child-process", Clients: 32, SigningAlg: "ES256"}
	scenarios := []Scenario{
		{Result: Result{Name: "jwks", Clients: 32, PerSecond: 900, CPUPerOp: 0.2, LoadCPUPerOp: 0.05, MachineCPUPerOp: 0.32},
			Baseline: baseBareGin, BaselineRate: 1000, BaselineCPU: 0.1, SliceRatios: []float64{0.95, 0.853, 0.9}},
		{Result: Result{Name: "login", Clients: 200, PerSecond: 80}, Baseline: baseArgon2, BaselineRate: 100, PeakRSSBytes: 300 << 20},
		{Result: Result{Name: "refresh@1000000", Clients: 32, PerSecond: 500, P99: 30}, Baseline: baseCeiling, BaselineRate: 1000, BaselineP99: 15},
		{Result: Result{Name: "me", Clients: 32, PerSecond: 700, P99: 3}, Baseline: basePK, BaselineRate: 1000},
		{Result: Result{Name: "refresh", Clients: 32, PerSecond: 650, P99: 12}, Baseline: baseCeiling, BaselineRate: 1000, BaselineP99: 10},
		{Result: Result{Name: "verify", Clients: 32, PerSecond: 90, Errors: 2, ErrorSamples: []string{"bad"}}, Baseline: baseRawSig, BaselineRate: 100},
	}
	for i := range scenarios {
		scenarios[i].evaluate(rep.Database)
		rep.Scenarios = append(rep.Scenarios, scenarios[i])
	}
	rep.Baselines = []Result{{Name: baseBareGin, Clients: 32, PerSecond: 1000, CPUPerOp: 0.1, LoadCPUPerOp: 0.04, MachineCPUPerOp: 0.15}}
	rep.Sizes = []SizeInfo{{Sessions: 1000, Bytes: 500000, BytesPerSession: 500, Method: "m"}}
	return rep
}

func TestEvaluate(t *testing.T) {
	rep := sampleReport()
	tests := []struct {
		name   string
		ratio  float64
		checks []bool
	}{
		{"jwks", 0.9, []bool{true}},
		{"login", 0.8, []bool{false, false}},
		{"refresh@1000000", 0.5, []bool{false, false}},
		{"me", 0.7, []bool{true}},
		{"refresh", 0.65, []bool{true, true}},
		{"verify", 0.9, []bool{true, false}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rep.Scenarios[i]
			if s.Name != tt.name || s.Ratio != tt.ratio || len(s.Targets) != len(tt.checks) {
				t.Fatalf("scenario %+v", s)
			}
			for j, met := range tt.checks {
				if s.Targets[j].Met != met {
					t.Errorf("target %q met = %v, want %v", s.Targets[j].Target, s.Targets[j].Met, met)
				}
			}
		})
	}
}

func TestRefreshTargetOnlyOnPostgres(t *testing.T) {
	s := Scenario{Result: Result{Name: "refresh", PerSecond: 1}, BaselineRate: 10}
	s.evaluate("sqlite")
	if len(s.Targets) != 0 {
		t.Errorf("targets on SQLite: %+v", s.Targets)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| jwks | - | 32 | 900.0 |",
		"| 0.200 | bare-gin | 1000.0 | 90.0% | 85.3-95.0% | 50.0% | ratio >= 90%: 90.0% met |",
		"| argon2id | 100.0 | 80.0% | - | - |",
		"server RSS < 256 MiB: 300.0 MiB not met",
		"p99 <= 1.5x the baseline's (32 clients): 2.00x not met",
		"no errors: 2 not met",
		"- refresh: p99 <= 1.5x the baseline's (32 clients), got 1.20x: met",
		"- me: ratio >= 60%, got 70.0%: met",
		"| 1000 | 500000 | 500.0 |",
		"- verify error: bad",
		"| jwks | 0.200 | 0.050 | 0.070 | 0.320 |",
		"| bare-gin | 0.100 | 0.040 | 0.010 | 0.150 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out", "r.json")
	if err := sampleReport().WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Scenarios) != 6 || back.Scenarios[0].Ratio != 0.9 || back.Scenarios[0].CPURatio != 0.5 || back.Scenarios[1].PeakRSSBytes != 300<<20 ||
		back.Scenarios[0].MachineCPUPerOp != 0.32 || back.Scenarios[0].LoadCPUPerOp != 0.05 ||
		!slices.Equal(back.Scenarios[0].SliceRatios, []float64{0.95, 0.853, 0.9}) || back.Scenarios[1].SliceRatios != nil {
		t.Errorf("round trip: %+v", back.Scenarios)
	}
}

func TestWriteMarkdownWithoutCPUSplit(t *testing.T) {
	rep := sampleReport()
	for i := range rep.Scenarios {
		rep.Scenarios[i].MachineCPUPerOp = 0
	}
	rep.Baselines[0].MachineCPUPerOp = 0
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if md := b.String(); strings.Contains(md, "CPU ms per op") {
		t.Errorf("a CPU split table without figures:\n%s", md)
	}
}

func TestSliceRatio(t *testing.T) {
	per := func(n int, window time.Duration) Tally {
		return Tally{Samples: make([]time.Duration, n), Window: window}
	}
	tests := []struct {
		name               string
		scenario, baseline Tally
		want               float64
	}{
		{"same windows", per(300, time.Second), per(600, time.Second), 0.5},
		{"different windows", per(300, time.Second), per(1200, 2*time.Second), 0.5},
		{"rounded to a tenth of a percent", per(1, time.Second), per(3, time.Second), 0.333},
		{"faster than its baseline", per(900, time.Second), per(600, time.Second), 1.5},
		{"no baseline slice", per(300, time.Second), Tally{}, 0},
		{"nothing ended in the baseline's window", per(300, time.Second), per(0, time.Second), 0},
		{"nothing ended in the scenario's window", per(0, time.Second), per(600, time.Second), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sliceRatio(tt.scenario, tt.baseline); got != tt.want {
				t.Errorf("sliceRatio = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want string
	}{
		{nil, "-"},
		{[]float64{0.5}, "50.0-50.0%"},
		{[]float64{0.612, 0.48, 0.553}, "48.0-61.2%"},
	} {
		if got := spread(tt.in); got != tt.want {
			t.Errorf("spread(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
