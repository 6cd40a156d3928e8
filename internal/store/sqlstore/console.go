package sqlstore

import (
	"context"
	"errors"
	"strings"
	"time"
)

// CountUsers counts every account.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, db.flavor.wrap("count users", err)
	}
	return n, nil
}

// CountAuditEvents counts the events of each kind in events since since.
// Event ids grow with time, so the first id of the period (found on the
// created_at index) bounds a range of the (event, id) index; the
// created_at condition keeps the count exact where clocks of replicas
// disagree by a moment.
func (db *DB) CountAuditEvents(ctx context.Context, events []string, since time.Time) (_ map[string]int64, err error) {
	out := map[string]int64{}
	if len(events) == 0 {
		return out, nil
	}
	q := `SELECT event, count(*) FROM audit_events
		WHERE event IN (?` + strings.Repeat(", ?", len(events)-1) + `)
		AND id >= (SELECT min(id) FROM audit_events WHERE created_at >= ?) AND created_at >= ?
		GROUP BY event`
	args := make([]any, 0, len(events)+2)
	for _, e := range events {
		args = append(args, e)
	}
	args = append(args, sqlTime(since), sqlTime(since))
	rows, err := db.r.QueryContext(ctx, db.flavor.rebind(q), args...)
	if err != nil {
		return nil, db.flavor.wrap("count audit events", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	for rows.Next() {
		var event string
		var n int64
		if err := rows.Scan(&event, &n); err != nil {
			return nil, db.flavor.wrap("count audit events", err)
		}
		out[event] = n
	}
	if err := rows.Err(); err != nil {
		return nil, db.flavor.wrap("count audit events", err)
	}
	return out, nil
}

// CountThrottled counts the counters under prefix that are at or past
// failures in a window started after since (on the window_start index).
func (db *DB) CountThrottled(ctx context.Context, prefix string, failures int, since time.Time) (int64, error) {
	q := `SELECT count(*) FROM login_throttle
		WHERE window_start > ? AND failures >= ? AND ` + startsWith("key")
	var n int64
	err := db.r.QueryRowContext(ctx, db.flavor.rebind(q), append([]any{sqlTime(since), failures},
		prefixArgs(prefix)...)...).Scan(&n)
	if err != nil {
		return 0, db.flavor.wrap("count throttled", err)
	}
	return n, nil
}
