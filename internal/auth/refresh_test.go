package auth_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/internal/token"
)

// TestRefreshLosesRace: two callers present the current generation; the
// winner's rotation runs between the loser's arrival and the loser's own
// statement. Inside the grace window the loser gets the winner's pair;
// outside it (the loser stalled before its statement) it gets
// invalid_grant, and the session, whose token was current when presented,
// is neither revoked nor audited as reuse.
func TestRefreshLosesRace(t *testing.T) {
	tests := []struct {
		name     string
		stall    time.Duration // between the loser's read and its write
		wantSame bool          // the loser gets the winner's pair
	}{
		{"inside the grace window", grace - time.Second, true},
		{"at the end of the grace window", grace, false},
		{"long after the grace window", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				r := startRig(t, db)
				reg := r.register(t, "race@example.com", "")
				var won *auth.Login
				r.store.beforeNextRotate(func() {
					var err error
					if won, err = r.refresh(t, reg.RefreshToken); err != nil {
						t.Errorf("winner: %v", err)
					}
					r.clock.Advance(tt.stall)
				})
				lost, err := r.refresh(t, reg.RefreshToken)
				if won == nil {
					t.Fatal("the winner did not refresh")
				}
				if tt.wantSame {
					if err != nil || lost.RefreshToken != won.RefreshToken || generation(t, lost) != 2 {
						t.Fatalf("loser got %v, %v; want the winner's pair", lost, err)
					}
				} else {
					wantCode(t, err, auth.CodeInvalidGrant)
				}
				if s := r.session(t, reg.Session.ID); s.RevokedAt != nil || s.Generation != 2 {
					t.Fatalf("session after the race: generation %d, revoked %v (%s)", s.Generation, s.RevokedAt, s.RevokedReason)
				}
				if ev := r.events(t, "refresh_reuse"); len(ev) != 0 {
					t.Fatalf("a lost race was audited as reuse: %+v", ev)
				}
				if _, err := r.refresh(t, won.RefreshToken); err != nil {
					t.Fatalf("the winner's token after the race: %v", err)
				}
			})
		})
	}
}

// TestRefreshReuse: a generation older than the grace allows revokes the
// whole session, refuses its newer tokens too, and writes one
// refresh_reuse event saying who, from where, when and which generations.
func TestRefreshReuse(t *testing.T) {
	tests := []struct {
		name      string
		rotations int           // refreshes before the stale token comes back
		wait      time.Duration // after the last rotation
	}{
		{"previous generation after the grace window", 1, grace},
		{"two generations back inside the grace window", 2, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				r := startRig(t, db)
				reg := r.register(t, "reuse@example.com", "")
				latest := reg
				for range tt.rotations {
					l, err := r.refresh(t, latest.RefreshToken)
					if err != nil {
						t.Fatalf("rotate: %v", err)
					}
					latest = l
				}
				r.clock.Advance(tt.wait)
				thief := auth.Device{UserAgent: "thief/1", IP: "198.51.100.9"}
				_, err := r.svc.Refresh(t.Context(), reg.RefreshToken, thief)
				wantCode(t, err, auth.CodeInvalidGrant)

				s := r.session(t, reg.Session.ID)
				if s.RevokedAt == nil || s.RevokedReason != "refresh_reuse" || !s.RevokedAt.Equal(r.clock.Now()) {
					t.Fatalf("session after reuse: revoked %v (%q), want now and refresh_reuse", s.RevokedAt, s.RevokedReason)
				}
				_, err = r.refresh(t, latest.RefreshToken)
				wantCode(t, err, auth.CodeInvalidGrant)
				_, err = r.svc.AuthenticateAccess(t.Context(), latest.AccessToken, "bearer")
				wantCode(t, err, auth.CodeInvalidToken)

				ev := r.events(t, "refresh_reuse")
				if len(ev) != 1 {
					t.Fatalf("%d refresh_reuse events, want 1", len(ev))
				}
				e := ev[0]
				want := map[string]string{"presented_generation": "1", "current_generation": strconv.Itoa(tt.rotations + 1)}
				if e.UserID == nil || *e.UserID != reg.User.ID || e.SessionID == nil || *e.SessionID != reg.Session.ID ||
					e.ActorID != nil || e.IP != thief.IP || e.UserAgent != thief.UserAgent || !e.CreatedAt.Equal(r.clock.Now()) {
					t.Fatalf("refresh_reuse event %+v", e)
				}
				for k, v := range want {
					if e.Details[k] != v {
						t.Errorf("details[%s] = %q, want %q", k, e.Details[k], v)
					}
				}
			})
		})
	}
}

