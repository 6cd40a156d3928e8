package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers "postgres"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/tessera-id/tessera/internal/store"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store backed by SQLite or Postgres. It is safe for
// concurrent use.
type DB struct {
	flavor *flavor
	w      *sqlx.DB // writes, migrations and transactions
	r      *sqlx.DB // reads; the same pool as w on Postgres
	stmts  statements
	// The request path's statements wait for a connection in order (gate).
	wGate, rGate *gate
	rot          rotations // on Postgres, rotations sharing a statement
}

// Options tune the connection pools. The zero value is ready to use.
type Options struct {
	// MaxOpenConns caps open connections; idle connections are kept up to
	// the same number so the pool stays warm. Postgres: the whole pool
	// (default 16). SQLite: the read pool (default max(4, GOMAXPROCS));
	// SQLite writes always use one dedicated connection, because SQLite
	// runs one writer at a time anyway and queueing in Go is faster and
	// surer than waiting on SQLITE_BUSY.
	MaxOpenConns int
	// ConnMaxIdleTime closes connections idle this long; 0 keeps them.
	ConnMaxIdleTime time.Duration
	// ConnMaxLifetime closes connections this old; 0 keeps them.
	ConnMaxLifetime time.Duration
	// MustExist opens a database that is already there and creates
	// nothing: a missing SQLite file (or its folder) is an error rather
	// than a new, empty database. Operator commands set it.
	MustExist bool
}

// ErrNoDatabase is wrapped by Open with MustExist when the database is not
// there, and by CheckSchema when it holds no Tessera schema.
var ErrNoDatabase = errors.New("no Tessera database")

// sqliteBusyTimeout is how long a SQLite statement waits for a lock held
// by another process (a CLI command beside the server) before failing.
const sqliteBusyTimeout = 5 * time.Second

// Open connects to databaseURL and pings it. Accepted forms:
// sqlite:///absolute/path.db, sqlite:relative/path.db (resolved against the
// working directory now; missing folders are created with mode 0700), and
// postgres://... or postgresql://... (lib/pq; query parameters such as
// sslmode and search_path pass through). Open does not migrate. With
// opts.MustExist, a SQLite file that does not exist is an error and nothing
// is created.
func Open(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	var (
		db  *DB
		err error
	)
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		db, err = openSQLite(databaseURL, opts)
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err = openPostgres(databaseURL, opts)
	default:
		// Only the scheme is quoted: the URL may hold a password.
		scheme, _, _ := strings.Cut(databaseURL, ":")
		err = fmt.Errorf("unknown scheme %q: use sqlite:///absolute/path.db, sqlite:relative/path.db, postgres:// or postgresql://", scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Ping(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open database: %w", err), db.Close())
	}
	return db, nil
}

func openPostgres(databaseURL string, opts Options) (*DB, error) {
	x, err := sqlx.Open(postgresFlavor.driver, withBinaryParameters(databaseURL))
	if err != nil {
		return nil, err
	}
	configurePool(x.DB, opts.MaxOpenConns, 16, opts)
	g := newGate(x.DB)
	return &DB{flavor: postgresFlavor, w: x, r: x, wGate: g, rGate: g}, nil
}

func openSQLite(databaseURL string, opts Options) (*DB, error) {
	path, err := sqlitePath(databaseURL)
	if err != nil {
		return nil, err
	}
	if opts.MustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: run `tessera migrate up` or `tessera serve` first", ErrNoDatabase, path)
		} else if err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	w, err := sqlx.Open(sqliteFlavor.driver, sqliteDSN(path, false, opts.MustExist))
	if err != nil {
		return nil, err
	}
	configurePool(w.DB, 1, 1, opts)
	r, err := sqlx.Open(sqliteFlavor.driver, sqliteDSN(path, true, opts.MustExist))
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	configurePool(r.DB, opts.MaxOpenConns, max(4, runtime.GOMAXPROCS(0)), opts)
	return &DB{flavor: sqliteFlavor, w: w, r: r, wGate: newGate(w.DB), rGate: newGate(r.DB)}, nil
}

// sqlitePath extracts the file path from a sqlite: URL and makes it
// absolute.
func sqlitePath(databaseURL string) (string, error) {
	p := strings.TrimPrefix(databaseURL, "sqlite:")
	if rest, ok := strings.CutPrefix(p, "//"); ok {
		if !strings.HasPrefix(rest, "/") {
			return "", errors.New("sqlite:// must be followed by an absolute path (sqlite:///absolute/path.db) or use sqlite:relative/path.db")
		}
		p = rest
	}
	switch {
	case p == "":
		return "", errors.New("sqlite URL has no path")
	case strings.HasPrefix(p, ":memory:"):
		return "", errors.New("in-memory SQLite databases are not supported: use a file")
	case strings.Contains(p, "?"):
		return "", errors.New("sqlite URL takes no query parameters")
	}
	return filepath.Abs(p)
}

// sqliteDSN builds a modernc "file:" URI whose pragmas run on every new
// connection. Readers are query_only so a write through them fails loudly;
// the writer begins transactions IMMEDIATE so they never fail half-way on
// an upgrade from a read lock. mustExist opens with mode=rw, so a file
// removed after the check is not silently recreated empty.
func sqliteDSN(path string, readOnly, mustExist bool) string {
	q := url.Values{}
	if mustExist {
		q.Set("mode", "rw")
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// configurePool sizes a pool to n connections (def when n <= 0) and keeps
// as many idle, so that no request waits for a new connection.
func configurePool(db *sql.DB, n, def int, opts Options) {
	if n <= 0 {
		n = def
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(opts.ConnMaxIdleTime)
	db.SetConnMaxLifetime(opts.ConnMaxLifetime)
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.flavor.name }

// SQL returns the pool that writes. It is an escape hatch for tests that
// must read or adjust raw tables; production code uses the Store methods.
// On SQLite this pool is one connection: close any Rows from it before
// calling another method, or that call waits forever.
func (db *DB) SQL() *sqlx.DB { return db.w }

// Pools returns the connection pools by role, for their statistics: "main"
// on Postgres (reads and writes share it); "write" (one connection) and
// "read" on SQLite. Callers read them and never close them.
func (db *DB) Pools() map[string]Pool {
	if db.r == db.w {
		return map[string]Pool{"main": {db.w.DB, db.wGate}}
	}
	return map[string]Pool{"write": {db.w.DB, db.wGate}, "read": {db.r.DB, db.rGate}}
}

// Ping checks that every pool answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if db.r != db.w {
		if err := db.r.PingContext(ctx); err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	}
	return nil
}

// Close closes every pool.
func (db *DB) Close() error {
	db.stmts.close()
	var rerr error
	if db.r != db.w {
		rerr = db.r.Close()
	}
	return errors.Join(rerr, db.w.Close())
}

// withBinaryParameters turns on lib/pq's binary_parameters unless the URL
// sets it: each parameterised query then takes one round trip instead of
// two (prepare, then execute), which halves the latency of a refresh. A URL
// that says binary_parameters=no keeps the old behaviour.
func withBinaryParameters(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL // lib/pq reports the bad URL itself
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return databaseURL
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}
