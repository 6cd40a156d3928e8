package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

const testPassword = "correct horse battery staple"

// grace is the refresh grace period of every test Service.
const grace = 10 * time.Second

// laptop is the device of the tests' requests.
var laptop = auth.Device{Name: "laptop", UserAgent: "test-agent/1", IP: "192.0.2.7"}

// pausingStore is the real store with three interleaving points: a
// function run once right after the next GetSessionAndUser, while the
// caller holds what it read; one run once right before the next
// RotateRefresh, when the caller has presented its token but its statement
// has not run; and one run once right after the next GetUserByEmail, while
// a sign-in checks the password of the row it read. They let a test act
// "during" a refresh or a sign-in without mocking anything either reads or
// writes.
type pausingStore struct {
	store.Store
	mu     sync.Mutex
	after  func()
	before func()
	looked func()
}

// arm sets the hook *slot to f.
func (p *pausingStore) arm(slot *func(), f func()) {
	p.mu.Lock()
	*slot = f
	p.mu.Unlock()
}

// fire runs the hook *slot once, if armed, and disarms it.
func (p *pausingStore) fire(slot *func()) {
	p.mu.Lock()
	f := *slot
	*slot = nil
	p.mu.Unlock()
	if f != nil {
		f()
	}
}

func (p *pausingStore) GetUserByEmail(ctx context.Context, normalized string) (*store.User, error) {
	u, err := p.Store.GetUserByEmail(ctx, normalized)
	p.fire(&p.looked)
	return u, err
}

// afterNextUserLookup arms f to run after the next look-up of a user by
// e-mail, once the caller holds the row as it was: what happens to the
// account while its password is being checked.
func (p *pausingStore) afterNextUserLookup(f func()) { p.arm(&p.looked, f) }

func (p *pausingStore) RotateRefresh(ctx context.Context, r store.Rotation) (*store.SessionAuth, *store.User, error) {
	p.fire(&p.before)
	return p.Store.RotateRefresh(ctx, r)
}

// beforeNextRotate arms f to run before the next one-statement rotation.
func (p *pausingStore) beforeNextRotate(f func()) { p.arm(&p.before, f) }

func (p *pausingStore) GetSessionAndUser(ctx context.Context, id uuid.UUID) (*store.Session, *store.User, error) {
	s, u, err := p.Store.GetSessionAndUser(ctx, id)
	p.fire(&p.after)
	return s, u, err
}

// afterNextRead arms f to run after the next session read.
func (p *pausingStore) afterNextRead(f func()) { p.arm(&p.after, f) }

// rig is a Service over a real database with a clock the test owns.
type rig struct {
	svc   *auth.Service
	db    *sqlstore.DB
	store *pausingStore
	clock *servertest.Clock
}

// newRig builds the use cases over db as server.Assemble does, with the
// default settings, cheap hashing and no e-mail verification. Rigs over
// one db and keysDir are replicas of one deployment.
func newRig(t testing.TB, db *sqlstore.DB, keysDir string, clock *servertest.Clock) *rig {
	t.Helper()
	return newRigWith(t, db, keysDir, clock, nil)
}

