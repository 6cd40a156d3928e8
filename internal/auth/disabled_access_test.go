package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// The tests below disable users with an UPDATE straight in the database,
// which revokes none of their sessions or tokens: a disabled user must be
// refused by the user's own state, whatever is still open.

// TestDisabledUserClassicToken: a disabled user's classic token no longer
// authenticates, answered exactly like a token that does not exist, and
// works again once the user is enabled.
func TestDisabledUserClassicToken(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "classic-off@example.com", "")
		ct, err := r.svc.ObtainClassicToken(t.Context(), reg.User, laptop)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.AuthenticateClassicToken(t.Context(), ct.Key); err != nil {
			t.Fatalf("classic token of an active user: %v", err)
		}
		_, unknown := r.svc.AuthenticateClassicToken(t.Context(), auth.ClassicTokenPrefix+strings.Repeat("A", 43))
		wantCode(t, unknown, auth.CodeInvalidToken)

		r.disable(t, reg.User)
		p, err := r.svc.AuthenticateClassicToken(t.Context(), ct.Key)
		if err == nil {
			t.Fatalf("classic token of a disabled user authenticated %s", p.User.Email)
		}
		wantCode(t, err, auth.CodeInvalidToken)
		if err.Error() != unknown.Error() {
			t.Fatalf("disabled user's token answered %q, an unknown token %q", err, unknown)
		}

		r.enable(t, reg.User)
		if _, err := r.svc.AuthenticateClassicToken(t.Context(), ct.Key); err != nil {
			t.Fatalf("classic token after the user was enabled again: %v", err)
		}
	})
}

// TestDisabledUserAccessToken: a disabled user's access token is refused
// even while its session is still open, whether Tessera sees the token
// for the first time or remembers verifying it before the user was
// disabled.
func TestDisabledUserAccessToken(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "access-off@example.com", "")
		other, err := r.login(t, "access-off@example.com", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.AuthenticateAccess(t.Context(), reg.AccessToken, "bearer"); err != nil {
			t.Fatalf("access token of an active user: %v", err)
		}
		tokens := []struct{ name, raw string }{{"never seen", other.AccessToken}, {"remembered", reg.AccessToken}}

		r.disable(t, reg.User)
		if n := r.activeSessions(t, reg.User.ID); n != 2 {
			t.Fatalf("%d active sessions, want both still open", n)
		}
		for _, tok := range tokens {
			p, err := r.svc.AuthenticateAccess(t.Context(), tok.raw, "bearer")
			if err == nil {
				t.Errorf("%s access token of a disabled user authenticated %s", tok.name, p.User.Email)
				continue
			}
			wantCode(t, err, auth.CodeInvalidToken)
		}

		r.enable(t, reg.User)
		for _, tok := range tokens {
			if _, err := r.svc.AuthenticateAccess(t.Context(), tok.raw, "bearer"); err != nil {
				t.Fatalf("%s access token after the user was enabled again: %v", tok.name, err)
			}
		}
	})
}

// TestDisabledUserRefreshWithoutDigest: a session from before refresh
// digests (rotated from one read, not by the one-statement rotation) does
// not refresh for a disabled user, and is left as it was.
func TestDisabledUserRefreshWithoutDigest(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "older-off@example.com", "")
		if _, err := db.SQL().ExecContext(t.Context(), db.SQL().Rebind(`UPDATE sessions SET refresh_digest = NULL WHERE id = ?`), reg.Session.ID); err != nil {
			t.Fatal(err)
		}

		r.disable(t, reg.User)
		l, err := r.refresh(t, reg.RefreshToken)
		if err == nil {
			t.Fatalf("refresh of a disabled user answered generation %d", generation(t, l))
		}
		wantCode(t, err, auth.CodeInvalidGrant)
		if s := r.session(t, reg.Session.ID); s.Generation != 1 || s.RevokedAt != nil {
			t.Fatalf("refused refresh left generation %d, revoked %q", s.Generation, s.RevokedReason)
		}

		r.enable(t, reg.User)
		if l, err := r.refresh(t, reg.RefreshToken); err != nil || generation(t, l) != 2 {
			t.Fatalf("refresh after the user was enabled again: %v", err)
		}
	})
}

// TestDisabledUserRefreshGrace: re-presenting the previous refresh token
// inside the grace window hands out the current pair again, but not when
// the user is disabled while that answer is being made.
func TestDisabledUserRefreshGrace(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "grace-off@example.com", "")
		rotated, err := r.refresh(t, reg.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}

		r.store.afterNextRead(func() { r.disable(t, reg.User) })
		l, err := r.refresh(t, reg.RefreshToken)
		if err == nil {
			t.Fatalf("grace answer for a disabled user: generation %d", generation(t, l))
		}
		wantCode(t, err, auth.CodeInvalidGrant)
		if s := r.session(t, reg.Session.ID); s.Generation != 2 || s.RevokedAt != nil {
			t.Fatalf("refused grace refresh left generation %d, revoked %q", s.Generation, s.RevokedReason)
		}
		if ev := r.events(t, "refresh_reuse"); len(ev) != 0 {
			t.Fatalf("the refusal was audited as reuse: %+v", ev)
		}

		r.enable(t, reg.User)
		again, err := r.refresh(t, reg.RefreshToken)
		if err != nil || again.RefreshToken != rotated.RefreshToken {
			t.Fatalf("grace answer after the user was enabled again: %v; want the current pair", err)
		}
	})
}

