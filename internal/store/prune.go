package store

import (
	"context"
	"time"
)

// PruneStore deletes rows no rule needs any more. Every method deletes in
// bounded batches, so a large backlog never holds a long lock, re-checks
// its condition on each row it deletes, and says how many rows it deleted.
type PruneStore interface {
	// PruneSessions deletes sessions that ended before before: revoked
	// before it, or unrevoked with an idle or absolute expiry before it.
	// The caller picks before so that no access token of those sessions
	// can still be valid, and the feed then no longer needs them.
	PruneSessions(ctx context.Context, before time.Time) (int64, error)
	// PruneSessionTombstones deletes the tombstones of deleted sessions
	// revoked before before.
	PruneSessionTombstones(ctx context.Context, before time.Time) (int64, error)
	// PruneOneTimeTokens deletes one-time tokens, used or not, that
	// expired before before.
	PruneOneTimeTokens(ctx context.Context, before time.Time) (int64, error)
	// PruneLoginThrottles deletes the counters whose window started at or
	// before windowOver: such a window is over and counts as zero.
	PruneLoginThrottles(ctx context.Context, windowOver time.Time) (int64, error)
}
