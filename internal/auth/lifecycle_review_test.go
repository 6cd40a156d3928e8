package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// hashingStore is the rig's store with one more interleaving point: a
// function run once right after the next one-time token is spent or the
// next login is recorded, that is, while a password reset, a password
// change or an e-mail change still holds the account row it read before
// a password was hashed.
type hashingStore struct {
	store.Store
	mu   sync.Mutex
	hook func()
}

func (h *hashingStore) fire() {
	h.mu.Lock()
	f := h.hook
	h.hook = nil
	h.mu.Unlock()
	if f != nil {
		f()
	}
}

func (h *hashingStore) UseOneTimeToken(ctx context.Context, id uuid.UUID, now time.Time) error {
	err := h.Store.UseOneTimeToken(ctx, id, now)
	h.fire()
	return err
}

func (h *hashingStore) RecordLogin(ctx context.Context, r store.LoginRecord) (*store.User, error) {
	u, err := h.Store.RecordLogin(ctx, r)
	h.fire()
	return u, err
}

func (h *hashingStore) during(f func()) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

// lrRig is a rig whose Service mails into an Outbox, with optional
// e-mail verification, over a hashingStore.
func lrRig(t testing.TB, db *sqlstore.DB) (*rig, *mail.Outbox, *hashingStore) {
	t.Helper()
	out := mail.NewOutbox()
	var hs *hashingStore
	r := newRigWith(t, db, t.TempDir(), servertest.NewClock(time.Now().UTC().Truncate(time.Second)), func(d *auth.Deps) {
		d.Settings.EmailVerification = auth.VerificationOptional
		d.Settings.FrontendURL = config.Default().FrontendURL
		d.Mailer = out
		hs = &hashingStore{Store: d.Store}
		d.Store = hs
	})
	return r, out, hs
}

// lrDisableNow marks the account inactive from its current row, as an
// administrator would while a reset or change is under way.
func lrDisableNow(t testing.TB, r *rig, id uuid.UUID) {
	t.Helper()
	r.disable(t, r.user(t, id))
}

// TestPasswordResetKeepsConcurrentDeactivation: an account disabled while
// a reset of its password is being completed stays disabled; the reset
// must not write back the row it read before.
func TestPasswordResetKeepsConcurrentDeactivation(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, out, hs := lrRig(t, db)
		l := r.register(t, "ada@example.com", "")
		if err := r.svc.RequestPasswordReset(t.Context(), "ada@example.com", laptop); err != nil {
			t.Fatal(err)
		}
		q := dlLinkQuery(t, out, "ada@example.com", mail.TemplateResetPassword)
		hs.during(func() { lrDisableNow(t, r, l.User.ID) })
		err := r.svc.ConfirmPasswordReset(t.Context(), auth.ResetConfirmInput{
			UID: q.Get("uid"), Token: q.Get("token"), NewPassword: "a brand new passphrase", Device: laptop,
		})
		if u := r.user(t, l.User.ID); u.IsActive {
			t.Fatalf("the reset (error %v) re-enabled an account disabled meanwhile", err)
		}
	})
}

// TestPasswordChangeKeepsConcurrentDeactivation: the same for a password
// change, disabled after the current password was checked.
func TestPasswordChangeKeepsConcurrentDeactivation(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _, hs := lrRig(t, db)
		l := r.register(t, "ada@example.com", "")
		p, err := r.svc.AuthenticateAccess(t.Context(), l.AccessToken, "bearer")
		if err != nil {
			t.Fatal(err)
		}
		hs.during(func() { lrDisableNow(t, r, l.User.ID) })
		err = r.svc.ChangePassword(t.Context(), p, auth.ChangePasswordInput{
			CurrentPassword: testPassword, NewPassword: "a brand new passphrase", Device: laptop,
		})
		if u := r.user(t, l.User.ID); u.IsActive {
			t.Fatalf("the change (error %v) re-enabled an account disabled meanwhile", err)
		}
	})
}

// TestEmailChangeKeepsConcurrentDeactivation: the same for an e-mail
// change, whose current password is checked like a login.
func TestEmailChangeKeepsConcurrentDeactivation(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r, _, hs := lrRig(t, db)
		l := r.register(t, "ada@example.com", "")
		p, err := r.svc.AuthenticateAccess(t.Context(), l.AccessToken, "bearer")
		if err != nil {
			t.Fatal(err)
		}
		hs.during(func() { lrDisableNow(t, r, l.User.ID) })
		email := "lovelace@example.com"
		_, err = r.svc.UpdateMe(t.Context(), p, auth.UpdateMeInput{
			Email: &email, CurrentPassword: testPassword, Device: laptop,
		})
		if u := r.user(t, l.User.ID); u.IsActive {
			t.Fatalf("the e-mail change (error %v) re-enabled an account disabled meanwhile", err)
		}
	})
}
