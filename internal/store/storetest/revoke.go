package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testSessionRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	when := t0.Add(5 * time.Minute)
	if err := s.RevokeSession(ctx, sess.ID, when, "logout"); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	got, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	want := *sess
	want.RevokedAt, want.RevokedReason = &when, "logout"
	wantEqual(t, "GetSession after RevokeSession", got, &want)
	if got.ActiveAt(when) {
		t.Error("revoked session is still active")
	}
	wantIs(t, "RevokeSession(unknown)", s.RevokeSession(ctx, uuid.New(), when, "logout"), store.ErrNotFound)
}

func testSessionRevokeIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	first := t0.Add(time.Minute)
	if err := s.RevokeSession(ctx, sess.ID, first, "logout"); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	if err := s.RevokeSession(ctx, sess.ID, first.Add(time.Hour), "admin"); err != nil {
		t.Fatalf("RevokeSession again: %v", err)
	}
	got, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	if got.RevokedAt == nil || got.RevokedReason != "logout" {
		t.Fatalf("after two revocations: revoked at %v for %q, want the first (%s, logout)", got.RevokedAt, got.RevokedReason, first)
	}
	wantTime(t, "RevokedAt", *got.RevokedAt, first)
}

func testSessionRevokeUserSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	keep := mustCreateSession(t, s, newSession(u.ID))
	mustCreateSession(t, s, newSession(u.ID))
	expired := newSession(u.ID)
	expired.ExpiresAt = t0.Add(time.Minute) // unrevoked, so revoked too
	mustCreateSession(t, s, expired)
	old := newSession(u.ID)
	old.RevokedAt, old.RevokedReason = ptr(t0), "logout"
	mustCreateSession(t, s, old)
	theirs := mustCreateSession(t, s, newSession(other.ID))

	now := t0.Add(10 * time.Minute)
	n, err := s.RevokeUserSessions(ctx, u.ID, keep.ID, now, "password_changed")
	if err != nil || n != 2 {
		t.Fatalf("RevokeUserSessions(keep): %d, %v; want 2, nil", n, err)
	}
	list, err := s.ListUserSessions(ctx, u.ID, now)
	if err != nil || len(list) != 1 || list[0].ID != keep.ID {
		t.Fatalf("sessions left: %v, %v; want only the kept one", list, err)
	}
	got, err := s.GetSession(ctx, old.ID)
	if err != nil || got.RevokedReason != "logout" || got.RevokedAt == nil || !got.RevokedAt.Equal(t0) {
		t.Errorf("already revoked session was changed: %+v, %v", got, err)
	}
	got, err = s.GetSession(ctx, expired.ID)
	if err != nil || got.RevokedReason != "password_changed" {
		t.Errorf("expired session: %+v, %v; want revoked for password_changed", got, err)
	}
	if got, err := s.GetSession(ctx, theirs.ID); err != nil || got.RevokedAt != nil {
		t.Errorf("another user's session was revoked: %+v, %v", got, err)
	}

	n, err = s.RevokeUserSessions(ctx, u.ID, uuid.Nil, now, "disabled")
	if err != nil || n != 1 {
		t.Errorf("RevokeUserSessions(keep none): %d, %v; want 1, nil", n, err)
	}
	n, err = s.RevokeUserSessions(ctx, u.ID, uuid.Nil, now, "disabled")
	if err != nil || n != 0 {
		t.Errorf("RevokeUserSessions again: %d, %v; want 0, nil", n, err)
	}
}

// testSessionRevokeSSOSessions: the sessions born from one browser sign-in
// end together, keeping their scope and parent until then; others stay.
func testSessionRevokeSSOSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sso := mustCreateSession(t, s, newSession(u.ID))
	child := newSession(u.ID)
	child.SSOSessionID, child.Scope = &sso.ID, []string{"openid", "email"}
	mustCreateSession(t, s, child)
	got, err := s.GetSession(ctx, child.ID)
	if err != nil || got.SSOSessionID == nil || *got.SSOSessionID != sso.ID || len(got.Scope) != 2 || got.Scope[1] != "email" {
		t.Fatalf("GetSession(child): %+v, %v; want its sso session and scope back", got, err)
	}
	other := mustCreateSession(t, s, newSession(u.ID))
	now := t0.Add(time.Minute)
	n, err := s.RevokeSSOSessions(ctx, sso.ID, now, "rp_logout")
	if err != nil || n != 1 {
		t.Fatalf("RevokeSSOSessions: %d, %v; want 1, nil", n, err)
	}
	if got, err := s.GetSession(ctx, child.ID); err != nil || got.RevokedReason != "rp_logout" {
		t.Errorf("child: %+v, %v; want revoked", got, err)
	}
	for _, id := range []uuid.UUID{sso.ID, other.ID} {
		if got, err := s.GetSession(ctx, id); err != nil || got.RevokedAt != nil {
			t.Errorf("session %s: %+v, %v; want untouched", id, got, err)
		}
	}
}

// testSessionRotateConcurrent is the refresh race: many callers present the
// same generation at once; exactly one wins, every other one is told
// ErrStale (never "database is locked" or any other error).
func testSessionRotateConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess := mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID))
	now, idle := t0.Add(time.Minute), t0.Add(61*time.Minute)
	wantOneWinner(t, func() (int64, error) {
		got, err := s.RotateSession(ctx, sess.ID, 0, now, idle)
		if err != nil {
			return 0, err
		}
		return got.Generation, nil
	})
	got, err := s.GetSession(ctx, sess.ID)
	if err != nil || got.Generation != 1 {
		t.Fatalf("after the race: %+v, %v; want generation 1", got, err)
	}
}

// wantOneWinner runs rotate from 100 goroutines released at once and
// checks that exactly one moved the session to generation 1 and every
// other one was told ErrStale (never "database is locked" or any other
// error).
func wantOneWinner(t *testing.T, rotate func() (generation int64, err error)) {
	t.Helper()
	const callers = 100
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		mu     sync.Mutex
		wins   int
		stale  int
		others []error
	)
	for range callers {
		wg.Go(func() {
			<-start
			gen, err := rotate()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && gen == 1:
				wins++
			case errors.Is(err, store.ErrStale):
				stale++
			default:
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 || stale != callers-1 || len(others) != 0 {
		t.Fatalf("%d callers: %d won, %d stale, %d other errors %v; want 1, %d, 0", callers, wins, stale, len(others), others, callers-1)
	}
}
