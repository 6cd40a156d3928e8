package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// ScenarioWatcher follows the revocation feed with a pkg/jwtverify
// RevocationWatcher, as a resource server does, once the feed holds
// Config.WatcherRevoked revoked sessions: the watcher's memory once it
// has caught up, and the CPU of one poll after that.
const ScenarioWatcher = "watcher"

// watcherClient owns the revoked sessions the watcher scenario seeds. Its
// access tokens live 24 hours, so revocations spread over the last 23
// hours are all still in the feed (at the default 15 minutes, a million
// live revocations would mean a thousand revocations a second).
const watcherClient = "bench-watcher"

// watcherSteadyPolls is how many polls with nothing new the per-poll CPU
// is averaged over.
const watcherSteadyPolls = 20

// WatcherResult is what the watcher scenario measured.
type WatcherResult struct {
	// Revoked is how many revocations the feed held.
	Revoked int64 `json:"revoked"`
	// HeapBytes is the growth of this process's live heap (after a
	// collection) from before the watcher started to after it caught up.
	HeapBytes    int64 `json:"heap_bytes"`
	CatchUpPolls int   `json:"catch_up_polls"`
	// CatchUpCPU is this process's CPU time while the watcher caught up.
	CatchUpCPU Millis `json:"catch_up_cpu_ms"`
	// PollCPU and ServerPollCPU are the CPU time of one poll with nothing
	// new, in the watcher's process and in Tessera's.
	PollCPU       Millis `json:"poll_cpu_ms"`
	ServerPollCPU Millis `json:"server_poll_cpu_ms,omitempty"`
}

// watch seeds the revoked sessions and measures a watcher following them.
func (r *runner) watch(ctx context.Context) error {
	if r.db == nil {
		return errors.New("watcher: needs the database (not a --target without --database-url)")
	}
	n := r.cfg.WatcherRevoked
	last, err := r.seedRevoked(ctx, n)
	if err != nil {
		return err
	}
	r.logf("watcher: following %d revocations", n)
	var res WatcherResult
	res.Revoked = n
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := selfCPU()
	w := jwtverify.NewRevocationWatcher(ctx, r.ep.base+"/v1/revocations", jwtverify.WithPollInterval(time.Hour))
	defer w.Close()
	for !w.Revoked(last.String()) {
		if res.CatchUpPolls++; res.CatchUpPolls > 1000 {
			return fmt.Errorf("watcher: not caught up after 1000 polls (last error: %v)", w.LastError())
		}
		if err := w.Poll(ctx); err != nil && !errors.Is(err, jwtverify.ErrBehind) {
			return fmt.Errorf("watcher: poll: %w", err)
		}
	}
	cpu1 := selfCPU()
	res.CatchUpCPU = ms(cpu1 - cpu0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	res.HeapBytes = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	var srv0, srv1 time.Duration
	if r.tessera != nil {
		srv0, _ = cpuTime(r.tessera.PID)
	}
	cpu0 = selfCPU()
	for range watcherSteadyPolls {
		if err := w.Poll(ctx); err != nil {
			return fmt.Errorf("watcher: poll: %w", err)
		}
	}
	cpu1 = selfCPU()
	res.PollCPU = ms((cpu1 - cpu0) / watcherSteadyPolls)
	if r.tessera != nil && !r.cfg.InProcess {
		srv1, _ = cpuTime(r.tessera.PID)
		res.ServerPollCPU = ms((srv1 - srv0) / watcherSteadyPolls)
	}
	runtime.KeepAlive(w)
	r.logf("watcher: %.1f MiB, %d polls to catch up, %.1f ms CPU per poll", float64(res.HeapBytes)/(1<<20), res.CatchUpPolls, float64(res.PollCPU))
	r.rep.Watcher = &res
	return nil
}

// selfCPU is this process's CPU time (user and system) from getrusage,
// which counts microseconds where /proc/<pid>/stat counts 10 ms ticks: one
// poll with nothing new costs less than a tick.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedRevoked makes the feed hold n revocations of watcherClient, spread
// over the last 23 hours, and returns the session the feed lists last.
func (r *runner) seedRevoked(ctx context.Context, n int64) (uuid.UUID, error) {
	now := time.Now().UTC()
	c := &store.Client{
		ID: watcherClient, Name: "tessera-bench watcher", AllowedDelivery: []string{"body"},
		AccessTTL: 24 * time.Hour, Type: store.ClientPublic, CreatedAt: now, UpdatedAt: now,
	}
	var conflict *store.ConflictError
	if err := r.db.DB.CreateClient(ctx, c); err != nil && !errors.As(err, &conflict) {
		return uuid.Nil, fmt.Errorf("watcher: create client: %w", err)
	}
	x := r.db.DB.SQL()
	var have int64
	if err := x.QueryRowContext(ctx, x.Rebind(`SELECT count(*) FROM sessions WHERE client_id = ?`), watcherClient).Scan(&have); err != nil {
		return uuid.Nil, fmt.Errorf("watcher: count: %w", err)
	}
	start, last := time.Now(), time.Now()
	kind := seedKind{Client: watcherClient, RevokedWithin: 23 * time.Hour}
	for done := have; done < n; {
		k := min(n-done, seedRowsPerTx)
		if err := insertSessionsTx(ctx, r.db.DB, int(k), r.userIDs, done, kind); err != nil {
			return uuid.Nil, fmt.Errorf("watcher: %w", err)
		}
		done += k
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			r.logf("seeding revoked sessions: %d/%d", done, n)
		}
	}
	r.logf("watcher: %d revoked sessions seeded in %.1fs", n-min(have, n), time.Since(start).Seconds())
	var id uuid.UUID
	err := x.QueryRowContext(ctx, `SELECT id FROM sessions WHERE revoked_at IS NOT NULL ORDER BY revoked_at DESC, id DESC LIMIT 1`).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("watcher: last revocation: %w", err)
	}
	return id, nil
}
