package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// ListRevocations walks the (revoked_at, id) index from a position.
func (db *DB) ListRevocations(ctx context.Context, since time.Time, afterID uuid.UUID, limit int) (_ []store.Revocation, err error) {
	const q = `SELECT s.id, s.revoked_at, COALESCE(c.access_ttl_seconds, 0)
		FROM sessions s LEFT JOIN clients c ON c.client_id = s.client_id
		WHERE s.revoked_at IS NOT NULL AND (s.revoked_at > ? OR (s.revoked_at = ? AND s.id > ?))
		ORDER BY s.revoked_at, s.id LIMIT ?`
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), sqlTime(since), sqlTime(since), afterID, limit)
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