// newRigWith is newRig with its dependencies changed by adjust (may be
// nil) before the Service is built: a mailer, passkeys, other settings.
func newRigWith(t testing.TB, db *sqlstore.DB, keysDir string, clock *servertest.Clock, adjust func(*auth.Deps)) *rig {
	t.Helper()
	cfg := config.Default()
	ring, err := keys.Open(keysDir, server.KeyOptions(cfg, clock.Now))
	if err != nil {
		t.Fatalf("keys: %v", err)
	}
	verifier, err := jwtverify.NewVerifier(ring, jwtverify.WithIssuer(cfg.Issuer),
		jwtverify.WithAudience(cfg.Audiences()[0]), jwtverify.WithClock(clock.Now))
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	ps := &pausingStore{Store: db}
	deps := auth.Deps{
		Store:     ps,
		Hasher:    password.NewHasher(servertest.FastHash, 4),
		Policy:    password.Policy{MinLength: cfg.PasswordMinLength},
		Minter:    token.NewMinter(ring, cfg.Issuer, clock.Now),
		Refresher: token.NewRefresher(ring.RefreshSecret()),
		Secret:    ring.RefreshSecret(),
		Verifier:  verifier,
		Keys:      ring,
		Settings: auth.Settings{
			AccessTTL: cfg.AccessTTL, SessionIdleTTL: cfg.SessionIdleTTL, SessionMaxTTL: cfg.SessionMaxTTL,
			RefreshGrace: grace, Audiences: cfg.Audiences(), EmailVerification: auth.VerificationNone,
			LoginMaxFailures: cfg.LoginMaxFailures, LoginFailureWindow: cfg.LoginFailureWindow,
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    clock.Now,
	}
	if adjust != nil {
		adjust(&deps)
	}
	return &rig{svc: auth.New(deps), db: db, store: ps, clock: clock}
}

// startRig is one replica over db, its clock on a whole second.
func startRig(t testing.TB, db *sqlstore.DB) *rig {
	t.Helper()
	return newRig(t, db, t.TempDir(), servertest.NewClock(time.Now().UTC().Truncate(time.Second)))
}

// register creates email's account and logs in the laptop with body
// delivery through clientID ("" is the default client).
func (r *rig) register(t testing.TB, email, clientID string) *auth.Login {
	t.Helper()
	dev := laptop
	dev.ClientID = clientID
	l, err := r.svc.Register(t.Context(), auth.RegisterInput{
		Email: email, Password: testPassword, Delivery: auth.DeliveryBody, Device: dev,
	})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return l
}

// refresh refreshes raw from the laptop.
func (r *rig) refresh(t testing.TB, raw string) (*auth.Login, error) {
	t.Helper()
	return r.svc.Refresh(t.Context(), raw, laptop)
}

// session reads session id straight from the database.
func (r *rig) session(t testing.TB, id uuid.UUID) *store.Session {
	t.Helper()
	s, err := r.db.GetSession(t.Context(), id)
	if err != nil {
		t.Fatalf("get session: %v", err)
	}
	return s
}

// user reads user id straight from the database.
func (r *rig) user(t testing.TB, id uuid.UUID) *store.User {
	t.Helper()
	u, err := r.db.GetUser(t.Context(), id)
	if err != nil {
		t.Fatalf("get user: %v", err)
	}
	return u
}

// pendingLogin is u's login through the default client, in body mode,
// waiting for a second factor of the given method after the password.
func (r *rig) pendingLogin(t testing.TB, u *store.User, method string) *auth.MFARequired {
	t.Helper()
	client, err := r.svc.OAuthClient(t.Context(), store.DefaultClientID)
	if err != nil || client == nil {
		t.Fatalf("default client: %v, %v", client, err)
	}
	mr, err := r.svc.BeginMFA(t.Context(), u, client, auth.DeliveryBody,
		[]string{auth.AMRPassword}, []string{method}, laptop)
	if err != nil {
		t.Fatal(err)
	}
	return mr
}

// login signs email in from the laptop with pw, tokens in the body.
func (r *rig) login(t testing.TB, email, pw string) (*auth.Login, error) {
	return r.svc.Login(t.Context(), auth.LoginInput{Email: email, Password: pw, Delivery: auth.DeliveryBody, Device: laptop})
}

// activeSessions is how many of the user's sessions (classic token
// included) are active on the rig's clock.
func (r *rig) activeSessions(t testing.TB, userID uuid.UUID) int {
	t.Helper()
	list, err := r.db.ListUserSessions(t.Context(), userID, r.clock.Now())
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	return len(list)
}

// disable marks u inactive straight in the database, as an operator's
// UPDATE would, without the service's revocations.
func (r *rig) disable(t testing.TB, u *store.User) {
	t.Helper()
	r.setActive(t, u, false)
}

// enable marks u active again, the way disable marked it inactive.
func (r *rig) enable(t testing.TB, u *store.User) {
	t.Helper()
	r.setActive(t, u, true)
}

func (r *rig) setActive(t testing.TB, u *store.User, active bool) {
	t.Helper()
	v := *u
	v.IsActive = active
	if err := r.db.UpdateUser(t.Context(), &v); err != nil {
		t.Fatalf("set user active=%v: %v", active, err)
	}
}

// events returns the audit events named event, newest first.
func (r *rig) events(t testing.TB, event string) []store.AuditEvent {
	t.Helper()
	p, err := r.svc.AdminAuditLog(t.Context(), auth.AuditFilter{Event: event}, auth.PageInput{Limit: auth.MaxPageSize})
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return p.Items
}

// wantCode fails unless err is the auth error code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}
