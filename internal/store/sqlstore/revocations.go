package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// ListRevocations walks the (revoked_at, id) indexes of sessions and of
// tombstones from a position, merged in one order. A session id is in at
// most one of the two: a tombstone is written in the transaction that
// deletes its session.
func (db *DB) ListRevocations(ctx context.Context, since time.Time, afterID uuid.UUID, limit int) (_ []store.Revocation, err error) {
	const q = `SELECT id, revoked_at, ttl FROM (
			SELECT s.id AS id, s.revoked_at AS revoked_at, COALESCE(c.access_ttl_seconds, 0) AS ttl
			FROM sessions s LEFT JOIN clients c ON c.client_id = s.client_id
			WHERE s.revoked_at IS NOT NULL AND (s.revoked_at > ? OR (s.revoked_at = ? AND s.id > ?))
			UNION ALL
			SELECT t.id, t.revoked_at, t.access_ttl_seconds
			FROM session_tombstones t
			WHERE t.revoked_at > ? OR (t.revoked_at = ? AND t.id > ?)
		) r ORDER BY revoked_at, id LIMIT ?`
	at := sqlTime(since)
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), at, at, afterID, at, at, afterID, limit)
	if err != nil {
		return nil, db.flavor.wrap("list revocations", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	var out []store.Revocation
	for rows.Next() {
		var (
			r   store.Revocation
			ttl int64
		)
		if err := rows.Scan(&r.SessionID, timeDest{&r.RevokedAt}, &ttl); err != nil {
			return nil, db.flavor.wrap("list revocations", err)
		}
		r.AccessTTL = time.Duration(ttl) * time.Second
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap("list revocations", err)
	}
	return out, nil
}
