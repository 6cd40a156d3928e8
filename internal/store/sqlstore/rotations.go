package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/tessera-id/tessera/internal/store"
)

// rotations gathers, on Postgres, the refresh rotations that wait for a
// connection, so that the first of them to get one runs them all in one
// statement.
//
// A refresh is one conditional statement and one commit; under load most
// of what Postgres spends on it is not the row but the statement around
// it: starting the executor, the round trip, the commit and its WAL
// flush. Rotations that would each have waited their turn at the gate are
// joined instead, one row of arguments each, and the statement answers
// each with its row or none, as the single statement would: the checks
// are the same, per row, and so is the one winner among callers that
// present the same token (Postgres updates a row once per statement, and a
// statement that finds it changed by another re-checks its conditions).
// A rotation that finds a connection free runs in a statement of its
// own, the single-row one, so a quiet server's refreshes are unchanged.
type rotations struct {
	mu      sync.Mutex
	pending []*rotationCall
	// Statements run and rotations they carried, for tests and metrics.
	statements, rotated atomic.Int64
	// shareAlways sends even a lone rotation through the shared
	// statement, so that tests hold it to every guarantee of the single one.
	shareAlways bool
}

// maxRotationBatch bounds the rotations of one statement.
const maxRotationBatch = 64

// rotationCall is one RotateRefresh waiting for its answer.
type rotationCall struct {
	ctx  context.Context
	r    store.Rotation
	now  string // r.Now in the stored form
	idle int64  // the default idle lifetime in whole seconds, rounded up
	done chan struct{}
	// Set before done closes.
	s     store.SessionAuth
	u     store.User
	err   error
	alone bool // the shared statement failed: run this rotation alone
	taken bool // under rotations.mu: a runner holds it
}

// rotateTogether is RotateRefresh on Postgres: it queues r, and waits
// either for a connection, to run every rotation queued by then, or for
// another caller that got one to have run r.
func (db *DB) rotateTogether(ctx context.Context, r store.Rotation) (*store.SessionAuth, *store.User, error) {
	now, err := sqlTime(r.Now).Value()
	if err != nil {
		return nil, nil, fmt.Errorf("rotate refresh: %w", err)
	}
	c := &rotationCall{ctx: ctx, r: r, now: now.(string), idle: idleSeconds(r.DefaultIdleTTL), done: make(chan struct{})}
	q := &db.rot
	q.mu.Lock()
	q.pending = append(q.pending, c)
	q.mu.Unlock()
	for {
		entered, err := db.wGate.enterUnless(ctx, c.done)
		if err != nil {
			if q.withdraw(c) {
				return nil, nil, db.flavor.wrap("rotate refresh", err)
			}
			<-c.done // a runner has it: its statement decides
			break
		}
		if !entered {
			break
		}
		db.runRotations(q.take())
		if q.isTaken(c) {
			<-c.done
			break
		}
		// More were queued than one statement takes, c among the rest.
	}
	if c.alone {
		return db.rotateAlone(ctx, r)
	}
	if c.err != nil {
		return nil, nil, c.err
	}
	return &c.s, &c.u, nil
}

// withdraw takes c out of the queue, if no runner holds it yet.
func (q *rotations) withdraw(c *rotationCall) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.taken {
		return false
	}
	q.pending = slices.DeleteFunc(q.pending, func(p *rotationCall) bool { return p == c })
	return true
}

func (q *rotations) isTaken(c *rotationCall) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return c.taken
}

// take removes the oldest queued rotations, at most maxRotationBatch of
// them, all with the first one's default idle lifetime (which the
// statement holds as a constant); nil when none is queued.
func (q *rotations) take() []*rotationCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) == 0 {
		return nil
	}
	idle := q.pending[0].idle
	var batch []*rotationCall
	rest := q.pending[:0]
	for _, c := range q.pending {
		if c.idle == idle && len(batch) < maxRotationBatch {
			c.taken = true
			batch = append(batch, c)
			continue
		}
		rest = append(rest, c)
	}
	clear(q.pending[len(rest):])
	q.pending = rest
	return batch
}

// errUnanswered is the answer of a rotation whose runner stopped before
// answering it (it panicked).
var errUnanswered = errors.New("rotate refresh: the statement carrying this rotation stopped")

// runRotations runs batch with the place at the gate the caller holds,
// gives that place back, and answers each of batch's calls (the caller's
// own rotation may or may not be among them).
func (db *DB) runRotations(batch []*rotationCall) {
	defer db.wGate.leave()
	if len(batch) == 0 {
		return
	}
	for _, c := range batch {
		c.err = errUnanswered
	}
	defer func() {
		for _, c := range batch {
			close(c.done)
		}
	}()
	ctx, cancel := batchContext(batch)
	defer cancel()
	db.rot.statements.Add(1)
	db.rot.rotated.Add(int64(len(batch)))
	if len(batch) == 1 && !db.rot.shareAlways {
		c := batch[0]
		stmt, err := db.prepared(ctx, db.w, db.rotateRefreshQuery(c.r.DefaultIdleTTL))
		if err == nil {
			err = scanRotation(stmt.QueryRowContext(ctx, rotateArgs(c.r)...), &c.s, &c.u)
		}
		c.err = rotateErr(db, err)
		return
	}
	if err := db.rotateBatch(ctx, batch); err != nil {
		// Whatever failed (a deadlock with another statement over two of
		// these sessions, one rotation's bad argument), each rotation
		// runs alone and meets only its own failure.
		for _, c := range batch {
			c.alone = true
		}
	}
}

