package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// digestSession creates a JWT session of a new user whose current refresh
// digest is known, on client (the default when empty).
func digestSession(t *testing.T, s store.Store, client string) (*store.Session, *store.User) {
	t.Helper()
	u := mustCreateUser(t, s)
	sess := newSession(u.ID)
	sess.RefreshDigest = randomBytes(32)
	if client != "" {
		sess.ClientID = client
	}
	return mustCreateSession(t, s, sess), u
}

// rotation presents sess's current generation and digest at now.
func rotation(sess *store.Session, now time.Time) store.Rotation {
	return store.Rotation{
		ID: sess.ID, Generation: sess.Generation, Digest: sess.RefreshDigest, NextDigest: randomBytes(32),
		Now: now, DefaultIdleTTL: 2 * time.Hour,
	}
}

func testRotateRefresh(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess, u := digestSession(t, s, "")
	r := rotation(sess, t0.Add(10*time.Minute))
	got, gotUser, err := s.RotateRefresh(ctx, r)
	if err != nil {
		t.Fatalf("RotateRefresh: %v", err)
	}
	want := *sess
	want.Generation, want.RefreshDigest, want.RotatedAt, want.LastUsedAt = 1, r.NextDigest, r.Now, r.Now
	want.IdleExpiresAt = r.Now.Add(2 * time.Hour)
	wantEqual(t, "RotateRefresh session", got, want.Auth())
	wantEqual(t, "RotateRefresh user", gotUser, u)
	stored, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	wantEqual(t, "GetSession after RotateRefresh", stored, &want)

	// The old digest and generation no longer match.
	_, _, err = s.RotateRefresh(ctx, rotation(sess, r.Now.Add(time.Second)))
	wantIs(t, "RotateRefresh(previous generation)", err, store.ErrStale)
	again := rotation(stored, r.Now.Add(time.Minute))
	if _, _, err = s.RotateRefresh(ctx, again); err != nil {
		t.Fatalf("second RotateRefresh: %v", err)
	}
	if stored, err = s.GetSession(ctx, sess.ID); err != nil || stored.Generation != 2 || !bytes.Equal(stored.RefreshDigest, again.NextDigest) {
		t.Fatalf("after a second RotateRefresh: %+v, %v; want generation 2 with the new digest", stored, err)
	}
}

// testRotateRefreshAnswer: what RotateRefresh answers of a session with
// every field of its SessionAuth set (authSession) is what a whole read of
// the rotated row says of it.
func testRotateRefreshAnswer(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sess := authSession(u.ID)
	sess.RefreshDigest = randomBytes(32)
	sess = mustCreateSession(t, s, sess)
	got, gotUser, err := s.RotateRefresh(ctx, rotation(sess, t0.Add(5*time.Minute)))
	if err != nil {
		t.Fatalf("RotateRefresh: %v", err)
	}
	stored, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	wantEqual(t, "RotateRefresh answer", got, stored.Auth())
	wantEqual(t, "RotateRefresh user", gotUser, u)
	// Every field but RevokedAt (a revoked session does not rotate) is
	// set, so one the statement or its scan left out shows.
	wantFieldsSet(t, "RotateRefresh", *got, "RevokedAt")
}

