package auth_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// signInBrowser registers email and signs the browser in with a password.
func (r *rig) signInBrowser(t testing.TB, email string) (*auth.Login, *auth.BrowserSignIn) {
	t.Helper()
	reg := r.register(t, email, "")
	b, err := r.svc.SignInBrowser(t.Context(), auth.BrowserSignInInput{Email: email, Password: testPassword, Device: laptop})
	if err != nil {
		t.Fatalf("sign in the browser: %v", err)
	}
	return reg, b
}

// TestBrowserSignInSession: a password sign-in on the pages opens its own
// sso session recording when and how, which the cookie finds again.
func TestBrowserSignInSession(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		_, b := r.signInBrowser(t, "sso@example.com")
		s := r.session(t, b.Session.ID)
		if s.Kind != store.SessionKindSSO || s.AuthTime == nil || !s.AuthTime.Equal(r.clock.Now()) || !slices.Equal(s.AMR, []string{"pwd"}) {
			t.Fatalf("stored session: kind %q, auth_time %v, amr %v", s.Kind, s.AuthTime, s.AMR)
		}
		if len(b.Secret) < 40 || b.Secret[:4] != auth.SSOSecretPrefix || len(s.SecretHash) != 32 {
			t.Fatalf("secret %q, stored hash %x", b.Secret, s.SecretHash)
		}
		got, err := r.svc.BrowserSession(t.Context(), b.Secret)
		if err != nil || got == nil || got.Session.ID != b.Session.ID || got.User.Email != "sso@example.com" {
			t.Fatalf("BrowserSession: %+v, %v", got, err)
		}
		if n := len(r.events(t, "login")); n != 2 {
			t.Errorf("%d login events, want 2 (registration and browser)", n)
		}
	})
}

// TestBrowserSessionNone: whatever ends or disguises a browser sign-in,
// the cookie finds none, and the sso secret is no API credential.
func TestBrowserSessionNone(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, r *rig, reg *auth.Login, b *auth.BrowserSignIn) string // returns the cookie to present
	}{
		{"no cookie", func(*testing.T, *rig, *auth.Login, *auth.BrowserSignIn) string { return "" }},
		{"unknown value", func(*testing.T, *rig, *auth.Login, *auth.BrowserSignIn) string {
			return auth.SSOSecretPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}},
		{"an API session cookie", func(t *testing.T, r *rig, _ *auth.Login, _ *auth.BrowserSignIn) string {
			l, err := r.svc.Login(t.Context(), auth.LoginInput{Email: "none@example.com", Password: testPassword, Delivery: auth.DeliverySession, Device: laptop})
			if err != nil {
				t.Fatal(err)
			}
			return l.SessionSecret
		}},
		{"idle too long", func(_ *testing.T, r *rig, _ *auth.Login, b *auth.BrowserSignIn) string {
			r.clock.Advance(721 * time.Hour)
			return b.Secret
		}},
		{"past the absolute lifetime despite use", func(t *testing.T, r *rig, _ *auth.Login, b *auth.BrowserSignIn) string {
			for range 3 {
				r.clock.Advance(600 * time.Hour)
				if got, err := r.svc.BrowserSession(t.Context(), b.Secret); err != nil || got == nil {
					t.Fatalf("in use at %v: %v, %v", r.clock.Now(), got, err)
				}
			}
			r.clock.Advance(400 * time.Hour) // 2200h after sign-in, past 2160h
			return b.Secret
		}},
		{"revoked as a device", func(t *testing.T, r *rig, reg *auth.Login, b *auth.BrowserSignIn) string {
			p := &auth.Principal{User: reg.User, Session: reg.Session}
			if err := r.svc.RevokeSession(t.Context(), p, b.Session.ID, laptop); err != nil {
				t.Fatal(err)
			}
			return b.Secret
		}},
		{"signed out", func(t *testing.T, r *rig, _ *auth.Login, b *auth.BrowserSignIn) string {
			if err := r.svc.SignOutBrowser(t.Context(), b.Secret, laptop); err != nil {
				t.Fatal(err)
			}
			return b.Secret
		}},
		{"user disabled", func(t *testing.T, r *rig, reg *auth.Login, b *auth.BrowserSignIn) string {
			r.disable(t, reg.User)
			return b.Secret
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				r := startRig(t, db)
				reg, b := r.signInBrowser(t, "none@example.com")
				value := tt.after(t, r, reg, b)
				got, err := r.svc.BrowserSession(t.Context(), value)
				if err != nil || got != nil {
					t.Fatalf("BrowserSession: %+v, %v; want none", got, err)
				}
			})
		})
	}
}

