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

// HoldConnections takes every place of the write pool's gate, so that
// statements queue until release is called.
func (db *DB) HoldConnections() (release func()) {
	n := cap(db.wGate.places)
	for range n {
		db.wGate.places <- struct{}{}
	}
	return func() {
		for range n {
			<-db.wGate.places
		}
	}
}

// QueuedRotations is how many rotations wait for a connection.
func (db *DB) QueuedRotations() int {
	db.rot.mu.Lock()
	defer db.rot.mu.Unlock()
	return len(db.rot.pending)
}

// ShareEveryRotation sends every rotation, even one alone, through the
// statement rotations waiting together share.
func (db *DB) ShareEveryRotation() { db.rot.shareAlways = true }

// RotateBatchQuery is the statement rotations waiting together share.
func RotateBatchQuery(idleSec int64) string { return rotateBatchQuery(idleSec) }
