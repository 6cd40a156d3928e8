package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Settings are the lifetimes and names the use cases apply. A client's own
// non-zero TTLs override them.
type Settings struct {
	AccessTTL      time.Duration
	SessionIdleTTL time.Duration
	SessionMaxTTL  time.Duration
	RefreshGrace   time.Duration
	Audiences      []string

	// EmailVerification is "optional", "mandatory" or "none".
	EmailVerification string
	EmailVerifyTTL    time.Duration
	PasswordResetTTL  time.Duration
	// FrontendURL is the base of every link in an e-mail; never the
	// request's Host.
	FrontendURL string

	// LoginMaxFailures failed password checks per account (five times as
	// many per client IP) in LoginFailureWindow are allowed; the next
	// attempt is refused with 429 until the window ends.
	LoginMaxFailures   int
	LoginFailureWindow time.Duration
	// LoginSlowdown is added to a failed answer per failure past half the
	// allowance (at most 2 s); zero disables it.
	LoginSlowdown time.Duration

	// AdminMFA is "required" (admins must have a second factor, proven on
	// their session, to use the admin API) or "optional" (the default).
	AdminMFA string
	// MFAIssuer names Tessera in authenticator apps (the otpauth issuer).
	MFAIssuer string
}

// Deps are what a Service is built from.
type Deps struct {
	Store     store.Store
	Hasher    *password.Hasher
	Policy    password.Policy
	Minter    *token.Minter
	Refresher *token.Refresher
	// Secret is the keys dir's server secret; classic token keys are
	// derived from it.
	Secret   []byte
	Verifier *jwtverify.Verifier
	// Keys is the signing-key ring the admin console shows and rotates;
	// nil where nobody manages keys (the key use cases then fail).
	Keys     *keys.Ring
	Settings Settings
	Mailer   mail.Sender
	// Observer is told the outcome of logins and refreshes (metrics); nil
	// means nobody listens.
	Observer Observer
	Logger   *slog.Logger
	// WebAuthn is the passkeys' relying party; nil when passkeys are off.
	WebAuthn *mfa.WebAuthn
	// Now replaces time.Now, for tests.
	Now func() time.Time
}

// Service runs Tessera's use cases. It is safe for concurrent use.
type Service struct {
	store     store.Store
	hasher    *password.Hasher
	policy    password.Policy
	minter    *token.Minter
	refresher *token.Refresher
	secret    []byte
	verifier  *jwtverify.Verifier
	keys      *keys.Ring
	settings  Settings
	mailer    mail.Sender
	observer  Observer
	clients   clientCache
	access    accessCache
	mfa       mfaKeys
	log       *slog.Logger
	webauthn  *mfa.WebAuthn
	now       func() time.Time
}

// New returns a Service over d.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Observer == nil {
		d.Observer = nopObserver{}
	}
	return &Service{
		store: d.Store, hasher: d.Hasher, policy: d.Policy, minter: d.Minter,
		refresher: d.Refresher, secret: d.Secret, verifier: d.Verifier, keys: d.Keys, settings: d.Settings, mailer: d.Mailer, observer: d.Observer,
		log: d.Logger, webauthn: d.WebAuthn, now: d.Now, mfa: newMFAKeys(d.Secret),
	}
}

// Outcomes reported to the Observer.
const (
	LoginSuccess   = "success"
	LoginFailed    = "invalid_credentials"
	LoginThrottled = "throttled"
	LoginBusy      = "busy"
	RefreshRotated = "rotated"
	RefreshGrace   = "grace"
	RefreshReuse   = "reuse"
	RefreshInvalid = "invalid"
	OutcomeError   = "error"
)

// Observer is told the outcome of every password check and refresh. It
// must be cheap and must not block: it runs on the request path.
type Observer interface {
	Login(outcome string)
	Refresh(outcome string)
}

type nopObserver struct{}

func (nopObserver) Login(string)   {}
func (nopObserver) Refresh(string) {}

// Device describes where a request comes from; it is recorded on sessions
// and audit events.
type Device struct {
	ClientID  string
	Name      string
	UserAgent string
	IP        string
	// ClientAuthenticated is set by the token endpoint when the client
	// proved its secret; a confidential client's refresh needs it.
	ClientAuthenticated bool
}

// Login is the result of a successful register, login or refresh: the user,
// what the answer needs of the device session (a refresh reads no more of
// it) and the token pair of its current generation.
type Login struct {
	User             *store.User
	Session          *store.SessionAuth
	Client           *store.Client
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	// SessionSecret is the session cookie's value for delivery "session"
	// (then the two tokens are empty).
	SessionSecret string
	// Delivery is set by CompleteMFA: the delivery the pending login asked
	// for, in which the answer must travel.
	Delivery string
}

// Principal is an authenticated caller.
type Principal struct {
	User *store.User
	// Session is what authentication read of the device session behind the
	// credentials; nil when the credentials are not tied to one.
	Session *store.SessionAuth
	// Claims are set when the caller presented an access JWT.
	Claims *jwtverify.Claims
	// Method names the authenticator that succeeded: bearer, cookie, token,
	// session or basic.
	Method string
}

// SessionID returns the id of the caller's session, or uuid.Nil.
func (p *Principal) SessionID() uuid.UUID {
	if p == nil || p.Session == nil {
		return uuid.Nil
	}
	return p.Session.ID
}

// audit records event of the caller on dev about userID and sessionID
// (either may be uuid.Nil).
func (s *Service) audit(ctx context.Context, event string, userID, sessionID uuid.UUID, dev Device, details map[string]string) {
	s.auditAs(ctx, event, Actor{Device: dev}, userID, sessionID, details)
}

// auditAs records event by a (an admin, an operator, or, with only a
// Device, the caller themselves) about userID and sessionID. With
// openSession it is the one writer of audit events, both building them
// with auditEvent. The audit trail must not turn a successful action into
// a failure: a lost event is logged here and nowhere else. (A new
// session's event is not lost that way: it is written with the session.)
func (s *Service) auditAs(ctx context.Context, event string, a Actor, userID, sessionID uuid.UUID, details map[string]string) {
	if err := s.store.AddAuditEvent(ctx, s.auditEvent(event, a, userID, sessionID, details)); err != nil {
		s.log.ErrorContext(ctx, "audit event lost", "event", event, "err", err)
	}
}

// auditEvent is the event auditAs records.
func (s *Service) auditEvent(event string, a Actor, userID, sessionID uuid.UUID, details map[string]string) *store.AuditEvent {
	if a.Operator != "" {
		if details == nil {
			details = map[string]string{}
		}
		details["operator"] = a.Operator
	}
	e := &store.AuditEvent{Event: event, IP: a.Device.IP, UserAgent: label(a.Device.UserAgent, maxUserAgent),
		Details: details, CreatedAt: s.now().UTC()}
	if a.UserID != uuid.Nil {
		e.ActorID = &a.UserID
	}
	if userID != uuid.Nil {
		e.UserID = &userID
	}
	if sessionID != uuid.Nil {
		e.SessionID = &sessionID
	}
	return e
}

// openSession stores a new session together with its "login" event, in
// one transaction (one statement on Postgres): no session exists without
// the event that says who opened it, from where and how. Unlike the other
// events, a failure to record it fails the sign-in.
func (s *Service) openSession(ctx context.Context, sess *store.Session, dev Device, delivery string) error {
	e := s.auditEvent("login", Actor{Device: dev}, sess.UserID, sess.ID,
		map[string]string{"client_id": sess.ClientID, "delivery": delivery})
	return s.store.CreateSession(ctx, sess, e)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
