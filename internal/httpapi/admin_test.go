package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// newAdmin creates an admin the way an operator does (`tessera users
// create --admin` calls the same method) and logs it in; it returns the
// admin's Authorization header.
func newAdmin(t *testing.T, ts *servertest.TestServer, email string) string {
	t.Helper()
	_, err := ts.Auth.AdminCreateUser(t.Context(), auth.Actor{Operator: "test"},
		auth.CreateUserInput{Email: email, Password: testPassword, IsAdmin: true, EmailVerified: true})
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	r := login(t, ts.NewClient(t), email, "admin console")
	return bearer(r)
}

// adminRoute is one route of /v1/admin with a body it accepts.
type adminRoute struct {
	method, path string
	body         any
}

// adminRoutes lists every /v1/admin route; ids are well formed but need
// not exist (authorisation comes first).
func adminRoutes() []adminRoute {
	const id = "0190f5a2-7b8c-7d9e-8f01-23456789abcd"
	return []adminRoute{
		{"GET", "/v1/admin/users", nil},
		{"GET", "/v1/admin/users/" + id, nil},
		{"PATCH", "/v1/admin/users/" + id, map[string]any{"is_active": false}},
		{"DELETE", "/v1/admin/users/" + id, nil},
		{"GET", "/v1/admin/users/" + id + "/sessions", nil},
		{"POST", "/v1/admin/users/" + id + "/logout", nil},
		{"DELETE", "/v1/admin/sessions/" + id, nil},
		{"GET", "/v1/admin/clients", nil},
		{"POST", "/v1/admin/clients", map[string]any{"client_id": "x", "name": "X"}},
		{"GET", "/v1/admin/clients/default", nil},
		{"PATCH", "/v1/admin/clients/default", map[string]any{"name": "X"}},
		{"DELETE", "/v1/admin/clients/x", nil},
		{"POST", "/v1/admin/clients/x/secret", nil},
		{"GET", "/v1/admin/audit", nil},
		{"DELETE", "/v1/admin/users/" + id + "/mfa", nil},
	}
}

// TestAdminRoutesAreForAdminsOnly: every /v1/admin route answers 401 to
// an anonymous caller and 403 to an authenticated non-admin, whatever the
// authenticator, and to an admin demoted since its token was minted.
func TestAdminRoutesAreForAdminsOnly(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "plain@example.com")
	tok := c.Do("POST", "/v1/auth/token", map[string]any{"email": "plain@example.com", "password": testPassword}).Want(t, 200)
	admin := newAdmin(t, ts, "root@example.com")
	// Demoted through the API: the demotion ends the sessions, whose
	// tokens still say "admin".
	demoted := newAdmin(t, ts, "former@example.com")
	users := c.Do("GET", "/v1/admin/users?email_prefix=former", nil, admin).Want(t, 200)
	formerID := users.JSON()["users"].([]any)[0].(map[string]any)["id"].(string)
	c.Do("PATCH", "/v1/admin/users/"+formerID, map[string]any{"is_admin": false}, admin).Want(t, 200)
	// Demoted behind Tessera's back: the token still says "admin", the
	// account does not, and the account wins.
	stale := newAdmin(t, ts, "stale@example.com")
	u, err := ts.DB.GetUserByEmail(t.Context(), "stale@example.com")
	if err != nil {
		t.Fatal(err)
	}
	u.IsAdmin = false
	if err := ts.DB.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}

	routes := adminRoutes()
	if len(routes) != countAdminRoutes(ts) {
		t.Fatalf("the table lists %d routes, the router serves %d under /v1/admin", len(routes), countAdminRoutes(ts))
	}
	callers := []struct {
		name   string
		header string
		status int
		code   string
	}{
		{"anonymous", "", 401, "not_authenticated"},
		{"bad bearer", "Authorization: Bearer x.y.z", 401, "invalid_token"},
		{"non-admin bearer", bearer(reg), 403, "permission_denied"},
		{"non-admin classic token", "Authorization: Token " + tok.Str("token"), 403, "permission_denied"},
		{"non-admin HTTP Basic", basic("plain@example.com", testPassword), 403, "permission_denied"},
		{"demoted admin's token", demoted, 401, "invalid_token"},
		{"admin role claim of a non-admin account", stale, 403, "permission_denied"},
	}
	for _, who := range callers {
		for _, r := range routes {
			t.Run(who.name+" "+r.method+" "+r.path, func(t *testing.T) {
				var headers []string
				if who.header != "" {
					headers = append(headers, who.header)
				}
				c.Do(r.method, r.path, r.body, headers...).WantError(t, who.status, who.code)
			})
		}
	}
}

func countAdminRoutes(ts *servertest.TestServer) int {
	n := 0
	for _, r := range ts.API.Routes() {
		if strings.HasPrefix(r.Path, "/v1/admin/") {
			n++
		}
	}
	return n
}

// TestAdminRevokesOneDevice: an admin revokes device A of a user (a JWT
// device and a session-cookie browser); both stop at once on Tessera,
// device B keeps working.
func TestAdminRevokesOneDevice(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		devA, browserA, devB := ts.NewClient(t), ts.NewClient(t), ts.NewClient(t)
		register(t, devB, "ada@example.com")
		a := login(t, devA, "ada@example.com", "A")
		b := login(t, devB, "ada@example.com", "B")
		sr := browserA.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword,
			"delivery": "session", "device_name": "A browser"}).Want(t, 200)
		cookieA := cookieHeader(cookiesOf(sr), "__Host-tessera_session")
		browserA.Do("GET", "/v1/auth/me", nil, cookieA).Want(t, 200)

		uid := a.JSON()["user"].(map[string]any)["id"].(string)
		list := devB.Do("GET", "/v1/admin/users/"+uid+"/sessions", nil, admin).Want(t, 200)
		if n := len(list.JSON()["sessions"].([]any)); n != 4 {
			t.Fatalf("admin sees %d sessions, want 4 (register, A, B, A browser): %s", n, list.Body)
		}
		for _, sid := range []string{a.Str("session_id"), sr.Str("session_id")} {
			devB.Do("DELETE", "/v1/admin/sessions/"+sid, nil, admin).Want(t, http.StatusNoContent)
		}

		devA.Do("GET", "/v1/auth/me", nil, bearer(a)).WantError(t, 401, "invalid_token")
		devA.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
		browserA.Do("GET", "/v1/auth/me", nil, cookieA).WantError(t, 401, "invalid_token")
		devB.Do("GET", "/v1/auth/me", nil, bearer(b)).Want(t, 200)
		devB.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": b.Str("refresh_token")}).Want(t, 200)

		// Revoking again changes nothing; an unknown or malformed id is 404.
		devB.Do("DELETE", "/v1/admin/sessions/"+a.Str("session_id"), nil, admin).Want(t, http.StatusNoContent)
		devB.Do("DELETE", "/v1/admin/sessions/0190f5a2-7b8c-7d9e-8f01-23456789abcd", nil, admin).WantError(t, 404, "not_found")
		devB.Do("DELETE", "/v1/admin/sessions/nope", nil, admin).WantError(t, 404, "not_found")

		ev := devB.Do("GET", "/v1/admin/audit?event=admin_session_revoked&user_id="+uid, nil, admin).Want(t, 200)
		events := ev.JSON()["events"].([]any)
		if len(events) != 2 || events[0].(map[string]any)["actor_id"] == nil {
			t.Fatalf("want two admin_session_revoked events with an actor: %s", ev.Body)
		}
	})
}
