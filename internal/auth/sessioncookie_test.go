package auth_test

import (
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestSessionCookieRefused: a session cookie authenticates its user until
// the session or the user ends, and no other secret passes for one.
func TestSessionCookieRefused(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, r *rig, l *auth.Login) string // returns the cookie to present
	}{
		{"unknown value", func(*testing.T, *rig, *auth.Login) string {
			return auth.SessionSecretPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}},
		{"a browser sign-in's secret", func(t *testing.T, r *rig, _ *auth.Login) string {
			b, err := r.svc.SignInBrowser(t.Context(), auth.BrowserSignInInput{Email: "cookie@example.com", Password: testPassword, Device: laptop})
			if err != nil {
				t.Fatal(err)
			}
			return b.Secret
		}},
		{"idle too long", func(_ *testing.T, r *rig, l *auth.Login) string {
			r.clock.Advance(721 * time.Hour)
			return l.SessionSecret
		}},
		{"logged out", func(t *testing.T, r *rig, l *auth.Login) string {
			p := &auth.Principal{User: l.User, Session: l.Session, Method: "session"}
			if err := r.svc.Logout(t.Context(), p, auth.ScopeLocal, laptop); err != nil {
				t.Fatal(err)
			}
			return l.SessionSecret
		}},
		{"user disabled", func(t *testing.T, r *rig, l *auth.Login) string {
			r.disable(t, l.User)
			return l.SessionSecret
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				r := startRig(t, db)
				r.register(t, "cookie@example.com", "")
				l, err := r.svc.Login(t.Context(), auth.LoginInput{Email: "cookie@example.com", Password: testPassword,
					Delivery: auth.DeliverySession, Device: laptop})
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				p, err := r.svc.AuthenticateSessionCookie(t.Context(), l.SessionSecret)
				if err != nil || p.User.ID != l.User.ID || p.Session.ID != l.Session.ID {
					t.Fatalf("fresh cookie: %+v, %v", p, err)
				}
				value := tt.after(t, r, l)
				p, err = r.svc.AuthenticateSessionCookie(t.Context(), value)
				if p != nil {
					t.Fatalf("AuthenticateSessionCookie: %+v, want none", p)
				}
				wantCode(t, err, auth.CodeInvalidToken)
			})
		})
	}
}
