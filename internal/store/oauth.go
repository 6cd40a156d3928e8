package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Client types (RFC 6749 s2.1): a public client cannot keep a secret (a
// browser or mobile app) and must use PKCE; a confidential one holds a
// secret and authenticates with it.
const (
	ClientPublic       = "public"
	ClientConfidential = "confidential"
)

// Grant types a client may be allowed (RFC 6749).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// Scopes a client may be allowed (OpenID Connect Core s5.4, s11).
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
)

// ErrCodeReused is returned, with the stored code, by UseAuthorizationCode
// for a code that was used before, and by SetCodeSession when the code was
// replayed meanwhile: the caller must revoke what the first use produced
// (RFC 6749 s4.1.2). errors.Is(err, ErrStale) holds for it.
var ErrCodeReused = fmt.Errorf("authorization code reused: %w", ErrStale)

// AuthorizationCode is an issued OAuth authorization code. The code itself
// is never stored: CodeHash is its SHA-256. UsedAt is set by the one
// exchange that wins; SessionID is the session that exchange produced, so
// a replay can revoke it; ReusedAt is when a replay was first seen.
type AuthorizationCode struct {
	CodeHash            []byte
	ClientID            string
	UserID              uuid.UUID
	RedirectURI         string
	CodeChallenge       string
	CodeChallengeMethod string
	Nonce               string
	Scope               []string
	AuthTime            time.Time
	SSOSessionID        *uuid.UUID
	AMR                 []string
	CreatedAt           time.Time
	ExpiresAt           time.Time
	UsedAt              *time.Time
	SessionID           *uuid.UUID
	ReusedAt            *time.Time
}

// Consent is a user's remembered grant of scopes to a third-party client.
type Consent struct {
	UserID    uuid.UUID
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
}

// OAuthStore keeps what the OpenID code flow needs: authorization codes,
// which work once, and consents. Client fields and secrets travel through
// the client methods of AdminStore and SetClientSecret.
type OAuthStore interface {
	// CreateAuthorizationCode inserts c; a taken hash is a *ConflictError
	// ("code_hash"), an unknown client or user a foreign-key error.
	CreateAuthorizationCode(ctx context.Context, c *AuthorizationCode) error
	// UseAuthorizationCode marks the code with hash used at now, in one
	// conditional UPDATE, if it is unused and expires after now, and
	// returns it: of concurrent callers exactly one wins. A code used
	// before is returned with ErrCodeReused (its replay is recorded); an
	// unused, expired one gives ErrStale; an unknown hash ErrNotFound.
	UseAuthorizationCode(ctx context.Context, hash []byte, now time.Time) (*AuthorizationCode, error)
	// SetCodeSession records the session the used code's exchange created.
	// If the code was replayed before this call it returns ErrCodeReused,
	// so that the exchange revokes the session it just made; an unused code
	// gives ErrStale, an unknown one ErrNotFound.
	SetCodeSession(ctx context.Context, hash []byte, sessionID uuid.UUID) error
	// PruneAuthorizationCodes deletes codes, used or not, that expired
	// before before, in batches, and says how many it deleted.
	PruneAuthorizationCodes(ctx context.Context, before time.Time) (int64, error)

	// GetConsent returns the user's consent to the client, or ErrNotFound.
	GetConsent(ctx context.Context, userID uuid.UUID, clientID string) (*Consent, error)
	// UpsertConsent stores c, replacing the scopes and time of an earlier
	// consent of the same user and client.
	UpsertConsent(ctx context.Context, c *Consent) error
	// ListConsents returns the user's consents ordered by client ID.
	ListConsents(ctx context.Context, userID uuid.UUID) ([]Consent, error)
	// DeleteConsent withdraws the user's consent to the client (ErrNotFound
	// if there is none).
	DeleteConsent(ctx context.Context, userID uuid.UUID, clientID string) error

	// SetClientSecret replaces the client's secret hash and stamps
	// secret_created_at and updated_at with now. Unknown ID: ErrNotFound.
	SetClientSecret(ctx context.Context, id string, hash []byte, now time.Time) error
}