// testRotateRefreshRefuses: every condition of store.Rotation, each broken
// alone, leaves the session as it was.
func testRotateRefreshRefuses(t *testing.T, s store.Store) {
	ctx := t.Context()
	conf := newClient("conf-" + uuid.NewString()[:8])
	conf.Type = store.ClientConfidential
	if err := s.CreateClient(ctx, conf); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	tests := []struct {
		name   string
		client string
		prep   func(t *testing.T, sess *store.Session, u *store.User)
		change func(r *store.Rotation)
	}{
		{name: "wrong digest", change: func(r *store.Rotation) { r.Digest = randomBytes(32) }},
		{name: "no digest", change: func(r *store.Rotation) { r.Digest = nil }},
		{name: "older generation", change: func(r *store.Rotation) { r.Generation-- }},
		{name: "newer generation", change: func(r *store.Rotation) { r.Generation++ }},
		{name: "unknown session", change: func(r *store.Rotation) { r.ID = uuid.New() }},
		{name: "idle expiry reached", change: func(r *store.Rotation) { r.Now = t0.Add(time.Hour) }},
		{name: "absolute expiry passed", change: func(r *store.Rotation) { r.Now = t0.Add(25 * time.Hour) }},
		{name: "other client", change: func(r *store.Rotation) { r.ClientID = "someone-else" }},
		{name: "confidential client unauthenticated", client: conf.ID},
		{name: "revoked", prep: func(t *testing.T, sess *store.Session, _ *store.User) {
			if err := s.RevokeSession(ctx, sess.ID, t0.Add(time.Minute), "logout"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "inactive user", prep: func(t *testing.T, _ *store.Session, u *store.User) {
			u.IsActive = false
			if err := s.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "cookie session", prep: func(t *testing.T, sess *store.Session, _ *store.User) {
			c := newSession(sess.UserID)
			c.Kind, c.SecretHash, c.RefreshDigest = store.SessionKindCookie, randomBytes(32), sess.RefreshDigest
			*sess = *mustCreateSession(t, s, c)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess, u := digestSession(t, s, tc.client)
			if tc.prep != nil {
				tc.prep(t, sess, u)
			}
			before, err := s.GetSession(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			r := rotation(sess, t0.Add(2*time.Minute))
			if tc.change != nil {
				tc.change(&r)
			}
			_, _, err = s.RotateRefresh(ctx, r)
			wantIs(t, "RotateRefresh", err, store.ErrStale)
			after, err := s.GetSession(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "session after a refused rotation", after, before)
		})
	}
	t.Run("client made confidential after the session began", func(t *testing.T) {
		later := newClient("later-" + uuid.NewString()[:8])
		if err := s.CreateClient(ctx, later); err != nil {
			t.Fatalf("CreateClient: %v", err)
		}
		sess, _ := digestSession(t, s, later.ID)
		later.Type = store.ClientConfidential
		if err := s.UpdateClient(ctx, later); err != nil {
			t.Fatalf("UpdateClient: %v", err)
		}
		_, _, err := s.RotateRefresh(ctx, rotation(sess, t0.Add(2*time.Minute)))
		wantIs(t, "RotateRefresh", err, store.ErrStale)
	})
	t.Run("confidential client authenticated", func(t *testing.T) {
		sess, _ := digestSession(t, s, conf.ID)
		r := rotation(sess, t0.Add(2*time.Minute))
		r.ClientID, r.ClientAuthenticated = conf.ID, true
		if _, _, err := s.RotateRefresh(ctx, r); err != nil {
			t.Errorf("RotateRefresh: %v", err)
		}
	})
}

// testRotateRefreshIdle: the idle expiry slides by the client's own idle
// lifetime, or the default, and never past the absolute expiry.
func testRotateRefreshIdle(t *testing.T, s store.Store) {
	ctx := t.Context()
	own := newClient("idle-" + uuid.NewString()[:8])
	own.IdleTTL = 3 * time.Hour
	if err := s.CreateClient(ctx, own); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	// changed has the default when its session begins and its own idle
	// lifetime by the time the session refreshes.
	changed := newClient("changed-" + uuid.NewString()[:8])
	if err := s.CreateClient(ctx, changed); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	// A fraction of a second that must survive the arithmetic.
	now := t0.Add(30*time.Minute + 999999*time.Microsecond)
	tests := []struct {
		name   string
		client string
		now    time.Time
		want   time.Time
	}{
		{"default", "", now, now.Add(2 * time.Hour)},
		{"client's own", own.ID, now, now.Add(3 * time.Hour)},
		{"capped at the absolute expiry", "", t0.Add(23 * time.Hour), t0.Add(24 * time.Hour)},
		{"client's, changed after the session began", changed.ID, now, now.Add(5 * time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess, _ := digestSession(t, s, tc.client)
			if tc.client == changed.ID {
				changed.IdleTTL = 5 * time.Hour
				if err := s.UpdateClient(ctx, changed); err != nil {
					t.Fatalf("UpdateClient: %v", err)
				}
			}
			if tc.now.After(sess.IdleExpiresAt) {
				// Keep the session alive until tc.now first.
				if err := s.TouchSession(ctx, sess.ID, t0.Add(time.Minute), tc.now.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			got, _, err := s.RotateRefresh(ctx, rotation(sess, tc.now))
			if err != nil {
				t.Fatalf("RotateRefresh: %v", err)
			}
			wantTime(t, "IdleExpiresAt", got.IdleExpiresAt, tc.want)
		})
	}
}

// testRotateRefreshConcurrent is the refresh race on the one-statement
// path: of 100 callers presenting the same token exactly one wins and
// every other one is told ErrStale.
func testRotateRefreshConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	sess, _ := digestSession(t, s, "")
	wantOneWinner(t, func() (int64, error) {
		r := rotation(sess, t0.Add(time.Minute))
		got, _, err := s.RotateRefresh(ctx, r)
		if err != nil {
			return 0, err
		}
		// Every other caller presents generation 0, so what is stored now
		// is the winner's rotation.
		stored, err := s.GetSession(ctx, sess.ID)
		if err != nil {
			return 0, err
		}
		if got.ID != sess.ID || !bytes.Equal(stored.RefreshDigest, r.NextDigest) {
			return 0, fmt.Errorf("winner answered session %v, stored digest %x; want %v, %x", got.ID, stored.RefreshDigest, sess.ID, r.NextDigest)
		}
		return stored.Generation, nil
	})
}

// testRotateRefreshManySessions: rotations of many sessions sent at once
// (more than a connection pool holds; on Postgres they may share
// statements) each get their own session's answer: per session one of the
// callers presenting its token wins and stores its digest, the others and
// a caller presenting another digest are told ErrStale.
func testRotateRefreshManySessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	const sessions, callers = 12, 4 // the last caller of each presents a wrong digest
	type call struct {
		r   store.Rotation
		got *store.SessionAuth
		u   *store.User
		err error
	}
	var (
		calls []*call
		users = map[uuid.UUID]uuid.UUID{}
	)
	for range sessions {
		sess, u := digestSession(t, s, "")
		users[sess.ID] = u.ID
		for i := range callers {
			r := rotation(sess, t0.Add(time.Minute))
			if i == callers-1 {
				r.Digest = randomBytes(32)
			}
			calls = append(calls, &call{r: r})
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, c := range calls {
		wg.Go(func() {
			<-start
			c.got, c.u, c.err = s.RotateRefresh(ctx, c.r)
		})
	}
	close(start)
	wg.Wait()
	winners := map[uuid.UUID]*call{}
	for i, c := range calls {
		switch {
		case c.err == nil && i%callers == callers-1:
			t.Errorf("a wrong digest rotated session %v", c.r.ID)
		case c.err == nil:
			if c.got.ID != c.r.ID || c.u.ID != users[c.r.ID] || c.got.UserID != c.u.ID {
				t.Errorf("rotation of %v answered session %v of user %v (user read %v), want user %v",
					c.r.ID, c.got.ID, c.got.UserID, c.u.ID, users[c.r.ID])
			}
			if winners[c.r.ID] != nil {
				t.Errorf("session %v rotated twice", c.r.ID)
			}
			winners[c.r.ID] = c
		case !errors.Is(c.err, store.ErrStale):
			t.Errorf("rotation of %v: %v", c.r.ID, c.err)
		}
	}
	for id := range users {
		w := winners[id]
		stored, err := s.GetSession(ctx, id)
		if w == nil || err != nil || stored.Generation != 1 || !bytes.Equal(stored.RefreshDigest, w.r.NextDigest) {
			t.Errorf("session %v: winner %v, stored %+v, %v; want generation 1 with the winner's digest", id, w != nil, stored, err)
		}
	}
}
