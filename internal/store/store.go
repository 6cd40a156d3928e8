package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// ErrNotFound is returned when the requested row does not exist. A key
// that no row can have because a database could not store it as text
// (bytes that are not UTF-8, a NUL; Postgres refuses both) is not found
// on every database, never a database error: look-ups by e-mail, username
// or client id, and the client and consent writes keyed by a client id.
var ErrNotFound = errors.New("not found")

// IsText reports whether s is text every database can store and compare:
// valid UTF-8 without a NUL.
func IsText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// ErrConflict is returned when a write would break a uniqueness rule.
// The concrete error is a *ConflictError naming the field.
var ErrConflict = errors.New("conflict")

// ErrStale is returned by conditional writes whose condition no longer holds,
// such as a refresh rotation that lost the race to another caller.
var ErrStale = errors.New("stale")

// ErrUnavailable is returned when the database cannot be reached or does
// not answer in time: the caller should retry later, nothing is wrong with
// the request.
var ErrUnavailable = errors.New("database unavailable")

// ConflictError says which unique field a write collided with ("email",
// "username", ...). errors.Is(err, ErrConflict) holds for it.
type ConflictError struct {
	Field string
}

func (e *ConflictError) Error() string { return "conflict on " + e.Field }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// User is an account. Email and Username keep what the user typed; the
// Normalized fields are what uniqueness and look-ups use.
type User struct {
	ID                 uuid.UUID  `db:"id"`
	Email              string     `db:"email"`
	EmailNormalized    string     `db:"email_normalized"`
	Username           *string    `db:"username"`
	UsernameNormalized *string    `db:"username_normalized"`
	PasswordHash       string     `db:"password_hash"`
	IsActive           bool       `db:"is_active"`
	IsAdmin            bool       `db:"is_admin"`
	EmailVerifiedAt    *time.Time `db:"email_verified_at"`
	CreatedAt          time.Time  `db:"created_at"`
	UpdatedAt          time.Time  `db:"updated_at"`
	LastLoginAt        *time.Time `db:"last_login_at"`
	FailedLogins       int        `db:"failed_logins"`
	LockedUntil        *time.Time `db:"locked_until"`
	PasswordChangedAt  time.Time  `db:"password_changed_at"`
	// FirstName and LastName are OpenID's given_name and family_name;
	// empty when unknown.
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	// ExternalID is the account's id in the system it was imported from
	// ("django:42"); nil for accounts made here. Unique when set.
	ExternalID *string `db:"external_id"`
	// Groups are role names the account carries besides "admin" (a
	// Django user's groups, say); nil when none.
	Groups []string `db:"-"`
}

// DjangoIDPrefix starts the external id of an account imported from a
// Django dump: "django:" and the Django primary key.
const DjangoIDPrefix = "django:"

// UsernameOrEmpty is the username, or "" for an account without one.
func (u *User) UsernameOrEmpty() string {
	if u.Username == nil {
		return ""
	}
	return *u.Username
}

// RoleAdmin is the role of an account that is an admin.
const RoleAdmin = "admin"

// Roles returns the roles carried in access tokens for this user: "admin"
// for an admin, then its groups, sorted, each once.
func (u *User) Roles() []string {
	if !u.IsAdmin && len(u.Groups) == 0 {
		return nil
	}
	roles := make([]string, 0, len(u.Groups)+1)
	if u.IsAdmin {
		roles = append(roles, RoleAdmin)
	}
	roles = append(roles, u.Groups...)
	slices.Sort(roles)
	return slices.Compact(roles)
}

// Session kinds: a device holding a JWT + refresh token pair, a browser
// holding an opaque session cookie, or the browser's sign-in on Tessera's
// hosted pages (its cookie is never accepted by the API).
const (
	SessionKindJWT    = "jwt"
	SessionKindCookie = "cookie"
	SessionKindSSO    = "sso"
)

