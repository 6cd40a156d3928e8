package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func recoveryCodes(u *store.User, n int) []store.RecoveryCode {
	codes := make([]store.RecoveryCode, n)
	for i := range codes {
		codes[i] = store.RecoveryCode{UserID: u.ID, CodeHash: randomBytes(32), CreatedAt: t0}
	}
	return codes
}

func testTOTPLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	if _, err := s.GetTOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no secret yet: got %v, want ErrNotFound", err)
	}
	if err := s.ConfirmTOTP(ctx, u.ID, randomBytes(40), t0, 1, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("confirm without secret: got %v, want ErrNotFound", err)
	}
	first := &store.TOTP{UserID: u.ID, SecretEnc: randomBytes(40), CreatedAt: t0}
	if err := s.SaveTOTP(ctx, first); err != nil {
		t.Fatalf("save: %v", err)
	}
	// A second enrolment before confirming replaces the pending secret.
	second := &store.TOTP{UserID: u.ID, SecretEnc: randomBytes(40), CreatedAt: t0.Add(time.Minute)}
	if err := s.SaveTOTP(ctx, second); err != nil {
		t.Fatalf("save again: %v", err)
	}
	got, err := s.GetTOTP(ctx, u.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "pending secret", *got, *second)
	if err := s.UseTOTPStep(ctx, u.ID, 5); !errors.Is(err, store.ErrStale) {
		t.Fatalf("step of a pending secret: got %v, want ErrStale", err)
	}
	codes := recoveryCodes(u, 10)
	// A code checked against the secret an enrolment replaced meanwhile
	// confirms nothing.
	if err := s.ConfirmTOTP(ctx, u.ID, first.SecretEnc, t0.Add(2*time.Minute), 100, codes); !errors.Is(err, store.ErrStale) {
		t.Fatalf("confirm the replaced secret: got %v, want ErrStale", err)
	}
	if got, _ := s.GetTOTP(ctx, u.ID); got.ConfirmedAt != nil {
		t.Fatal("confirming the replaced secret confirmed the pending one")
	}
	if err := s.ConfirmTOTP(ctx, u.ID, second.SecretEnc, t0.Add(2*time.Minute), 100, codes); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if err := s.ConfirmTOTP(ctx, u.ID, second.SecretEnc, t0.Add(3*time.Minute), 101, nil); !errors.Is(err, store.ErrStale) {
		t.Fatalf("confirm twice: got %v, want ErrStale", err)
	}
	got, _ = s.GetTOTP(ctx, u.ID)
	if got.ConfirmedAt == nil || got.LastStep != 100 {
		t.Fatalf("confirmed = %+v, want confirmed at step 100", got)
	}
	wantTime(t, "confirmed_at", *got.ConfirmedAt, t0.Add(2*time.Minute))
	var ce *store.ConflictError
	if err := s.SaveTOTP(ctx, &store.TOTP{UserID: u.ID, SecretEnc: randomBytes(40), CreatedAt: t0}); !errors.As(err, &ce) || ce.Field != "totp" {
		t.Fatalf("enrol over a confirmed secret: got %v, want conflict on totp", err)
	}
	if again, _ := s.GetTOTP(ctx, u.ID); string(again.SecretEnc) != string(second.SecretEnc) {
		t.Fatal("a refused enrolment changed the confirmed secret")
	}
	for _, tc := range []struct {
		name string
		step int64
		want error
	}{
		{"same step as confirm", 100, store.ErrStale},
		{"earlier step", 99, store.ErrStale},
		{"next step", 101, nil},
		{"replayed", 101, store.ErrStale},
		{"later", 150, nil},
	} {
		if err := s.UseTOTPStep(ctx, u.ID, tc.step); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := s.UseTOTPStep(ctx, uuid.New(), 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown user's step: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteTOTP(ctx, u.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.DeleteTOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: got %v, want ErrNotFound", err)
	}
	if n, _ := s.CountRecoveryCodes(ctx, u.ID); n != 10 {
		t.Fatalf("recovery codes after removing TOTP = %d; the caller decides, the store keeps them", n)
	}
}

func testTOTPStepConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	secret := randomBytes(40)
	if err := s.SaveTOTP(ctx, &store.TOTP{UserID: u.ID, SecretEnc: secret, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(ctx, u.ID, secret, t0, 1, nil); err != nil {
		t.Fatal(err)
	}
	if n := wins(t, 8, func() error { return s.UseTOTPStep(ctx, u.ID, 2) }); n != 1 {
		t.Fatalf("%d callers used one step, want exactly 1", n)
	}
}

func testRecoveryCodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	codes := recoveryCodes(u, 3)
	if err := s.ReplaceRecoveryCodes(ctx, u.ID, codes); err != nil {
		t.Fatal(err)
	}
	if err := s.UseRecoveryCode(ctx, other.ID, codes[0].CodeHash, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user's code: got %v, want ErrNotFound", err)
	}
	if err := s.UseRecoveryCode(ctx, u.ID, codes[0].CodeHash, t0); err != nil {
		t.Fatalf("use: %v", err)
	}
	if err := s.UseRecoveryCode(ctx, u.ID, codes[0].CodeHash, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("use twice: got %v, want ErrNotFound", err)
	}
	if n, err := s.CountRecoveryCodes(ctx, u.ID); err != nil || n != 2 {
		t.Fatalf("unused = %d, %v; want 2", n, err)
	}
	fresh := recoveryCodes(u, 10)
	if err := s.ReplaceRecoveryCodes(ctx, u.ID, fresh); err != nil {
		t.Fatal(err)
	}
	if err := s.UseRecoveryCode(ctx, u.ID, codes[1].CodeHash, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replaced code: got %v, want ErrNotFound", err)
	}
	if n, _ := s.CountRecoveryCodes(ctx, u.ID); n != 10 {
		t.Fatalf("unused after replace = %d, want 10", n)
	}
	if err := s.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountRecoveryCodes(ctx, u.ID); n != 0 {
		t.Fatalf("unused after clearing = %d, want 0", n)
	}
}

