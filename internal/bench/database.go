package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

// database is the benchmark's database and the parent's handle on it.
type database struct {
	// URL is what Tessera and the baselines connect to.
	URL string
	DB  *sqlstore.DB
	// sqlitePath is the file, for size figures; "" on Postgres.
	sqlitePath string
	// owned is true when the bench created the database (a temporary
	// SQLite file or a fresh Postgres schema) and removes it afterwards.
	owned   bool
	cleanup func(context.Context) error
}

// Dialect returns "sqlite" or "postgres".
func (d *database) Dialect() string { return d.DB.Dialect() }

// openDatabase prepares the database the run uses: a temporary SQLite file
// in workDir when databaseURL is empty; a new schema of its own on the
// Postgres server databaseURL names (dropped by Close) unless existing is
// set, as for --target, where the URL is used as it is. It is migrated.
func openDatabase(ctx context.Context, databaseURL, workDir string, existing bool) (*database, error) {
	d := &database{URL: databaseURL, cleanup: func(context.Context) error { return nil }}
	switch {
	case databaseURL == "":
		d.URL = "sqlite://" + filepath.Join(workDir, "tessera.db")
		d.owned = true
	case isPostgres(databaseURL) && !existing:
		u, drop, err := createSchema(ctx, databaseURL)
		if err != nil {
			return nil, err
		}
		d.URL, d.cleanup, d.owned = u, drop, true
	}
	if strings.HasPrefix(d.URL, "sqlite:") {
		p := strings.TrimPrefix(strings.TrimPrefix(d.URL, "sqlite:"), "//")
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		d.sqlitePath = abs
	}
	db, err := sqlstore.Open(ctx, d.URL, sqlstore.Options{MaxOpenConns: 4})
	if err != nil {
		return nil, errors.Join(err, d.cleanup(context.WithoutCancel(ctx)))
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, errors.Join(err, db.Close(), d.cleanup(context.WithoutCancel(ctx)))
	}
	d.DB = db
	return d, nil
}

// Close closes the handle and drops what the bench created.
func (d *database) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return errors.Join(d.DB.Close(), d.cleanup(ctx))
}

func isPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// createSchema creates tessera_bench_<random> on the server and returns a
// URL whose connections use it, and the function that drops it.
func createSchema(ctx context.Context, base string) (string, func(context.Context) error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("database url: %w", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "tessera_bench_" + hex.EncodeToString(b[:])
	admin := func(ctx context.Context, stmt string) error {
		db, err := sqlstore.Open(ctx, base, sqlstore.Options{MaxOpenConns: 1})
		if err != nil {
			return err
		}
		_, err = db.SQL().ExecContext(ctx, stmt)
		return errors.Join(err, db.Close())
	}
	if err := admin(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func(ctx context.Context) error {
		if err := admin(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	return u.String(), drop, nil
}
