package sqlstore

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// gate admits statements to a connection pool first come, first served.
//
// When every connection of a pool is busy, database/sql hands the next one
// released to a waiter picked at random, so under load a request can lose
// that draw again and again while later ones pass it: the wait of the
// unlucky is what a route's tail latency is made of. A gate holds as many
// places as the pool has connections, and blocked senders on a channel are
// served in the order they came, so the statements that pass it find a
// connection free and the waiting happens here, in order.
//
// Prepared statements (preparedRow, preparedList: the request path and a
// sign-in) pass it, and so do refresh rotations on Postgres, which while
// they wait may be carried by another's statement (rotations).
// Transactions and the rest of the store do not: they compete with it
// only when the pool is exhausted, as they would without it, and a
// transaction that queued here while holding a connection could wait for
// a place that only its own connection would free.
type gate struct {
	places chan struct{}
	waits  atomic.Int64 // statements that found every place taken
	waited atomic.Int64 // nanoseconds they waited, in all
}

// newGate returns the gate of pool, one place per connection the pool may
// open; nil (no gate) for a pool without a limit.
func newGate(pool *sql.DB) *gate {
	n := pool.Stats().MaxOpenConnections
	if n <= 0 {
		return nil
	}
	return &gate{places: make(chan struct{}, n)}
}

// enter waits for a place, in arrival order, or for ctx to end.
func (g *gate) enter(ctx context.Context) error {
	_, err := g.enterUnless(ctx, nil)
	return err
}

// enterUnless waits for a place like enter, or for done to close: it
// reports whether it took a place (false when done closed first).
func (g *gate) enterUnless(ctx context.Context, done <-chan struct{}) (bool, error) {
	if g == nil {
		return true, nil
	}
	select {
	case g.places <- struct{}{}:
		return true, nil
	default:
	}
	start := time.Now()
	defer func() {
		g.waits.Add(1)
		g.waited.Add(int64(time.Since(start)))
	}()
	select {
	case g.places <- struct{}{}:
		return true, nil
	case <-done:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// leave gives a place back.
func (g *gate) leave() {
	if g != nil {
		<-g.places
	}
}

// Pool is one of the store's connection pools, for its statistics.
type Pool struct {
	DB   *sql.DB
	gate *gate
}

// QueueWaits returns how many statements found every connection of the
// pool taken and waited their turn at its gate, and how long they waited
// in all.
func (p Pool) QueueWaits() (int64, time.Duration) {
	if p.gate == nil {
		return 0, 0
	}
	return p.gate.waits.Load(), time.Duration(p.gate.waited.Load())
}

// gateOf returns pool's gate: w's or r's.
func (db *DB) gateOf(pool *sqlx.DB) *gate {
	if pool == db.w {
		return db.wGate
	}
	return db.rGate
}

// gatedRow is a row read through a gate: the connection, and the gate's
// place, are held until Scan, as database/sql holds a Row's connection.
// Scan must be called, once, as for any *sql.Row.
type gatedRow struct {
	row  *sql.Row
	gate *gate
	left bool
}

func (r *gatedRow) Scan(dest ...any) error {
	if r.left {
		return r.row.Scan(dest...) // database/sql answers a second Scan
	}
	defer r.gate.leave()
	r.left = true
	return r.row.Scan(dest...)
}
