package store

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// TOTP is a user's authenticator-app (RFC 6238) secret. SecretEnc is the
// secret sealed by the caller (the store never sees it in the clear). It
// is a pending enrolment until ConfirmedAt is set. LastStep is the last
// time step a code was accepted for (0: none), so a code works once.
type TOTP struct {
	UserID      uuid.UUID
	SecretEnc   []byte
	LastStep    int64
	CreatedAt   time.Time
	ConfirmedAt *time.Time
}

// RecoveryCode is one of a user's single-use recovery codes; CodeHash is a
// keyed hash of the code, never the code.
type RecoveryCode struct {
	UserID    uuid.UUID
	CodeHash  []byte
	CreatedAt time.Time
	UsedAt    *time.Time
}

// SecondFactors is what a user can finish a sign-in with besides the
// password: a confirmed authenticator app (a pending enrolment does not
// count), how many passkeys, and how many unused recovery codes.
type SecondFactors struct {
	TOTP          bool
	Passkeys      int
	RecoveryCodes int
}

// MFAChallenge is a pending login: the password was right and a second
// factor is due. TokenHash is the SHA-256 of the mfa_token handed to the
// client; the token itself is never stored. The rest is what the login was
// for (client, delivery, device) and the methods already proven (AMR).
type MFAChallenge struct {
	ID         uuid.UUID
	TokenHash  []byte
	UserID     uuid.UUID
	ClientID   string
	Delivery   string
	DeviceName string
	UserAgent  string
	IP         string
	AMR        []string
	Attempts   int
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}

// MFAStore keeps second factors and pending logins. Every conditional
// write is one statement, so of concurrent callers exactly one wins.
type MFAStore interface {
	// SaveTOTP stores t as the user's pending enrolment, replacing an
	// unconfirmed one. A user whose secret is confirmed gets a
	// *ConflictError ("totp").
	SaveTOTP(ctx context.Context, t *TOTP) error
	// GetTOTP returns the user's secret, pending or confirmed, or
	// ErrNotFound.
	GetTOTP(ctx context.Context, userID uuid.UUID) (*TOTP, error)
	// ConfirmTOTP activates the user's pending secret, if it is still
	// secretEnc (the one the code was checked against), at now, records
	// step as used and replaces the user's recovery codes with codes, in
	// one transaction. No pending secret: ErrNotFound (a confirmed one, or
	// one an enrolment replaced meanwhile: ErrStale).
	ConfirmTOTP(ctx context.Context, userID uuid.UUID, secretEnc []byte, now time.Time, step int64, codes []RecoveryCode) error
	// UseTOTPStep records step as the last one used if it is later than
	// the last one used and the secret is confirmed; otherwise ErrStale
	// (no secret: ErrNotFound).
	UseTOTPStep(ctx context.Context, userID uuid.UUID, step int64) error
	// DeleteTOTP removes the user's secret, pending or confirmed (none:
	// ErrNotFound).
	DeleteTOTP(ctx context.Context, userID uuid.UUID) error

	// ReplaceRecoveryCodes deletes the user's recovery codes and inserts
	// codes (none: the user keeps none).
	ReplaceRecoveryCodes(ctx context.Context, userID uuid.UUID, codes []RecoveryCode) error
	// UseRecoveryCode marks the user's unused code whose hash is hash used
	// at now; no such unused code: ErrNotFound.
	UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash []byte, now time.Time) error
	// CountRecoveryCodes returns how many of the user's codes are unused.
	CountRecoveryCodes(ctx context.Context, userID uuid.UUID) (int, error)
	// SecondFactors reads the user's factors in one round trip: every
	// password sign-in asks. An unknown user has none.
	SecondFactors(ctx context.Context, userID uuid.UUID) (SecondFactors, error)

	// CreateMFAChallenge inserts c.
	CreateMFAChallenge(ctx context.Context, c *MFAChallenge) error
	// GetMFAChallenge returns the challenge whose token hash is hash, used
	// or not, or ErrNotFound.
	GetMFAChallenge(ctx context.Context, hash []byte) (*MFAChallenge, error)
	// CountMFAAttempt adds one attempt to challenge id if it is unused,
	// unexpired at now and has made fewer than max attempts; otherwise
	// ErrStale (unknown id: ErrNotFound).
	CountMFAAttempt(ctx context.Context, id uuid.UUID, max int, now time.Time) error
	// UseMFAChallenge marks challenge id used at now if it is unused and
	// unexpired; otherwise ErrStale (unknown id: ErrNotFound).
	UseMFAChallenge(ctx context.Context, id uuid.UUID, now time.Time) error

	// PruneMFAChallenges deletes pending logins, used or not, that expired
	// before before, in bounded batches, and says how many.
	PruneMFAChallenges(ctx context.Context, before time.Time) (int64, error)

	// MarkSessionMFA records that a second factor was proven on session id
	// at now (step-up) and adds amr to its methods. Unknown id:
	// ErrNotFound.
	MarkSessionMFA(ctx context.Context, id uuid.UUID, now time.Time, amr []string) error
}
