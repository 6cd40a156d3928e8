package auth_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/internal/token"
)

// TestRefreshStoresOnlyDigests: a session keeps the SHA-256 of its current
// token's MAC, never the token, and each refresh replaces it.
func TestRefreshStoresOnlyDigests(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "digest@example.com", "")
		rt := reg.RefreshToken
		for range 3 {
			parsed, err := token.Parse(rt)
			if err != nil {
				t.Fatal(err)
			}
			s := r.session(t, reg.Session.ID)
			if !bytes.Equal(s.RefreshDigest, parsed.Digest()) || bytes.Contains(s.RefreshDigest, parsed.MAC) {
				t.Fatalf("generation %d: stored digest %x, want SHA-256 of the token's MAC", s.Generation, s.RefreshDigest)
			}
			l, err := r.refresh(t, rt)
			if err != nil {
				t.Fatal(err)
			}
			rt = l.RefreshToken
		}
	})
}

// TestRefreshSessionWithoutDigest: a session created before refresh
// digests existed (its digest NULL) keeps working with its nonce-derived
// tokens: it rotates, honours the grace window, and reuse revokes it.
func TestRefreshSessionWithoutDigest(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "older@example.com", "")
		if _, err := db.SQL().ExecContext(t.Context(), db.SQL().Rebind(`UPDATE sessions SET refresh_digest = NULL WHERE id = ?`), reg.Session.ID); err != nil {
			t.Fatal(err)
		}
		first, err := r.refresh(t, reg.RefreshToken)
		if err != nil || generation(t, first) != 2 {
			t.Fatalf("refresh of a session without digest: %+v, %v", first, err)
		}
		if s := r.session(t, reg.Session.ID); s.RefreshDigest != nil {
			t.Fatalf("a session without digest gained one: %x", s.RefreshDigest)
		}
		again, err := r.refresh(t, reg.RefreshToken)
		if err != nil || again.RefreshToken != first.RefreshToken {
			t.Fatalf("grace answer: %v; want the current pair again", err)
		}
		second, err := r.refresh(t, first.RefreshToken)
		if err != nil || generation(t, second) != 3 {
			t.Fatalf("second refresh: %+v, %v", second, err)
		}
		r.clock.Advance(grace)
		_, err = r.refresh(t, reg.RefreshToken)
		wantCode(t, err, auth.CodeInvalidGrant)
		if s := r.session(t, reg.Session.ID); s.RevokedReason != "refresh_reuse" {
			t.Fatalf("reuse left the session %q", s.RevokedReason)
		}
	})
}

// TestRefreshForgedOldGeneration: a token naming a real session at an old
// generation with a made-up MAC is refused and revokes nothing (reuse is
// only recognised for genuine tokens).
func TestRefreshForgedOldGeneration(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "forged@example.com", "")
		rt := reg.RefreshToken
		for range 3 {
			l, err := r.refresh(t, rt)
			if err != nil {
				t.Fatal(err)
			}
			rt = l.RefreshToken
		}
		r.clock.Advance(time.Minute)
		for _, gen := range []int64{1, 2, 3, 4, 5, 1 << 40} {
			forged := token.Refresh{SessionID: reg.Session.ID, Generation: gen, MAC: bytes.Repeat([]byte{7}, 32)}
			_, err := r.refresh(t, forged.String())
			wantCode(t, err, auth.CodeInvalidGrant)
		}
		if s := r.session(t, reg.Session.ID); s.RevokedAt != nil {
			t.Fatalf("a forged token revoked the session (%s)", s.RevokedReason)
		}
		if _, err := r.refresh(t, rt); err != nil {
			t.Fatalf("the genuine token after the forgeries: %v", err)
		}
	})
}

// TestRememberedAccessTokenStillRevoked: an access token Tessera has
// verified (and now remembers) is refused at once when its session ends,
// and when its user is disabled.
func TestRememberedAccessTokenStillRevoked(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		for _, end := range []string{"logout", "deactivate"} {
			t.Run(end, func(t *testing.T) {
				reg := r.register(t, end+"@example.com", "")
				p, err := r.svc.AuthenticateAccess(t.Context(), reg.AccessToken, "bearer")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.svc.AuthenticateAccess(t.Context(), reg.AccessToken, "bearer"); err != nil {
					t.Fatalf("second use of the token: %v", err)
				}
				switch end {
				case "logout":
					err = r.svc.Logout(t.Context(), p, auth.ScopeLocal, laptop)
				case "deactivate":
					off := false
					_, err = r.svc.AdminUpdateUser(t.Context(), auth.Actor{Operator: "ops"}, reg.User.ID, auth.UserPatch{IsActive: &off})
				}
				if err != nil {
					t.Fatal(err)
				}
				_, err = r.svc.AuthenticateAccess(t.Context(), reg.AccessToken, "bearer")
				wantCode(t, err, auth.CodeInvalidToken)
			})
		}
	})
}
