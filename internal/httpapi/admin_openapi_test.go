package httpapi_test

import (
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// adminContractWalk walks every /v1/admin operation against a real server
// and validates each request and response against openapi.yaml; the
// contract test counts it in its coverage.
func adminContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	w := newContractWalk(t, ts)
	for name, in := range map[string]auth.CreateUserInput{
		"root": {Email: "root@example.com", Password: contractPassword, IsAdmin: true},
		"ada":  {Email: "ada@example.com", Password: contractPassword},
		"bob":  {Email: "bob@example.com", Password: contractPassword},
	} {
		u, err := ts.Auth.AdminCreateUser(t.Context(), auth.Actor{Operator: "contract"}, in)
		if err != nil {
			t.Fatal(err)
		}
		w.vars[name+"_id"] = u.ID.String()
	}
	w.vars["since"] = ts.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	root := "Authorization: Bearer {root_access}"
	rootCookie := "Cookie: __Host-tessera_access={rc_access}; __Host-tessera_csrf={rc_csrf}"
	const unknown = "0190f5a2-7b8c-7d9e-8f01-23456789abcd"
	login := func(email string) map[string]any { return map[string]any{"email": email, "password": contractPassword} }

	t.Run("admin", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "login root", method: "POST", path: "/v1/auth/login", body: login("root@example.com"), status: 200, save: map[string]string{"root_access": "access_token"}},
			{name: "login root, cookie delivery", method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "root@example.com", "password": contractPassword, "delivery": "cookie"},
				status: 200, save: map[string]string{"rc_access": "cookie:__Host-tessera_access", "rc_csrf": "csrf_token"}},
			{name: "login ada", method: "POST", path: "/v1/auth/login", body: login("ada@example.com"), status: 200, save: map[string]string{"ada_access": "access_token", "ada_sid": "session_id"}},

			{name: "users", method: "GET", path: "/v1/admin/users?limit=1", headers: []string{root}, status: 200, save: map[string]string{"users_cursor": "next_cursor"}},
			{name: "users, next page", method: "GET", path: "/v1/admin/users?cursor={users_cursor}&email_prefix=", headers: []string{root}, status: 200},
			{name: "users by cookie", method: "GET", path: "/v1/admin/users?email_prefix=ADA", headers: []string{rootCookie}, status: 200},
			{name: "users, limit 0", method: "GET", path: "/v1/admin/users?limit=0", headers: []string{root}, status: 400, code: "invalid_request", offSpec: true},
			{name: "users, foreign cursor", method: "GET", path: "/v1/admin/users?cursor=nope", headers: []string{root}, status: 400, code: "invalid_request"},
			{name: "users, anonymous", method: "GET", path: "/v1/admin/users", status: 401, code: "not_authenticated"},
			{name: "users, not an admin", method: "GET", path: "/v1/admin/users", headers: []string{"Authorization: Bearer {ada_access}"}, status: 403, code: "permission_denied"},

			{name: "user", method: "GET", path: "/v1/admin/users/{ada_id}", headers: []string{root}, status: 200},
			{name: "unknown user", method: "GET", path: "/v1/admin/users/" + unknown, headers: []string{root}, status: 404, code: "not_found"},
			{name: "verify user", method: "PATCH", path: "/v1/admin/users/{ada_id}", headers: []string{root}, body: map[string]any{"email_verified": true}, status: 200},
			{name: "patch of the wrong type", method: "PATCH", path: "/v1/admin/users/{ada_id}", headers: []string{root}, body: map[string]any{"is_active": "no"}, status: 400, code: "invalid_request", offSpec: true},
			{name: "patch by cookie without CSRF header", method: "PATCH", path: "/v1/admin/users/{ada_id}", headers: []string{rootCookie}, body: map[string]any{"is_admin": true}, status: 403, code: "csrf_failed"},
			{name: "demote myself", method: "PATCH", path: "/v1/admin/users/{root_id}", headers: []string{root}, body: map[string]any{"is_admin": false}, status: 409, code: "conflict"},
			{name: "patch unknown user", method: "PATCH", path: "/v1/admin/users/" + unknown, headers: []string{root}, body: map[string]any{"is_active": true}, status: 404, code: "not_found"},

			{name: "sessions", method: "GET", path: "/v1/admin/users/{ada_id}/sessions", headers: []string{root}, status: 200},
			{name: "sessions, ended too", method: "GET", path: "/v1/admin/users/{ada_id}/sessions?include_ended=true&limit=1", headers: []string{root}, status: 200},
			{name: "sessions, bad flag", method: "GET", path: "/v1/admin/users/{ada_id}/sessions?include_ended=maybe", headers: []string{root}, status: 400, code: "invalid_request", offSpec: true},
			{name: "sessions of an unknown user", method: "GET", path: "/v1/admin/users/" + unknown + "/sessions", headers: []string{root}, status: 404, code: "not_found"},
			{name: "revoke a session", method: "DELETE", path: "/v1/admin/sessions/{ada_sid}", headers: []string{root}, status: 204},
			{name: "revoke an unknown session", method: "DELETE", path: "/v1/admin/sessions/" + unknown, headers: []string{root}, status: 404, code: "not_found"},
			{name: "log a user out", method: "POST", path: "/v1/admin/users/{ada_id}/logout", headers: []string{root}, status: 200},
			{name: "log an unknown user out", method: "POST", path: "/v1/admin/users/" + unknown + "/logout", headers: []string{root}, status: 404, code: "not_found"},

			{name: "clients", method: "GET", path: "/v1/admin/clients", headers: []string{root}, status: 200},
			{name: "create a client", method: "POST", path: "/v1/admin/clients", headers: []string{root}, status: 201,
				body: map[string]any{"client_id": "mobile", "name": "Mobile", "allowed_delivery": []string{"body", "token"}, "idle_ttl_seconds": 7776000, "cors_origins": []string{"https://m.example"}}},
			{name: "create it again", method: "POST", path: "/v1/admin/clients", headers: []string{root}, body: map[string]any{"client_id": "mobile", "name": "Again"}, status: 409, code: "conflict"},
			{name: "create an inconsistent client", method: "POST", path: "/v1/admin/clients", headers: []string{root},
				body: map[string]any{"client_id": "web", "name": "Web", "idle_ttl_seconds": 7200, "max_ttl_seconds": 3600}, status: 400, code: "invalid_request"},
			{name: "create with a bad id", method: "POST", path: "/v1/admin/clients", headers: []string{root}, body: map[string]any{"client_id": "Bad ID", "name": "X"}, status: 400, code: "invalid_request", offSpec: true},
			{name: "client", method: "GET", path: "/v1/admin/clients/mobile", headers: []string{root}, status: 200},
			{name: "unknown client", method: "GET", path: "/v1/admin/clients/nope", headers: []string{root}, status: 404, code: "not_found"},
			{name: "change a client", method: "PATCH", path: "/v1/admin/clients/mobile", headers: []string{root}, body: map[string]any{"cors_origins": []string{}, "audiences": []string{"api://m"}}, status: 200},
			{name: "change an unknown client", method: "PATCH", path: "/v1/admin/clients/nope", headers: []string{root}, body: map[string]any{"name": "X"}, status: 404, code: "not_found"},
			{name: "create a confidential client", method: "POST", path: "/v1/admin/clients", headers: []string{root}, status: 201,
				body: map[string]any{"client_id": "grafana", "name": "Grafana", "type": "confidential", "first_party": false,
					"redirect_uris":             []string{"https://grafana.example/login/generic_oauth", "http://127.0.0.1:3000/cb"},
					"post_logout_redirect_uris": []string{"https://grafana.example/"}, "grant_types": []string{"authorization_code", "refresh_token", "client_credentials"},
					"scopes": []string{"openid", "email"}, "logout_ends_sessions": true}},
			{name: "create a client with a bad redirect URI", method: "POST", path: "/v1/admin/clients", headers: []string{root},
				body: map[string]any{"client_id": "app", "name": "App", "redirect_uris": []string{"http://app.example/cb"}}, status: 400, code: "invalid_request"},
			{name: "change a client's redirect URIs", method: "PATCH", path: "/v1/admin/clients/grafana", headers: []string{root},
				body: map[string]any{"redirect_uris": []string{"com.example.app:/cb"}, "first_party": true}, status: 200},
			{name: "rotate a secret", method: "POST", path: "/v1/admin/clients/grafana/secret", headers: []string{root}, status: 200},
			{name: "rotate a public client's secret", method: "POST", path: "/v1/admin/clients/mobile/secret", headers: []string{root}, status: 400, code: "invalid_request"},
			{name: "rotate an unknown client's secret", method: "POST", path: "/v1/admin/clients/nope/secret", headers: []string{root}, status: 404, code: "not_found"},
			{name: "rotate by cookie without CSRF header", method: "POST", path: "/v1/admin/clients/grafana/secret", headers: []string{rootCookie}, status: 403, code: "csrf_failed"},
			{name: "remove the default client", method: "DELETE", path: "/v1/admin/clients/default", headers: []string{root}, status: 409, code: "conflict"},
			{name: "remove a client", method: "DELETE", path: "/v1/admin/clients/mobile", headers: []string{root}, status: 204},
			{name: "remove it again", method: "DELETE", path: "/v1/admin/clients/mobile", headers: []string{root}, status: 404, code: "not_found"},

			{name: "delete myself", method: "DELETE", path: "/v1/admin/users/{root_id}", headers: []string{root}, status: 409, code: "conflict"},
			{name: "delete a user", method: "DELETE", path: "/v1/admin/users/{bob_id}", headers: []string{root}, status: 204},
			{name: "delete an unknown user", method: "DELETE", path: "/v1/admin/users/{bob_id}", headers: []string{root}, status: 404, code: "not_found"},

			{name: "audit", method: "GET", path: "/v1/admin/audit?limit=2", headers: []string{root}, status: 200, save: map[string]string{"audit_cursor": "next_cursor"}},
			{name: "audit, next page", method: "GET", path: "/v1/admin/audit?cursor={audit_cursor}", headers: []string{root}, status: 200},
			{name: "audit, filtered", method: "GET", path: "/v1/admin/audit?user_id={ada_id}&event=admin_user_logout&since={since}", headers: []string{root}, status: 200},
			{name: "audit, bad since", method: "GET", path: "/v1/admin/audit?since=yesterday", headers: []string{root}, status: 400, code: "invalid_request", offSpec: true},
		})
	})
	return w
}
