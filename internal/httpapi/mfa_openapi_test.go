package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// mfaContractWalk walks the second factors: enrolment, the mfa_required
// login and its completion, step-up, new recovery codes, removal, the
// admin reset and the hosted code step. Codes come from the test's
// authenticator at the server's clock, one fresh step per use.
func mfaContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	w := newContractWalk(t, ts)
	if _, err := ts.Auth.AdminCreateUser(t.Context(), auth.Actor{Operator: "test"},
		auth.CreateUserInput{Email: "root@example.com", Password: contractPassword, IsAdmin: true, EmailVerified: true}); err != nil {
		t.Fatal(err)
	}
	bearer := "Authorization: Bearer {m_access}"
	fresh := func() {
		ts.NextTOTPStep()
		w.vars["code"] = ts.TOTPCode(t, w.vars["secret"], 0)
		w.vars["wrong"] = wrongCode(t, ts, w.vars["secret"])
	}
	form := "Content-Type: application/x-www-form-urlencoded"
	t.Run("mfa", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "register", method: "POST", path: "/v1/auth/register", body: map[string]any{"email": "mfa@example.com", "password": contractPassword},
				status: 201, save: map[string]string{"m_access": "access_token"}},
			{name: "me", method: "GET", path: "/v1/auth/me", headers: []string{bearer}, status: 200, save: map[string]string{"m_id": "id"}},
			{name: "status without factors", method: "GET", path: "/v1/auth/mfa", headers: []string{bearer}, status: 200},
			{name: "confirm with nothing pending", method: "POST", path: "/v1/auth/mfa/totp/confirm", headers: []string{bearer}, body: map[string]any{"code": "123456"}, status: 409, code: "conflict"},
			{name: "enrol wrong password", method: "POST", path: "/v1/auth/mfa/totp", headers: []string{bearer}, body: map[string]any{"password": "not the password"}, status: 400, code: "invalid_request"},
			{name: "enrol", method: "POST", path: "/v1/auth/mfa/totp", headers: []string{bearer}, body: map[string]any{"password": contractPassword},
				status: 200, save: map[string]string{"secret": "secret"}},
			{name: "recovery codes without a factor", method: "POST", path: "/v1/auth/mfa/recovery-codes", headers: []string{bearer}, body: map[string]any{"code": "123456"}, status: 409, code: "conflict"},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "confirm wrong code", method: "POST", path: "/v1/auth/mfa/totp/confirm", headers: []string{bearer}, body: map[string]any{"code": "{wrong}"}, status: 400, code: "invalid_mfa_code"},
			{name: "confirm", method: "POST", path: "/v1/auth/mfa/totp/confirm", headers: []string{bearer}, body: map[string]any{"code": "{code}"}, status: 200},
			{name: "enrol again", method: "POST", path: "/v1/auth/mfa/totp", headers: []string{bearer}, body: map[string]any{"password": contractPassword}, status: 409, code: "conflict"},
			{name: "login asks for the code", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "mfa@example.com", "password": contractPassword},
				status: 403, code: "mfa_required", save: map[string]string{"mfa_token": "mfa_token"}},
			{name: "verify without a proof", method: "POST", path: "/v1/auth/mfa/verify", body: map[string]any{"mfa_token": "{mfa_token}"}, status: 400, code: "invalid_request"},
			{name: "verify replayed code", method: "POST", path: "/v1/auth/mfa/verify", body: map[string]any{"mfa_token": "{mfa_token}", "code": "{code}"}, status: 400, code: "invalid_mfa_code"},
			{name: "verify unknown token", method: "POST", path: "/v1/auth/mfa/verify", body: map[string]any{"mfa_token": "tsm_unknown", "code": "123456"}, status: 400, code: "invalid_mfa_token"},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "verify", method: "POST", path: "/v1/auth/mfa/verify", body: map[string]any{"mfa_token": "{mfa_token}", "code": "{code}"}, status: 200,
				save: map[string]string{"m_access": "access_token"}},
			{name: "status", method: "GET", path: "/v1/auth/mfa", headers: []string{bearer}, status: 200},
			{name: "step-up wrong code", method: "POST", path: "/v1/auth/mfa/step-up", headers: []string{bearer}, body: map[string]any{"code": "{wrong}"}, status: 400, code: "invalid_mfa_code"},
			{name: "login for the page", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "root@example.com", "password": contractPassword},
				status: 200, save: map[string]string{"root": "access_token"}},
			{name: "code step without a pending sign-in", method: "GET", path: "/signin/mfa", status: 303},
			{name: "sign-in page", method: "GET", path: "/signin", status: 200, save: map[string]string{"form": "cookie:__Host-tessera_form", "tok": "input:csrf_token"}},
			{name: "sign in with a factor", method: "POST", path: "/signin", headers: []string{form, "Cookie: __Host-tessera_form={form}"},
				body: "csrf_token={tok}&identifier=mfa%40example.com&password=" + contractPassword, status: 303, save: map[string]string{"pending": "cookie:__Host-tessera_mfa"}},
			{name: "code step", method: "GET", path: "/signin/mfa?method=recovery_code", headers: []string{"Cookie: __Host-tessera_form={form}; __Host-tessera_mfa={pending}"}, status: 200},
			{name: "code step wrong code", method: "POST", path: "/signin/mfa", headers: []string{form, "Cookie: __Host-tessera_form={form}; __Host-tessera_mfa={pending}"},
				body: "csrf_token={tok}&code={wrong}", status: 400},
			{name: "code step without token", method: "POST", path: "/signin/mfa", headers: []string{form, "Cookie: __Host-tessera_form={form}; __Host-tessera_mfa={pending}"},
				body: "code=123456", status: 403, offSpec: true},
		})
		fresh()
		signedIn := "Cookie: __Host-tessera_sso={sso}"
		w.run(t, []contractStep{
			{name: "code step", method: "POST", path: "/signin/mfa", headers: []string{form, "Cookie: __Host-tessera_form={form}; __Host-tessera_mfa={pending}"},
				body: "csrf_token={tok}&code={code}", status: 303, save: map[string]string{"sso": "cookie:__Host-tessera_sso"}},
			{name: "account page", method: "GET", path: "/account", headers: []string{signedIn}, status: 200, save: map[string]string{"atok": "input:csrf_token"}},
			{name: "account new recovery codes wrong code", method: "POST", path: "/account/mfa/recovery-codes", headers: []string{form, signedIn}, body: "csrf_token={atok}&code={wrong}", status: 400},
			{name: "account enrol while active", method: "POST", path: "/account/mfa/totp", headers: []string{form, signedIn}, body: "csrf_token={atok}&password=" + contractPassword, status: 409},
			{name: "account enrol without token", method: "POST", path: "/account/mfa/totp", headers: []string{form, signedIn}, body: "password=x", status: 403, offSpec: true},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "account new recovery codes", method: "POST", path: "/account/mfa/recovery-codes", headers: []string{form, signedIn}, body: "csrf_token={atok}&code={code}", status: 200},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "account remove", method: "POST", path: "/account/mfa/totp/remove", headers: []string{form, signedIn}, body: "csrf_token={atok}&password=" + contractPassword + "&code={code}", status: 303},
			{name: "account confirm with nothing pending", method: "POST", path: "/account/mfa/totp/confirm", headers: []string{form, signedIn}, body: "csrf_token={atok}&code=123456", status: 409},
			{name: "account enrol", method: "POST", path: "/account/mfa/totp", headers: []string{form, signedIn}, body: "csrf_token={atok}&password=" + contractPassword, status: 200,
				save: map[string]string{"secret": "input:secret"}},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "account confirm", method: "POST", path: "/account/mfa/totp/confirm", headers: []string{form, signedIn}, body: "csrf_token={atok}&code={code}", status: 200},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "step-up", method: "POST", path: "/v1/auth/mfa/step-up", headers: []string{bearer}, body: map[string]any{"code": "{code}"}, status: 204},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "new recovery codes wrong code", method: "POST", path: "/v1/auth/mfa/recovery-codes", headers: []string{bearer}, body: map[string]any{"code": "{wrong}"}, status: 400, code: "invalid_mfa_code"},
			{name: "new recovery codes", method: "POST", path: "/v1/auth/mfa/recovery-codes", headers: []string{bearer}, body: map[string]any{"code": "{code}"}, status: 200},
		})
		fresh()
		w.run(t, []contractStep{
			{name: "remove wrong code", method: "DELETE", path: "/v1/auth/mfa/totp", headers: []string{bearer}, body: map[string]any{"password": contractPassword, "code": "{wrong}"}, status: 400, code: "invalid_mfa_code"},
			{name: "remove", method: "DELETE", path: "/v1/auth/mfa/totp", headers: []string{bearer}, body: map[string]any{"password": contractPassword, "code": "{code}"}, status: 204},
			{name: "admin reset", method: "DELETE", path: "/v1/admin/users/{m_id}/mfa", headers: []string{"Authorization: Bearer {root}"}, status: 204},
			{name: "admin reset unknown user", method: "DELETE", path: "/v1/admin/users/0190f5a2-7b8c-7d9e-8f01-23456789abcd/mfa", headers: []string{"Authorization: Bearer {root}"}, status: 404},
			{name: "admin reset by a non-admin", method: "DELETE", path: "/v1/admin/users/{m_id}/mfa", headers: []string{bearer}, status: 403, code: "permission_denied"},
		})
	})
	return w
}
