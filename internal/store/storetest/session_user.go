package storetest

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// testSessionAndUser: one read returns exactly what the two separate reads
// return.
func testSessionAndUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	sess := mustCreateSession(t, s, newSession(u.ID))
	gotS, gotU, err := s.GetSessionAndUser(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantS, _ := s.GetSession(ctx, sess.ID)
	wantU, _ := s.GetUser(ctx, u.ID)
	wantEqual(t, "session", gotS, wantS)
	wantEqual(t, "user", gotU, wantU)
	if _, _, err := s.GetSessionAndUser(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown session: %v, want ErrNotFound", err)
	}
}
