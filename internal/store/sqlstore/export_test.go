package sqlstore

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// MigrateTo applies the embedded migrations up to version, for tests of a
// migration over data written before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.goose()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// Writer is the pool writes go through, for tests that write rows as an
// older schema would.
func (db *DB) Writer() *sqlx.DB { return db.w }
