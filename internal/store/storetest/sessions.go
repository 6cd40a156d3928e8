package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testSessionCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	jwt := newSession(u.ID)
	want := *jwt
	mustCreateSession(t, s, jwt)
	wantEqual(t, "CreateSession result", jwt, &want)

	cookie := newSession(u.ID)
	cookie.Kind, cookie.SecretHash = store.SessionKindCookie, randomBytes(32)
	mustCreateSession(t, s, cookie)

	got, err := s.GetSession(ctx, jwt.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	wantEqual(t, "GetSession", got, jwt)
	if got.SecretHash != nil {
		t.Errorf("JWT session SecretHash: got %x, want nil", got.SecretHash)
	}
	got, gotU, err := s.GetSessionAndUserBySecret(ctx, cookie.SecretHash)
	if err != nil {
		t.Fatalf("GetSessionAndUserBySecret: %v", err)
	}
	wantEqual(t, "GetSessionAndUserBySecret", got, cookie)
	wantU, _ := s.GetUser(ctx, u.ID)
	wantEqual(t, "GetSessionAndUserBySecret's user", gotU, wantU)

	_, err = s.GetSession(ctx, uuid.New())
	wantIs(t, "GetSession(unknown)", err, store.ErrNotFound)
	_, _, err = s.GetSessionAndUserBySecret(ctx, randomBytes(32))
	wantIs(t, "GetSessionAndUserBySecret(unknown)", err, store.ErrNotFound)
	_, _, err = s.GetSessionAndUserBySecret(ctx, nil)
	wantIs(t, "GetSessionAndUserBySecret(nil)", err, store.ErrNotFound)
}

// testSessionCreateAudited stores sessions with their events: one event
// (a sign-in's), none set by the caller's clock, and two; and checks that
// a session that fails takes its events with it, and the other way round.
func testSessionCreateAudited(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	event := func(sess *store.Session, name string, at time.Time) *store.AuditEvent {
		return &store.AuditEvent{Event: name, UserID: &sess.UserID, SessionID: &sess.ID, IP: "192.0.2.7",
			UserAgent: "ua/2", Details: map[string]string{"client_id": sess.ClientID, "delivery": "body"}, CreatedAt: at}
	}
	one := newSession(u.ID)
	want := *one
	e1 := event(one, "login", t0)
	if err := s.CreateSession(ctx, one, e1); err != nil {
		t.Fatalf("CreateSession with an event: %v", err)
	}
	wantEqual(t, "session stored with its event", one, &want)
	if e1.ID == 0 {
		t.Error("the event's id was not set")
	}
	got, err := s.GetSession(ctx, one.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	wantEqual(t, "GetSession", got, one)

	clock := newSession(u.ID)
	e2 := event(clock, "login", time.Time{}) // the database's clock
	if err := s.CreateSession(ctx, clock, e2); err != nil {
		t.Fatalf("CreateSession with an event on the database's clock: %v", err)
	}
	if e2.CreatedAt.IsZero() || e2.ID <= e1.ID {
		t.Errorf("event on the database's clock: id %d (after %d), time %v", e2.ID, e1.ID, e2.CreatedAt)
	}

	two := newSession(u.ID)
	e3, e4 := event(two, "login", t0.Add(time.Second)), event(two, "mfa_verified", t0.Add(2*time.Second))
	if err := s.CreateSession(ctx, two, e3, e4); err != nil {
		t.Fatalf("CreateSession with two events: %v", err)
	}
	listed, err := s.ListAuditEvents(ctx, &u.ID, 10)
	if err != nil {
		t.Fatalf("ListAuditEvents: %v", err)
	}
	wantEqual(t, "events stored with their sessions", listed,
		[]store.AuditEvent{*e4, *e3, *e2, *e1})

	// A session that cannot be stored (its id is taken) stores no event.
	dup := newSession(u.ID)
	dup.ID = one.ID
	wantIs(t, "CreateSession(same id) with an event", s.CreateSession(ctx, dup, event(dup, "login", t0)), store.ErrConflict)
	// An event that cannot be stored (its id is taken) stores no session.
	lost := newSession(u.ID)
	taken := event(lost, "login", t0)
	taken.ID = e1.ID
	if err := s.CreateSession(ctx, lost, taken); err == nil {
		t.Error("CreateSession with an event whose id is taken succeeded")
	}
	if _, err := s.GetSession(ctx, lost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session whose event failed: GetSession gave %v, want ErrNotFound", err)
	}
	after, err := s.ListAuditEvents(ctx, &u.ID, 10)
	if err != nil {
		t.Fatalf("ListAuditEvents: %v", err)
	}
	wantEqual(t, "events after the failed creations", after, listed)
}

func testSessionNeedsUserAndClient(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s)
	noUser := newSession(uuid.New())
	if err := s.CreateSession(t.Context(), noUser); err == nil {
		t.Error("CreateSession with an unknown user succeeded")
	}
	noClient := newSession(u.ID)
	noClient.ClientID = "no-such-client"
	if err := s.CreateSession(t.Context(), noClient); err == nil {
		t.Error("CreateSession with an unknown client succeeded")
	}
}

