package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// LoginThrottle counts failed password checks for one key (an account or
// a client IP) in a fixed window that starts with the first failure.
type LoginThrottle struct {
	Key         string
	Failures    int
	WindowStart time.Time
}

// ThrottleStore keeps the brute-force counters in the database, so every
// replica sees the same counts.
type ThrottleStore interface {
	// LoginThrottles returns the counters of keys whose window started
	// after since (older windows are over and count as zero).
	LoginThrottles(ctx context.Context, keys []string, since time.Time) ([]LoginThrottle, error)
	// RecordLoginFailure adds one failure to key at now, starting a new
	// window when the current one started at or before windowOver, and
	// returns the counter after the update. Concurrent calls never lose a
	// failure.
	RecordLoginFailure(ctx context.Context, key string, now, windowOver time.Time) (LoginThrottle, error)
	// ClearLoginFailures forgets key's failures (after a successful login).
	ClearLoginFailures(ctx context.Context, key string) error
}

// LoginRecord is what RecordLogin stamps on a user signing in.
type LoginRecord struct {
	ID  uuid.UUID
	Now time.Time
	// OldHash is the password hash the sign-in verified; NewHash, when
	// set, replaces it (a rehash), only if it is still OldHash.
	OldHash, NewHash string
	// ClearThrottle is the throttle key a right password clears ("" for
	// none): on Postgres in the same statement, so a sign-in pays one
	// round trip and one commit for both.
	ClearThrottle string
}
