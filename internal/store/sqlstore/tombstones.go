package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
)

// lockAndTombstone locks the row of owner (users or clients) whose primary
// key pk is key, so that no session can be inserted for it until tx ends,
// then writes a tombstone for every session whose column equals key:
// revoked at its own
// revoked_at, or at now if it was still unrevoked, with its client's
// access TTL. The caller deletes the sessions next, in tx. A missing row
// is sql.ErrNoRows.
func (db *DB) lockAndTombstone(ctx context.Context, tx *sql.Tx, owner, pk, column string, key any, now time.Time) error {
	var one int
	lock := `SELECT 1 FROM ` + owner + ` WHERE ` + pk + ` = ?` + db.flavor.forUpdate
	if err := tx.QueryRowContext(ctx, db.flavor.rebind(lock), key).Scan(&one); err != nil {
		return err
	}
	q := `INSERT INTO session_tombstones (id, revoked_at, access_ttl_seconds)
		SELECT s.id, COALESCE(s.revoked_at, ?), COALESCE(c.access_ttl_seconds, 0)
		FROM sessions s LEFT JOIN clients c ON c.client_id = s.client_id
		WHERE s.` + column + ` = ?`
	_, err := tx.ExecContext(ctx, db.flavor.rebind(q), sqlTime(now), key)
	return err
}

// DeleteUser removes the user after tombstoning its sessions, in one
// transaction; the schema's ON DELETE CASCADE removes the sessions,
// classic token and one-time tokens with the user.
func (db *DB) DeleteUser(ctx context.Context, id uuid.UUID, now time.Time) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.flavor.wrap("delete user", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	if err := db.lockAndTombstone(ctx, tx, "users", "id", "user_id", id, now); err != nil {
		return db.flavor.wrap("delete user", err)
	}
	if _, err := tx.ExecContext(ctx, db.flavor.rebind(`DELETE FROM users WHERE id = ?`), id); err != nil {
		return db.flavor.wrap("delete user", err)
	}
	if err := tx.Commit(); err != nil {
		return db.flavor.wrap("delete user", err)
	}
	return nil
}