// TestBrowserSignInIsADevice: the browser sign-in is listed among the
// user's devices, slides its idle expiry when used, and once revoked is in
// the revocation feed; its secret is refused as an API session cookie.
func TestBrowserSignInIsADevice(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg, b := r.signInBrowser(t, "device@example.com")
		p := &auth.Principal{User: reg.User, Session: reg.Session}
		list, err := r.svc.ListSessions(t.Context(), p)
		if err != nil || !slices.ContainsFunc(list, func(s store.Session) bool { return s.ID == b.Session.ID && s.Kind == store.SessionKindSSO }) {
			t.Fatalf("devices %+v, %v: the browser sign-in is missing", list, err)
		}
		r.clock.Advance(time.Hour)
		if _, err := r.svc.BrowserSession(t.Context(), b.Secret); err != nil {
			t.Fatal(err)
		}
		if s := r.session(t, b.Session.ID); !s.IdleExpiresAt.After(b.Session.IdleExpiresAt) {
			t.Errorf("idle expiry %v did not slide past %v", s.IdleExpiresAt, b.Session.IdleExpiresAt)
		}
		if _, err := r.svc.AuthenticateSessionCookie(t.Context(), b.Secret); err == nil {
			t.Error("the sso secret authenticated as an API session cookie")
		}
		if err := r.svc.SignOutBrowser(t.Context(), b.Secret, laptop); err != nil {
			t.Fatal(err)
		}
		feed, err := r.svc.Revocations(t.Context(), "")
		if err != nil || !slices.ContainsFunc(feed.Revocations, func(rv auth.RevokedSession) bool { return rv.SessionID == b.Session.ID }) {
			t.Fatalf("feed %+v, %v: the ended browser sign-in is missing", feed, err)
		}
	})
}

// TestSignInBrowserRules: the page sign-in answers like the API login.
func TestSignInBrowserRules(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		r.register(t, "rules@example.com", "")
		ctx := t.Context()
		_, err := r.svc.SignInBrowser(ctx, auth.BrowserSignInInput{Device: laptop})
		wantCode(t, err, auth.CodeInvalidRequest)
		for range 10 {
			_, err = r.svc.SignInBrowser(ctx, auth.BrowserSignInInput{Email: "rules@example.com", Password: "not the password at all", Device: laptop})
			wantCode(t, err, auth.CodeInvalidCredentials)
		}
		_, err = r.svc.SignInBrowser(ctx, auth.BrowserSignInInput{Email: "rules@example.com", Password: testPassword, Device: laptop})
		wantCode(t, err, auth.CodeRateLimited)
	})
}

// TestRegisterBrowser: the sign-up page signs the browser in, except under
// mandatory verification, where a new and a taken e-mail look the same.
func TestRegisterBrowser(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		in := auth.RegisterInput{Email: "new@example.com", Password: testPassword, Device: laptop}
		b, err := r.svc.RegisterBrowser(t.Context(), in)
		if err != nil || b.Pending() || b.Session.Kind != store.SessionKindSSO || b.Secret == "" {
			t.Fatalf("RegisterBrowser: %+v, %v", b, err)
		}
		_, err = r.svc.RegisterBrowser(t.Context(), in)
		wantCode(t, err, auth.CodeEmailTaken)
		in.Password = "short"
		in.Email = "weak@example.com"
		_, err = r.svc.RegisterBrowser(t.Context(), in)
		wantCode(t, err, auth.CodeInvalidRequest)
	})
}
