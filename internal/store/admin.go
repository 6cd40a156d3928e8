package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Cursor is a position in a listing ordered newest first by (CreatedAt, ID):
// the sort key of the last row a page returned. Both parts are immutable,
// so a listing continued from a cursor visits every row that existed when
// it started exactly once, whatever is inserted meanwhile.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// UserQuery selects users for ListUsers.
type UserQuery struct {
	// EmailPrefix keeps users whose normalised e-mail starts with it
	// (matched literally: % and _ are not wildcards).
	EmailPrefix string
	// Search keeps users whose normalised e-mail or normalised username
	// starts with it (matched literally, like EmailPrefix).
	Search string
	// Active, Admin and Verified keep users whose is_active, is_admin or
	// "e-mail verified" equals the value; nil does not filter.
	Active   *bool
	Admin    *bool
	Verified *bool
	// After continues a listing after this position; nil starts at the
	// newest user.
	After *Cursor
	// Limit is the most rows returned; it must be positive.
	Limit int
}

// SessionQuery selects one user's sessions for ListSessions.
type SessionQuery struct {
	UserID uuid.UUID
	// ActiveAt, when set, keeps only sessions active at that time
	// (unrevoked and inside both lifetimes); nil keeps every session.
	ActiveAt *time.Time
	After    *Cursor
	Limit    int
}

// AuditQuery selects audit events for QueryAuditEvents, newest (highest
// ID) first. Zero fields do not filter.
type AuditQuery struct {
	UserID *uuid.UUID
	Event  string
	// Since keeps events created at or after it.
	Since time.Time
	// Until keeps events created before it.
	Until time.Time
	// BeforeID continues a listing: only events with a smaller ID.
	BeforeID int64
	Limit    int
}

// UserFlags changes an account's switches; nil fields stay as stored.
type UserFlags struct {
	IsActive *bool
	IsAdmin  *bool
	// SetEmailVerified says whether to write EmailVerifiedAt (nil then
	// clears it).
	SetEmailVerified bool
	EmailVerifiedAt  *time.Time
	UpdatedAt        time.Time
}

// AdminStore holds what administrators need beyond the user's own view:
// paginated listings, client management and the audit log.
type AdminStore interface {
	// ListUsers returns at most q.Limit users, newest (CreatedAt, ID) first.
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
	// UpdateUserFlags writes only the flags f sets (and updated_at), so it
	// never undoes a concurrent change of another field or flag, and returns
	// the user as stored. Unknown id: ErrNotFound.
	UpdateUserFlags(ctx context.Context, id uuid.UUID, f UserFlags) (*User, error)
	// DeleteUser removes the user with its sessions, classic token and
	// one-time tokens (unknown id: ErrNotFound). Audit events stay. In the
	// same transaction every session removed leaves a tombstone in the
	// revocation feed, revoked at its own revoked_at or, if it was still
	// unrevoked, at now.
	DeleteUser(ctx context.Context, id uuid.UUID, now time.Time) error
	// ListSessions returns at most q.Limit sessions of q.UserID, newest
	// (CreatedAt, ID) first.
	ListSessions(ctx context.Context, q SessionQuery) ([]Session, error)

	// ListClients returns at most limit clients ordered by ID, those after
	// the ID after ("" starts at the first).
	ListClients(ctx context.Context, after string, limit int) ([]Client, error)
	// CreateClient inserts c, its secret hash included; a taken ID is a
	// *ConflictError ("client_id").
	CreateClient(ctx context.Context, c *Client) error
	// UpdateClient writes every field of c but ID, CreatedAt and the
	// secret, which only SetClientSecret changes (unknown ID: ErrNotFound).
	UpdateClient(ctx context.Context, c *Client) error
	// DeleteClient removes the client and every session it issued, in one
	// transaction, and says how many of those sessions were still
	// unrevoked. Every session removed leaves a tombstone, as DeleteUser's
	// do, carrying the client's access TTL. Unknown ID: ErrNotFound.
	DeleteClient(ctx context.Context, id string, now time.Time) (int, error)

	// QueryAuditEvents returns at most q.Limit events matching q.
	QueryAuditEvents(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	// PruneAuditEvents deletes every event created before before and says
	// how many it deleted.
	PruneAuditEvents(ctx context.Context, before time.Time) (int64, error)
}
