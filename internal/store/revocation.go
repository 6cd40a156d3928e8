package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Revocation is one revoked session, as offline verifiers need it.
type Revocation struct {
	SessionID uuid.UUID
	RevokedAt time.Time
	// AccessTTL is the access-token lifetime of the session's client (zero:
	// the server default).
	AccessTTL time.Duration
}

// RevocationStore feeds offline verifiers with recently revoked sessions.
type RevocationStore interface {
	// ListRevocations returns sessions revoked after the position
	// (since, afterID) in (revoked_at, id) order, at most limit. Rows
	// revoked at exactly since are included when their id sorts after
	// afterID, so pages neither skip nor repeat. Tombstones of deleted
	// sessions are listed with the revoked sessions, in the same order, so
	// a deletion never takes a session out of the feed.
	ListRevocations(ctx context.Context, since time.Time, afterID uuid.UUID, limit int) ([]Revocation, error)
}
