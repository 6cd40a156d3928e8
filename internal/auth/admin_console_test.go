package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// onBothDatabases runs f on SQLite and on Postgres.
func onBothDatabases(t *testing.T, f func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, sqltest.NewSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, sqltest.NewPostgres(t)) })
}

// TestAdminOverview: the counts come from the database (users, active
// sessions, the day's audited logins by outcome, locked accounts) and the
// keys from the ring.
func TestAdminOverview(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		ctx := t.Context()
		l := r.register(t, "ada@example.com", "")
		r.register(t, "bob@example.com", "")
		if _, err := r.svc.Login(ctx, auth.LoginInput{Email: "ada@example.com", Password: testPassword,
			Delivery: auth.DeliveryBody, Device: laptop}); err != nil {
			t.Fatal(err)
		}
		for range 10 { // the default allowance: bob is locked out after it
			_, _ = r.svc.Login(ctx, auth.LoginInput{Email: "bob@example.com", Password: "wrong password!!",
				Delivery: auth.DeliveryBody, Device: laptop})
		}
		if err := r.svc.Logout(ctx, &auth.Principal{User: l.User, Session: l.Session}, auth.ScopeLocal, laptop); err != nil {
			t.Fatal(err)
		}
		o, err := r.svc.AdminOverview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o.Users != 2 || o.ActiveSessions != 2 {
			t.Errorf("users %d, active sessions %d; want 2 and 2", o.Users, o.ActiveSessions)
		}
		// Each registration signs in too.
		if o.Logins["login"] != 3 || o.Logins["login_failed"] != 10 {
			t.Errorf("logins %v, want 3 successes and 10 failures", o.Logins)
		}
		if o.LockedAccounts != 1 || o.LockedAddresses != 0 {
			t.Errorf("locked accounts %d, addresses %d; want 1 and 0", o.LockedAccounts, o.LockedAddresses)
		}
		if len(o.Keys) != 1 || o.Keys[0].State != keys.StateActive {
			t.Errorf("keys %+v, want one active", o.Keys)
		}
		r.clock.Advance(auth.OverviewPeriod + time.Hour)
		if o, err = r.svc.AdminOverview(ctx); err != nil || len(o.Logins) != 0 || o.LockedAccounts != 0 {
			t.Errorf("a day later: logins %v, locked %d, %v; want none", o.Logins, o.LockedAccounts, err)
		}
	})
}

// TestAdminRotateKeys: the console's rotation adds a next key that signs
// after the schedule's publish delay (one JWKS cache lifetime and one
// reload of the keys dir), is audited, and a second one in the same
// second is a conflict, not a replaced key.
func TestAdminRotateKeys(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	a := auth.Actor{Device: laptop}
	r.clock.Advance(time.Second) // the first key was made this second
	k, err := r.svc.AdminRotateKeys(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	ks := r.svc.AdminKeys()
	if len(ks) != 2 || ks[1].ID != k.ID || k.State != keys.StateNext || ks[0].State != keys.StateActive {
		t.Fatalf("keys after rotation %+v (new %+v), want the old active and the new next", ks, k)
	}
	delay := server.KeyOptions(config.Default(), time.Now).PublishDelay
	if delay < config.Default().JWKSMaxAge+30*time.Second {
		t.Errorf("publish delay %v: under a JWKS cache lifetime and a keys-dir reload", delay)
	}
	if want := k.Created.Add(delay); !k.SignsFrom.Equal(want) {
		t.Errorf("signs from %v, want %v", k.SignsFrom, want)
	}
	ev := r.events(t, "key_rotated")
	if len(ev) != 1 || ev[0].Details["kid"] != k.ID {
		t.Errorf("audit %+v, want one key_rotated naming %s", ev, k.ID)
	}
	_, err = r.svc.AdminRotateKeys(t.Context(), a)
	wantCode(t, err, auth.CodeConflict)
	r.clock.Advance(delay)
	if ks = r.svc.AdminKeys(); ks[1].State != keys.StateActive || ks[0].State != keys.StateRetiring {
		t.Errorf("after the publish delay: %s and %s, want retiring and active", ks[0].State, ks[1].State)
	}
}

// TestAdminUserActions: the classic token's revocation and a reset mail
// sent by an admin are audited as admin actions on the user.
func TestAdminUserActions(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		ctx := t.Context()
		l := r.register(t, "ada@example.com", "")
		a := auth.Actor{Device: laptop}
		if info, err := r.svc.ClassicTokenInfo(ctx, l.User.ID); err != nil || info != nil {
			t.Fatalf("token before one exists: %v, %v", info, err)
		}
		key, err := r.svc.ObtainClassicToken(ctx, l.User, laptop)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := r.svc.ClassicTokenInfo(ctx, l.User.ID); err != nil || info == nil {
			t.Fatalf("token info: %v, %v", info, err)
		}
		if err := r.svc.AdminRevokeUserToken(ctx, a, l.User.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.AuthenticateClassicToken(ctx, key.Key); err == nil {
			t.Error("the revoked classic token still authenticates")
		}
		wantCode(t, r.svc.AdminRevokeUserToken(ctx, a, l.User.ID), auth.CodeNotFound)
		if len(r.events(t, "admin_token_revoked")) != 1 {
			t.Error("no admin_token_revoked event")
		}
		if err := r.svc.AdminSendPasswordReset(ctx, a, l.User.ID); err != nil {
			t.Fatal(err)
		}
		if len(r.events(t, "admin_password_reset_sent")) != 1 {
			t.Error("no admin_password_reset_sent event")
		}
		no := false
		if _, err := r.svc.AdminUpdateUser(ctx, a, l.User.ID, auth.UserPatch{IsActive: &no}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, r.svc.AdminSendPasswordReset(ctx, a, l.User.ID), auth.CodeConflict)
	})
}

