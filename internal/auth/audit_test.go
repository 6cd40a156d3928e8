package auth_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestAuditEventFields: every use case writes its event through one
// writer, so a user's own action, an admin's over HTTP and an operator's at
// the command line fill the same fields the same way: the device's IP and
// user agent, the service's clock, the actor's account (an admin's only)
// and the operator's name (an operator's only).
func TestAuditEventFields(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	admin, err := r.svc.AdminCreateUser(t.Context(), auth.Actor{Operator: "root"},
		auth.CreateUserInput{Email: "admin@example.com", Password: testPassword, IsAdmin: true})
	if err != nil {
		t.Fatal(err)
	}
	console := auth.Device{UserAgent: "console/2", IP: "203.0.113.4"}
	tests := []struct {
		name      string
		event     string
		act       func(l *auth.Login) error
		actor     uuid.UUID
		operator  string
		dev       auth.Device
		inSession bool
	}{
		{"the user", "logout", func(l *auth.Login) error {
			return r.svc.Logout(t.Context(), &auth.Principal{User: l.User, Session: l.Session}, auth.ScopeLocal, laptop)
		}, uuid.Nil, "", laptop, true},
		{"an admin", "admin_session_revoked", func(l *auth.Login) error {
			return r.svc.AdminRevokeSession(t.Context(), auth.Actor{UserID: admin.ID, Device: console}, l.Session.ID)
		}, admin.ID, "", console, true},
		{"an operator", "admin_user_logout", func(l *auth.Login) error {
			_, err := r.svc.AdminLogoutUser(t.Context(), auth.Actor{Operator: "ops"}, l.User.ID)
			return err
		}, uuid.Nil, "ops", auth.Device{}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := r.register(t, "user"+string(rune('a'+i))+"@example.com", "")
			r.clock.Advance(time.Minute)
			if err := tt.act(l); err != nil {
				t.Fatal(err)
			}
			ev := r.events(t, tt.event)
			if len(ev) != 1 {
				t.Fatalf("%d %s events, want 1", len(ev), tt.event)
			}
			e := ev[0]
			if e.IP != tt.dev.IP || e.UserAgent != tt.dev.UserAgent || !e.CreatedAt.Equal(r.clock.Now()) {
				t.Errorf("device or time: ip %q ua %q at %v", e.IP, e.UserAgent, e.CreatedAt)
			}
			if got := idOf(e.ActorID); got != tt.actor {
				t.Errorf("actor %v, want %v", got, tt.actor)
			}
			if e.Details["operator"] != tt.operator {
				t.Errorf("operator %q, want %q", e.Details["operator"], tt.operator)
			}
			if idOf(e.UserID) != l.User.ID {
				t.Errorf("user %v, want %v", idOf(e.UserID), l.User.ID)
			}
			if want := map[bool]uuid.UUID{true: l.Session.ID}[tt.inSession]; idOf(e.SessionID) != want {
				t.Errorf("session %v, want %v", idOf(e.SessionID), want)
			}
		})
	}
}

func idOf(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}
