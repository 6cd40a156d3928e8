package auth_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// refuseAuditEvents makes the database refuse every new audit event, as a
// full disk or a revoked grant would, until the returned function is
// called.
func refuseAuditEvents(t *testing.T, db *sqlstore.DB) (allow func()) {
	t.Helper()
	create := []string{`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
		BEGIN SELECT RAISE(ABORT, 'audit events refused'); END`}
	drop := `DROP TRIGGER refuse_audit`
	if db.Dialect() != "sqlite" {
		create = []string{
			`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'audit events refused'; END $$`,
			`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
				FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
		}
		drop = `DROP TRIGGER refuse_audit ON audit_events`
	}
	for _, q := range create {
		if _, err := db.SQL().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("refuse audit events: %v", err)
		}
	}
	return func() {
		if _, err := db.SQL().ExecContext(t.Context(), drop); err != nil {
			t.Fatalf("allow audit events: %v", err)
		}
	}
}

// TestSignInNeedsItsLoginEvent: a sign-in whose login event cannot be
// written fails as an internal error and leaves no session behind, on the
// API and on the hosted pages; once events are written again, the same
// sign-ins succeed.
func TestSignInNeedsItsLoginEvent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "event@example.com", "")
		login := func() error {
			_, err := r.login(t, "event@example.com", testPassword)
			return err
		}
		browser := func() error {
			_, err := r.svc.SignInBrowser(t.Context(), auth.BrowserSignInInput{Email: "event@example.com",
				Password: testPassword, Device: laptop})
			return err
		}
		before := r.activeSessions(t, reg.User.ID)

		allow := refuseAuditEvents(t, db)
		for name, signIn := range map[string]func() error{"API sign-in": login, "browser sign-in": browser} {
			if err := signIn(); err == nil || auth.ErrorCode(err) != auth.CodeInternal {
				t.Errorf("%s without its event: %v, want an internal error", name, err)
			}
		}
		if n := r.activeSessions(t, reg.User.ID); n != before {
			t.Fatalf("%d sessions after the refused sign-ins, want %d", n, before)
		}

		allow()
		if err := login(); err != nil {
			t.Fatalf("API sign-in once events are written: %v", err)
		}
		if err := browser(); err != nil {
			t.Fatalf("browser sign-in once events are written: %v", err)
		}
		if n := r.activeSessions(t, reg.User.ID); n != before+2 {
			t.Errorf("%d sessions after two sign-ins, want %d", n, before+2)
		}
	})
}
