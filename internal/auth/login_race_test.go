package auth_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestSignInRefusesAccountDisabledDuringCheck: an account disabled after
// its row was read, while its password is being checked, gets nothing
// from the right password: no session from the API or the hosted pages,
// no classic token, and the same answer as a wrong password.
func TestSignInRefusesAccountDisabledDuringCheck(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		const email = "racing@example.com"
		reg := r.register(t, email, "")
		signIns := []struct {
			name string
			run  func() error
		}{
			{"API sign-in", func() error {
				_, err := r.login(t, email, testPassword)
				return err
			}},
			{"browser sign-in", func() error {
				_, err := r.svc.SignInBrowser(t.Context(), auth.BrowserSignInInput{Email: email,
					Password: testPassword, Device: laptop})
				return err
			}},
			{"classic token", func() error {
				_, err := r.svc.ObtainClassicTokenByPassword(t.Context(), email, "", testPassword, laptop)
				return err
			}},
		}
		for _, si := range signIns {
			// Each sign-in works while the account is active, so what
			// refuses it below is the change made during the check.
			if err := si.run(); err != nil {
				t.Fatalf("%s of an active account: %v", si.name, err)
			}
		}
		before := r.activeSessions(t, reg.User.ID)
		u := r.user(t, reg.User.ID)
		for _, si := range signIns {
			r.store.afterNextUserLookup(func() { r.disable(t, u) })
			err := si.run()
			if err == nil {
				t.Errorf("%s of an account disabled during the check succeeded", si.name)
			} else if code := auth.ErrorCode(err); code != auth.CodeInvalidCredentials {
				t.Errorf("%s of an account disabled during the check: %v (%q), want %q",
					si.name, err, code, auth.CodeInvalidCredentials)
			}
			r.enable(t, u)
		}
		if n := r.activeSessions(t, reg.User.ID); n != before {
			t.Fatalf("%d sessions and tokens after the refused sign-ins, want %d", n, before)
		}
	})
}
