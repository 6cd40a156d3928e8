package httpapi_test

import (
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func init() {
	openapi3filter.RegisterBodyDecoder("application/jsonl", openapi3filter.PlainBodyDecoder)
}

// consoleContractWalk walks the admin console: every page and action, as
// an admin, as a non-admin and without a sign-in, with and without the
// form token.
func consoleContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	w := newContractWalk(t, ts)
	ctx, op := t.Context(), auth.Actor{Operator: "test"}
	for _, u := range []auth.CreateUserInput{
		{Email: "root@example.com", Password: contractPassword, IsAdmin: true, EmailVerified: true},
		{Email: "bob@example.com", Password: contractPassword, EmailVerified: true},
		{Email: "ada@example.com", Password: contractPassword},
	} {
		if _, err := ts.Auth.AdminCreateUser(ctx, op, u); err != nil {
			t.Fatal(err)
		}
	}
	ada, _ := ts.Auth.AdminFindUser(ctx, "ada@example.com")
	root, _ := ts.Auth.AdminFindUser(ctx, "root@example.com")
	l, err := ts.Auth.Login(ctx, auth.LoginInput{Email: "ada@example.com", Password: contractPassword, Delivery: auth.DeliveryBody})
	if err != nil {
		t.Fatal(err)
	}
	name, typ := "Reports", "confidential"
	if _, _, err := ts.Auth.AdminCreateClient(ctx, op, auth.ClientInput{ID: "reports", Name: &name, Type: &typ}); err != nil {
		t.Fatal(err)
	}
	w.vars["ada"], w.vars["root"], w.vars["sid"] = ada.ID.String(), root.ID.String(), l.Session.ID.String()
	form := "Content-Type: application/x-www-form-urlencoded"
	jar := "Cookie: __Host-tessera_form={form}"
	admin := "Cookie: __Host-tessera_form={form}; __Host-tessera_sso={sso}"
	other := "Cookie: __Host-tessera_form={form}; __Host-tessera_sso={bob}"
	user := "/admin/users/{ada}"
	t.Run("console", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "sign-in page", method: "GET", path: "/signin", status: 200,
				save: map[string]string{"form": "cookie:__Host-tessera_form", "tok": "input:csrf_token"}},
			{name: "sign in as bob", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=bob%40example.com&password=" + contractPassword,
				status: 303, save: map[string]string{"bob": "cookie:__Host-tessera_sso"}},
			{name: "sign in as root", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=root%40example.com&password=" + contractPassword,
				status: 303, save: map[string]string{"sso": "cookie:__Host-tessera_sso"}},
			{name: "overview", method: "GET", path: "/admin", headers: []string{admin}, status: 200, save: map[string]string{"atok": "input:csrf_token"}},
			{name: "overview without a sign-in", method: "GET", path: "/admin", status: 303},
			{name: "overview as a non-admin", method: "GET", path: "/admin", headers: []string{other}, status: 403},
			{name: "users", method: "GET", path: "/admin/users?q=ada&active=yes", headers: []string{admin}, status: 200},
			{name: "user", method: "GET", path: user, headers: []string{admin}, status: 200},
			{name: "unknown user", method: "GET", path: "/admin/users/00000000-0000-4000-8000-000000000000", headers: []string{admin}, status: 404},
			{name: "verify e-mail", method: "POST", path: user + "/flags", headers: []string{form, admin}, body: "csrf_token={atok}&field=email_verified&value=true", status: 303},
			{name: "flags without token", method: "POST", path: user + "/flags", headers: []string{form, admin}, body: "csrf_token=&field=is_admin&value=true", status: 403, offSpec: true},
			{name: "flags as a non-admin", method: "POST", path: user + "/flags", headers: []string{form, other}, body: "csrf_token={atok}&field=is_admin&value=true", status: 403},
			{name: "demote self", method: "POST", path: "/admin/users/{root}/flags", headers: []string{form, admin}, body: "csrf_token={atok}&field=is_admin&value=false&confirm=yes", status: 409},
			{name: "unknown flag", method: "POST", path: user + "/flags", headers: []string{form, admin}, body: "csrf_token={atok}&field=password&value=true", status: 404},
			{name: "deactivate asks", method: "POST", path: user + "/flags", headers: []string{form, admin}, body: "csrf_token={atok}&field=is_active&value=false", status: 200},
			{name: "send a reset", method: "POST", path: user + "/reset", headers: []string{form, admin}, body: "csrf_token={atok}", status: 303},
			{name: "revoke a device asks", method: "POST", path: user + "/sessions/{sid}/revoke", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
			{name: "revoke a device", method: "POST", path: user + "/sessions/{sid}/revoke", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 303},
			{name: "sign out everywhere asks", method: "POST", path: user + "/logout", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
			{name: "sign out everywhere", method: "POST", path: user + "/logout", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 303},
			{name: "revoke token asks", method: "POST", path: user + "/token/revoke", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
			{name: "revoke no token", method: "POST", path: user + "/token/revoke", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 404},
			{name: "delete asks", method: "POST", path: user + "/delete", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
			{name: "delete mistyped", method: "POST", path: user + "/delete", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes&typed=ada", status: 400},
			{name: "delete", method: "POST", path: user + "/delete", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes&typed=ada%40example.com", status: 303},
			{name: "clients", method: "GET", path: "/admin/clients", headers: []string{admin}, status: 200},
			{name: "new client form", method: "GET", path: "/admin/clients/new", headers: []string{admin}, status: 200},
			{name: "create a client", method: "POST", path: "/admin/clients/new", headers: []string{form, admin},
				body: "csrf_token={atok}&client_id=backend&name=Backend&type=confidential&delivery=body&access_ttl=60", status: 200},
			{name: "create a public client", method: "POST", path: "/admin/clients/new", headers: []string{form, admin},
				body: "csrf_token={atok}&client_id=web&name=Web&type=public&delivery=cookie&redirect_uris=https%3A%2F%2Fweb.example%2Fcb", status: 303},
			{name: "create a bad client", method: "POST", path: "/admin/clients/new", headers: []string{form, admin}, body: "csrf_token={atok}&client_id=Bad+Id&name=", status: 400},
			{name: "create a taken client", method: "POST", path: "/admin/clients/new", headers: []string{form, admin}, body: "csrf_token={atok}&client_id=web&name=Web&delivery=body", status: 409},
			{name: "client", method: "GET", path: "/admin/clients/reports", headers: []string{admin}, status: 200},
			{name: "unknown client", method: "GET", path: "/admin/clients/nobody", headers: []string{admin}, status: 404},
			{name: "change a client", method: "POST", path: "/admin/clients/reports", headers: []string{form, admin}, body: "csrf_token={atok}&name=Reports+2&delivery=body", status: 303},
			{name: "change an unknown client", method: "POST", path: "/admin/clients/nobody", headers: []string{form, admin}, body: "csrf_token={atok}&name=X&delivery=body", status: 404},
			{name: "rotate a secret asks", method: "POST", path: "/admin/clients/reports/secret", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
			{name: "rotate a secret", method: "POST", path: "/admin/clients/reports/secret", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 200},
			{name: "audit", method: "GET", path: "/admin/audit?event=admin_user_deleted", headers: []string{admin}, status: 200},
			{name: "audit bad filter", method: "GET", path: "/admin/audit?since=soon", headers: []string{admin}, status: 400},
			{name: "audit export", method: "GET", path: "/admin/audit/export?event=admin_user_deleted", headers: []string{admin}, status: 200},
			{name: "audit export bad filter", method: "GET", path: "/admin/audit/export?until=later", headers: []string{admin}, status: 400},
			{name: "keys", method: "GET", path: "/admin/keys", headers: []string{admin}, status: 200},
			{name: "rotate keys asks", method: "POST", path: "/admin/keys/rotate", headers: []string{form, admin}, body: "csrf_token={atok}", status: 200},
		})
		ts.Clock.Advance(time.Second) // the first key was made this second
		w.run(t, []contractStep{
			{name: "rotate keys", method: "POST", path: "/admin/keys/rotate", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 303},
		})
		ts.Clock.Advance(10 * time.Minute) // past TESSERA_REAUTH_MAX_AGE
		w.run(t, []contractStep{
			{name: "rotate keys with a stale sign-in", method: "POST", path: "/admin/keys/rotate", headers: []string{form, admin}, body: "csrf_token={atok}&confirm=yes", status: 303},
		})
	})
	return w
}
