package storetest

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// mustCreateUserAt creates a user created at t with the given normalised
// e-mail ("" for a unique one).
func mustCreateUserAt(t testing.TB, s store.Store, at time.Time, email string) *store.User {
	t.Helper()
	u := newUser(t)
	u.CreatedAt, u.UpdatedAt = at, at
	if email != "" {
		u.Email, u.EmailNormalized = email, email
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// walkUsers lists every page of q and returns the ids in the order seen.
func walkUsers(t testing.TB, s store.Store, q store.UserQuery, between func()) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for {
		page, err := s.ListUsers(t.Context(), q)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		for _, u := range page {
			ids = append(ids, u.ID)
		}
		if len(page) < q.Limit {
			return ids
		}
		last := page[len(page)-1]
		q.After = &store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		if between != nil {
			between()
		}
	}
}

func testAdminListUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Two users share a creation time: the id breaks the tie.
	a := mustCreateUserAt(t, s, t0, "ada@example.com")
	b := mustCreateUserAt(t, s, t0.Add(time.Second), "bob@example.com")
	c := mustCreateUserAt(t, s, t0.Add(time.Second), "adam@example.com")
	d := mustCreateUserAt(t, s, t0.Add(time.Minute), "a_b%c@example.com")
	mid := []uuid.UUID{b.ID, c.ID}
	if c.ID.String() > b.ID.String() {
		mid = []uuid.UUID{c.ID, b.ID}
	}
	want := append(append([]uuid.UUID{d.ID}, mid...), a.ID)
	for _, limit := range []int{1, 2, 3, 10} {
		wantEqual(t, "walk", walkUsers(t, s, store.UserQuery{Limit: limit}, nil), want)
	}
	got, err := s.ListUsers(ctx, store.UserQuery{Limit: 10})
	if err != nil || len(got) != 4 {
		t.Fatalf("ListUsers: %d users, %v", len(got), err)
	}
	wantEqual(t, "listed user", &got[0], d)

	for _, tc := range []struct {
		prefix string
		want   []uuid.UUID
	}{
		{"ada", []uuid.UUID{c.ID, a.ID}},
		{"adam@", []uuid.UUID{c.ID}},
		{"a_", []uuid.UUID{d.ID}}, // _ is literal, not "any character"
		{"a_b%", []uuid.UUID{d.ID}},
		{"%", nil},
		{"zed", nil},
	} {
		wantEqual(t, "prefix "+tc.prefix, walkUsers(t, s, store.UserQuery{EmailPrefix: tc.prefix, Limit: 1}, nil), tc.want)
	}
}

// testAdminListUsersConcurrent pages through users while others are
// inserted at random positions of the order: every user that existed at
// the start is seen exactly once.
func testAdminListUsersConcurrent(t *testing.T, s store.Store) {
	existing := map[uuid.UUID]bool{}
	for i := range 40 {
		existing[mustCreateUserAt(t, s, t0.Add(time.Duration(i)*time.Second), "").ID] = true
	}
	var (
		wg       sync.WaitGroup
		inserted int
	)
	stop := make(chan struct{})
	wg.Go(func() {
		// At most maxInserts: on a busy machine an unbounded writer could
		// keep adding users ahead of the listing faster than it pages, so
		// that it never ends (and the database grows without limit).
		const maxInserts = 300
		for inserted < maxInserts {
			select {
			case <-stop:
				return
			default:
			}
			// Anywhere in the existing range, ties included.
			u := newUser(t)
			u.CreatedAt = t0.Add(time.Duration(rand.IntN(41)) * time.Second)
			if err := s.CreateUser(t.Context(), u); err != nil {
				t.Errorf("CreateUser: %v", err)
				return
			}
			inserted++
		}
	})
	seen := map[uuid.UUID]int{}
	for _, id := range walkUsers(t, s, store.UserQuery{Limit: 3}, func() { time.Sleep(2 * time.Millisecond) }) {
		seen[id]++
	}
	close(stop)
	wg.Wait()
	if inserted == 0 {
		t.Fatal("no user was inserted while the listing ran")
	}
	t.Logf("%d users listed, %d inserted meanwhile", len(seen), inserted)
	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %s listed %d times", id, n)
		}
	}
	for id := range existing {
		if seen[id] != 1 {
			t.Errorf("user %s, present from the start, was skipped", id)
		}
	}
}

func testAdminDeleteUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	sess := mustCreateSession(t, s, newSession(u.ID))
	keep := mustCreateSession(t, s, newSession(other.ID))
	if err := s.CreateAuthToken(ctx, newAuthToken(u)); err != nil {
		t.Fatalf("CreateAuthToken: %v", err)
	}
	if err := s.AddAuditEvent(ctx, &store.AuditEvent{Event: "login", UserID: &u.ID, CreatedAt: t0}); err != nil {
		t.Fatalf("AddAuditEvent: %v", err)
	}
	if err := s.DeleteUser(ctx, u.ID, t0); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := s.GetUser(ctx, u.ID)
	wantIs(t, "GetUser after delete", err, store.ErrNotFound)
	_, err = s.GetSession(ctx, sess.ID)
	wantIs(t, "GetSession after delete", err, store.ErrNotFound)
	_, err = s.GetAuthToken(ctx, u.ID)
	wantIs(t, "GetAuthToken after delete", err, store.ErrNotFound)
	if _, err := s.GetSession(ctx, keep.ID); err != nil {
		t.Errorf("another user's session: %v", err)
	}
	if ev, err := s.QueryAuditEvents(ctx, store.AuditQuery{UserID: &u.ID, Limit: 10}); err != nil || len(ev) != 1 {
		t.Errorf("audit events of a deleted user: %d, %v; want them kept", len(ev), err)
	}
	wantIs(t, "DeleteUser again", s.DeleteUser(ctx, u.ID, t0), store.ErrNotFound)
}

func testAdminListSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	mustCreateSession(t, s, newSession(mustCreateUser(t, s).ID)) // another user's
	var all []*store.Session
	for i := range 5 {
		sess := newSession(u.ID)
		sess.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		all = append([]*store.Session{mustCreateSession(t, s, sess)}, all...) // newest first
	}
	if err := s.RevokeSession(ctx, all[1].ID, t0.Add(time.Hour), "admin"); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	revoked, err := s.GetSession(ctx, all[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	all[1] = revoked
	var got []store.Session
	q := store.SessionQuery{UserID: u.ID, Limit: 2}
	for {
		page, err := s.ListSessions(ctx, q)
		if err != nil {
			t.Fatalf("ListSessions: %v", err)
		}
		got = append(got, page...)
		if len(page) < q.Limit {
			break
		}
		q.After = &store.Cursor{CreatedAt: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
	}
	want := make([]store.Session, len(all))
	for i, sess := range all {
		want[i] = *sess
	}
	wantEqual(t, "every session, newest first", got, want)

	at := t0.Add(2 * time.Hour) // past every session's idle hour
	active, err := s.ListSessions(ctx, store.SessionQuery{UserID: u.ID, ActiveAt: &at, Limit: 10})
	if err != nil || len(active) != 0 {
		t.Errorf("sessions active two hours later: %d, %v; want none (idle for an hour)", len(active), err)
	}
	at = t0.Add(30 * time.Minute)
	active, err = s.ListSessions(ctx, store.SessionQuery{UserID: u.ID, ActiveAt: &at, Limit: 10})
	if err != nil || len(active) != 5-1 {
		t.Errorf("sessions active at t0+30m: %d, %v; want the 4 unrevoked ones", len(active), err)
	}
}

// testAdminUpdateUserFlags: only the flags set are written, so a change
// made meanwhile to another field (a new password hash) survives.
func testAdminUpdateUserFlags(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	changed := *u
	changed.PasswordHash, changed.UpdatedAt = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3", t0.Add(time.Minute)
	if err := s.UpdateUser(ctx, &changed); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, err := s.UpdateUserFlags(ctx, u.ID, store.UserFlags{IsActive: ptr(false), UpdatedAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatalf("UpdateUserFlags: %v", err)
	}
	want := changed
	want.IsActive, want.UpdatedAt = false, t0.Add(time.Hour)
	wantEqual(t, "after deactivation", got, &want)

	verified := t0.Add(2 * time.Hour)
	got, err = s.UpdateUserFlags(ctx, u.ID, store.UserFlags{IsAdmin: ptr(true), SetEmailVerified: true,
		EmailVerifiedAt: &verified, UpdatedAt: verified})
	if err != nil {
		t.Fatalf("UpdateUserFlags: %v", err)
	}
	want.IsAdmin, want.EmailVerifiedAt, want.UpdatedAt = true, &verified, verified
	wantEqual(t, "after promotion and verification", got, &want)
	stored, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "GetUser", stored, &want)

	got, err = s.UpdateUserFlags(ctx, u.ID, store.UserFlags{SetEmailVerified: true, UpdatedAt: verified})
	if err != nil || got.EmailVerifiedAt != nil || !got.IsAdmin || got.IsActive {
		t.Fatalf("clearing the verification: %+v, %v", got, err)
	}
	_, err = s.UpdateUserFlags(ctx, uuid.New(), store.UserFlags{IsActive: ptr(true), UpdatedAt: t0})
	wantIs(t, "UpdateUserFlags(unknown)", err, store.ErrNotFound)
}
