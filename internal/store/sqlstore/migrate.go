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
