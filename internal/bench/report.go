package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/password"
)

// Report is everything one run measured; it is written as JSON and
// rendered as markdown.
type Report struct {
	StartedAt  time.Time `json:"started_at"`
	GoVersion  string    `json:"go_version"`
	NumCPU     int       `json:"num_cpu"`
	GOMAXPROCS int       `json:"gomaxprocs"`
	Database   string    `json:"database"`
	// ServerMode is child-process, in-process or target.
	ServerMode string `json:"server_mode"`
	// RSSMethod says whose memory peak_rss_bytes is and how it was read.
	RSSMethod       string          `json:"rss_method"`
	Clients         int             `json:"clients"`
	DurationSeconds float64         `json:"duration_seconds"`
	WarmupSeconds   float64         `json:"warmup_seconds"`
	SigningAlg      string          `json:"signing_alg"`
	HashParams      password.Params `json:"hash_params"`
	// DBMaxConns is the connection pool of the server and the database
	// baselines (0 against a --target, whose pool is its own).
	DBMaxConns int        `json:"db_max_conns,omitempty"`
	Sizes      []SizeInfo `json:"sizes,omitempty"`
	Baselines  []Result   `json:"baselines"`
	Scenarios  []Scenario `json:"scenarios"`
	// Watcher is the watcher scenario's result, when it ran.
	Watcher *WatcherResult `json:"watcher,omitempty"`
}

// Scenario is one scenario's result beside its baseline.
type Scenario struct {
	Result
	// Sessions is the number of rows in sessions when the scenario started
	// (0 when unknown, as against a target without --database-url).
	Sessions     int64   `json:"sessions,omitempty"`
	PeakRSSBytes int64   `json:"peak_rss_bytes,omitempty"`
	Baseline     string  `json:"baseline,omitempty"`
	BaselineRate float64 `json:"baseline_per_second,omitempty"`
	// BaselineCPU is the baseline's CPU time per operation.
	BaselineCPU Millis `json:"baseline_cpu_ms_per_op,omitempty"`
	// BaselineP99 is the baseline's p99 latency, for the ratio of the two.
	BaselineP99 Millis `json:"baseline_p99_ms,omitempty"`
	// Ratio is PerSecond / BaselineRate: what the targets are about.
	Ratio float64 `json:"ratio,omitempty"`
	// CPURatio is BaselineCPU / CPUPerOp: the same comparison made with the
	// serving process's own CPU time per operation, which the machine's
	// other load and the load generator's share of the cores barely move.
	CPURatio float64 `json:"cpu_ratio,omitempty"`
	// SliceRatios are the ratios of each slice (the scenario's slice over
	// the baseline's slice run just before it), when the two alternated
	// in more than one slice: how far the machine moved during the
	// scenario. Targets are judged on Ratio, never on a slice.
	SliceRatios []float64 `json:"slice_ratios,omitempty"`
	Targets     []Check   `json:"targets,omitempty"`
	Profile     string    `json:"cpu_profile,omitempty"`
}

// Check is one target and whether this run met it. Targets are reported,
// never asserted.
type Check struct {
	Target string `json:"target"`
	Got    string `json:"got"`
	Met    bool   `json:"met"`
}

// Baseline names.
const (
	baseBareGin = "bare-gin"
	baseCeiling = "refresh-ceiling"
	basePK      = "pk-select"
	baseArgon2  = "argon2id"
	baseRawSig  = "raw-signature"
)

// targetRSS is the login-storm memory goal.
const targetRSS = 256 << 20

// Targets of the issue, as ratios to each scenario's own baseline.
const (
	targetLogin   = 0.90 // of argon2id hashes per second
	targetJWKS    = 0.90 // of bare Gin
	targetVerify  = 0.85 // of the raw signature check
	targetRefresh = 0.60 // of the refresh ceiling, on Postgres
	// targetRefreshP99 bounds refresh's p99 latency as a multiple of its
	// ceiling's p99 in the same run.
	targetRefreshP99 = 1.5
	targetRead       = 0.60 // me and classic-token, of bare Gin with one primary-key SELECT
)

