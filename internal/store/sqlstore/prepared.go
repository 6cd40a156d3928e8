package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// statements holds the prepared forms of the statements on the request
// path (authenticating a request, rotating a refresh token) and of a
// sign-in (the account look-ups, the new session, the code flow). The database
// then parses and plans each once per connection instead of once per
// request, which on Postgres is most of the work of a primary-key read
// joined with its user. database/sql prepares a statement again, on
// demand, on each connection of the pool that runs it.
type statements struct {
	mu sync.Mutex
	m  map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	pool  *sqlx.DB
	query string
}

// prepared returns query, written with '?' placeholders (or numbered
// ones, $1..$N, which both databases read as they are), prepared on pool
// in the database's own placeholders, preparing it on first use. A failed
// prepare is not remembered: the next call tries again.
func (db *DB) prepared(ctx context.Context, pool *sqlx.DB, query string) (*sql.Stmt, error) {
	st := &db.stmts
	k := stmtKey{pool, query}
	st.mu.Lock()
	s, ok := st.m[k]
	st.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := pool.PrepareContext(ctx, db.flavor.rebind(query))
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if prev, ok := st.m[k]; ok {
		_ = s.Close()
		return prev, nil
	}
	if st.m == nil {
		st.m = map[stmtKey]*sql.Stmt{}
	}
	st.m[k] = s
	return s, nil
}

// admitted waits for q's turn at pool's gate and returns q prepared on
// pool, with the gate whose place the caller must leave; on an error no
// place is held.
func (db *DB) admitted(ctx context.Context, pool *sqlx.DB, q string) (*sql.Stmt, *gate, error) {
	g := db.gateOf(pool)
	if err := g.enter(ctx); err != nil {
		return nil, nil, err
	}
	stmt, err := db.prepared(ctx, pool, q)
	if err != nil {
		g.leave()
		return nil, nil, err
	}
	return stmt, g, nil
}

// preparedRow runs q, a statement of the code written as prepared takes
// it, on pool through its prepared statement and returns its
// row, after waiting its turn at the pool's gate. A statement that cannot
// be prepared, or whose context ends while it waits, gives a row whose
// Scan returns why. The row's Scan must be called.
func (db *DB) preparedRow(ctx context.Context, pool *sqlx.DB, q string, args ...any) rowScanner {
	stmt, g, err := db.admitted(ctx, pool, q)
	if err != nil {
		return errRow{err}
	}
	return &gatedRow{row: stmt.QueryRowContext(ctx, args...), gate: g}
}

// preparedList runs q like preparedRow, for a statement that reads many
// rows, and returns them read by scan; its place at the gate is held until
// the last row is read.
func preparedList[T any](ctx context.Context, db *DB, pool *sqlx.DB, op, q string, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	stmt, g, err := db.admitted(ctx, pool, q)
	if err != nil {
		return nil, db.flavor.wrap(op, err)
	}
	defer g.leave()
	rows, err := stmt.QueryContext(ctx, args...)
	return collect(db, op, rows, err, scan)
}

// errRow is a row that could not be read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// close closes every prepared statement.
func (st *statements) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, s := range st.m {
		_ = s.Close()
		delete(st.m, k)
	}
}
