package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Passkey is a user's WebAuthn credential. CredentialID is unique across
// all users. SignCount is the authenticator's signature counter as last
// seen: an assertion must carry a higher one unless both are zero (many
// synced passkeys never count). BackupEligible is fixed when the
// credential is made; BackupState follows the authenticator.
type Passkey struct {
	ID             uuid.UUID
	UserID         uuid.UUID
	CredentialID   []byte
	PublicKey      []byte
	Attestation    string // the attestation format it was made with ("none", "packed", ...)
	AAGUID         []byte
	SignCount      uint32
	Transports     []string
	Attachment     string // "platform", "cross-platform" or ""
	BackupEligible bool
	BackupState    bool
	UserVerified   bool // the credential was made with user verification
	Name           string
	CreatedAt      time.Time
	LastUsedAt     *time.Time
}

// Purposes of WebAuthn challenges.
const (
	ChallengeRegister = "register" // adding a passkey, bound to its user
	ChallengeLogin    = "login"    // signing in, bound to a user when one was named
	// ChallengeFactor is the second step of a pending login, bound to its
	// user. It only prefers user verification (the password was the first
	// factor), so its answer must never finish a sign-in without a
	// password, and a sign-in's ceremony never stands in for it.
	ChallengeFactor = "mfa"
)

// WebAuthnChallenge is a ceremony waiting for the browser's answer. It is
// stored under the SHA-256 of the challenge value (the value is public: it
// travels in the options) and works once.
type WebAuthnChallenge struct {
	Hash    []byte
	Purpose string
	// UserID is the user the ceremony is bound to; nil for a sign-in with a
	// discoverable credential, where the credential names its user.
	UserID *uuid.UUID
	// SessionData is the ceremony's state as the WebAuthn library keeps
	// it, JSON, opaque to the store.
	SessionData []byte
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// PasskeyStore keeps passkeys and the challenges of their ceremonies.
type PasskeyStore interface {
	// CreatePasskey inserts p; a credential id already registered (by
	// anyone) is a *ConflictError ("credential_id").
	CreatePasskey(ctx context.Context, p *Passkey) error
	// ListPasskeys returns the user's passkeys, oldest first.
	ListPasskeys(ctx context.Context, userID uuid.UUID) ([]Passkey, error)
	// GetPasskeyByCredentialID finds a passkey by its credential id, or
	// ErrNotFound.
	GetPasskeyByCredentialID(ctx context.Context, credentialID []byte) (*Passkey, error)
	// RenamePasskey sets the name of the user's passkey id (ErrNotFound when
	// the user has no such passkey).
	RenamePasskey(ctx context.Context, userID, id uuid.UUID, name string) error
	// DeletePasskey removes the user's passkey id (ErrNotFound when the user
	// has no such passkey).
	DeletePasskey(ctx context.Context, userID, id uuid.UUID) error
	// UsePasskey records an accepted assertion of passkey id at now: its
	// counter moves from seen to count and its backup state is stored, in
	// one conditional UPDATE that holds only while the stored counter is
	// still seen. Of two assertions racing with one counter value exactly
	// one wins; the other gets ErrStale (an unknown id: ErrNotFound).
	UsePasskey(ctx context.Context, id uuid.UUID, seen, count uint32, backupState bool, now time.Time) error

	// CreateWebAuthnChallenge inserts c.
	CreateWebAuthnChallenge(ctx context.Context, c *WebAuthnChallenge) error
	// TakeWebAuthnChallenge deletes and returns the challenge with hash of
	// purpose, bound to userID unless that is uuid.Nil, if
	// it expires after now. It works once: of concurrent callers exactly one
	// gets it; the others, and any caller once it expired, get ErrNotFound.
	TakeWebAuthnChallenge(ctx context.Context, hash []byte, purpose string, userID uuid.UUID, now time.Time) (*WebAuthnChallenge, error)
	// PruneWebAuthnChallenges deletes challenges that expired before
	// before, in batches, and says how many it deleted.
	PruneWebAuthnChallenges(ctx context.Context, before time.Time) (int64, error)
}