// testSecondFactors follows one user's factors as they are added and
// used, beside another user's, which must never count.
func testSecondFactors(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	want := func(step string, w store.SecondFactors) {
		t.Helper()
		got, err := s.SecondFactors(ctx, u.ID)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got != w {
			t.Fatalf("%s: got %+v, want %+v", step, got, w)
		}
	}
	// The other user has every factor.
	otherSecret := randomBytes(40)
	if err := s.SaveTOTP(ctx, &store.TOTP{UserID: other.ID, SecretEnc: otherSecret, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(ctx, other.ID, otherSecret, t0, 1, recoveryCodes(other, 4)); err != nil {
		t.Fatal(err)
	}
	mustCreatePasskey(t, s, newPasskey(other.ID, "Key"))

	want("none", store.SecondFactors{})
	if got, err := s.SecondFactors(ctx, uuid.New()); err != nil || got != (store.SecondFactors{}) {
		t.Fatalf("unknown user: got %+v, %v; want none", got, err)
	}
	secret := randomBytes(40)
	if err := s.SaveTOTP(ctx, &store.TOTP{UserID: u.ID, SecretEnc: secret, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	want("pending authenticator app", store.SecondFactors{})
	codes := recoveryCodes(u, 3)
	if err := s.ConfirmTOTP(ctx, u.ID, secret, t0, 1, codes); err != nil {
		t.Fatal(err)
	}
	want("confirmed", store.SecondFactors{TOTP: true, RecoveryCodes: 3})
	if err := s.UseRecoveryCode(ctx, u.ID, codes[0].CodeHash, t0); err != nil {
		t.Fatal(err)
	}
	mustCreatePasskey(t, s, newPasskey(u.ID, "Laptop"))
	mustCreatePasskey(t, s, newPasskey(u.ID, "Phone"))
	want("a code used, two passkeys", store.SecondFactors{TOTP: true, Passkeys: 2, RecoveryCodes: 2})
	if err := s.DeleteTOTP(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	want("app removed", store.SecondFactors{Passkeys: 2, RecoveryCodes: 2})
}

func newChallenge(u *store.User) *store.MFAChallenge {
	return &store.MFAChallenge{
		ID: uuid.New(), TokenHash: randomBytes(32), UserID: u.ID, ClientID: store.DefaultClientID,
		Delivery: "cookie", DeviceName: "phone", UserAgent: "storetest/1.0", IP: "192.0.2.7",
		AMR: []string{"pwd"}, CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute),
	}
}

func testMFAChallenge(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	c := newChallenge(u)
	want := *c
	if err := s.CreateMFAChallenge(ctx, c); err != nil {
		t.Fatalf("create: %v", err)
	}
	wantEqual(t, "created", *c, want)
	got, err := s.GetMFAChallenge(ctx, want.TokenHash)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "read back", *got, want)
	for name, hash := range map[string][]byte{"unknown": randomBytes(32), "nil": nil} {
		if _, err := s.GetMFAChallenge(ctx, hash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s hash: got %v, want ErrNotFound", name, err)
		}
	}
	for i := range 3 {
		if err := s.CountMFAAttempt(ctx, c.ID, 3, t0); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := s.CountMFAAttempt(ctx, c.ID, 3, t0); !errors.Is(err, store.ErrStale) {
		t.Fatalf("attempt past the limit: got %v, want ErrStale", err)
	}
	if err := s.CountMFAAttempt(ctx, uuid.New(), 3, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown challenge: got %v, want ErrNotFound", err)
	}
	if err := s.UseMFAChallenge(ctx, c.ID, c.ExpiresAt); !errors.Is(err, store.ErrStale) {
		t.Fatalf("use at expiry: got %v, want ErrStale", err)
	}
	if err := s.UseMFAChallenge(ctx, c.ID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("use: %v", err)
	}
	if err := s.UseMFAChallenge(ctx, c.ID, t0.Add(time.Minute)); !errors.Is(err, store.ErrStale) {
		t.Fatalf("use twice: got %v, want ErrStale", err)
	}
	fresh := newChallenge(u)
	if err := s.CreateMFAChallenge(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if err := s.CountMFAAttempt(ctx, fresh.ID, 3, fresh.ExpiresAt); !errors.Is(err, store.ErrStale) {
		t.Fatalf("attempt at expiry: got %v, want ErrStale", err)
	}
	if n := wins(t, 8, func() error { return s.UseMFAChallenge(ctx, fresh.ID, t0) }); n != 1 {
		t.Fatalf("%d concurrent uses won, want exactly 1", n)
	}
}

func testSessionMFA(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	sess := mustCreateSession(t, s, newSession(u.ID))
	if sess.MFAAt != nil {
		t.Fatalf("new session mfa_at = %v, want nil", sess.MFAAt)
	}
	at := t0.Add(time.Minute)
	if err := s.MarkSessionMFA(ctx, sess.ID, at, []string{"pwd", "otp", "mfa"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MFAAt == nil {
		t.Fatal("mfa_at not recorded")
	}
	wantTime(t, "mfa_at", *got.MFAAt, at)
	wantEqual(t, "amr", got.AMR, []string{"pwd", "otp", "mfa"})
	if err := s.MarkSessionMFA(ctx, uuid.New(), at, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown session: got %v, want ErrNotFound", err)
	}
}

func testPruneMFAChallenges(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := mustCreateUser(t, s)
	old, live := newChallenge(u), newChallenge(u)
	old.ExpiresAt = t0.Add(-time.Second)
	for _, c := range []*store.MFAChallenge{old, live} {
		if err := s.CreateMFAChallenge(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneMFAChallenges(ctx, t0)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if _, err := s.GetMFAChallenge(ctx, old.TokenHash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired challenge: %v, want ErrNotFound", err)
	}
	if _, err := s.GetMFAChallenge(ctx, live.TokenHash); err != nil {
		t.Errorf("live challenge: %v", err)
	}
}

// wins runs f in n goroutines at once and counts the calls that returned
// nil; any error but store.ErrStale fails the test.
func wins(t *testing.T, n int, f func() error) int {
	t.Helper()
	var won atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f()
			if err == nil {
				won.Add(1)
			} else if !errors.Is(err, store.ErrStale) {
				t.Errorf("concurrent call: %v", err)
			}
		}()
	}
	wg.Wait()
	return int(won.Load())
}
