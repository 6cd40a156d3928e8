package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// accountContractWalk walks the account page and each of its forms: the
// first post (a confirmation page), the confirmed one, without the form
// token, from another site, and with input the use cases refuse.
func accountContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	w := newContractWalk(t, ts)
	form := "Content-Type: application/x-www-form-urlencoded"
	jar := "Cookie: __Host-tessera_form={form}"
	signedIn := "Cookie: __Host-tessera_sso={sso}"
	pw := "&current_password=" + contractPassword
	t.Run("account", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "account page signed out", method: "GET", path: "/account", status: 303},
			{name: "sign-up page", method: "GET", path: "/signup", status: 200,
				save: map[string]string{"form": "cookie:__Host-tessera_form", "tok": "input:csrf_token"}},
			{name: "sign up", method: "POST", path: "/signup", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada%40example.com&password=" + contractPassword,
				status: 303, save: map[string]string{"sso": "cookie:__Host-tessera_sso"}},
			{name: "register eve", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "eve@example.com", "password": contractPassword, "username": "eve"}, status: 201},
			{name: "another device", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "ada@example.com", "password": contractPassword}, status: 200,
				save: map[string]string{"a_sid": "session_id"}},
			{name: "account page", method: "GET", path: "/account?done=device", headers: []string{signedIn}, status: 200, save: map[string]string{"atok": "input:csrf_token"}},

			{name: "username without token", method: "POST", path: "/account/profile", headers: []string{form, signedIn}, body: "csrf_token=&username=ada", status: 403, offSpec: true},
			{name: "username from another site", method: "POST", path: "/account/profile", headers: []string{form, signedIn, "Origin: https://evil.example"}, body: "csrf_token={atok}&username=ada", status: 403},
			{name: "profile signed out", method: "POST", path: "/account/profile", headers: []string{form}, body: "csrf_token={atok}&username=ada", status: 303},
			{name: "username taken", method: "POST", path: "/account/profile", headers: []string{form, signedIn}, body: "csrf_token={atok}&username=EVE", status: 409},
			{name: "username invalid", method: "POST", path: "/account/profile", headers: []string{form, signedIn}, body: "csrf_token={atok}&username=a%E2%80%8Bb", status: 400},
			{name: "first name with a control character", method: "POST", path: "/account/profile", headers: []string{form, signedIn}, body: "csrf_token={atok}&first_name=A%07da&username=ada", status: 400},
			{name: "username", method: "POST", path: "/account/profile", headers: []string{form, signedIn}, body: "csrf_token={atok}&username=ada", status: 303},

			{name: "e-mail wrong password", method: "POST", path: "/account/email", headers: []string{form, signedIn}, body: "csrf_token={atok}&new_email=ada%40new.example&current_password=wrong", status: 400},
			{name: "e-mail taken", method: "POST", path: "/account/email", headers: []string{form, signedIn}, body: "csrf_token={atok}&new_email=eve%40example.com" + pw, status: 409},
			{name: "e-mail", method: "POST", path: "/account/email", headers: []string{form, signedIn}, body: "csrf_token={atok}&new_email=ada%40new.example" + pw, status: 303},

			{name: "device confirmation", method: "POST", path: "/account/devices/revoke", headers: []string{form, signedIn}, body: "csrf_token={atok}&id={a_sid}", status: 200},
			{name: "device revoked", method: "POST", path: "/account/devices/revoke", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes&id={a_sid}", status: 303},
			{name: "device gone", method: "POST", path: "/account/devices/revoke", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes&id={a_sid}", status: 404},
			{name: "others confirmation", method: "POST", path: "/account/devices/others", headers: []string{form, signedIn}, body: "csrf_token={atok}", status: 200},
			{name: "others", method: "POST", path: "/account/devices/others", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes", status: 303},

			{name: "token create", method: "POST", path: "/account/token/create", headers: []string{form, signedIn}, body: "csrf_token={atok}", status: 200},
			{name: "token create again", method: "POST", path: "/account/token/create", headers: []string{form, signedIn}, body: "csrf_token={atok}", status: 303},
			{name: "token rotate confirmation", method: "POST", path: "/account/token/rotate", headers: []string{form, signedIn}, body: "csrf_token={atok}", status: 200},
			{name: "token rotate", method: "POST", path: "/account/token/rotate", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes", status: 200},
			{name: "token revoke confirmation", method: "POST", path: "/account/token/revoke", headers: []string{form, signedIn}, body: "csrf_token={atok}", status: 200},
			{name: "token revoke", method: "POST", path: "/account/token/revoke", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes", status: 303},
			{name: "token revoke without token", method: "POST", path: "/account/token/revoke", headers: []string{form, signedIn}, body: "confirm=yes", status: 403, offSpec: true},

			{name: "withdraw unknown app", method: "POST", path: "/account/apps/withdraw", headers: []string{form, signedIn}, body: "csrf_token={atok}&client_id=nope", status: 404},
			{name: "withdraw unknown app confirmed", method: "POST", path: "/account/apps/withdraw", headers: []string{form, signedIn}, body: "csrf_token={atok}&confirm=yes&client_id=nope", status: 404},
			{name: "withdraw from another site", method: "POST", path: "/account/apps/withdraw", headers: []string{form, signedIn, "Sec-Fetch-Site: cross-site"}, body: "csrf_token={atok}&client_id=nope", status: 403},

			{name: "password too short", method: "POST", path: "/account/password", headers: []string{form, signedIn}, body: "csrf_token={atok}&new_password=short" + pw, status: 400},
			{name: "password", method: "POST", path: "/account/password", headers: []string{form, signedIn}, body: "csrf_token={atok}&new_password=a+much+newer+passphrase" + pw, status: 303},
		})
	})
	return w
}
