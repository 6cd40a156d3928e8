package sqlstore

import (
	"context"
	"time"
)

// pruneRowsBatch bounds one DELETE of the row prunes below, as
// pruneBatch does for the audit log: each statement holds SQLite's one
// writer, or a Postgres transaction, for a moment only.
const pruneRowsBatch = 1000

// pruneLoop runs a batched DELETE until a batch comes back short. where is
// the condition a row must meet, over the columns of table; it is checked
// again on each row as it is deleted, so a row changed since the batch
// was chosen (a throttle window restarted) is kept.
func (db *DB) pruneLoop(ctx context.Context, op, table, key, where string, args ...any) (int64, error) {
	q := `DELETE FROM ` + table + ` WHERE ` + key + ` IN
		(SELECT ` + key + ` FROM ` + table + ` WHERE ` + where + ` LIMIT ?) AND (` + where + `)`
	all := append(append(append([]any{}, args...), pruneRowsBatch), args...)
	var total int64
	for {
		n, err := db.exec(ctx, q, all...)
		if err != nil {
			return total, db.flavor.wrap(op, err)
		}
		total += n
		if n < pruneRowsBatch {
			return total, nil
		}
	}
}

// PruneSessions deletes revoked sessions first (through the revoked_at
// index), then unrevoked ones past either expiry. The second pass scans
// the unrevoked sessions: idle_expires_at changes on every refresh, and an
// index on it would make every refresh write one more index entry.
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int64, error) {
	at := sqlTime(before)
	revoked, err := db.pruneLoop(ctx, "prune sessions", "sessions", "id",
		`revoked_at IS NOT NULL AND revoked_at < ?`, at)
	if err != nil {
		return revoked, err
	}
	expired, err := db.pruneLoop(ctx, "prune sessions", "sessions", "id",
		`revoked_at IS NULL AND (idle_expires_at < ? OR expires_at < ?)`, at, at)
	return revoked + expired, err
}

// PruneSessionTombstones deletes tombstones revoked before before.
func (db *DB) PruneSessionTombstones(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune session tombstones", "session_tombstones", "id",
		`revoked_at < ?`, sqlTime(before))
}

// PruneOneTimeTokens deletes tokens that expired before before.
func (db *DB) PruneOneTimeTokens(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune one-time tokens", "one_time_tokens", "id",
		`expires_at < ?`, sqlTime(before))
}

// PruneLoginThrottles deletes counters whose window started at or before
// windowOver.
func (db *DB) PruneLoginThrottles(ctx context.Context, windowOver time.Time) (int64, error) {
	return db.pruneLoop(ctx, "prune login throttles", "login_throttle", "key",
		`window_start <= ?`, sqlTime(windowOver))
}