// evaluate fills s's ratio and the checks of the targets.
func (s *Scenario) evaluate(dialect string) {
	if s.BaselineRate > 0 {
		s.Ratio = math.Round(s.PerSecond/s.BaselineRate*1000) / 1000
	}
	if s.BaselineCPU > 0 && s.CPUPerOp > 0 {
		s.CPURatio = math.Round(float64(s.BaselineCPU/s.CPUPerOp)*1000) / 1000
	}
	ratio := func(min float64) {
		s.Targets = append(s.Targets, Check{
			Target: fmt.Sprintf("ratio >= %.0f%%", min*100), Got: pct(s.Ratio), Met: s.Ratio >= min,
		})
	}
	switch base(s.Name) {
	case ScenarioLogin:
		ratio(targetLogin)
		if s.PeakRSSBytes > 0 {
			s.Targets = append(s.Targets, Check{
				Target: "server RSS < 256 MiB", Got: mib(s.PeakRSSBytes), Met: s.PeakRSSBytes < targetRSS,
			})
		}
	case ScenarioJWKS:
		ratio(targetJWKS)
	case ScenarioVerify:
		ratio(targetVerify)
	case ScenarioMe, ScenarioClassic:
		ratio(targetRead)
	case ScenarioRefresh:
		if dialect == "postgres" {
			ratio(targetRefresh)
			p99 := 0.0
			if s.BaselineP99 > 0 {
				p99 = float64(s.P99 / s.BaselineP99)
			}
			s.Targets = append(s.Targets, Check{
				Target: fmt.Sprintf("p99 <= %.1fx the baseline's (%d clients)", targetRefreshP99, s.Clients),
				Got:    fmt.Sprintf("%.2fx", p99), Met: p99 > 0 && p99 <= targetRefreshP99,
			})
		}
	}
	if s.Errors > 0 {
		s.Targets = append(s.Targets, Check{Target: "no errors", Got: fmt.Sprint(s.Errors), Met: false})
	}
}

// base strips a "@size" suffix from a scenario name.
func base(name string) string {
	b, _, _ := strings.Cut(name, "@")
	return b
}

func pct(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }

// spread renders slice ratios as their lowest and highest, "48.1-57.3%";
// "-" when the scenario was not measured in alternating slices.
func spread(rs []float64) string {
	if len(rs) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f-%s", slices.Min(rs)*100, pct(slices.Max(rs)))
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// WriteMarkdown renders the report as markdown tables.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Tessera benchmark, %s\n\n", r.StartedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "- database: %s; server: %s; %d CPUs (GOMAXPROCS %d); %s\n",
		r.Database, r.ServerMode, r.NumCPU, r.GOMAXPROCS, r.GoVersion)
	fmt.Fprintf(&b, "- %d clients, %.1fs per scenario after %.1fs warm-up; %s; argon2id m=%d KiB t=%d p=%d\n",
		r.Clients, r.DurationSeconds, r.WarmupSeconds, r.SigningAlg, r.HashParams.Memory, r.HashParams.Time, r.HashParams.Threads)
	if r.DBMaxConns > 0 {
		fmt.Fprintf(&b, "- database pool: %d connections in the server and in each database baseline\n", r.DBMaxConns)
	}
	fmt.Fprintf(&b, "- peak RSS: %s\n", r.RSSMethod)
	b.WriteString("- ratio = ops/s over the baseline's ops/s (what the targets are about); CPU ratio = the baseline's CPU time per op over the scenario's, " +
		"both taken from the serving process (/proc/<pid>/stat), which other load on the machine barely moves; " +
		"slices = the lowest and highest ratio of the alternating slices (how far the machine moved meanwhile; targets are judged on the whole ratio)\n\n")
	b.WriteString("| scenario | sessions | clients | ops/s | p50 ms | p90 ms | p99 ms | errors | shed | peak RSS | CPU ms/op | baseline | baseline ops/s | ratio | slices | CPU ratio | targets |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|\n")
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "| %s | %s | %d | %.1f | %.2f | %.2f | %.2f | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			s.Name, count(s.Sessions), s.Clients, s.PerSecond, s.P50, s.P90, s.P99, s.Errors, s.Shed,
			orDash(s.PeakRSSBytes > 0, mib(s.PeakRSSBytes)), cpuMs(s.CPUPerOp), orDash(s.Baseline != "", s.Baseline),
			orDash(s.BaselineRate > 0, fmt.Sprintf("%.1f", s.BaselineRate)), orDash(s.Ratio > 0, pct(s.Ratio)),
			spread(s.SliceRatios), orDash(s.CPURatio > 0, pct(s.CPURatio)), checks(s.Targets))
	}
	b.WriteString("\n| baseline | clients | ops/s | p50 ms | p90 ms | p99 ms | errors | CPU ms/op |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.Baselines {
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.2f | %.2f | %.2f | %d | %s |\n",
			x.Name, x.Clients, x.PerSecond, x.P50, x.P90, x.P99, x.Errors, cpuMs(x.CPUPerOp))
	}
	writeCPUSplit(&b, r)
	if len(r.Sizes) > 0 {
		b.WriteString("\n| sessions | database bytes | bytes per session | seeding s | measured as |\n")
		b.WriteString("|---:|---:|---:|---:|---|\n")
		for _, z := range r.Sizes {
			fmt.Fprintf(&b, "| %d | %d | %.1f | %.1f | %s |\n", z.Sessions, z.Bytes, z.BytesPerSession, z.SeedSeconds, z.Method)
		}
	}
	if w := r.Watcher; w != nil {
		b.WriteString("\n| watcher: revocations in the feed | heap after catching up | polls to catch up | CPU to catch up ms | CPU per poll ms (watcher) | CPU per poll ms (server) |\n")
		b.WriteString("|---:|---:|---:|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| %d | %s | %d | %.1f | %s | %s |\n", w.Revoked, mib(w.HeapBytes), w.CatchUpPolls,
			float64(w.CatchUpCPU), cpuMs(w.PollCPU), cpuMs(w.ServerPollCPU))
	}
	b.WriteString("\n### Targets\n\n")
	for _, s := range r.Scenarios {
		for _, c := range s.Targets {
			verdict := "met"
			if !c.Met {
				verdict = "not met"
			}
			fmt.Fprintf(&b, "- %s: %s, got %s: %s\n", s.Name, c.Target, c.Got, verdict)
		}
	}
	for _, s := range r.Scenarios {
		for _, e := range s.ErrorSamples {
			fmt.Fprintf(&b, "\n- %s error: %s", s.Name, e)
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCPUSplit tabulates where the machine's CPU time went per
// operation, for every scenario and baseline that has the figures: on a
// shared machine a scenario's rate is set by the sum, not by the serving
// process alone.
func writeCPUSplit(b *strings.Builder, r *Report) {
	rows := make([]Result, 0, len(r.Scenarios)+len(r.Baselines))
	for _, s := range r.Scenarios {
		rows = append(rows, s.Result)
	}
	rows = append(rows, r.Baselines...)
	rows = slices.DeleteFunc(rows, func(x Result) bool { return x.MachineCPUPerOp <= 0 })
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n| CPU ms per op | serving process | load generator | rest of the machine (database, kernel) | whole machine |\n")
	b.WriteString("|---|---:|---:|---:|---:|\n")
	for _, x := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", x.Name, cpuMs(x.CPUPerOp), cpuMs(x.LoadCPUPerOp),
			cpuMs(x.RestCPUPerOp()), cpuMs(x.MachineCPUPerOp))
	}
}

func cpuMs(m Millis) string { return orDash(m > 0, fmt.Sprintf("%.3f", float64(m))) }

func count(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func orDash(ok bool, s string) string {
	if !ok {
		return "-"
	}
	return s
}

// checks renders targets as "ratio >= 90%: 93.1% met; ...".
func checks(cs []Check) string {
	if len(cs) == 0 {
		return "-"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		verdict := "met"
		if !c.Met {
			verdict = "not met"
		}
		parts[i] = fmt.Sprintf("%s: %s %s", c.Target, c.Got, verdict)
	}
	return strings.Join(parts, "; ")
}

// WriteJSON writes the report to path, creating its folder.
func (r *Report) WriteJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