// batchContext is the context of a statement run for batch: it lasts as
// long as the most patient of its callers (without a deadline if any has
// none), and no caller that gives up stops it for the others.
func batchContext(batch []*rotationCall) (context.Context, context.CancelFunc) {
	var last time.Time
	for _, c := range batch {
		d, ok := c.ctx.Deadline()
		if !ok {
			return context.WithCancel(context.WithoutCancel(c.ctx))
		}
		if d.After(last) {
			last = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(batch[0].ctx), last)
}

// rotateBatch runs the rotations of batch in one statement and sets each
// call's answer: its session and user, or store.ErrStale when its row did
// not match. An error of the statement itself is returned, answering none.
func (db *DB) rotateBatch(ctx context.Context, batch []*rotationCall) error {
	// Rows are locked in the order of their sessions' ids, the same in
	// every statement, so that two batches sharing sessions do not lock
	// them crosswise.
	slices.SortStableFunc(batch, func(a, b *rotationCall) int { return bytes.Compare(a.r.ID[:], b.r.ID[:]) })
	n := len(batch)
	var (
		next, digests = make(pq.ByteaArray, n), make(pq.ByteaArray, n)
		nows, ids     = make(pq.StringArray, n), make(pq.StringArray, n)
		clients       = make(pq.StringArray, n)
		gens          = make(pq.Int64Array, n)
		authed        = make(pq.BoolArray, n)
	)
	for i, c := range batch {
		next[i], digests[i], nows[i], ids[i] = c.r.NextDigest, c.r.Digest, c.now, c.r.ID.String()
		clients[i], gens[i], authed[i] = c.r.ClientID, c.r.Generation, c.r.ClientAuthenticated
	}
	stmt, err := db.prepared(ctx, db.w, rotateBatchQuery(batch[0].idle))
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(ctx, next, nows, ids, gens, digests, clients, authed)
	if err != nil {
		return err
	}
	defer rows.Close()
	answered := make([]bool, n)
	for rows.Next() {
		var (
			i    int
			s    store.SessionAuth
			u    store.User
			cols collector
		)
		cols.dests = append(cols.dests, &i)
		_ = scanSessionAuth(&cols, &s)
		_ = scanUser(&cols, &u)
		if err := rows.Scan(cols.dests...); err != nil {
			return err
		}
		if i < 1 || i > n || answered[i-1] {
			return fmt.Errorf("rotate refresh: the statement answered row %d of %d twice or out of range", i, n)
		}
		answered[i-1] = true
		batch[i-1].s, batch[i-1].u = s, u
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, c := range batch {
		c.err = nil
		if !answered[i] {
			c.err = db.flavor.wrap("rotate refresh", store.ErrStale)
		}
	}
	return nil
}

// rotateBatchQueries caches the batch statement per default idle lifetime.
var rotateBatchQueries sync.Map // of int64 -> string

// rotateBatchQuery is the single rotation statement over arrays of its
// arguments, one element per rotation, each row answered with its
// one-based position in the arrays: $1 the next digests, $2 the times,
// $3 the session ids, $4 their generations, $5 the presented digests, $6
// the clients named, $7 whether each authenticated. The ids are also
// matched with = ANY($3), which lets the planner read sessions by key: on
// a small table it would otherwise hash every row for the join.
func rotateBatchQuery(idleSec int64) string {
	if q, ok := rotateBatchQueries.Load(idleSec); ok {
		return q.(string)
	}
	q := rotationStatement(postgresFlavor, sharedRotation,
		`users u, unnest($1::bytea[], $2::timestamptz[], $3::uuid[], $4::bigint[], $5::bytea[], $6::text[], $7::bool[])
			WITH ORDINALITY AS r(next, now, id, gen, digest, client, authed, i)`,
		`sessions.id = ANY($3::uuid[])`, idleSec,
		`r.i, `+qualified("sessions", sessionAuthColumns)+`, `+qualified("u", userColumns))
	rotateBatchQueries.Store(idleSec, q)
	return q
}

// sharedRotation is the shared statement's: the columns of its argument
// rows. Its revocation check is written so that no index can answer it:
// the sessions must be found by id alone. A planner that believes few
// sessions unrevoked (statistics taken when the table was small) would
// otherwise read sessions_revoked_at_idx for every session not revoked,
// which on a table of ten million sessions took seconds a statement.
var sharedRotation = rotationOperands{"r.next", "r.now", "r.id", "r.gen", "r.digest", "r.client", "r.authed",
	"(sessions.revoked_at IS NULL) IS TRUE"}

// idleSeconds is d in whole seconds, rounded up: a positive lifetime
// never becomes zero.
func idleSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

// RotationStats returns how many statements rotated refresh tokens and how
// many rotations they carried: as many as statements on SQLite, where
// each rotation runs alone.
func (db *DB) RotationStats() (statements, rotations int64) {
	return db.rot.statements.Load(), db.rot.rotated.Load()
}
