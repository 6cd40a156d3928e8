package sqlstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestOpenMustExistCreatesNothing: with MustExist, a missing SQLite file
// is an error naming it, and neither it nor its folder is created.
func TestOpenMustExistCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "tessera.db")
	_, err := sqlstore.Open(t.Context(), "sqlite://"+path, sqlstore.Options{MustExist: true})
	if !errors.Is(err, sqlstore.ErrNoDatabase) {
		t.Fatalf("open a missing file: %v, want ErrNoDatabase", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("opening a missing database created %v", entries)
	}

	migrated := filepath.Join(t.TempDir(), "m.db")
	setup, err := sqlstore.Open(t.Context(), "sqlite://"+migrated, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := setup.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	existing, err := sqlstore.Open(t.Context(), "sqlite://"+migrated, sqlstore.Options{MustExist: true})
	if err != nil {
		t.Fatalf("open an existing database: %v", err)
	}
	defer existing.Close()
	if err := existing.CheckSchema(t.Context()); err != nil {
		t.Fatalf("schema of a migrated database: %v", err)
	}
}

// TestCheckSchemaWritesNothing: a database without Tessera's schema is
// reported, on every backend, and checking leaves it without one.
func TestCheckSchemaWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "empty.db") }},
		{"postgres", func(t *testing.T) string { return sqltest.URLForPostgres(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), tc.url(t), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for range 2 { // the second time proves the first created nothing
				if err := db.CheckSchema(t.Context()); !errors.Is(err, sqlstore.ErrNoDatabase) {
					t.Fatalf("schema of an empty database: %v, want ErrNoDatabase", err)
				}
			}
			if err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(t.Context()); err != nil {
				t.Fatalf("after migrating: %v", err)
			}
		})
	}
}