// TestAdminSearchUsers: the console's search folds case and matches
// usernames too; a cursor from another listing is refused.
func TestAdminSearchUsers(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	ctx := t.Context()
	for _, e := range []string{"ada@example.com", "adam@example.com", "bob@example.com"} {
		r.register(t, e, "")
	}
	yes := true
	tests := []struct {
		name string
		f    auth.UserFilter
		want int
	}{
		{"folded prefix", auth.UserFilter{Search: " ADA"}, 2},
		{"exact", auth.UserFilter{Search: "adam@"}, 1},
		{"active", auth.UserFilter{Active: &yes}, 3},
		{"admins", auth.UserFilter{Admin: &yes}, 0},
	}
	for _, tc := range tests {
		p, err := r.svc.AdminSearchUsers(ctx, tc.f, auth.PageInput{})
		if err != nil || len(p.Items) != tc.want {
			t.Errorf("%s: %d users, %v; want %d", tc.name, len(p.Items), err, tc.want)
		}
	}
	p, err := r.svc.AdminSearchUsers(ctx, auth.UserFilter{}, auth.PageInput{Limit: 2})
	if err != nil || p.NextCursor == "" {
		t.Fatalf("first page: %v, cursor %q", err, p.NextCursor)
	}
	if p, err = r.svc.AdminSearchUsers(ctx, auth.UserFilter{}, auth.PageInput{Limit: 2, Cursor: p.NextCursor}); err != nil || len(p.Items) != 1 {
		t.Fatalf("second page: %d users, %v", len(p.Items), err)
	}
	_, err = r.svc.AdminSearchUsers(ctx, auth.UserFilter{}, auth.PageInput{Cursor: "bm9wZQ"})
	wantCode(t, err, auth.CodeInvalidRequest)
}

// TestAdminAuditExport: the export visits every matching event once,
// newest first, across many pages, and stops at its writer's error.
func TestAdminAuditExport(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	ctx := t.Context()
	n := auth.MaxPageSize*2 + 3
	for i := range n {
		if err := r.db.AddAuditEvent(ctx, &store.AuditEvent{Event: "login", CreatedAt: r.clock.Now().Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	err := r.svc.AdminAuditExport(ctx, auth.AuditFilter{Event: "login"}, func(e store.AuditEvent) error {
		ids = append(ids, e.ID)
		return nil
	})
	if err != nil || len(ids) != n {
		t.Fatalf("exported %d events, %v; want %d", len(ids), err, n)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			t.Fatalf("event %d after %d: not newest first", ids[i], ids[i-1])
		}
	}
	stop := errors.New("reader went away")
	seen := 0
	err = r.svc.AdminAuditExport(ctx, auth.AuditFilter{}, func(store.AuditEvent) error { seen++; return stop })
	if !errors.Is(err, stop) || seen != 1 {
		t.Errorf("export after a failed write: %v after %d events", err, seen)
	}
}
