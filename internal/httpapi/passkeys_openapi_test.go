package httpapi_test

import (
	"net/url"
	"testing"

	"github.com/tessera-id/tessera/internal/mfa/webauthntest"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// passkeysContractWalk walks the passkey endpoints with a software
// authenticator answering the ceremonies; the contract test counts it in
// its coverage.
func passkeysContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	w := newContractWalk(t, ts)
	a := webauthntest.New(pkOrigin)
	bearer := "Authorization: Bearer {pk_access}"
	pageForm := "Content-Type: application/x-www-form-urlencoded"
	pageJar := "Cookie: __Host-tessera_form={form}"
	pageSSO := "Cookie: __Host-tessera_sso={sso}"
	pageMFA := "Cookie: __Host-tessera_form={form}; __Host-tessera_mfa={mfa}"
	answer := func(t *testing.T, options, into string, f func([]byte) ([]byte, error)) {
		t.Helper()
		cred, err := f([]byte(w.vars[options]))
		if err != nil {
			t.Fatal(err)
		}
		w.vars[into] = string(cred)
	}
	t.Run("passkeys", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "register", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "pk@example.com", "password": contractPassword}, status: 201,
				save: map[string]string{"pk_access": "access_token"}},
			{name: "begin registration", method: "POST", path: "/v1/auth/passkeys/register/begin", headers: []string{bearer}, status: 200, save: map[string]string{"reg": "body"}},
			{name: "begin registration unauthenticated", method: "POST", path: "/v1/auth/passkeys/register/begin", status: 401, code: "not_authenticated"},
		})
		answer(t, "reg", "reg_cred", a.Create)
		w.run(t, []contractStep{
			{name: "finish registration, bad credential", method: "POST", path: "/v1/auth/passkeys/register/finish", headers: []string{bearer},
				body: `{"credential":{"id":"x","rawId":"x","type":"public-key","response":{}}}`, status: 400, code: "invalid_request"},
			{name: "finish registration", method: "POST", path: "/v1/auth/passkeys/register/finish", headers: []string{bearer},
				body: `{"name":"Laptop","credential":{reg_cred}}`, status: 201, save: map[string]string{"pk_id": "id"}},
			{name: "list", method: "GET", path: "/v1/auth/passkeys", headers: []string{bearer}, status: 200},
			{name: "rename", method: "PATCH", path: "/v1/auth/passkeys/{pk_id}", headers: []string{bearer}, body: map[string]any{"name": "Old laptop"}, status: 200},
			{name: "rename, name too long", method: "PATCH", path: "/v1/auth/passkeys/{pk_id}", headers: []string{bearer},
				body: map[string]any{"name": "a name of more than sixty-four characters, which is more than any passkey needs"}, status: 400, code: "invalid_request"},
			{name: "rename unknown", method: "PATCH", path: "/v1/auth/passkeys/0195a000-0000-7000-8000-000000000000", headers: []string{bearer}, body: map[string]any{"name": "x"}, status: 404, code: "not_found"},
			{name: "begin login", method: "POST", path: "/v1/auth/passkeys/login/begin", status: 200, save: map[string]string{"login": "body", "challenge": "challenge_id"}},
			{name: "begin login naming an account", method: "POST", path: "/v1/auth/passkeys/login/begin", body: map[string]any{"email": "nobody@example.com"}, status: 200},
			{name: "begin login, malformed e-mail", method: "POST", path: "/v1/auth/passkeys/login/begin", body: map[string]any{"email": "nobody"}, status: 400, code: "invalid_request"},
		})
		answer(t, "login", "login_cred", a.Get)
		w.run(t, []contractStep{
			{name: "finish login", method: "POST", path: "/v1/auth/passkeys/login/finish", body: `{"challenge_id":"{challenge}","credential":{login_cred},"device_name":"phone"}`, status: 200},
			{name: "finish login again", method: "POST", path: "/v1/auth/passkeys/login/finish", body: `{"challenge_id":"{challenge}","credential":{login_cred}}`, status: 400, code: "invalid_credentials"},
			{name: "finish login without credential", method: "POST", path: "/v1/auth/passkeys/login/finish", body: map[string]any{"challenge_id": "x"}, status: 400, code: "invalid_request", offSpec: true},
			{name: "sign-in page", method: "GET", path: "/signin", status: 200,
				save: map[string]string{"form": "cookie:__Host-tessera_form", "tok": "input:csrf_token"}},
			{name: "passkey script", method: "GET", path: "/static/passkey.js", status: 200},
			{name: "begin the page's login", method: "POST", path: "/v1/auth/passkeys/login/begin", status: 200, save: map[string]string{"page_login": "body", "page_challenge": "challenge_id"}},
		})
		answer(t, "page_login", "page_cred", a.Get)
		w.vars["page_cred"] = url.QueryEscape(w.vars["page_cred"])
		w.run(t, []contractStep{
			{name: "page sign-in without token", method: "POST", path: "/signin/passkey", headers: []string{pageForm}, body: "challenge_id=x&credential=x", status: 403, offSpec: true},
			{name: "page sign-in, no answer", method: "POST", path: "/signin/passkey", headers: []string{pageForm, pageJar}, body: "csrf_token={tok}&challenge_id=&credential=", status: 400},
			{name: "page sign-in", method: "POST", path: "/signin/passkey", headers: []string{pageForm, pageJar},
				body: "csrf_token={tok}&challenge_id={page_challenge}&credential={page_cred}", status: 303,
				save: map[string]string{"sso": "cookie:__Host-tessera_sso"}},
			{name: "account page", method: "GET", path: "/account", headers: []string{pageSSO}, status: 200, save: map[string]string{"atok": "input:csrf_token"}},
			{name: "account: begin adding without token", method: "POST", path: "/account/passkeys/begin", headers: []string{pageForm, pageSSO}, body: "", status: 403, offSpec: true},
			{name: "account: begin adding", method: "POST", path: "/account/passkeys/begin", headers: []string{pageForm, pageSSO}, body: "csrf_token={atok}", status: 200,
				save: map[string]string{"acct_reg": "body"}},
			{name: "account: add, bad credential", method: "POST", path: "/account/passkeys", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&name=x&credential=%7B%7D", status: 400},
		})
		answer(t, "acct_reg", "acct_cred", webauthntest.New(pkOrigin).Create)
		w.vars["acct_cred"] = url.QueryEscape(w.vars["acct_cred"])
		w.run(t, []contractStep{
			{name: "account: add", method: "POST", path: "/account/passkeys", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&name=Phone&credential={acct_cred}", status: 303},
			{name: "account: rename unknown", method: "POST", path: "/account/passkeys/rename", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&id=0195a000-0000-7000-8000-000000000000&name=x", status: 404},
			{name: "account: rename, empty name", method: "POST", path: "/account/passkeys/rename", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&id={pk_id}&name=", status: 400},
			{name: "account: rename", method: "POST", path: "/account/passkeys/rename", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&id={pk_id}&name=Laptop", status: 303},
			{name: "account: remove asks", method: "POST", path: "/account/passkeys/remove", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&id={pk_id}", status: 200},
			{name: "account: remove without token", method: "POST", path: "/account/passkeys/remove", headers: []string{pageForm, pageSSO},
				body: "id={pk_id}&confirm=yes", status: 403, offSpec: true},
			{name: "console: reset second factors, not an admin", method: "POST", path: "/admin/users/{pk_id}/mfa/reset", headers: []string{pageForm, pageSSO},
				body: "csrf_token={atok}&confirm=yes", status: 403},
			{name: "password sign-in, second step due", method: "POST", path: "/signin", headers: []string{pageForm, pageJar},
				body: "csrf_token={tok}&identifier=pk%40example.com&password=" + contractPassword, status: 303,
				save: map[string]string{"mfa": "cookie:__Host-tessera_mfa"}},
			{name: "second step, begin without token", method: "POST", path: "/signin/mfa/passkey/begin", headers: []string{pageForm, pageMFA},
				body: "return_to=", status: 403, offSpec: true},
			{name: "second step, begin", method: "POST", path: "/signin/mfa/passkey/begin", headers: []string{pageForm, pageMFA},
				body: "csrf_token={tok}", status: 200, save: map[string]string{"step": "body", "step_challenge": "challenge_id"}},
		})
		answer(t, "step", "step_cred", a.Get)
		w.vars["step_cred"] = url.QueryEscape(w.vars["step_cred"])
		w.run(t, []contractStep{
			{name: "second step, no answer", method: "POST", path: "/signin/mfa/passkey", headers: []string{pageForm, pageMFA},
				body: "csrf_token={tok}&challenge_id=&credential=", status: 400},
			{name: "second step with a passkey", method: "POST", path: "/signin/mfa/passkey", headers: []string{pageForm, pageMFA},
				body: "csrf_token={tok}&challenge_id={step_challenge}&credential={step_cred}", status: 303},
			{name: "second step, begin when none is pending", method: "POST", path: "/signin/mfa/passkey/begin", headers: []string{pageForm, pageJar},
				body: "csrf_token={tok}", status: 400},
			{name: "remove", method: "DELETE", path: "/v1/auth/passkeys/{pk_id}", headers: []string{bearer}, status: 204},
			{name: "remove again", method: "DELETE", path: "/v1/auth/passkeys/{pk_id}", headers: []string{bearer}, status: 404, code: "not_found"},
		})
	})
	return w
}