// TestDisabledUserIntrospection: introspection (RFC 7662) answers a
// disabled user's refresh token inactive while its session is still open.
func TestDisabledUserIntrospection(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "introspect-off@example.com", "")
		const issuer = "https://id.example"

		r.disable(t, reg.User)
		got, err := r.svc.Introspect(t.Context(), reg.RefreshToken, issuer)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || got.Subject != "" {
			t.Fatalf("refresh token of a disabled user introspected %+v, want inactive and nothing else", got)
		}

		r.enable(t, reg.User)
		got, err = r.svc.Introspect(t.Context(), reg.RefreshToken, issuer)
		if err != nil || !got.Active || got.Subject != reg.User.ID.String() {
			t.Fatalf("introspection after the user was enabled again: %+v, %v", got, err)
		}
	})
}

// TestDisabledUserCodeExchange: an authorization code issued while the
// user was active is refused once the user is disabled, and opens no
// session.
func TestDisabledUserCodeExchange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg, b := r.signInBrowser(t, "code-off@example.com")
		client, err := r.svc.OAuthClient(t.Context(), store.DefaultClientID)
		if err != nil || client == nil {
			t.Fatalf("default client: %v, %v", client, err)
		}
		verifier := strings.Repeat("v", 43)
		sum := sha256.Sum256([]byte(verifier))
		req := &oidc.AuthorizationRequest{
			ClientID: client.ID, RedirectURI: "https://app.example/cb", Scopes: []string{oidc.ScopeOpenID},
			CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]),
		}
		var codes [2]string
		for i := range codes {
			if codes[i], err = r.svc.IssueCode(t.Context(), client, b, req); err != nil {
				t.Fatal(err)
			}
		}
		exchange := func(code string) (*auth.CodeGrant, error) {
			return r.svc.ExchangeCode(t.Context(), auth.CodeExchange{
				Client: client, Code: code, RedirectURI: req.RedirectURI, CodeVerifier: verifier, Device: laptop,
			})
		}
		before := r.activeSessions(t, reg.User.ID)

		r.disable(t, reg.User)
		g, err := exchange(codes[0])
		if err == nil {
			t.Fatalf("code of a disabled user exchanged for session %s", g.Session.ID)
		}
		wantCode(t, err, auth.CodeInvalidGrant)
		if n := r.activeSessions(t, reg.User.ID); n != before {
			t.Fatalf("%d active sessions after the refused exchange, want %d", n, before)
		}

		r.enable(t, reg.User)
		if g, err := exchange(codes[1]); err != nil || g.AccessToken == "" || g.IDToken == "" {
			t.Fatalf("exchange after the user was enabled again: %v", err)
		}
	})
}

// TestDisabledUserMFACompletion: a pending login whose user is disabled
// before the second factor arrives is refused as an invalid mfa_token,
// without the proof being checked, and opens no session.
func TestDisabledUserMFACompletion(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := startRig(t, db)
		reg := r.register(t, "mfa-off@example.com", "")
		mr := r.pendingLogin(t, reg.User, auth.MethodTOTP)
		// A right second factor, counting how often it is checked.
		checked := 0
		proof := func(_ context.Context, u *store.User) ([]string, error) {
			checked++
			if u.ID != reg.User.ID {
				return nil, errors.New("proof checked for another user")
			}
			return []string{auth.AMROTP}, nil
		}
		before := r.activeSessions(t, reg.User.ID)

		r.disable(t, reg.User)
		l, err := r.svc.CompleteMFA(t.Context(), mr.Token, "", laptop, proof)
		if err == nil {
			t.Fatalf("pending login of a disabled user completed with session %s", l.Session.ID)
		}
		wantCode(t, err, auth.CodeInvalidMFAToken)
		if checked != 0 {
			t.Fatalf("the proof was checked %d times for a disabled user", checked)
		}
		if n := r.activeSessions(t, reg.User.ID); n != before {
			t.Fatalf("%d active sessions after the refused completion, want %d", n, before)
		}

		r.enable(t, reg.User)
		if l, err := r.svc.CompleteMFA(t.Context(), mr.Token, "", laptop, proof); err != nil || l.AccessToken == "" {
			t.Fatalf("completion after the user was enabled again: %v", err)
		}
	})
}
