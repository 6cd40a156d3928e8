package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// compatOn turns on the dj-rest-auth routes in mode (token or jwt).
func compatOn(mode string) func(*config.Config) {
	return func(c *config.Config) { c.Compat, c.CompatToken = "dj-rest-auth", mode }
}

// compatContractWalks walk the dj-rest-auth routes in both modes; their
// field-by-field tests live in internal/compat/djrestauth.
func compatContractWalks(t *testing.T) []*contractWalk {
	creds := map[string]any{"email": "ada@example.com", "password": contractPassword}
	reg := map[string]any{"username": "ada", "email": "ada@example.com", "password1": contractPassword, "password2": contractPassword}
	big := map[string]any{"padding": string(make([]byte, 70_000))}
	text := "Content-Type: text/plain"

	tok := newContractWalk(t, servertest.Start(t, sqltest.NewSQLite(t), compatOn("token")))
	t.Run("dj-rest-auth token mode", func(t *testing.T) {
		tok.run(t, []contractStep{
			{name: "register", method: "POST", path: "/dj-rest-auth/registration/", body: reg, status: 201, save: map[string]string{"key": "key"}},
			{name: "register mismatched", method: "POST", path: "/dj-rest-auth/registration/", body: map[string]any{"email": "b@example.com", "password1": contractPassword, "password2": "x"}, status: 400},
			{name: "register text", method: "POST", path: "/dj-rest-auth/registration/", headers: []string{text}, body: "x", status: 415, offSpec: true},
			{name: "register too big", method: "POST", path: "/dj-rest-auth/registration/", body: big, status: 413},
			{name: "login", method: "POST", path: "/dj-rest-auth/login/", body: creds, status: 200},
			{name: "login form", method: "POST", path: "/dj-rest-auth/login/", headers: []string{"Content-Type: application/x-www-form-urlencoded"}, body: "username=ada&password=" + contractPassword, status: 200},
			{name: "login wrong password", method: "POST", path: "/dj-rest-auth/login/", body: map[string]any{"username": "ada", "password": "wrong"}, status: 400},
			{name: "user", method: "GET", path: "/dj-rest-auth/user/", headers: []string{"Authorization: Token {key}"}, status: 200},
			{name: "user without key", method: "GET", path: "/dj-rest-auth/user/", status: 401},
			{name: "put user", method: "PUT", path: "/dj-rest-auth/user/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"username": "ada", "first_name": "Ada"}, status: 200},
			{name: "patch user", method: "PATCH", path: "/dj-rest-auth/user/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"last_name": "Lovelace"}, status: 200},
			{name: "patch user blank username", method: "PATCH", path: "/dj-rest-auth/user/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"username": ""}, status: 400},
			{name: "reset", method: "POST", path: "/dj-rest-auth/password/reset/", body: map[string]any{"email": "ada@example.com"}, status: 200},
			{name: "reset confirm bad uid", method: "POST", path: "/dj-rest-auth/password/reset/confirm/", body: map[string]any{"uid": "x", "token": "y", "new_password1": contractPassword, "new_password2": contractPassword}, status: 400},
			{name: "verify bad key", method: "POST", path: "/dj-rest-auth/registration/verify-email/", body: map[string]any{"key": "nope"}, status: 404},
			{name: "resend", method: "POST", path: "/dj-rest-auth/registration/resend-email/", body: map[string]any{"email": "ada@example.com"}, status: 200},
			{name: "change wrong old password", method: "POST", path: "/dj-rest-auth/password/change/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"old_password": "wrong", "new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"}, status: 400},
			{name: "change", method: "POST", path: "/dj-rest-auth/password/change/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"old_password": contractPassword, "new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"}, status: 200},
			{name: "logout without key", method: "POST", path: "/dj-rest-auth/logout/", status: 400},
			{name: "logout with the revoked key", method: "POST", path: "/dj-rest-auth/logout/", headers: []string{"Authorization: Token {key}"}, status: 401},
		})
	})

	jwt := newContractWalk(t, servertest.Start(t, sqltest.NewSQLite(t), compatOn("jwt")))
	t.Run("dj-rest-auth jwt mode", func(t *testing.T) {
		jwt.run(t, []contractStep{
			{name: "register", method: "POST", path: "/dj-rest-auth/registration/", body: reg, status: 201},
			{name: "login", method: "POST", path: "/dj-rest-auth/login/", body: creds, status: 200, save: map[string]string{"access": "access", "refresh": "refresh"}},
			{name: "user", method: "GET", path: "/dj-rest-auth/user/", headers: []string{"Authorization: Bearer {access}"}, status: 200},
			{name: "verify", method: "POST", path: "/dj-rest-auth/token/verify/", body: map[string]any{"token": "{access}"}, status: 200},
			{name: "verify garbage", method: "POST", path: "/dj-rest-auth/token/verify/", body: map[string]any{"token": "x"}, status: 401},
			{name: "verify without token", method: "POST", path: "/dj-rest-auth/token/verify/", body: map[string]any{}, status: 400},
			{name: "refresh", method: "POST", path: "/dj-rest-auth/token/refresh/", body: map[string]any{"refresh": "{refresh}"}, status: 200, save: map[string]string{"access": "access"}},
			{name: "refresh garbage", method: "POST", path: "/dj-rest-auth/token/refresh/", body: map[string]any{"refresh": "tsr_x"}, status: 401},
			{name: "refresh of the wrong type", method: "POST", path: "/dj-rest-auth/token/refresh/", body: map[string]any{"refresh": 5}, status: 401},
			{name: "logout", method: "POST", path: "/dj-rest-auth/logout/", headers: []string{"Authorization: Bearer {access}"}, status: 200},
			{name: "logout with nothing", method: "POST", path: "/dj-rest-auth/logout/", status: 401},
		})
	})

	locked := newContractWalk(t, servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		compatOn("token")(c)
		c.LoginMaxFailures = 1
	}))
	t.Run("dj-rest-auth limits", func(t *testing.T) {
		steps := []contractStep{
			{name: "register", method: "POST", path: "/dj-rest-auth/registration/", body: reg, status: 201, save: map[string]string{"key": "key"}},
			{name: "login wrong password", method: "POST", path: "/dj-rest-auth/login/", body: map[string]any{"email": "ada@example.com", "password": "wrong"}, status: 400},
			{name: "login locked", method: "POST", path: "/dj-rest-auth/login/", body: creds, status: 429},
			{name: "change locked", method: "POST", path: "/dj-rest-auth/password/change/", headers: []string{"Authorization: Token {key}"}, body: map[string]any{"old_password": contractPassword, "new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"}, status: 429},
		}
		for range 5 {
			steps = append(steps, contractStep{name: "reset", method: "POST", path: "/dj-rest-auth/password/reset/", body: map[string]any{"email": "bob@example.com"}, status: 200})
		}
		for range 3 {
			steps = append(steps, contractStep{name: "resend", method: "POST", path: "/dj-rest-auth/registration/resend-email/", body: map[string]any{"email": "bob@example.com"}, status: 200})
		}
		steps = append(steps,
			contractStep{name: "reset throttled", method: "POST", path: "/dj-rest-auth/password/reset/", body: map[string]any{"email": "bob@example.com"}, status: 429},
			contractStep{name: "resend throttled", method: "POST", path: "/dj-rest-auth/registration/resend-email/", body: map[string]any{"email": "bob@example.com"}, status: 429})
		locked.run(t, steps)
	})
	return []*contractWalk{tok, jwt, locked}
}