func testSessionSecretConflict(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s)
	a, b := newSession(u.ID), newSession(u.ID)
	a.Kind, b.Kind = store.SessionKindCookie, store.SessionKindCookie
	a.SecretHash = randomBytes(32)
	b.SecretHash = a.SecretHash
	mustCreateSession(t, s, a)
	wantIs(t, "CreateSession(same secret)", s.CreateSession(t.Context(), b), store.ErrConflict)
	dup := newSession(u.ID)
	dup.ID = a.ID
	wantIs(t, "CreateSession(same id)", s.CreateSession(t.Context(), dup), store.ErrConflict)
}

func testSessionList(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	now := t0.Add(2 * time.Hour)
	at := func(created time.Time, edit func(*store.Session)) *store.Session {
		sess := newSession(u.ID)
		sess.CreatedAt, sess.LastUsedAt, sess.RotatedAt = created, created, created
		sess.IdleExpiresAt, sess.ExpiresAt = now.Add(time.Hour), now.Add(time.Hour)
		if edit != nil {
			edit(sess)
		}
		return mustCreateSession(t, s, sess)
	}
	older := at(t0, nil)
	newest := at(t0.Add(time.Minute), nil)
	middle := at(t0.Add(time.Second), nil)
	at(t0.Add(2*time.Minute), func(x *store.Session) { x.RevokedAt, x.RevokedReason = ptr(t0), "logout" })
	at(t0.Add(3*time.Minute), func(x *store.Session) { x.IdleExpiresAt = now })
	at(t0.Add(4*time.Minute), func(x *store.Session) { x.ExpiresAt = now.Add(-time.Second) })
	at(t0.Add(5*time.Minute), func(x *store.Session) { x.UserID = other.ID })

	got, err := s.ListUserSessions(ctx, u.ID, now)
	if err != nil {
		t.Fatalf("ListUserSessions: %v", err)
	}
	wantEqual(t, "ListUserSessions", got, []store.Session{*newest, *middle, *older})

	got, err = s.ListUserSessions(ctx, uuid.New(), now)
	if err != nil || len(got) != 0 {
		t.Errorf("ListUserSessions(unknown user): got %d sessions, %v; want none", len(got), err)
	}
}

func testSessionRotate(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	now, idle := t0.Add(10*time.Minute), t0.Add(70*time.Minute)

	got, err := s.RotateSession(ctx, sess.ID, 0, now, idle)
	if err != nil {
		t.Fatalf("RotateSession: %v", err)
	}
	want := *sess
	want.Generation, want.RotatedAt, want.LastUsedAt, want.IdleExpiresAt = 1, now, now, idle
	wantEqual(t, "RotateSession result", got, &want)
	stored, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	wantEqual(t, "GetSession after RotateSession", stored, &want)

	_, err = s.RotateSession(ctx, sess.ID, 0, now.Add(time.Second), idle)
	wantIs(t, "RotateSession(old generation)", err, store.ErrStale)
	_, err = s.RotateSession(ctx, sess.ID, 2, now.Add(time.Second), idle)
	wantIs(t, "RotateSession(future generation)", err, store.ErrStale)

	got, err = s.RotateSession(ctx, sess.ID, 1, now.Add(time.Minute), idle.Add(time.Minute))
	if err != nil {
		t.Fatalf("RotateSession(1): %v", err)
	}
	if got.Generation != 2 {
		t.Errorf("generation after two rotations: %d, want 2", got.Generation)
	}
	wantTime(t, "IdleExpiresAt", got.IdleExpiresAt, idle.Add(time.Minute))
}

