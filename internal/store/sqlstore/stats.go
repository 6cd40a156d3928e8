package sqlstore

import (
	"context"
	"time"
)

// CountActiveSessions counts unrevoked sessions inside both lifetimes.
func (db *DB) CountActiveSessions(ctx context.Context, now time.Time) (int64, error) {
	const q = `SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND idle_expires_at > ? AND expires_at > ?`
	var n int64
	if err := db.r.QueryRowContext(ctx, db.flavor.rebind(q), sqlTime(now), sqlTime(now)).Scan(&n); err != nil {
		return 0, db.flavor.wrap("count active sessions", err)
	}
	return n, nil
}
