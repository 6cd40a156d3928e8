// Command tessera-bench measures how close Tessera comes to the limits of
// the machine: each scenario's throughput and latency as a ratio to a
// baseline measured in the same run. See internal/bench and the
// "Benchmarks" section of the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/tessera-id/tessera/internal/bench"
)

func main() {
	if bench.IsChild() {
		os.Exit(bench.ChildMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs the benchmark, prints the markdown report on stdout
// and writes the JSON one. Missed targets do not fail the run: they are
// reported, never asserted.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := bench.DefaultConfig()
	fs := pflag.NewFlagSet("tessera-bench", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var out string
	var quiet bool
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "postgres://... to bench on Postgres in a fresh schema (created and dropped); empty: a temporary SQLite file")
	fs.StringVar(&cfg.Target, "target", "", "base URL of a running Tessera to bench instead of starting one")
	fs.IntVar(&cfg.TargetPID, "target-pid", 0, "process id of the --target server, for its peak RSS")
	fs.BoolVar(&cfg.InProcess, "in-process", false, "run Tessera and the baselines in this process (RSS then includes the load generator)")
	fs.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent clients per scenario")
	fs.IntVar(&cfg.Users, "users", 0, "accounts the clients log in as (0: one per client)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured time per scenario and baseline")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "unmeasured time before each measurement")
	fs.IntVar(&cfg.Slices, "slices", cfg.Slices, "alternate each scenario with its baseline in this many slices of duration/slices (1 with --cpuprofile)")
	fs.StringSliceVar(&cfg.Scenarios, "scenarios", cfg.Scenarios, "scenarios to run, in order, of: "+strings.Join(bench.AllScenarios, ","))
	fs.Int64Var(&cfg.WatcherRevoked, "watcher-revoked", cfg.WatcherRevoked, "revoked sessions the feed holds in the watcher scenario")
	fs.Int64SliceVar(&cfg.SeedSessions, "seed-sessions", cfg.SeedSessions, "session-table sizes: fill to the first before the scenarios, to each next one before refresh runs again (e.g. 1000,1000000)")
	fs.IntVar(&cfg.DBMaxConns, "db-max-conns", 0, "database connections of the server and of each database baseline alike (0: Tessera's default)")
	fs.StringVar(&cfg.SigningAlg, "signing-alg", cfg.SigningAlg, "ES256, EdDSA or RS256")
	fs.Uint32Var(&cfg.HashParams.Memory, "argon2-memory", cfg.HashParams.Memory, "argon2id memory (KiB) of the server and the login ceiling; default: Tessera's")
	fs.Uint32Var(&cfg.HashParams.Time, "argon2-time", cfg.HashParams.Time, "argon2id passes of the server and the login ceiling")
	fs.StringVar(&cfg.LogLevel, "server-log-level", cfg.LogLevel, "log level of the server under test")
	fs.StringVar(&cfg.CPUProfileDir, "cpuprofile", "", "folder for one CPU profile per scenario and baseline (measured window only)")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "folder for the SQLite file, keys and server logs (default: a temporary one)")
	fs.StringVar(&out, "out", "", "JSON report path (default bench-results/<timestamp>-<database>.json)")
	fs.BoolVarP(&quiet, "quiet", "q", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !quiet {
		cfg.Progress = stderr
	}
	if out == "" {
		out = defaultOut(cfg, time.Now())
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "tessera-bench: %v\n", err)
		return 1
	}
	if err := rep.WriteMarkdown(stdout); err != nil {
		fmt.Fprintf(stderr, "tessera-bench: %v\n", err)
		return 1
	}
	if err := rep.WriteJSON(out); err != nil {
		fmt.Fprintf(stderr, "tessera-bench: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "tessera-bench: report written to %s\n", out)
	return 0
}

// defaultOut is bench-results/<UTC timestamp>-<database>.json.
func defaultOut(cfg bench.Config, now time.Time) string {
	db := "sqlite"
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres"):
		db = "postgres"
	case cfg.Target != "":
		db = "target"
	}
	return filepath.Join("bench-results", now.UTC().Format("20060102T150405Z")+"-"+db+".json")
}
