package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/tessera-id/tessera/migrations"
)

// MigrationStatus is one embedded migration as `tessera migrate status`
// shows it.
type MigrationStatus struct {
	Version   int64
	Source    string    // file name, e.g. "00001_initial.sql"
	Applied   bool      // recorded in the database's goose version table
	AppliedAt time.Time // UTC; zero while pending
}

// Migrate applies every pending embedded migration. On Postgres it first
// takes goose's table lock, so replicas that start together run the
// migrations once, one after the other; the others find nothing to do.
// Running it on an up-to-date database is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.goose()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationStatus lists every embedded migration, oldest first, and whether
// it has been applied. It creates goose's empty version table if missing.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.goose()
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	list, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(list))
	for _, s := range list {
		st := MigrationStatus{
			Version: s.Source.Version,
			Source:  path.Base(s.Source.Path),
			Applied: s.State == goose.StateApplied,
		}
		if st.Applied {
			st.AppliedAt = s.AppliedAt.UTC()
		}
		out = append(out, st)
	}
	return out, nil
}

// CheckSchema reports, writing nothing, whether every embedded migration
// has been applied: operator commands work on a database that serve or
// `migrate up` prepared, and never create or change a schema. A database
// without goose's version table wraps ErrNoDatabase.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.goose()
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		return nil
	}
	want := sources[len(sources)-1].Version
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if db.flavor == postgresFlavor {
		exists = `SELECT COUNT(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = 'goose_db_version'`
	}
	var n int
	if err := db.r.GetContext(ctx, &n, exists); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w here (no schema): run `tessera migrate up` first", ErrNoDatabase)
	}
	var have int64
	if err := db.r.GetContext(ctx, &have, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if have < want {
		return fmt.Errorf("the database schema is at version %d, this tessera needs %d: run `tessera migrate up` first", have, want)
	}
	return nil
}

// goose builds a provider over the flavor's migrations folder. The provider
// is never closed: Close would close db.w.
func (db *DB) goose() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations.FS, db.flavor.name)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if db.flavor.newLocker != nil {
		l, err := db.flavor.newLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(l))
	}
	return goose.NewProvider(db.flavor.goose, db.w.DB, fsys, opts...)
}