// Session is one device's login. Refreshing rotates Generation in place:
// storage per device is constant.
//
// The refresh token for generation g is derived from (ID, g, Nonce) and the
// refresh secret; the database never holds the token itself. RotatedAt is when
// Generation last changed (the start of the grace window for generation-1).
type Session struct {
	ID            uuid.UUID  `db:"id"`
	UserID        uuid.UUID  `db:"user_id"`
	ClientID      string     `db:"client_id"`
	Kind          string     `db:"kind"`
	DeviceName    string     `db:"device_name"`
	UserAgent     string     `db:"user_agent"`
	IP            string     `db:"ip"`
	CreatedAt     time.Time  `db:"created_at"`
	LastUsedAt    time.Time  `db:"last_used_at"`
	IdleExpiresAt time.Time  `db:"idle_expires_at"`
	ExpiresAt     time.Time  `db:"expires_at"`
	RevokedAt     *time.Time `db:"revoked_at"`
	RevokedReason string     `db:"revoked_reason"`
	Generation    int64      `db:"generation"`
	Nonce         []byte     `db:"nonce"`
	RotatedAt     time.Time  `db:"rotated_at"`
	// RefreshDigest is SHA-256 of the MAC of the current generation's refresh
	// token (see token.Refresher.Next) for JWT sessions created since it
	// exists; nil for older sessions, whose tokens derive from Nonce alone,
	// and for cookie sessions.
	RefreshDigest []byte `db:"refresh_digest"`
	// SecretHash is SHA-256 of the opaque cookie secret for SessionKindCookie
	// and SessionKindSSO sessions; nil for JWT sessions.
	SecretHash []byte `db:"secret_hash"`
	// AuthTime is when the person proved who they are for this session
	// (OpenID's auth_time); nil when not recorded.
	AuthTime *time.Time `db:"auth_time"`
	// AMR names the methods used then (RFC 8176: "pwd", "otp", ...); nil
	// when not recorded.
	AMR []string `db:"-"`
	// Scope lists the scopes granted to a session of the OpenID code flow;
	// its access tokens carry them. Nil for every other session.
	Scope []string `db:"-"`
	// SSOSessionID is the browser sign-in a code-flow session was born
	// from; nil for every other session.
	SSOSessionID *uuid.UUID `db:"sso_session_id"`
	// MFAAt is when a second factor was last proven for this session (at
	// sign-in or by a step-up); nil when never.
	MFAAt *time.Time `db:"mfa_at"`
}

// ActiveAt reports whether the session can still be used at t: not revoked,
// inside both its idle and its absolute lifetime.
func (s *Session) ActiveAt(t time.Time) bool {
	return activeAt(t, s.RevokedAt, s.IdleExpiresAt, s.ExpiresAt)
}

func activeAt(t time.Time, revokedAt *time.Time, idleExpiresAt, expiresAt time.Time) bool {
	return revokedAt == nil && t.Before(idleExpiresAt) && t.Before(expiresAt)
}

// Auth returns what authenticating a request reads of s.
func (s *Session) Auth() *SessionAuth {
	return &SessionAuth{
		ID: s.ID, UserID: s.UserID, ClientID: s.ClientID,
		IdleExpiresAt: s.IdleExpiresAt, ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt,
		AuthTime: s.AuthTime, AMR: s.AMR, Scope: s.Scope, MFAAt: s.MFAAt,
	}
}

// SessionAuth is the part of a Session that a request authenticated by it
// carries: whose and which client's it is, whether it is still active, and
// how and when its user proved who they are. It is all that every request
// with an access token reads of the session, and all that a refresh answers
// of it (narrower reads than the whole row: the refresh and device state
// stay in the database), and its own type so that nothing can read a field
// such a read did not fill.
type SessionAuth struct {
	ID            uuid.UUID
	UserID        uuid.UUID
	ClientID      string
	IdleExpiresAt time.Time
	ExpiresAt     time.Time
	RevokedAt     *time.Time
	AuthTime      *time.Time
	AMR           []string
	Scope         []string
	MFAAt         *time.Time
}

// ActiveAt is Session.ActiveAt.
func (s *SessionAuth) ActiveAt(t time.Time) bool {
	return activeAt(t, s.RevokedAt, s.IdleExpiresAt, s.ExpiresAt)
}