func testSessionRotateRevoked(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	if err := s.RevokeSession(ctx, sess.ID, t0.Add(time.Minute), "logout"); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	_, err := s.RotateSession(ctx, sess.ID, 0, t0.Add(2*time.Minute), t0.Add(time.Hour))
	wantIs(t, "RotateSession(revoked)", err, store.ErrStale)
}

func testSessionRotateExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	tests := []struct {
		name string
		now  time.Time
	}{
		{"idle expiry reached", sess.IdleExpiresAt},
		{"idle expired", sess.IdleExpiresAt.Add(time.Microsecond)},
		{"absolute expiry reached", sess.ExpiresAt},
		{"absolute expired", sess.ExpiresAt.Add(time.Hour)},
	}
	for _, tc := range tests {
		_, err := s.RotateSession(ctx, sess.ID, 0, tc.now, tc.now.Add(time.Hour))
		wantIs(t, "RotateSession("+tc.name+")", err, store.ErrStale)
	}
	// One microsecond before the idle expiry the session is still active.
	justBefore := sess.IdleExpiresAt.Add(-time.Microsecond)
	if _, err := s.RotateSession(ctx, sess.ID, 0, justBefore, justBefore.Add(time.Hour)); err != nil {
		t.Errorf("RotateSession 1µs before idle expiry: %v", err)
	}
}

// testSessionRotateUnknown accepts ErrStale or ErrNotFound: a store may
// distinguish a missing session only when that is cheap.
func testSessionRotateUnknown(t *testing.T, s store.Store) {
	_, err := s.RotateSession(t.Context(), uuid.New(), 0, t0, t0.Add(time.Hour))
	if !errors.Is(err, store.ErrStale) && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RotateSession(unknown): got %v, want ErrStale or ErrNotFound", err)
	}
}

func testSessionTouch(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	now, idle := t0.Add(30*time.Minute), t0.Add(90*time.Minute)
	if err := s.TouchSession(ctx, sess.ID, now, idle); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	got, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	want := *sess
	want.LastUsedAt, want.IdleExpiresAt = now, idle
	wantEqual(t, "GetSession after TouchSession", got, &want)

	wantIs(t, "TouchSession(expired)", s.TouchSession(ctx, sess.ID, idle, idle.Add(time.Hour)), store.ErrStale)
	if err := s.RevokeSession(ctx, sess.ID, now, "logout"); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	wantIs(t, "TouchSession(revoked)", s.TouchSession(ctx, sess.ID, now, idle), store.ErrStale)
	err = s.TouchSession(ctx, uuid.New(), now, idle)
	if !errors.Is(err, store.ErrStale) && !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchSession(unknown): got %v, want ErrStale or ErrNotFound", err)
	}
}

// testSessionSSO: a browser sign-in keeps its secret hash, its sign-in time
// and its methods; other sessions read back with neither.
func testSessionSSO(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	at := t0.Add(-time.Minute)
	sso := newSession(u.ID)
	sso.Kind, sso.SecretHash, sso.AuthTime, sso.AMR = store.SessionKindSSO, randomBytes(32), &at, []string{"pwd", "otp"}
	want := *sso
	mustCreateSession(t, s, sso)
	wantEqual(t, "CreateSession(sso) result", sso, &want)
	got, gotU, err := s.GetSessionAndUserBySecret(ctx, want.SecretHash)
	if err != nil {
		t.Fatalf("GetSessionAndUserBySecret: %v", err)
	}
	wantEqual(t, "GetSessionAndUserBySecret(sso)", got, &want)
	if gotU.ID != u.ID || gotU.Email != u.Email {
		t.Errorf("GetSessionAndUserBySecret(sso) user: got %s %q, want %s %q", gotU.ID, gotU.Email, u.ID, u.Email)
	}
	got, _, err = s.GetSessionAndUser(ctx, want.ID)
	if err != nil {
		t.Fatalf("GetSessionAndUser: %v", err)
	}
	wantEqual(t, "GetSessionAndUser(sso)", got, &want)
	list, err := s.ListUserSessions(ctx, u.ID, t0)
	if err != nil || len(list) != 1 || list[0].Kind != store.SessionKindSSO {
		t.Fatalf("ListUserSessions: %+v, %v; want the sso session", list, err)
	}

	plain := mustCreateSession(t, s, newSession(u.ID))
	got, err = s.GetSession(ctx, plain.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	if got.AuthTime != nil || got.AMR != nil {
		t.Errorf("JWT session: auth_time %v, amr %v; want neither", got.AuthTime, got.AMR)
	}
}
