package djrestauth_test

import (
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const (
	bearerA   = "Authorization: Bearer {access}"
	notValid  = `{"detail": "Token is invalid or expired", "code": "token_not_valid"}`
	jwtHeader = `Bearer realm="api"`
)

// TestJWTMode: with TESSERA_COMPAT_TOKEN=jwt, login and registration
// answer dj-rest-auth's JWTSerializer, Bearer authenticates, and
// simplejwt's verify and refresh routes exist.
func TestJWTMode(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := start(t, db, "jwt")
		user := `{"pk": "{pk}", "username": "ada", "email": "ada@example.com", "first_name": "", "last_name": ""}`
		cs.run(t, []step{
			{name: "register", method: "POST", path: "registration/", body: map[string]any{"username": "ada", "email": "ada@example.com", "password1": pw, "password2": pw}, status: 201,
				has: []string{"access", "refresh"}, save: map[string]string{"access0": "access", "refresh0": "refresh"}},
			{name: "login", method: "POST", path: "login/", body: map[string]any{"username": "ada", "password": pw}, status: 200,
				has: []string{"access", "refresh"}, save: map[string]string{"access": "access", "refresh": "refresh"}},
			{name: "user by bearer", method: "GET", path: "user/", headers: []string{bearerA}, status: 200, save: map[string]string{"pk": "pk"}, want: user},
			{name: "login answer carries the user", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw}, status: 200,
				has: []string{"access", "refresh"}, save: map[string]string{"access2": "access", "refresh2": "refresh"}},
			{name: "user without credentials", method: "GET", path: "user/", status: 401, want: noAuth, header: map[string]string{"WWW-Authenticate": jwtHeader}},
			{name: "user with a wrong bearer", method: "GET", path: "user/", headers: []string{"Authorization: Bearer x.y.z"}, status: 401,
				want: `{"detail": "Given token not valid for any token type", "code": "token_not_valid"}`, header: map[string]string{"WWW-Authenticate": jwtHeader}},
			{name: "user with an empty bearer", method: "GET", path: "user/", headers: []string{"Authorization: Bearer"}, status: 401,
				want: `{"detail": "Authorization header must contain two space-delimited values"}`},
			{name: "user with a refresh token as bearer", method: "GET", path: "user/", headers: []string{"Authorization: Bearer {refresh}"}, status: 401,
				want: `{"detail": "Given token not valid for any token type", "code": "token_not_valid"}`},

			{name: "verify an access token", method: "POST", path: "token/verify/", body: map[string]any{"token": "{access}"}, status: 200, want: `{}`},
			{name: "verify a refresh token", method: "POST", path: "token/verify/", body: map[string]any{"token": "{refresh}"}, status: 200, want: `{}`},
			{name: "verify garbage", method: "POST", path: "token/verify/", body: map[string]any{"token": "x.y.z"}, status: 401, want: notValid, header: map[string]string{"WWW-Authenticate": jwtHeader}},
			{name: "verify without token", method: "POST", path: "token/verify/", body: map[string]any{}, status: 400, want: `{"token": ["This field is required."]}`},
			{name: "verify a token of the wrong type", method: "POST", path: "token/verify/", body: map[string]any{"token": 5}, status: 401, want: notValid},

			{name: "refresh", method: "POST", path: "token/refresh/", body: map[string]any{"refresh": "{refresh}"}, status: 200,
				has: []string{"access", "refresh", "access_expiration", "refresh_expiration"}, save: map[string]string{"access": "access", "refresh1": "refresh"}},
			{name: "refresh without token", method: "POST", path: "token/refresh/", body: map[string]any{}, status: 401, want: `{"detail": "No valid refresh token found.", "code": "token_not_valid"}`},
			{name: "refresh garbage", method: "POST", path: "token/refresh/", body: map[string]any{"refresh": "tsr_garbage"}, status: 401, want: notValid},
			{name: "refresh of the wrong type", method: "POST", path: "token/refresh/", body: map[string]any{"refresh": []string{"x"}}, status: 400, want: `{"refresh": ["Not a valid string."]}`},
			{name: "user by the refreshed bearer", method: "GET", path: "user/", headers: []string{bearerA}, status: 200, want: user},
			{name: "classic key from Tessera's route", method: "POST", path: "/v1/auth/token", body: map[string]any{"username": "ada", "password": pw}, status: 200, save: map[string]string{"key": "token"}},
			{name: "user by classic key in jwt mode", method: "GET", path: "user/", headers: []string{authA}, status: 200, want: user},
			{name: "user by a wrong classic key in jwt mode", method: "GET", path: "user/", headers: []string{"Authorization: Token tsk_wrong"}, status: 401, want: `{"detail": "Invalid token."}`},

			{name: "logout by bearer", method: "POST", path: "logout/", headers: []string{bearerA}, status: 200, want: `{"detail": "Successfully logged out."}`},
			{name: "the bearer ended with the logout", method: "GET", path: "user/", headers: []string{bearerA}, status: 401},
			{name: "its refresh token too", method: "POST", path: "token/refresh/", body: map[string]any{"refresh": "{refresh1}"}, status: 401, want: notValid},
			{name: "the other device still works", method: "GET", path: "user/", headers: []string{"Authorization: Bearer {access2}"}, status: 200},
			{name: "logout by refresh token", method: "POST", path: "logout/", body: map[string]any{"refresh": "{refresh2}"}, status: 200, want: `{"detail": "Successfully logged out."}`},
			{name: "that device ended", method: "GET", path: "user/", headers: []string{"Authorization: Bearer {access2}"}, status: 401},
			{name: "logout with nothing", method: "POST", path: "logout/", status: 401, want: `{"detail": "Refresh token was not included in request data."}`},
			{name: "registration's session still works", method: "POST", path: "token/verify/", body: map[string]any{"token": "{refresh0}"}, status: 200, want: `{}`},
		})
	})
}

