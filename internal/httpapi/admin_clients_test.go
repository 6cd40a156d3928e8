package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const day = 24 * 60 * 60

// preflight sends a CORS preflight from origin and returns the allowed
// origin ("" when none) and whether credentials are allowed.
func preflight(t *testing.T, c *servertest.Client, origin string) (string, bool) {
	t.Helper()
	r := c.Do("OPTIONS", "/v1/auth/login", nil, "Origin: "+origin, "Access-Control-Request-Method: POST").Want(t, 204)
	return r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Credentials") == "true"
}

func wantAbout(t *testing.T, what string, got any, want int) {
	t.Helper()
	if f, ok := got.(float64); !ok || f < float64(want-5) || f > float64(want) {
		t.Fatalf("%s = %v, want about %d", what, got, want)
	}
}

// TestClientPolicy: a client's TTLs shape its sessions (a mobile client
// idle for 90 days, a web one for 1 day), its delivery list is enforced,
// and CORS answers its origins only while it lists them.
func TestClientPolicy(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, func(c *config.Config) { c.CORSOrigins = []string{"https://static.example"} })
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		register(t, c, "ada@example.com")
		if o, _ := preflight(t, c, "https://m.example"); o != "" {
			t.Fatalf("unlisted origin allowed: %q", o)
		}
		c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "mobile", "name": "Mobile",
			"idle_ttl_seconds": 90 * day, "max_ttl_seconds": 365 * day, "cors_origins": []string{"https://M.example/"}}, admin).Want(t, 201)
		web := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "web", "name": "Web", "allowed_delivery": []string{"cookie", "session"},
			"idle_ttl_seconds": day, "access_ttl_seconds": 300, "cors_origins": []string{"https://web.example"}}, admin).Want(t, 201)
		if web.Str("client_id") != "web" || web.JSON()["max_ttl_seconds"] != float64(0) || len(web.JSON()["audiences"].([]any)) != 0 {
			t.Fatalf("created client: %s", web.Body)
		}

		for _, tc := range []struct{ origin, want string }{
			{"https://m.example", "https://m.example"}, {"https://web.example", "https://web.example"},
			{"https://static.example", "https://static.example"}, {ts.URL, ts.URL}, {"https://evil.example", ""},
		} {
			if o, cred := preflight(t, c, tc.origin); o != tc.want || cred != (tc.want != "") {
				t.Errorf("preflight from %s: allow %q (credentials %v), want %q", tc.origin, o, cred, tc.want)
			}
		}

		m := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "client_id": "mobile"}).Want(t, 200)
		wantAbout(t, "mobile refresh_expires_in", m.JSON()["refresh_expires_in"], 90*day)
		w := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword,
			"client_id": "web", "delivery": "cookie"}).Want(t, 200)
		wantAbout(t, "web refresh_expires_in", w.JSON()["refresh_expires_in"], day)
		wantAbout(t, "web expires_in", w.JSON()["expires_in"], 300)
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "client_id": "web"}).
			WantError(t, 400, "invalid_client")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "client_id": "tv"}).
			WantError(t, 400, "invalid_client")

		uid := m.JSON()["user"].(map[string]any)["id"].(string)
		list, _ := items(t, c.Do("GET", "/v1/admin/users/"+uid+"/sessions", nil, admin).Want(t, 200), "sessions")
		idle := map[string]time.Duration{}
		for _, s := range list {
			created, _ := time.Parse(time.RFC3339, s["created_at"].(string))
			exp, _ := time.Parse(time.RFC3339, s["idle_expires_at"].(string))
			idle[s["client_id"].(string)] = exp.Sub(created)
		}
		if idle["mobile"] != 90*24*time.Hour || idle["web"] != 24*time.Hour {
			t.Fatalf("idle lifetimes by client: %v", idle)
		}

		// Two days idle: the web session is over, the mobile one lives on.
		ts.Clock.Advance(48 * time.Hour)
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": m.Str("refresh_token")}).Want(t, 200)
		webRefresh := cookieHeader(cookiesOf(w), "__Secure-tessera_refresh", "__Host-tessera_csrf")
		c.Do("POST", "/v1/auth/refresh", nil, webRefresh, "X-CSRF-Token: "+w.Str("csrf_token")).WantError(t, 400, "invalid_grant")

		// Origins follow the clients at once on this replica.
		admin = bearer(login(t, c, "root@example.com", "console")) // two days on
		c.Do("PATCH", "/v1/admin/clients/mobile", map[string]any{"cors_origins": []string{}}, admin).Want(t, 200)
		c.Do("DELETE", "/v1/admin/clients/web", nil, admin).Want(t, 204)
		for _, o := range []string{"https://m.example", "https://web.example"} {
			if got, _ := preflight(t, c, o); got != "" {
				t.Errorf("preflight from %s after its client dropped it: %q", o, got)
			}
		}
	})
}

