package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// One-time token purposes. Each user has at most one live token per
// purpose: a new one supersedes the older ones.
const (
	// PurposeVerifyEmail proves the user's current address.
	PurposeVerifyEmail = "verify_email"
	// PurposeChangeEmail proves a new address the user asked to move to;
	// the change is applied when the token is used.
	PurposeChangeEmail = "change_email"
	// PurposeResetPassword lets the user set a new password.
	PurposeResetPassword = "reset_password"
)

// OneTimeToken is a single-use secret sent by e-mail. TokenHash is a
// SHA-256 digest of the secret (and of what the secret is bound to); the
// secret itself is never stored.
type OneTimeToken struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Purpose   string
	TokenHash []byte
	// Email is the address the token proves: the user's address for
	// PurposeVerifyEmail, the new address for PurposeChangeEmail, empty
	// for PurposeResetPassword.
	Email     string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// LifecycleStore persists the account flows: single-use e-mail
// verification, e-mail change and password-reset tokens.
type LifecycleStore interface {
	// CreateOneTimeToken inserts t and, in the same transaction, deletes
	// every other token of t's user and purpose, used or not: the newest
	// token supersedes the older ones. A taken id or hash is a
	// *ConflictError; an unknown user fails.
	CreateOneTimeToken(ctx context.Context, t *OneTimeToken) error
	// GetOneTimeTokenByHash returns the token whose TokenHash is hash, used
	// or not, expired or not, or ErrNotFound.
	GetOneTimeTokenByHash(ctx context.Context, hash []byte) (*OneTimeToken, error)
	// GetUserOneTimeToken returns the user's live token of purpose (the
	// newest; used or not, expired or not), or ErrNotFound. It shows a
	// pending change, such as the address an e-mail change waits for.
	GetUserOneTimeToken(ctx context.Context, userID uuid.UUID, purpose string) (*OneTimeToken, error)
	// UseOneTimeToken marks token id used at now, in one conditional
	// UPDATE, only if it is unused, expires after now, and no newer token
	// of its user and purpose exists. Of concurrent callers exactly one
	// succeeds; the others get ErrStale (an unknown id: ErrNotFound).
	UseOneTimeToken(ctx context.Context, id uuid.UUID, now time.Time) error
	// DeleteOneTimeTokens removes the user's tokens of purpose (of every
	// purpose when purpose is "") and says how many it removed.
	DeleteOneTimeTokens(ctx context.Context, userID uuid.UUID, purpose string) (int, error)
}
