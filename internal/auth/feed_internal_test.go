package auth

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestRevocationFeedPassesABurst: more than a page of sessions revoked in
// the same instant (one client's deletion, a user signed out everywhere) is
// followed to its end. Before, each answer re-sent the look-back window,
// which the burst filled, and the cursor never moved: the rest never
// reached a verifier.
func TestRevocationFeedPassesABurst(t *testing.T) {
	defer func(n int) { feedPage = n }(feedPage)
	feedPage = 4
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Now().UTC().Truncate(time.Second)
		s := New(Deps{Store: db, Now: func() time.Time { return now }})
		u := &store.User{ID: uuid.New(), Email: "burst@example.com", EmailNormalized: "burst@example.com",
			PasswordHash: "x", IsActive: true, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now}
		if err := db.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		revokedAt := now.Add(-time.Second)
		want := map[uuid.UUID]bool{}
		for range 2*feedPage + 2 {
			sess := &store.Session{ID: uuid.New(), UserID: u.ID, ClientID: store.DefaultClientID, Kind: store.SessionKindJWT,
				CreatedAt: now.Add(-time.Hour), LastUsedAt: now.Add(-time.Hour), IdleExpiresAt: now.Add(time.Hour),
				ExpiresAt: now.Add(time.Hour), RevokedAt: &revokedAt, RevokedReason: "logout", Nonce: []byte("n"),
				RotatedAt: now.Add(-time.Hour)}
			if err := db.CreateSession(t.Context(), sess); err != nil {
				t.Fatal(err)
			}
			want[sess.ID] = true
		}
		got, cursor := map[uuid.UUID]bool{}, ""
		for i := 0; len(got) < len(want); i++ {
			if i == 10 {
				t.Fatalf("after %d answers the feed gave %d of %d revocations", i, len(got), len(want))
			}
			f, err := s.Revocations(t.Context(), cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range f.Revocations {
				if !want[r.SessionID] {
					t.Fatalf("unexpected session %s", r.SessionID)
				}
				got[r.SessionID] = true
			}
			cursor = f.Cursor
		}
	})
}
