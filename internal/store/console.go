package store

import (
	"context"
	"time"
)

// ConsoleStore holds the counts the admin console's overview shows. Each
// is one query over an index, whatever the size of the tables.
type ConsoleStore interface {
	// CountUsers counts every account.
	CountUsers(ctx context.Context) (int64, error)
	// CountAuditEvents counts, for each kind in events, the events created
	// at or after since. Kinds without events are absent from the map.
	CountAuditEvents(ctx context.Context, events []string, since time.Time) (map[string]int64, error)
	// CountThrottled counts the brute-force counters whose key starts with
	// prefix, whose window started after since and which hold at least
	// failures failures: the accounts or addresses locked out now.
	CountThrottled(ctx context.Context, prefix string, failures int, since time.Time) (int64, error)
}