// Client is a front-end application sharing the identity. Zero TTLs mean
// "use the server's configured default".
//
// The OAuth fields: RedirectURIs and PostLogoutRedirectURIs are kept
// exactly as registered (they are matched character for character); Type
// is ClientPublic or ClientConfidential; a FirstParty client skips
// consent; LogoutEndsSessions makes RP-initiated logout end every session
// born from the browser's sign-in. A confidential client's secret is kept
// only as SecretHash, its SHA-256; public clients have none.
type Client struct {
	ID                     string        `db:"client_id"`
	Name                   string        `db:"name"`
	AllowedDelivery        []string      `db:"-"`
	AccessTTL              time.Duration `db:"-"`
	IdleTTL                time.Duration `db:"-"`
	MaxTTL                 time.Duration `db:"-"`
	CORSOrigins            []string      `db:"-"`
	Audiences              []string      `db:"-"`
	RedirectURIs           []string      `db:"-"`
	PostLogoutRedirectURIs []string      `db:"-"`
	Type                   string        `db:"client_type"`
	FirstParty             bool          `db:"first_party"`
	GrantTypes             []string      `db:"-"`
	Scopes                 []string      `db:"-"`
	LogoutEndsSessions     bool          `db:"logout_ends_sessions"`
	SecretHash             []byte        `db:"secret_hash"`
	SecretCreatedAt        *time.Time    `db:"secret_created_at"`
	CreatedAt              time.Time     `db:"created_at"`
	UpdatedAt              time.Time     `db:"updated_at"`

	// RequireMFA refuses this client's sessions to users who have no
	// second factor, and asks for it from those who do.
	RequireMFA bool `db:"require_mfa"`
}

