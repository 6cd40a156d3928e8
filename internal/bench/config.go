package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tessera-id/tessera/internal/password"
)

// Config is one benchmark run.
type Config struct {
	// DatabaseURL is empty for a temporary SQLite file, or a Postgres
	// server on which the run creates (and drops) a schema of its own.
	// With Target it must be the target's own database, used as it is (it
	// then also holds the bench_ceiling table, dropped at the end).
	DatabaseURL string
	// Target is the base URL of a running Tessera; empty starts one.
	Target string
	// TargetPID is the target server's process id, for its peak RSS.
	TargetPID int
	// InProcess runs Tessera and the baselines inside this process instead
	// of as child processes (peak RSS then includes the load generator).
	InProcess bool

	Clients int
	// Users is how many accounts the clients log in as (0: one per client).
	Users    int
	Duration time.Duration
	Warmup   time.Duration
	// Slices cuts each scenario and its baseline into this many
	// alternating slices (see runner.pair); 1 when profiling.
	Slices int
	// Scenarios run in this order; see AllScenarios.
	Scenarios []string
	// SeedSessions are session-table sizes: the table is filled to the
	// first before the scenarios run, then to each next one before refresh
	// runs again.
	SeedSessions []int64
	// WatcherRevoked is how many revoked sessions the feed holds in the
	// watcher scenario.
	WatcherRevoked int64
	SigningAlg     string
	HashParams     password.Params
	// DBMaxConns is the connection pool of the server and of the baselines
	// that use the database, alike (0: Tessera's default). A --target
	// server keeps its own.
	DBMaxConns int
	// LogLevel is the server's log level (info, as in production).
	LogLevel string
	// CPUProfileDir, when set, receives one CPU profile per scenario,
	// taken over its measured window: of the server for HTTP scenarios,
	// of this process for verify and the in-process mode.
	CPUProfileDir string
	// WorkDir holds the SQLite file, keys and server logs; empty for a
	// temporary folder removed after a successful run.
	WorkDir string
	// Progress receives one line per step; nil discards them.
	Progress io.Writer
}

// DefaultConfig is the run `tessera-bench` does with no flags.
func DefaultConfig() Config {
	return Config{
		Clients:        32,
		Duration:       10 * time.Second,
		Warmup:         time.Second,
		Slices:         5,
		Scenarios:      slices.Clone(DefaultScenarios),
		SeedSessions:   []int64{1000},
		WatcherRevoked: 1_000_000,
		SigningAlg:     "ES256",
		HashParams:     password.DefaultParams,
		LogLevel:       "info",
	}
}

// Validate reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if c.Clients < 1 {
		errs = append(errs, fmt.Errorf("clients %d: want at least 1", c.Clients))
	}
	if c.Users < 0 {
		errs = append(errs, fmt.Errorf("users %d: want 0 (one per client) or more", c.Users))
	}
	if c.Duration <= 0 || c.Warmup < 0 {
		errs = append(errs, errors.New("duration must be positive and warm-up not negative"))
	}
	if len(c.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenarios"))
	}
	for _, s := range c.Scenarios {
		if !slices.Contains(AllScenarios, s) {
			errs = append(errs, fmt.Errorf("unknown scenario %q: want some of %v", s, AllScenarios))
		}
	}
	if c.wants(ScenarioWatcher) && c.WatcherRevoked < 1 {
		errs = append(errs, fmt.Errorf("watcher-revoked %d: want at least 1", c.WatcherRevoked))
	}
	if len(c.SeedSessions) == 0 {
		errs = append(errs, errors.New("seed-sessions: want at least one size"))
	}
	for i, n := range c.SeedSessions {
		if n < 0 || (i > 0 && n <= c.SeedSessions[i-1]) {
			errs = append(errs, fmt.Errorf("seed-sessions %v: want increasing sizes of 0 or more", c.SeedSessions))
			break
		}
	}
	if c.DatabaseURL != "" && !isPostgres(c.DatabaseURL) && (c.Target == "" || len(c.DatabaseURL) < 8 || c.DatabaseURL[:7] != "sqlite:") {
		errs = append(errs, errors.New("database-url: want postgres://... (or, with --target, the target's sqlite: URL)"))
	}
	if c.DBMaxConns < 0 || (c.DBMaxConns > 0 && c.Target != "") {
		errs = append(errs, fmt.Errorf("db-max-conns %d: want 0 (Tessera's default) or more, and none with --target, whose server keeps its own pool", c.DBMaxConns))
	}
	if err := c.HashParams.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (c *Config) users() int {
	if c.Users > 0 {
		return c.Users
	}
	return c.Clients
}

func (c *Config) wants(s string) bool { return slices.Contains(c.Scenarios, s) }
