package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func testUserCreateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t)
	u.Username, u.UsernameNormalized = ptr("Alice"), ptr("alice")
	u.IsAdmin = true
	u.EmailVerifiedAt = ptr(t0.Add(time.Minute))
	u.FailedLogins = 3
	u.FirstName, u.LastName = "Ada", "Lovelace-Byron ☃"
	u.ExternalID = ptr("django:7")
	u.Groups = []string{"editors", "billing"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for _, tc := range []struct {
		name string
		get  func() (*store.User, error)
	}{
		{"GetUser", func() (*store.User, error) { return s.GetUser(ctx, u.ID) }},
		{"GetUserByEmail", func() (*store.User, error) { return s.GetUserByEmail(ctx, u.EmailNormalized) }},
		{"GetUserByUsername", func() (*store.User, error) { return s.GetUserByUsername(ctx, "alice") }},
	} {
		got, err := tc.get()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		wantEqual(t, tc.name, got, u)
	}
	// Look-ups use the normalised value only.
	if _, err := s.GetUserByEmail(ctx, u.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetUserByEmail(raw e-mail): got %v, want ErrNotFound", err)
	}
}

func testUserNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateUser(t, s)
	_, err := s.GetUser(ctx, uuid.New())
	wantIs(t, "GetUser", err, store.ErrNotFound)
	_, err = s.GetUserByEmail(ctx, "nobody@example.com")
	wantIs(t, "GetUserByEmail", err, store.ErrNotFound)
	_, err = s.GetUserByUsername(ctx, "nobody")
	wantIs(t, "GetUserByUsername", err, store.ErrNotFound)
	wantIs(t, "UpdateUser", s.UpdateUser(ctx, newUser(t)), store.ErrNotFound)
}

// wantConflict checks that err is a *store.ConflictError on field and that
// errors.Is(err, store.ErrConflict) holds.
func wantConflict(t testing.TB, what string, err error, field string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got %v, want a *store.ConflictError", what, err)
	}
	if ce.Field != field {
		t.Errorf("%s: conflict on %q, want %q", what, ce.Field, field)
	}
	wantIs(t, what, err, store.ErrConflict)
}

func testUserEmailConflict(t *testing.T, s store.Store) {
	a := mustCreateUser(t, s)
	b := newUser(t)
	// The caller normalises: another spelling, the same normalised value.
	b.Email, b.EmailNormalized = "ALICE@example.com", a.EmailNormalized
	wantConflict(t, "CreateUser", s.CreateUser(t.Context(), b), "email")
	if _, err := s.GetUser(t.Context(), b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetUser after conflict: got %v, want ErrNotFound", err)
	}
}

func testUserUsernameConflict(t *testing.T, s store.Store) {
	a := newUser(t)
	a.Username, a.UsernameNormalized = ptr("Admin"), ptr("admin")
	if err := s.CreateUser(t.Context(), a); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	b := newUser(t)
	b.Username, b.UsernameNormalized = ptr("ＡＤＭＩＮ"), ptr("admin")
	wantConflict(t, "CreateUser", s.CreateUser(t.Context(), b), "username")
}

func testUserWithoutUsernames(t *testing.T, s store.Store) {
	a, b := mustCreateUser(t, s), mustCreateUser(t, s)
	for _, u := range []*store.User{a, b} {
		got, err := s.GetUser(t.Context(), u.ID)
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if got.Username != nil || got.UsernameNormalized != nil {
			t.Errorf("username: got %v/%v, want nil", got.Username, got.UsernameNormalized)
		}
	}
}

func testUserIDConflict(t *testing.T, s store.Store) {
	a := mustCreateUser(t, s)
	b := newUser(t)
	b.ID = a.ID
	wantIs(t, "CreateUser", s.CreateUser(t.Context(), b), store.ErrConflict)
}

func testUserUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t)
	u.EmailVerifiedAt = ptr(t0)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	later := t0.Add(90 * time.Minute)
	want := *u
	want.Email, want.EmailNormalized = "New@Example.com", "new@example.com"
	want.Username, want.UsernameNormalized = ptr("Bob"), ptr("bob")
	want.PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3"
	want.IsActive, want.IsAdmin = false, true
	want.EmailVerifiedAt = nil
	want.UpdatedAt, want.PasswordChangedAt = later, later
	want.LastLoginAt, want.LockedUntil = ptr(later), ptr(later.Add(15*time.Minute))
	want.FailedLogins = 10
	want.FirstName, want.LastName = "Grace", "Hopper"
	want.ExternalID = ptr("generic:grace")
	want.Groups = []string{"staff"}

	upd := want
	upd.CreatedAt = later // must be ignored
	if err := s.UpdateUser(ctx, &upd); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	wantEqual(t, "GetUser after UpdateUser", got, &want)
	if _, err := s.GetUserByEmail(ctx, u.EmailNormalized); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old e-mail still finds the user: %v", err)
	}
}

