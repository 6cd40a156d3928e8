package sqlstore_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return sqltest.NewSQLite(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return sqltest.NewPostgres(t) })
	})
}

// TestConformanceSharedRotation holds the statement that rotations
// waiting for a connection share on Postgres to every guarantee of the
// single one: each rotation subtest runs with every rotation taking it.
func TestConformanceSharedRotation(t *testing.T) {
	storetest.RunRotations(t, func(t *testing.T) store.Store {
		db := sqltest.NewPostgres(t)
		db.ShareEveryRotation()
		return db
	})
}

func TestOpenRefusesBadURLs(t *testing.T) {
	tests := []struct {
		name, url string
		want      []string // in the error
	}{
		{"unknown scheme", "mysql://root:hunter2@db/tessera",
			[]string{`"mysql"`, "sqlite:///", "sqlite:relative", "postgres://", "postgresql://"}},
		{"no scheme", "tessera.db", []string{"unknown scheme"}},
		{"memory", "sqlite::memory:", []string{"in-memory"}},
		{"host instead of path", "sqlite://data/tessera.db", []string{"absolute path"}},
		{"empty path", "sqlite:", []string{"no path"}},
		{"query", "sqlite:data/tessera.db?mode=ro", []string{"no query parameters"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), tc.url, sqlstore.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestOpenSQLiteCreatesFolders(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct{ name, url, path string }{
		{"relative", "sqlite:data/nested/tessera.db", filepath.Join(dir, "data", "nested", "tessera.db")},
		{"absolute", "sqlite://" + filepath.Join(dir, "abs", "x.db"), filepath.Join(dir, "abs", "x.db")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), tc.url, sqlstore.Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if db.Dialect() != "sqlite" {
				t.Errorf("Dialect: %q", db.Dialect())
			}
			if _, err := os.Stat(tc.path); err != nil {
				t.Fatalf("database file: %v", err)
			}
			fi, err := os.Stat(filepath.Dir(tc.path))
			if err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("folder: %v, %v; want mode 0700", fi.Mode(), err)
			}
		})
	}
}

func TestSQLitePragmas(t *testing.T) {
	db := sqltest.NewSQLite(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := db.SQL().GetContext(t.Context(), &got, "PRAGMA "+pragma); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		wantApplied(t, db)
	})
}

func TestMigrationStatusPending(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "t.db"), sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	list, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(list) == 0 || list[0].Applied || !list[0].AppliedAt.IsZero() {
		t.Errorf("status before Migrate: %+v, want pending", list)
	}
}

// TestMigrateConcurrentPostgres starts two "replicas" on one fresh schema
// at once: both Migrate calls must succeed and the schema must be whole.
func TestMigrateConcurrentPostgres(t *testing.T) {
	url := sqltest.URLForPostgres(t)
	const replicas = 3
	dbs := make([]*sqlstore.DB, replicas)
	for i := range dbs {
		db, err := sqlstore.Open(t.Context(), url, sqlstore.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	wantApplied(t, dbs[0])
	var n int
	if err := dbs[0].SQL().GetContext(t.Context(), &n, "SELECT count(*) FROM clients"); err != nil || n != 1 {
		t.Errorf("clients after concurrent migrations: %d, %v; want 1", n, err)
	}
}

func wantApplied(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	list, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(list) == 0 {
		t.Fatal("MigrationStatus: no migrations")
	}
	first := list[0]
	if first.Version != 1 || first.Source != "00001_initial.sql" || !first.Applied || first.AppliedAt.IsZero() {
		t.Errorf("first migration: %+v", first)
	}
	for _, m := range list {
		if !m.Applied {
			t.Errorf("migration %d (%s) not applied", m.Version, m.Source)
		}
	}
}
