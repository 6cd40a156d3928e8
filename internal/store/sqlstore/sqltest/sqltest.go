// Package sqltest gives tests real, migrated databases: a SQLite file in a
// temporary folder, and a private schema on the Postgres server named by
// TESSERA_TEST_POSTGRES_URL. Every database it hands out is removed when
// the test ends. It is for tests only and must never be imported by
// production code.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
)

const (
	// EnvPostgresURL names the Postgres server tests may use, e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. Tests
	// create and drop their own schemas in it and touch nothing else.
	EnvPostgresURL = "TESSERA_TEST_POSTGRES_URL"
	// EnvRequirePostgres set to 1 turns a missing EnvPostgresURL from a
	// skip into a failure (CI sets it so Postgres tests cannot silently vanish).
	EnvRequirePostgres = "TESSERA_TEST_REQUIRE_POSTGRES"
)

// cleanupTimeout bounds the work done after a test, when t.Context() is
// already cancelled.
const cleanupTimeout = 30 * time.Second

// NewSQLite returns a migrated SQLite database in a fresh temporary folder;
// it is closed, and the folder removed, when the test ends.
func NewSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tessera.db")
	return openMigrated(t, "sqlite://"+path)
}

// NewPostgres returns a migrated database in a new schema of its own on the
// server named by TESSERA_TEST_POSTGRES_URL; the schema is dropped when the
// test ends. Without that variable the test is skipped, or fails when
// TESSERA_TEST_REQUIRE_POSTGRES=1.
func NewPostgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	return openMigrated(t, URLForPostgres(t))
}

// URLForPostgres creates an empty schema of its own, as NewPostgres does,
// and returns a URL whose connections use it (search_path), for tests that
// start a server process themselves. The schema is dropped when the test
// ends: stop whatever uses it first (register that cleanup after calling
// URLForPostgres).
func URLForPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s is not set and %s=1", EnvPostgresURL, EnvRequirePostgres)
		}
		t.Skipf("%s is not set: skipping Postgres", EnvPostgresURL)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgresURL, err)
	}
	schema := "tessera_test_" + randomHex(8)
	if err := admin(t.Context(), base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := admin(ctx, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as the subtests "sqlite" and "postgres", each with a fresh
// migrated database (the Postgres one skips as NewPostgres does).
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, NewSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, NewPostgres(t)) })
}

func openMigrated(t testing.TB, databaseURL string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), databaseURL, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}

// admin runs one statement on its own short-lived connection.
func admin(ctx context.Context, databaseURL, stmt string) error {
	db, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
	return hex.EncodeToString(b)
}
