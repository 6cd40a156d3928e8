package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

func newPasskey(userID uuid.UUID, name string) *store.Passkey {
	return &store.Passkey{
		ID: uuid.New(), UserID: userID, CredentialID: randomBytes(32), PublicKey: randomBytes(77),
		Attestation: "none", AAGUID: randomBytes(16), SignCount: 7, Transports: []string{"internal", "hybrid"},
		Attachment: "platform", BackupEligible: true, BackupState: true, UserVerified: true,
		Name: name, CreatedAt: t0,
	}
}

func mustCreatePasskey(t testing.TB, s store.Store, p *store.Passkey) *store.Passkey {
	t.Helper()
	if err := s.CreatePasskey(t.Context(), p); err != nil {
		t.Fatalf("CreatePasskey: %v", err)
	}
	return p
}

// testPasskeys: a passkey comes back exactly as stored, by credential id
// and in its owner's list (oldest first); a credential id is unique across
// users; only its owner renames or deletes it; deleting the user deletes
// them.
func testPasskeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	first := mustCreatePasskey(t, s, newPasskey(u.ID, "Laptop"))
	second := newPasskey(u.ID, "Phone")
	second.CreatedAt, second.AAGUID, second.Transports, second.BackupEligible = t0.Add(time.Second), nil, nil, false
	second.BackupState, second.UserVerified, second.Attachment, second.SignCount = false, false, "", 1<<32-1
	mustCreatePasskey(t, s, second)
	theirs := mustCreatePasskey(t, s, newPasskey(other.ID, "Key"))

	got, err := s.GetPasskeyByCredentialID(ctx, first.CredentialID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "passkey", got, first)
	list, err := s.ListPasskeys(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "list", list, []store.Passkey{*first, *second})

	dup := newPasskey(other.ID, "Copy")
	dup.CredentialID = first.CredentialID
	var ce *store.ConflictError
	if err := s.CreatePasskey(ctx, dup); !errors.As(err, &ce) || ce.Field != "credential_id" {
		t.Errorf("duplicate credential id: %v, want a conflict on credential_id", err)
	}

	wantIs(t, "rename another's", s.RenamePasskey(ctx, u.ID, theirs.ID, "Mine"), store.ErrNotFound)
	wantIs(t, "delete another's", s.DeletePasskey(ctx, u.ID, theirs.ID), store.ErrNotFound)
	if err := s.RenamePasskey(ctx, u.ID, first.ID, "Work laptop"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetPasskeyByCredentialID(ctx, first.CredentialID); got == nil || got.Name != "Work laptop" {
		t.Errorf("renamed: %+v", got)
	}
	if err := s.DeletePasskey(ctx, u.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPasskeyByCredentialID(ctx, first.CredentialID)
	wantIs(t, "deleted", err, store.ErrNotFound)
	wantIs(t, "delete twice", s.DeletePasskey(ctx, u.ID, first.ID), store.ErrNotFound)

	if err := s.DeleteUser(ctx, other.ID, t0); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPasskeyByCredentialID(ctx, theirs.CredentialID)
	wantIs(t, "passkey of a deleted user", err, store.ErrNotFound)
}

// testPasskeyUse: a use moves the counter only from the value the caller
// saw; of racing uses with one seen value exactly one wins.
func testPasskeyUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustCreateUser(t, s)
	p := mustCreatePasskey(t, s, newPasskey(u.ID, "Laptop"))
	if err := s.UsePasskey(ctx, p.ID, 7, 9, false, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetPasskeyByCredentialID(ctx, p.CredentialID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SignCount != 9 || got.BackupState || got.LastUsedAt == nil {
		t.Fatalf("after use: count %d, backup state %v, last used %v", got.SignCount, got.BackupState, got.LastUsedAt)
	}
	wantTime(t, "last used", *got.LastUsedAt, t0.Add(time.Minute))
	wantIs(t, "stale seen value", s.UsePasskey(ctx, p.ID, 7, 8, false, t0), store.ErrStale)
	wantIs(t, "unknown passkey", s.UsePasskey(ctx, uuid.New(), 0, 1, false, t0), store.ErrNotFound)

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.UsePasskey(context.Background(), p.ID, 9, uint32(10+i), true, t0) })
	}
	wg.Wait()
	oneWinner(t, errs, store.ErrStale)
}

func newWebAuthnChallenge(purpose string, userID *uuid.UUID) *store.WebAuthnChallenge {
	return &store.WebAuthnChallenge{Hash: randomBytes(32), Purpose: purpose, UserID: userID,
		SessionData: []byte(`{"challenge":"abc"}`), CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
}

// testWebAuthnChallenges: a challenge is taken once, only for its purpose
// and user, only before it expires, and concurrent takers have exactly one
// winner.
func testWebAuthnChallenges(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, other := mustCreateUser(t, s), mustCreateUser(t, s)
	reg := newWebAuthnChallenge(store.ChallengeRegister, &u.ID)
	login := newWebAuthnChallenge(store.ChallengeLogin, nil)
	expired := newWebAuthnChallenge(store.ChallengeLogin, nil)
	expired.ExpiresAt = t0.Add(time.Second)
	for _, c := range []*store.WebAuthnChallenge{reg, login, expired} {
		if err := s.CreateWebAuthnChallenge(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(time.Minute)
	_, err := s.TakeWebAuthnChallenge(ctx, reg.Hash, store.ChallengeLogin, uuid.Nil, now)
	wantIs(t, "wrong purpose", err, store.ErrNotFound)
	_, err = s.TakeWebAuthnChallenge(ctx, reg.Hash, store.ChallengeRegister, other.ID, now)
	wantIs(t, "another user", err, store.ErrNotFound)
	_, err = s.TakeWebAuthnChallenge(ctx, expired.Hash, store.ChallengeLogin, uuid.Nil, now)
	wantIs(t, "expired", err, store.ErrNotFound)
	got, err := s.TakeWebAuthnChallenge(ctx, reg.Hash, store.ChallengeRegister, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.SessionData, reg.SessionData) || got.UserID == nil || *got.UserID != u.ID {
		t.Errorf("taken: %+v", got)
	}
	wantTime(t, "expires", got.ExpiresAt, reg.ExpiresAt)
	_, err = s.TakeWebAuthnChallenge(ctx, reg.Hash, store.ChallengeRegister, u.ID, now)
	wantIs(t, "taken twice", err, store.ErrNotFound)

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.TakeWebAuthnChallenge(context.Background(), login.Hash, store.ChallengeLogin, uuid.Nil, now)
		})
	}
	wg.Wait()
	oneWinner(t, errs, store.ErrNotFound)

	if n, err := s.PruneWebAuthnChallenges(ctx, now); err != nil || n != 1 {
		t.Fatalf("prune = %d, %v; want the expired one", n, err)
	}
}

// oneWinner fails unless exactly one of errs is nil and every other is
// loser.
func oneWinner(t *testing.T, errs []error, loser error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, loser):
			t.Errorf("loser got %v, want %v", err, loser)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners, want exactly 1", wins)
	}
}
