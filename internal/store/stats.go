package store

import (
	"context"
	"time"
)

// StatsStore answers the questions operators' dashboards ask.
type StatsStore interface {
	// CountActiveSessions counts sessions usable at now.
	CountActiveSessions(ctx context.Context, now time.Time) (int64, error)
}
