package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// LoginThrottles reads the counters of keys whose window is still open.
func (db *DB) LoginThrottles(ctx context.Context, keys []string, since time.Time) ([]store.LoginThrottle, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	q := `SELECT key, failures, window_start FROM login_throttle
		WHERE key IN (?` + strings.Repeat(", ?", len(keys)-1) + `) AND window_start > ?`
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, sqlTime(since))
	// Prepared: a sign-in passes its two keys (account and address), so
	// the statement has one shape in practice.
	return preparedList(ctx, db, db.r, "login throttles", q, args, func(sc rowScanner, t *store.LoginThrottle) error {
		return sc.Scan(&t.Key, &t.Failures, timeDest{&t.WindowStart})
	})
}

// RecordLoginFailure is one upsert: a window that is over restarts at now
// with one failure, an open one counts one more. It is prepared: every
// password check runs it. $1 the key, $2 now, $3 the end of a window
// that is over.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, now, windowOver time.Time) (store.LoginThrottle, error) {
	const q = `INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
			window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END
		RETURNING key, failures, window_start`
	var t store.LoginThrottle
	row := db.preparedRow(ctx, db.w, q, key, sqlTime(now), sqlTime(windowOver))
	if err := row.Scan(&t.Key, &t.Failures, timeDest{&t.WindowStart}); err != nil {
		return t, db.flavor.wrap("record login failure", err)
	}
	return t, nil
}

// ClearLoginFailures deletes key's counter; a key without one is fine.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	stmt, err := db.prepared(ctx, db.w, `DELETE FROM login_throttle WHERE key = ?`)
	if err == nil {
		_, err = stmt.ExecContext(ctx, key)
	}
	if err != nil {
		return db.flavor.wrap("clear login failures", err)
	}
	return nil
}
