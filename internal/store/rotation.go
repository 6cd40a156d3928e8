package store

import (
	"time"

	"github.com/google/uuid"
)

// Rotation asks Store.RotateRefresh to move a JWT session from Generation
// to Generation+1. The session must be at Generation with RefreshDigest
// equal to Digest, unrevoked and inside both lifetimes at Now, its user
// active, its client ClientID when that is set, and its client not
// confidential unless ClientAuthenticated. The rotation stores
// NextDigest, sets rotated_at and last_used_at to Now, and slides
// idle_expires_at to Now plus the client's idle lifetime (DefaultIdleTTL
// when the client sets none, in whole seconds rounded up), never past
// expires_at.
type Rotation struct {
	ID                  uuid.UUID
	Generation          int64
	Digest              []byte
	NextDigest          []byte
	ClientID            string
	ClientAuthenticated bool
	Now                 time.Time
	DefaultIdleTTL      time.Duration
}