// TestAdminClientsAPI: client CRUD, its validation and its audit trail.
func TestAdminClientsAPI(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	admin := newAdmin(t, ts, "root@example.com")
	c := ts.NewClient(t)
	c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "kiosk", "name": "Kiosk"}, admin).Want(t, 201)
	c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "kiosk", "name": "Again"}, admin).WantError(t, 409, "conflict")

	bad := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "Bad ID", "allowed_delivery": []string{"pigeon"},
		"cors_origins": []string{"https://*.example", "https://a.example/path"}, "idle_ttl_seconds": 7200, "max_ttl_seconds": 3600,
		"access_ttl_seconds": -1, "audiences": []string{""}}, admin).WantError(t, 400, "invalid_request")
	fields := bad.JSON()["fields"].(map[string]any)
	for _, f := range []string{"client_id", "name", "allowed_delivery", "cors_origins", "idle_ttl_seconds", "access_ttl_seconds", "audiences"} {
		if fields[f] == nil {
			t.Errorf("no error for %s: %s", f, bad.Body)
		}
	}
	c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "x", "name": "X", "allowed_delivery": []string{}}, admin).WantError(t, 400, "invalid_request")
	c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "x", "name": "X", "access_ttl_seconds": 2 * day}, admin).WantError(t, 400, "invalid_request")
	c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "x", "name": "X", "idle_ttl_seconds": int64(1) << 60}, admin).WantError(t, 400, "invalid_request")

	all := walk(t, c, "/v1/admin/clients?limit=1", "clients", "client_id", admin, nil)
	if len(all) != 2 || all[0] != "default" || all[1] != "kiosk" {
		t.Fatalf("clients: %v", all)
	}
	got := c.Do("PATCH", "/v1/admin/clients/kiosk", map[string]any{"name": "Lobby", "audiences": []string{"api://lobby"}}, admin).Want(t, 200)
	if got.Str("name") != "Lobby" || len(got.JSON()["allowed_delivery"].([]any)) != 4 {
		t.Fatalf("patched: %s", got.Body)
	}
	c.Do("PATCH", "/v1/admin/clients/kiosk", map[string]any{"client_id": "other"}, admin).WantError(t, 400, "invalid_request")
	c.Do("PATCH", "/v1/admin/clients/nope", map[string]any{"name": "X"}, admin).WantError(t, 404, "not_found")
	c.Do("GET", "/v1/admin/clients/kiosk", nil, admin).Want(t, 200)
	c.Do("GET", "/v1/admin/clients/nope", nil, admin).WantError(t, 404, "not_found")
	c.Do("DELETE", "/v1/admin/clients/default", nil, admin).WantError(t, 409, "conflict")
	c.Do("DELETE", "/v1/admin/clients/kiosk", nil, admin).Want(t, 204)
	c.Do("DELETE", "/v1/admin/clients/kiosk", nil, admin).WantError(t, 404, "not_found")

	ev, _ := items(t, c.Do("GET", "/v1/admin/audit?event=admin_client_created", nil, admin).Want(t, 200), "events")
	if len(ev) != 1 || ev[0]["details"].(map[string]any)["client_id"] != "kiosk" || ev[0]["actor_id"] == nil {
		t.Fatalf("admin_client_created events: %v", ev)
	}
	for _, q := range []string{"since=yesterday", "user_id=nope", "event=" + strings.Repeat("e", 101)} {
		c.Do("GET", "/v1/admin/audit?"+q, nil, admin).WantError(t, 400, "invalid_request")
	}
	since := ts.Clock.Now().Add(time.Minute).Format(time.RFC3339)
	if ev, _ := items(t, c.Do("GET", "/v1/admin/audit?since="+since, nil, admin).Want(t, 200), "events"); len(ev) != 0 {
		t.Fatalf("events since a minute ahead: %v", ev)
	}
}
