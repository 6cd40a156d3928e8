package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// revokedAt creates a session of u on client, revoked at at unless at is
// zero.
func revokedAt(t testing.TB, s store.Store, u *store.User, client string, at time.Time) uuid.UUID {
	t.Helper()
	sess := newSession(u.ID)
	sess.ClientID = client
	mustCreateSession(t, s, sess)
	if !at.IsZero() {
		if err := s.RevokeSession(t.Context(), sess.ID, at, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return sess.ID
}

// byPosition sorts revocations the way the feed lists them.
func byPosition(list []store.Revocation) {
	slices.SortFunc(list, func(a, b store.Revocation) int {
		if c := a.RevokedAt.Compare(b.RevokedAt); c != 0 {
			return c
		}
		return slices.Compare(a.SessionID[:], b.SessionID[:])
	})
}

// testRevocationFeedKeepsDeleted: deleting a user or a client leaves every
// session it removed in the feed (an unrevoked one as revoked at the
// deletion, a revoked one at its own time, with its client's access TTL),
// merged in (revoked_at, id) order with sessions revoked in place, and
// paging one row at a time visits each exactly once.
func testRevocationFeedKeepsDeleted(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.CreateClient(ctx, newClient("kiosk")); err != nil {
		t.Fatal(err)
	}
	ttl := newClient("kiosk").AccessTTL
	gone, stays, kioskUser := mustCreateUser(t, s), mustCreateUser(t, s), mustCreateUser(t, s)
	loggedOut := revokedAt(t, s, gone, store.DefaultClientID, t0.Add(time.Minute))
	live := revokedAt(t, s, gone, store.DefaultClientID, time.Time{})
	liveKiosk := revokedAt(t, s, gone, "kiosk", time.Time{})
	kioskOut := revokedAt(t, s, kioskUser, "kiosk", t0.Add(2*time.Minute))
	kioskLive := revokedAt(t, s, kioskUser, "kiosk", time.Time{})
	inPlace := revokedAt(t, s, stays, store.DefaultClientID, t0.Add(3*time.Minute))
	revokedAt(t, s, stays, store.DefaultClientID, time.Time{}) // active: never listed

	if err := s.DeleteUser(ctx, gone.ID, t0.Add(3*time.Minute)); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.DeleteClient(ctx, "kiosk", t0.Add(4*time.Minute)); err != nil {
		t.Fatalf("DeleteClient: %v", err)
	}
	want := []store.Revocation{
		{SessionID: loggedOut, RevokedAt: t0.Add(time.Minute)},
		{SessionID: kioskOut, RevokedAt: t0.Add(2 * time.Minute), AccessTTL: ttl},
		{SessionID: live, RevokedAt: t0.Add(3 * time.Minute)},
		{SessionID: liveKiosk, RevokedAt: t0.Add(3 * time.Minute), AccessTTL: ttl},
		{SessionID: inPlace, RevokedAt: t0.Add(3 * time.Minute)},
		{SessionID: kioskLive, RevokedAt: t0.Add(4 * time.Minute), AccessTTL: ttl},
	}
	byPosition(want)
	got, err := s.ListRevocations(ctx, t0, uuid.Nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "feed after deleting a user and a client", got, want)

	var paged []store.Revocation
	since, after := t0, uuid.Nil
	for range 2 * len(want) {
		page, err := s.ListRevocations(ctx, since, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		since, after = page[0].RevokedAt, page[0].SessionID
	}
	wantEqual(t, "feed paged one row at a time", paged, want)
}

// testPruneSessions: sessions that ended before the cut (revoked, idle- or
// absolutely expired) go; those that ended later, or are active, stay.
func testPruneSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	cut := t0.Add(2 * time.Hour)
	session := func(idle, abs time.Duration, revoked time.Duration) uuid.UUID {
		sess := newSession(u.ID)
		sess.IdleExpiresAt, sess.ExpiresAt = t0.Add(idle), t0.Add(abs)
		mustCreateSession(t, s, sess)
		if revoked > 0 {
			if err := s.RevokeSession(ctx, sess.ID, t0.Add(revoked), "test"); err != nil {
				t.Fatal(err)
			}
		}
		return sess.ID
	}
	day := 24 * time.Hour
	pruned := []uuid.UUID{
		session(2*day, 3*day, time.Hour),          // revoked before the cut
		session(time.Hour, 3*day, 0),              // idle-expired before it
		session(2*day, 90*time.Minute, 0),         // absolute lifetime over before it
		session(time.Hour, 3*day, 30*time.Minute), // revoked, then idle-expired
	}
	kept := []uuid.UUID{
		session(2*day, 3*day, 3*time.Hour), // revoked after the cut
		session(150*time.Minute, 3*day, 0), // idle expiry after it
		session(2*day, 3*day, 0),           // active
		session(2*day, 3*day, 2*time.Hour), // revoked at the cut itself
	}
	n, err := s.PruneSessions(ctx, cut)
	if err != nil || n != int64(len(pruned)) {
		t.Fatalf("PruneSessions = %d, %v; want %d", n, err, len(pruned))
	}
	for i, id := range pruned {
		_, err := s.GetSession(ctx, id)
		wantIs(t, fmt.Sprintf("pruned session %d", i), err, store.ErrNotFound)
	}
	for i, id := range kept {
		if _, err := s.GetSession(ctx, id); err != nil {
			t.Errorf("kept session %d: %v", i, err)
		}
	}
	if n, err := s.PruneSessions(ctx, cut); err != nil || n != 0 {
		t.Errorf("PruneSessions again = %d, %v; want 0", n, err)
	}
}

// testPruneTombstones: tombstones revoked before the cut leave the feed,
// later ones stay in it.
func testPruneTombstones(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	early := revokedAt(t, s, u, store.DefaultClientID, t0.Add(time.Minute))
	late := revokedAt(t, s, u, store.DefaultClientID, time.Time{})
	if err := s.DeleteUser(ctx, u.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneSessionTombstones(ctx, t0.Add(30*time.Minute)); err != nil || n != 1 {
		t.Fatalf("PruneSessionTombstones = %d, %v; want 1", n, err)
	}
	got, err := s.ListRevocations(ctx, t0.Add(-time.Hour), uuid.Nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "feed after the prune", got, []store.Revocation{{SessionID: late, RevokedAt: t0.Add(time.Hour)}})
	if slices.ContainsFunc(got, func(r store.Revocation) bool { return r.SessionID == early }) {
		t.Errorf("pruned tombstone %s still listed", early)
	}
	if n, err := s.PruneSessionTombstones(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("second PruneSessionTombstones = %d, %v; want 1", n, err)
	}
}

// testPruneOneTimeTokens: tokens that expired before the cut go, used or
// not; tokens still valid at the cut stay.
func testPruneOneTimeTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	unused := mustCreateOneTime(t, s, newOneTime(mustCreateUser(t, s), store.PurposeResetPassword))
	used := mustCreateOneTime(t, s, newOneTime(mustCreateUser(t, s), store.PurposeVerifyEmail))
	if err := s.UseOneTimeToken(ctx, used.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	valid := newOneTime(mustCreateUser(t, s), store.PurposeResetPassword)
	valid.ExpiresAt = t0.Add(3 * time.Hour)
	mustCreateOneTime(t, s, valid)

	if n, err := s.PruneOneTimeTokens(ctx, t0.Add(2*time.Hour)); err != nil || n != 2 {
		t.Fatalf("PruneOneTimeTokens = %d, %v; want 2", n, err)
	}
	for _, tok := range []*store.OneTimeToken{unused, used} {
		_, err := s.GetOneTimeTokenByHash(ctx, tok.TokenHash)
		wantIs(t, "expired token "+tok.Purpose, err, store.ErrNotFound)
	}
	if _, err := s.GetOneTimeTokenByHash(ctx, valid.TokenHash); err != nil {
		t.Errorf("valid token: %v", err)
	}
}

// testPruneLoginThrottles: a counter whose window is over goes; one whose
// window is open stays, with its count.
func testPruneLoginThrottles(t *testing.T, s store.Store) {
	ctx := t.Context()
	window := 15 * time.Minute
	for _, f := range []struct {
		key string
		at  time.Time
	}{{"account:over@example.com", t0}, {"account:open@example.com", t0.Add(10 * time.Minute)}} {
		if _, err := s.RecordLoginFailure(ctx, f.key, f.at, f.at.Add(-window)); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(window + 5*time.Minute)
	if n, err := s.PruneLoginThrottles(ctx, now.Add(-window)); err != nil || n != 1 {
		t.Fatalf("PruneLoginThrottles = %d, %v; want 1", n, err)
	}
	got, err := s.LoginThrottles(ctx, []string{"account:over@example.com", "account:open@example.com"}, t0.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "counters left", got, []store.LoginThrottle{
		{Key: "account:open@example.com", Failures: 1, WindowStart: t0.Add(10 * time.Minute)}})
}

// testPruneBatches: a backlog larger than any one batch is deleted by one
// call.
func testPruneBatches(t *testing.T, s store.Store) {
	ctx := t.Context()
	const backlog = 2345
	for i := range backlog {
		if _, err := s.RecordLoginFailure(ctx, fmt.Sprintf("ip:192.0.%d.%d", i/256, i%256), t0, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.PruneLoginThrottles(ctx, t0); err != nil || n != backlog {
		t.Fatalf("PruneLoginThrottles = %d, %v; want %d", n, err, backlog)
	}
}

// testDeleteUserRacesLogin: sessions created while their user is being
// deleted either fail (the user is gone) or leave a tombstone: none is
// removed without one.
func testDeleteUserRacesLogin(t *testing.T, s store.Store) {
	ctx := t.Context()
	for round := range 10 {
		u := mustCreateUser(t, s)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created []uuid.UUID
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sess := newSession(u.ID)
				if err := s.CreateSession(ctx, sess); err == nil {
					mu.Lock()
					created = append(created, sess.ID)
					mu.Unlock()
				}
			}()
		}
		if err := s.DeleteUser(ctx, u.ID, t0.Add(time.Duration(round)*time.Hour)); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		wg.Wait()
		feed, err := s.ListRevocations(ctx, t0.Add(-time.Hour), uuid.Nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range created {
			if _, err := s.GetSession(ctx, id); err == nil {
				t.Errorf("round %d: session %s outlived its deleted user", round, id)
			}
			if !slices.ContainsFunc(feed, func(r store.Revocation) bool { return r.SessionID == id }) {
				t.Errorf("round %d: session %s was removed without a tombstone", round, id)
			}
		}
	}
}
