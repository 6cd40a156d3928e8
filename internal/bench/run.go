package bench

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/password"
)

// runner holds one run's state.
type runner struct {
	cfg      Config
	rep      *Report
	work     string
	progress io.Writer
	// db is Tessera's database; nil against a target without DatabaseURL.
	db *database
	// ceilDB is the refresh ceiling's database when db is nil.
	ceilDB   *database
	tessera  *service
	baseline *service
	ep, bep  *endpoint
	emails   []string
	userIDs  []uuid.UUID
	devices  []device
	// cookieDevs are the clients' cookie-mode sessions.
	cookieDevs []cookieDevice
	// browsers are the clients' browser sign-ins (authorization-code).
	browsers []cookieDevice
	classic  []string
	jwks     []byte
	kit      *verifyKit
	measured map[string]Result
}

// Run performs the benchmark cfg describes and returns its report. Servers
// it started are stopped and databases it created are dropped, whatever
// happens; the work folder is kept when the run fails, for its logs.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bench config: %w", err)
	}
	r := &runner{cfg: cfg, progress: cfg.Progress, measured: map[string]Result{}}
	if r.progress == nil {
		r.progress = io.Discard
	}
	r.rep = &Report{
		StartedAt: time.Now().UTC(), GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), Clients: cfg.Clients, DurationSeconds: cfg.Duration.Seconds(),
		WarmupSeconds: cfg.Warmup.Seconds(), SigningAlg: cfg.SigningAlg, HashParams: cfg.HashParams,
	}
	if cfg.Target == "" {
		// The baselines get the server's pool, whatever its size.
		r.cfg.DBMaxConns = cmp.Or(cfg.DBMaxConns, config.Default().DBMaxConns)
		r.rep.DBMaxConns = r.cfg.DBMaxConns
	}
	r.work = cfg.WorkDir
	if r.work == "" {
		if r.work, err = os.MkdirTemp("", "tessera-bench-"); err != nil {
			return nil, err
		}
	}
	defer func() {
		err = errors.Join(err, r.close())
		if err == nil && cfg.WorkDir == "" {
			err = os.RemoveAll(r.work)
		} else if err != nil {
			r.logf("work folder kept: %s", r.work)
		}
	}()
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	for _, s := range cfg.Scenarios {
		if err := r.scenario(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	for _, size := range cfg.SeedSessions[1:] {
		if err := r.growAndRefresh(ctx, size); err != nil {
			return nil, err
		}
	}
	return r.rep, nil
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.progress, "tessera-bench: "+format+"\n", args...)
}

// setup prepares the database and users and starts the servers.
func (r *runner) setup(ctx context.Context) error {
	var err error
	if r.cfg.Target == "" || r.cfg.DatabaseURL != "" {
		if r.db, err = openDatabase(ctx, r.cfg.DatabaseURL, r.work, r.cfg.Target != ""); err != nil {
			return err
		}
		r.rep.Database = r.db.Dialect()
	} else {
		if r.ceilDB, err = openDatabase(ctx, "", r.work, false); err != nil {
			return err
		}
		r.rep.Database = "unknown (target)"
	}
	r.emails = make([]string, r.cfg.users())
	var b [4]byte
	_, _ = rand.Read(b[:])
	for i := range r.emails {
		r.emails[i] = fmt.Sprintf("bench-%s-%d@example.com", hex.EncodeToString(b[:]), i)
	}
	ep := &endpoint{c: newHTTPClient(r.cfg.Clients)}
	r.ep, r.bep = ep, &endpoint{c: ep.c}
	if r.cfg.Target == "" {
		err = r.startOwnServer(ctx)
	} else {
		err = r.useTarget(ctx)
	}
	if err != nil {
		return err
	}
	return r.startBaseline(ctx)
}

// startOwnServer seeds users and sessions straight into the database, then
// starts Tessera over it.
func (r *runner) startOwnServer(ctx context.Context) error {
	r.logf("seeding %d users (%s)", len(r.emails), r.db.Dialect())
	phc, err := password.NewHasher(r.cfg.HashParams, 1).Hash(ctx, benchPassword)
	if err != nil {
		return err
	}
	if r.userIDs, err = seedUsers(ctx, r.db.DB, r.emails, phc); err != nil {
		return err
	}
	if err := r.fill(ctx, r.cfg.SeedSessions[0]); err != nil {
		return err
	}
	spec := childSpec{
		Kind: kindTessera, DatabaseURL: r.db.URL, KeysDir: filepath.Join(r.work, "keys"),
		SigningAlg: r.cfg.SigningAlg, LogLevel: r.cfg.LogLevel, Pprof: r.cfg.CPUProfileDir != "",
		DBMaxConns: r.cfg.DBMaxConns,
	}
	if r.cfg.HashParams != password.DefaultParams {
		spec.HashParams = &r.cfg.HashParams
	}
	if r.tessera, err = r.start(ctx, spec, "tessera.log"); err != nil {
		return err
	}
	r.ep.base = r.tessera.URL
	if r.cfg.InProcess {
		r.rep.ServerMode = "in-process"
		r.rep.RSSMethod = "VmHWM of this process (server and load generator together), reset before each scenario"
	} else {
		r.rep.ServerMode = "child-process"
		r.rep.RSSMethod = "VmHWM of the Tessera child process alone (/proc/<pid>/status), reset before each scenario via clear_refs"
	}
	return r.fetchJWKS(ctx)
}

