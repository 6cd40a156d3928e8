package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

func newAuthToken(u *store.User) *store.AuthToken {
	return &store.AuthToken{UserID: u.ID, KeyHash: randomBytes(32), Nonce: randomBytes(32), Prefix: "tsk_abcdef", CreatedAt: t0}
}

func testAuthTokenLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	if _, err := s.GetAuthToken(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no token yet: got %v, want ErrNotFound", err)
	}
	tok := newAuthToken(u)
	if err := s.CreateAuthToken(ctx, tok); err != nil {
		t.Fatalf("create: %v", err)
	}
	byUser, err := s.GetAuthToken(ctx, u.ID)
	if err != nil || !bytes.Equal(byUser.Nonce, tok.Nonce) || byUser.Prefix != "tsk_abcdef" || !byUser.CreatedAt.Equal(t0) || byUser.LastUsedAt != nil {
		t.Fatalf("get by user = %+v, %v", byUser, err)
	}
	byHash, err := s.GetAuthTokenByHash(ctx, tok.KeyHash)
	if err != nil || byHash.UserID != u.ID {
		t.Fatalf("get by hash = %+v, %v", byHash, err)
	}
	if _, err := s.GetAuthTokenByHash(ctx, randomBytes(32)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown hash: %v", err)
	}
	withUser, owner, err := s.GetAuthTokenAndUser(ctx, tok.KeyHash)
	if err != nil {
		t.Fatalf("get with user: %v", err)
	}
	wantEqual(t, "GetAuthTokenAndUser token", withUser, byHash)
	wantEqual(t, "GetAuthTokenAndUser user", owner, u)
	for _, h := range [][]byte{randomBytes(32), nil} {
		if _, _, err := s.GetAuthTokenAndUser(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetAuthTokenAndUser(%x): %v, want ErrNotFound", h, err)
		}
	}
	second := newAuthToken(u)
	var ce *store.ConflictError
	if err := s.CreateAuthToken(ctx, second); !errors.As(err, &ce) || ce.Field != "user_id" {
		t.Fatalf("second token for one user: %v, want conflict on user_id", err)
	}
	used := t0.Add(time.Minute)
	if err := s.TouchAuthToken(ctx, u.ID, used); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetAuthToken(ctx, u.ID); got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) {
		t.Fatalf("last used = %v, want %v", got.LastUsedAt, used)
	}
	if err := s.DeleteAuthToken(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAuthToken(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := s.GetAuthTokenByHash(ctx, tok.KeyHash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted token still found: %v", err)
	}
	if err := s.CreateAuthToken(ctx, second); err != nil {
		t.Fatalf("new token after delete: %v", err)
	}
}
