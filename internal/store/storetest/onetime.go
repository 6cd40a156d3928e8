package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func newOneTime(u *store.User, purpose string) *store.OneTimeToken {
	return &store.OneTimeToken{
		ID: uuid.New(), UserID: u.ID, Purpose: purpose, TokenHash: randomBytes(32),
		ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
	}
}

func mustCreateOneTime(t testing.TB, s store.Store, tok *store.OneTimeToken) *store.OneTimeToken {
	t.Helper()
	if err := s.CreateOneTimeToken(t.Context(), tok); err != nil {
		t.Fatalf("CreateOneTimeToken: %v", err)
	}
	return tok
}

func testOneTimeCreateGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	tok := newOneTime(u, store.PurposeChangeEmail)
	tok.Email = "New@Example.com"
	want := *tok
	mustCreateOneTime(t, s, tok)
	wantEqual(t, "created", *tok, want)
	got, err := s.GetOneTimeTokenByHash(ctx, want.TokenHash)
	if err != nil {
		t.Fatalf("get by hash: %v", err)
	}
	wantEqual(t, "read back", *got, want)

	reset := mustCreateOneTime(t, s, newOneTime(u, store.PurposeResetPassword))
	if got, err := s.GetOneTimeTokenByHash(ctx, reset.TokenHash); err != nil || got.Email != "" || got.UsedAt != nil {
		t.Fatalf("token without e-mail = %+v, %v", got, err)
	}
	for name, hash := range map[string][]byte{"unknown": randomBytes(32), "nil": nil, "empty": {}} {
		if _, err := s.GetOneTimeTokenByHash(ctx, hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s hash: got %v, want ErrNotFound", name, err)
		}
	}
	other := mustCreateUser(t, s)
	dup := newOneTime(other, store.PurposeVerifyEmail)
	dup.TokenHash = want.TokenHash
	var ce *store.ConflictError
	if err := s.CreateOneTimeToken(ctx, dup); !errors.As(err, &ce) || ce.Field != "token_hash" {
		t.Fatalf("taken hash: got %v, want conflict on token_hash", err)
	}
	orphan := newOneTime(&store.User{ID: uuid.New()}, store.PurposeVerifyEmail)
	if err := s.CreateOneTimeToken(ctx, orphan); err == nil {
		t.Fatal("a token of an unknown user was stored")
	}
}

// testOneTimeSupersede: a new token of a user and purpose replaces the
// older ones; other purposes and other users keep theirs.
func testOneTimeSupersede(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	first := mustCreateOneTime(t, s, newOneTime(u, store.PurposeResetPassword))
	verify := mustCreateOneTime(t, s, newOneTime(u, store.PurposeVerifyEmail))
	theirs := mustCreateOneTime(t, s, newOneTime(other, store.PurposeResetPassword))
	second := newOneTime(u, store.PurposeResetPassword)
	second.CreatedAt = t0.Add(time.Second)
	mustCreateOneTime(t, s, second)

	if _, err := s.GetOneTimeTokenByHash(ctx, first.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("superseded token: got %v, want ErrNotFound", err)
	}
	wantIs(t, "use superseded token", s.UseOneTimeToken(ctx, first.ID, t0), store.ErrNotFound)
	for _, tok := range []*store.OneTimeToken{second, verify, theirs} {
		if err := s.UseOneTimeToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
			t.Errorf("use %s token of %s: %v", tok.Purpose, tok.UserID, err)
		}
	}
}

func testOneTimeUse(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	tok := mustCreateOneTime(t, s, newOneTime(u, store.PurposeVerifyEmail))
	at := t0.Add(30 * time.Minute)
	if err := s.UseOneTimeToken(ctx, tok.ID, at); err != nil {
		t.Fatalf("use: %v", err)
	}
	got, err := s.GetOneTimeTokenByHash(ctx, tok.TokenHash)
	if err != nil || got.UsedAt == nil {
		t.Fatalf("after use = %+v, %v", got, err)
	}
	wantTime(t, "used_at", *got.UsedAt, at)
	wantIs(t, "use twice", s.UseOneTimeToken(ctx, tok.ID, at), store.ErrStale)
	wantIs(t, "unknown id", s.UseOneTimeToken(ctx, uuid.New(), at), store.ErrNotFound)

	expiring := mustCreateOneTime(t, s, newOneTime(u, store.PurposeResetPassword))
	wantIs(t, "use at expiry", s.UseOneTimeToken(ctx, expiring.ID, expiring.ExpiresAt), store.ErrStale)
	wantIs(t, "use after expiry", s.UseOneTimeToken(ctx, expiring.ID, expiring.ExpiresAt.Add(time.Microsecond)), store.ErrStale)
	if err := s.UseOneTimeToken(ctx, expiring.ID, expiring.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Fatalf("use just before expiry: %v", err)
	}
}