// useTarget registers the users on a running Tessera (one hash each).
func (r *runner) useTarget(ctx context.Context) error {
	r.ep.base = r.cfg.Target
	r.rep.ServerMode = "target " + r.cfg.Target
	r.rep.RSSMethod = "unknown: pass --target-pid"
	if r.cfg.TargetPID > 0 {
		r.tessera = &service{URL: r.cfg.Target, PID: r.cfg.TargetPID, stop: func() error { return nil }}
		r.rep.RSSMethod = fmt.Sprintf("VmHWM of pid %d, reset before each scenario", r.cfg.TargetPID)
	}
	r.logf("registering %d users on %s", len(r.emails), r.cfg.Target)
	err := parallel(len(r.emails), func(i int) error {
		body := mustJSON(map[string]string{"email": r.emails[i], "password": benchPassword})
		return r.ep.doPatiently(ctx, call{Method: http.MethodPost, Path: "/v1/auth/register", Body: body, Want: http.StatusCreated})
	})
	if err != nil {
		return err
	}
	if r.db != nil {
		if r.userIDs, err = userIDs(ctx, r.db.DB, r.emails); err != nil {
			return err
		}
		if err := r.fill(ctx, r.cfg.SeedSessions[0]); err != nil {
			return err
		}
	} else if r.cfg.SeedSessions[0] > 0 {
		r.logf("no --database-url: sessions are not seeded")
	}
	return r.fetchJWKS(ctx)
}

func (r *runner) fetchJWKS(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.ep.base+"/.well-known/jwks.json", nil)
	if err != nil {
		return err
	}
	resp, err := r.ep.c.Do(req)
	if err != nil {
		return fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if r.jwks, err = io.ReadAll(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch jwks: status %d, %v", resp.StatusCode, err)
	}
	return nil
}

// startBaseline starts the bare Gin server: the JWKS body as its constant,
// the ceiling table in the benchmark's database.
func (r *runner) startBaseline(ctx context.Context) error {
	d := r.db
	if d == nil {
		d = r.ceilDB
	}
	spec := childSpec{
		Kind: kindBaseline, DatabaseURL: d.URL, ConstBody: string(r.jwks), CeilingRows: r.cfg.Clients,
		Pprof: r.cfg.CPUProfileDir != "", DBMaxConns: r.cfg.DBMaxConns,
	}
	var err error
	if r.baseline, err = r.start(ctx, spec, "baseline.log"); err != nil {
		return err
	}
	r.bep.base = r.baseline.URL
	return nil
}

func (r *runner) start(ctx context.Context, spec childSpec, logName string) (*service, error) {
	path := filepath.Join(r.work, logName)
	if r.cfg.InProcess {
		spec.Pprof = false
		return startInProcess(ctx, spec, path)
	}
	return startChild(ctx, spec, path)
}

// fill grows the sessions table to size and records the size per session.
func (r *runner) fill(ctx context.Context, size int64) error {
	if r.db == nil {
		return nil
	}
	start := time.Now()
	last := time.Now()
	added, err := fillSessions(ctx, r.db.DB, size, r.userIDs, func(done, total int64) {
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			r.logf("seeding sessions: %d/%d", done, total)
		}
	})
	if err != nil {
		return err
	}
	si, err := measureSize(ctx, r.db)
	if err != nil {
		return err
	}
	si.SeedSeconds = float64(time.Since(start).Milliseconds()) / 1000
	r.logf("sessions: %d (%d added in %.1fs), %.0f bytes per session", si.Sessions, added, si.SeedSeconds, si.BytesPerSession)
	r.rep.Sizes = append(r.rep.Sizes, si)
	return nil
}

// close stops the servers and closes or drops the databases.
func (r *runner) close() error {
	var errs []error
	for _, s := range []*service{r.tessera, r.baseline} {
		if s != nil {
			errs = append(errs, s.Stop())
		}
	}
	if r.db != nil {
		if !r.db.owned {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			errs = append(errs, dropCeiling(ctx, r.db.DB))
			cancel()
		}
		errs = append(errs, r.db.Close())
	}
	if r.ceilDB != nil {
		errs = append(errs, r.ceilDB.Close())
	}
	return errors.Join(errs...)
}