// TestMandatoryVerification: registration answers dj-rest-auth's pending
// detail whether the address is new or taken, and login waits for the
// address to be verified.
func TestMandatoryVerification(t *testing.T) {
	for _, mode := range []string{"token", "jwt"} {
		t.Run(mode, func(t *testing.T) {
			sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				cs := start(t, db, mode, func(c *config.Config) { c.EmailVerification = "mandatory" })
				reg := map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}
				cs.run(t, []step{
					{name: "register", method: "POST", path: "registration/", body: reg, status: 201, want: `{"detail": "Verification e-mail sent."}`},
					{name: "register the same address", method: "POST", path: "registration/", body: reg, status: 201, want: `{"detail": "Verification e-mail sent."}`},
					{name: "login before verifying", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw}, status: 400,
						want: `{"non_field_errors": ["E-mail is not verified."]}`},
				})
			})
		})
	}
}

// TestThrottled: Tessera's limits answer in DRF's Throttled shape. Failed
// logins lock the account wherever they were tried, and the reset route
// spends from the same allowance as /v1/auth/password/reset.
func TestThrottled(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		cs := start(t, db, "token", func(c *config.Config) { c.LoginMaxFailures = 1; c.LoginFailureWindow = time.Minute })
		cs.run(t, []step{
			{name: "register", method: "POST", path: "registration/", body: map[string]any{"email": "ada@example.com", "password1": pw, "password2": pw}, status: 201},
			{name: "wrong password on Tessera's own login", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "ada@example.com", "password": "not the password at all"}, status: 400},
			{name: "locked here too", method: "POST", path: "login/", body: map[string]any{"email": "ada@example.com", "password": pw}, status: 429,
				want: `{"detail": "Request was throttled. Expected available in 60 seconds."}`, header: map[string]string{"Retry-After": "60"}},
		})
		for range 5 {
			cs.step(t, step{method: "POST", path: "/v1/auth/password/reset", body: map[string]any{"email": "bob@example.com"}, status: 202})
		}
		r := cs.step(t, step{name: "reset here", method: "POST", path: "password/reset/", body: map[string]any{"email": "bob@example.com"}, status: 429})
		if r.Header.Get("Retry-After") == "" || r.Str("detail") == "" {
			t.Errorf("throttled answer lacks Retry-After or detail: %v %s", r.Header, r.Body)
		}
	})
}

// TestMountPath: TESSERA_COMPAT_PATH moves the routes; without
// TESSERA_COMPAT there are none.
func TestMountPath(t *testing.T) {
	db := sqltest.NewSQLite(t)
	cs := start(t, db, "token", func(c *config.Config) { c.CompatPath = "/api/auth/" })
	login := map[string]any{"username": "nobody", "password": pw}
	cs.run(t, []step{
		{name: "moved", method: "POST", path: "/api/auth/login/", body: login, status: 400},
		{name: "not at the default", method: "POST", path: "/dj-rest-auth/login/", body: login, status: 404},
	})
	off := start(t, sqltest.NewSQLite(t), "token", func(c *config.Config) { c.Compat = "" })
	off.run(t, []step{{name: "off", method: "POST", path: "/dj-rest-auth/login/", body: login, status: 404}})
}