// testUserExternalIDConflict: an imported account's external id is unique
// (a second import must update, never duplicate); accounts made here,
// without one, never collide.
func testUserExternalIDConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newUser(t)
	a.ExternalID = ptr("django:1")
	if err := s.CreateUser(ctx, a); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	b := newUser(t)
	b.ExternalID = ptr("django:1")
	wantConflict(t, "CreateUser(same external id)", s.CreateUser(ctx, b), "external_id")
	c := mustCreateUser(t, s)
	c.ExternalID = ptr("django:1")
	wantConflict(t, "UpdateUser(same external id)", s.UpdateUser(ctx, c), "external_id")
	mustCreateUser(t, s) // a second account with no external id
}

func testUserUpdateConflict(t *testing.T, s store.Store) {
	a := newUser(t)
	a.Username, a.UsernameNormalized = ptr("carol"), ptr("carol")
	if err := s.CreateUser(t.Context(), a); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	b := mustCreateUser(t, s)

	byEmail := *b
	byEmail.EmailNormalized = a.EmailNormalized
	wantConflict(t, "UpdateUser(email)", s.UpdateUser(t.Context(), &byEmail), "email")

	byName := *b
	byName.Username, byName.UsernameNormalized = ptr("Carol"), ptr("carol")
	wantConflict(t, "UpdateUser(username)", s.UpdateUser(t.Context(), &byName), "username")

	got, err := s.GetUser(t.Context(), b.ID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	wantEqual(t, "user after failed updates", got, b)
}

// testUserRecordLogin: a login is stamped on an active user only, the
// hash is upgraded only from the one that was verified, and the throttle
// key it names is cleared, and no other.
func testUserRecordLogin(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	at := t0.Add(time.Hour)
	record := func(oldHash, newHash, clear string) (*store.User, error) {
		return s.RecordLogin(ctx, store.LoginRecord{ID: u.ID, Now: at, OldHash: oldHash, NewHash: newHash, ClearThrottle: clear})
	}
	got, err := record(u.PasswordHash, "", "")
	if err != nil || got.LastLoginAt == nil || !got.LastLoginAt.Equal(at) || got.PasswordHash != u.PasswordHash {
		t.Fatalf("plain login: %+v, %v", got, err)
	}
	if got, _ = record("stale-hash", "$argon2id$new", ""); got.PasswordHash != u.PasswordHash {
		t.Fatal("a rehash from a hash that changed meanwhile must not land")
	}
	if got, _ = record(u.PasswordHash, "$argon2id$new", ""); got.PasswordHash != "$argon2id$new" {
		t.Fatal("the rehash from the verified hash must land")
	}

	account, other := "account:"+u.EmailNormalized, "account:someone-else"
	for _, k := range []string{account, account, other} {
		if _, err := s.RecordLoginFailure(ctx, k, at, at.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err = record(got.PasswordHash, "", account); err != nil || got.LastLoginAt == nil || !got.LastLoginAt.Equal(at) {
		t.Fatalf("login clearing its throttle: %+v, %v", got, err)
	}
	left, err := s.LoginThrottles(ctx, []string{account, other}, at.Add(-time.Hour))
	if err != nil || len(left) != 1 || left[0].Key != other || left[0].Failures != 1 {
		t.Fatalf("after a login clearing %q: counters %+v, %v; want only %q's single failure", account, left, err, other)
	}

	got.IsActive = false
	if err := s.UpdateUser(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordLoginFailure(ctx, account, at, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := record(got.PasswordHash, "", account); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("login of a deactivated user: %v, want ErrNotFound", err)
	}
	if left, err := s.LoginThrottles(ctx, []string{account}, at.Add(-time.Hour)); err != nil || len(left) != 0 {
		t.Fatalf("a deactivated user's login still clears its counter: %+v, %v", left, err)
	}
}
