package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// testRevocationFeed: revoked sessions come back in (revoked_at, id) order
// from a position, unrevoked ones never, and paging one row at a time
// neither skips nor repeats rows that share a revocation time.
func testRevocationFeed(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	var revoked []uuid.UUID
	for i := 0; i < 4; i++ {
		sess := mustCreateSession(t, s, newSession(u.ID))
		at := t0.Add(time.Minute)
		if i == 3 {
			at = t0.Add(2 * time.Minute)
		}
		if err := s.RevokeSession(ctx, sess.ID, at, "test"); err != nil {
			t.Fatal(err)
		}
		revoked = append(revoked, sess.ID)
	}
	mustCreateSession(t, s, newSession(u.ID)) // active: never listed

	all, err := s.ListRevocations(ctx, t0, uuid.Nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("got %d revocations, want 4", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if b.RevokedAt.Before(a.RevokedAt) || (b.RevokedAt.Equal(a.RevokedAt) && b.SessionID.String() <= a.SessionID.String()) {
			t.Fatalf("not in (revoked_at, id) order: %v then %v", a, b)
		}
	}
	if last := all[3]; last.SessionID != revoked[3] || !last.RevokedAt.Equal(t0.Add(2*time.Minute)) || last.AccessTTL != 0 {
		t.Fatalf("last = %+v", last)
	}

	seen := map[uuid.UUID]bool{}
	since, after := t0, uuid.Nil
	for page := 0; page < 10; page++ {
		got, err := s.ListRevocations(ctx, since, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		if seen[got[0].SessionID] {
			t.Fatalf("page %d repeats %v", page, got[0].SessionID)
		}
		seen[got[0].SessionID] = true
		since, after = got[0].RevokedAt, got[0].SessionID
	}
	if len(seen) != 4 {
		t.Fatalf("paging saw %d of 4", len(seen))
	}
	if got, _ := s.ListRevocations(ctx, t0.Add(2*time.Minute), revoked[3], 10); len(got) != 0 {
		t.Fatalf("after the last position: %v", got)
	}
}