// testOneTimeUseConcurrent: of many simultaneous uses of one token exactly
// one wins.
func testOneTimeUseConcurrent(t *testing.T, s store.Store) {
	u := mustCreateUser(t, s)
	tok := mustCreateOneTime(t, s, newOneTime(u, store.PurposeResetPassword))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.UseOneTimeToken(context.Background(), tok.ID, t0.Add(time.Minute))
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrStale):
			t.Errorf("loser got %v, want ErrStale", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners, want exactly 1", wins)
	}
}

func testOneTimeDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	reset := mustCreateOneTime(t, s, newOneTime(u, store.PurposeResetPassword))
	verify := mustCreateOneTime(t, s, newOneTime(u, store.PurposeVerifyEmail))
	change := mustCreateOneTime(t, s, newOneTime(u, store.PurposeChangeEmail))
	theirs := mustCreateOneTime(t, s, newOneTime(other, store.PurposeResetPassword))

	if n, err := s.DeleteOneTimeTokens(ctx, u.ID, store.PurposeResetPassword); err != nil || n != 1 {
		t.Fatalf("delete one purpose = %d, %v; want 1", n, err)
	}
	if _, err := s.GetOneTimeTokenByHash(ctx, reset.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted token: %v", err)
	}
	if _, err := s.GetOneTimeTokenByHash(ctx, verify.TokenHash); err != nil {
		t.Errorf("other purpose deleted too: %v", err)
	}
	if n, err := s.DeleteOneTimeTokens(ctx, u.ID, ""); err != nil || n != 2 {
		t.Fatalf("delete all purposes = %d, %v; want 2", n, err)
	}
	if _, err := s.GetOneTimeTokenByHash(ctx, change.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token left after delete all: %v", err)
	}
	if _, err := s.GetOneTimeTokenByHash(ctx, theirs.TokenHash); err != nil {
		t.Errorf("another user's token deleted: %v", err)
	}
	if n, err := s.DeleteOneTimeTokens(ctx, u.ID, ""); err != nil || n != 0 {
		t.Fatalf("delete nothing = %d, %v", n, err)
	}
}

// testOneTimeOfUser: a user's token of one purpose is found by user and
// purpose, the newest after a supersede, used or not; another purpose or
// another user's token is not.
func testOneTimeOfUser(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	if _, err := s.GetUserOneTimeToken(ctx, u.ID, store.PurposeChangeEmail); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no token: got %v, want ErrNotFound", err)
	}
	mustCreateOneTime(t, s, newOneTime(other, store.PurposeChangeEmail))
	mustCreateOneTime(t, s, newOneTime(u, store.PurposeVerifyEmail))
	first := newOneTime(u, store.PurposeChangeEmail)
	first.Email = "first@example.com"
	mustCreateOneTime(t, s, first)
	second := newOneTime(u, store.PurposeChangeEmail)
	second.Email, second.CreatedAt = "second@example.com", t0.Add(time.Second)
	want := *mustCreateOneTime(t, s, second)
	got, err := s.GetUserOneTimeToken(ctx, u.ID, store.PurposeChangeEmail)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "newest", *got, want)
	if err := s.UseOneTimeToken(ctx, second.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetUserOneTimeToken(ctx, u.ID, store.PurposeChangeEmail); err != nil || got.UsedAt == nil {
		t.Fatalf("used token = %+v, %v; want it, marked used", got, err)
	}
	if _, err := s.GetUserOneTimeToken(ctx, u.ID, store.PurposeResetPassword); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other purpose: got %v, want ErrNotFound", err)
	}
}