// TestRefreshAfterClientDeleted: deleting a client ends the sessions it
// issued at once, on the replica that deleted it and on one that still
// caches the client; the deletion is audited with the operator's name.
func TestRefreshAfterClientDeleted(t *testing.T) {
	tests := []struct {
		name        string
		viaReplica  bool
		sessionKind string
	}{
		{"body delivery", false, auth.DeliveryBody},
		{"session cookie", false, auth.DeliverySession},
		{"deleted through another replica", true, auth.DeliveryBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				keysDir := t.TempDir()
				r := newRig(t, db, keysDir, startRig(t, db).clock)
				ttl := 5 * time.Minute
				name := "Mobile"
				op := auth.Actor{Operator: "ops"}
				if _, _, err := r.svc.AdminCreateClient(t.Context(), op, auth.ClientInput{ID: "mobile", Name: &name, AccessTTL: &ttl}); err != nil {
					t.Fatalf("create client: %v", err)
				}
				r.register(t, "gone@example.com", "mobile")
				dev := laptop
				dev.ClientID = "mobile"
				l, err := r.svc.Login(t.Context(), auth.LoginInput{Email: "gone@example.com", Password: testPassword, Delivery: tt.sessionKind, Device: dev})
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				if tt.sessionKind == auth.DeliveryBody && l.AccessExpiresAt.Sub(r.clock.Now()) != ttl {
					t.Fatalf("access token lives %v, want the client's %v", l.AccessExpiresAt.Sub(r.clock.Now()), ttl)
				}
				deleter := r
				if tt.viaReplica {
					deleter = newRig(t, db, keysDir, r.clock)
				}
				if err := deleter.svc.AdminDeleteClient(t.Context(), op, "mobile"); err != nil {
					t.Fatalf("delete client: %v", err)
				}
				if tt.sessionKind == auth.DeliverySession {
					_, err = r.svc.AuthenticateSessionCookie(t.Context(), l.SessionSecret)
					wantCode(t, err, auth.CodeInvalidToken)
				} else {
					_, err = r.refresh(t, l.RefreshToken)
					wantCode(t, err, auth.CodeInvalidGrant)
					_, err = r.svc.AuthenticateAccess(t.Context(), l.AccessToken, "bearer")
					wantCode(t, err, auth.CodeInvalidToken)
				}
				ev := r.events(t, "admin_client_deleted")
				if len(ev) != 1 || ev[0].Details["operator"] != "ops" || ev[0].Details["client_id"] != "mobile" ||
					ev[0].Details["sessions_ended"] != "2" || ev[0].ActorID != nil {
					t.Fatalf("admin_client_deleted events %+v", ev)
				}
			})
		})
	}
}

// TestRefreshDuringDeactivation: an admin deactivates the user while a
// refresh is between its read and its answer. Whichever case the refresh
// is in, it must not hand out a pair for the session the deactivation
// revoked.
func TestRefreshDuringDeactivation(t *testing.T) {
	tests := []struct {
		name    string
		present func(reg, rotated *auth.Login) string
		// during arms the deactivation at the refresh's one interleaving
		// point: before its one statement (current generation), after its
		// read (the grace case, which reads before it answers).
		during func(p *pausingStore, f func())
	}{
		{"current generation", func(_, rotated *auth.Login) string { return rotated.RefreshToken },
			(*pausingStore).beforeNextRotate},
		{"previous generation inside the grace window", func(reg, _ *auth.Login) string { return reg.RefreshToken },
			(*pausingStore).afterNextRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				r := startRig(t, db)
				reg := r.register(t, "leaver@example.com", "")
				rotated, err := r.refresh(t, reg.RefreshToken)
				if err != nil {
					t.Fatal(err)
				}
				r.clock.Advance(time.Second)
				off := false
				tt.during(r.store, func() {
					if _, err := r.svc.AdminUpdateUser(t.Context(), auth.Actor{Operator: "ops"}, reg.User.ID, auth.UserPatch{IsActive: &off}); err != nil {
						t.Errorf("deactivate: %v", err)
					}
				})
				l, err := r.refresh(t, tt.present(reg, rotated))
				if err == nil {
					t.Fatalf("refresh answered a pair (generation %d) for a session revoked before the answer", generation(t, l))
				}
				wantCode(t, err, auth.CodeInvalidGrant)
				if s := r.session(t, reg.Session.ID); s.RevokedReason != "user_deactivated" {
					t.Fatalf("session revoked for %q, want user_deactivated", s.RevokedReason)
				}
				if ev := r.events(t, "refresh_reuse"); len(ev) != 0 {
					t.Fatalf("deactivation was audited as reuse: %+v", ev)
				}
			})
		})
	}
}

var _ store.Store = (*pausingStore)(nil)

// generation is the generation of the refresh token l answered: that of
// its session after the refresh.
func generation(t *testing.T, l *auth.Login) int64 {
	t.Helper()
	rt, err := token.Parse(l.RefreshToken)
	if err != nil {
		t.Fatalf("the answer's refresh token %q: %v", l.RefreshToken, err)
	}
	return rt.Generation
}