// AuthToken is a user's one classic token. The key itself is never stored:
// KeyHash is its SHA-256 (for look-ups) and Nonce the random input the key
// is re-derived from with the server secret.
type AuthToken struct {
	UserID     uuid.UUID  `db:"user_id"`
	KeyHash    []byte     `db:"key_hash"`
	Nonce      []byte     `db:"nonce"`
	Prefix     string     `db:"prefix"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
}

// DefaultClientID names the client every installation has.
const DefaultClientID = "default"

// AuditEvent records who did what to whom. Details is free-form JSON-able
// data and must never hold a secret.
type AuditEvent struct {
	ID        int64             `db:"id"`
	Event     string            `db:"event"`
	ActorID   *uuid.UUID        `db:"actor_id"`
	UserID    *uuid.UUID        `db:"user_id"`
	SessionID *uuid.UUID        `db:"session_id"`
	IP        string            `db:"ip"`
	UserAgent string            `db:"user_agent"`
	Details   map[string]string `db:"-"`
	CreatedAt time.Time         `db:"created_at"`
}

// Store is everything Tessera persists. Every method takes ctx first; every
// time it writes comes from the caller (the store never reads the clock), so
// tests own time.
type Store interface {
	// The methods of later features live beside their types, one file each.
	LifecycleStore
	AdminStore
	RevocationStore
	ThrottleStore
	StatsStore
	ImportStore
	ConsoleStore
	PruneStore
	OAuthStore
	PasskeyStore
	MFAStore

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error

	// CreateUser inserts u. A taken normalised e-mail or username returns a
	// *ConflictError naming "email" or "username".
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id uuid.UUID) (*User, error)
	// GetUserByEmail and GetUserByUsername look up by the normalised value.
	GetUserByEmail(ctx context.Context, emailNormalized string) (*User, error)
	GetUserByUsername(ctx context.Context, usernameNormalized string) (*User, error)
	// UpdateUser writes every mutable field of u (all but ID and CreatedAt).
	UpdateUser(ctx context.Context, u *User) error
	// RecordLogin stamps a successful login on r.ID at r.Now, only while
	// the user is active, so a deactivation racing a login wins
	// (ErrNotFound). When r.NewHash is set the password hash is upgraded,
	// but only if it still is r.OldHash: a password change racing it wins
	// too. r.ClearThrottle, when set, is the throttle key whose failures
	// the login forgets (as ClearLoginFailures would), whether or not the
	// user is still active. The updated user is returned.
	RecordLogin(ctx context.Context, r LoginRecord) (*User, error)

	GetClient(ctx context.Context, id string) (*Client, error)

	// CreateSession inserts s and, in the same transaction, events (as
	// AddAuditEvent would): all of them are stored or none.
	CreateSession(ctx context.Context, s *Session, events ...*AuditEvent) error
	GetSession(ctx context.Context, id uuid.UUID) (*Session, error)
	// GetSessionAndUser returns a session and its user in one round trip.
	GetSessionAndUser(ctx context.Context, id uuid.UUID) (*Session, *User, error)
	// GetSessionAuthAndUser returns what authenticating a request reads of
	// a session (its SessionAuth, active or not: the caller checks
	// ActiveAt) and its user, in one round trip; ErrNotFound when
	// there is no such session.
	GetSessionAuthAndUser(ctx context.Context, id uuid.UUID) (*SessionAuth, *User, error)
	// GetSessionAndUserBySecret finds a cookie or sso session by the
	// SHA-256 of its secret and returns it with its user, in one round trip.
	GetSessionAndUserBySecret(ctx context.Context, secretHash []byte) (*Session, *User, error)
	// ListUserSessions returns the user's sessions active at now, newest first.
	ListUserSessions(ctx context.Context, userID uuid.UUID, now time.Time) ([]Session, error)
	// RotateSession moves session id from generation gen to gen+1 in one
	// conditional UPDATE, only if it is still at gen, not revoked, and active
	// at now; it sets last_used_at and rotated_at to now and idle_expires_at to
	// idleExpiresAt. Of concurrent callers with the same gen exactly one gets
	// the updated session; the others get ErrStale (an unknown id:
	// ErrNotFound).
	RotateSession(ctx context.Context, id uuid.UUID, gen int64, now, idleExpiresAt time.Time) (*Session, error)
	// RotateRefresh checks, rotates and reads in one conditional statement:
	// see Rotation for what it requires. Of concurrent callers with the same
	// Rotation exactly one gets what an answer needs of the updated session
	// (its SessionAuth: the refresh and device state stay in the database)
	// and its user; when no session matched every condition it says
	// ErrStale, without telling why (the caller reads the session to find
	// out).
	RotateRefresh(ctx context.Context, r Rotation) (*SessionAuth, *User, error)
	// TouchSession slides an active session's idle expiry (cookie sessions).
	TouchSession(ctx context.Context, id uuid.UUID, now, idleExpiresAt time.Time) error
	// RevokeSession marks one session revoked; revoking a revoked session is
	// not an error (its first reason and time are kept). Unknown id: ErrNotFound.
	RevokeSession(ctx context.Context, id uuid.UUID, now time.Time, reason string) error
	// RevokeUserSessions revokes every unrevoked session of the user except
	// keep (uuid.Nil keeps none) and returns how many it revoked.
	RevokeUserSessions(ctx context.Context, userID, keep uuid.UUID, now time.Time, reason string) (int, error)
	// RevokeSSOSessions revokes every unrevoked session whose SSOSessionID
	// is ssoID and returns how many it revoked.
	RevokeSSOSessions(ctx context.Context, ssoID uuid.UUID, now time.Time, reason string) (int, error)

	// CreateAuthToken inserts the user's classic token; a user who has one
	// already gets a *ConflictError ("user_id").
	CreateAuthToken(ctx context.Context, t *AuthToken) error
	GetAuthToken(ctx context.Context, userID uuid.UUID) (*AuthToken, error)
	GetAuthTokenByHash(ctx context.Context, keyHash []byte) (*AuthToken, error)
	// GetAuthTokenAndUser returns the token whose key hashes to keyHash and
	// its user in one round trip, or ErrNotFound.
	GetAuthTokenAndUser(ctx context.Context, keyHash []byte) (*AuthToken, *User, error)
	// DeleteAuthToken removes the user's classic token (ErrNotFound if none).
	DeleteAuthToken(ctx context.Context, userID uuid.UUID) error
	// TouchAuthToken records a use of the token at now.
	TouchAuthToken(ctx context.Context, userID uuid.UUID, now time.Time) error

	// AddAuditEvent appends e (ID and CreatedAt are taken from e if set).
	AddAuditEvent(ctx context.Context, e *AuditEvent) error
	// ListAuditEvents returns the newest events first, at most limit.
	ListAuditEvents(ctx context.Context, userID *uuid.UUID, limit int) ([]AuditEvent, error)
}
