package httpapi_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// items returns the list member name of an admin listing and its
// next_cursor ("" on the last page).
func items(t *testing.T, r *servertest.Response, name string) ([]map[string]any, string) {
	t.Helper()
	raw, ok := r.JSON()[name].([]any)
	if !ok {
		t.Fatalf("no %q list in %s", name, r.Body)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	next, _ := r.JSON()["next_cursor"].(string)
	return out, next
}

// walk follows next_cursor from path and returns every item's id.
func walk(t *testing.T, c *servertest.Client, path, name, idField, auth string, between func()) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		list, next := items(t, c.Do("GET", p, nil, auth).Want(t, 200), name)
		for _, it := range list {
			ids = append(ids, fmt.Sprint(it[idField]))
		}
		if next == "" {
			return ids
		}
		cursor = next
		if between != nil {
			between()
		}
	}
}

// TestAdminListUsers: pages, the e-mail prefix filter and bad paging input.
func TestAdminListUsers(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	admin := newAdmin(t, ts, "root@example.com")
	c := ts.NewClient(t)
	for _, e := range []string{"ada@example.com", "Adam@Example.com", "bob@example.com", "a_b@example.com"} {
		register(t, c, e)
	}
	all := walk(t, c, "/v1/admin/users?limit=2", "users", "id", admin, nil)
	if len(all) != 5 {
		t.Fatalf("listed %d users, want 5: %v", len(all), all)
	}
	ada := walk(t, c, "/v1/admin/users?limit=1&email_prefix=ADA", "users", "email", admin, nil)
	if fmt.Sprint(ada) != "[Adam@Example.com ada@example.com]" {
		t.Fatalf("prefix ADA: %v (want newest first, case-insensitive)", ada)
	}
	if got := walk(t, c, "/v1/admin/users?email_prefix=a_", "users", "email", admin, nil); fmt.Sprint(got) != "[a_b@example.com]" {
		t.Fatalf("prefix a_: %v (_ is no wildcard)", got)
	}
	last := c.Do("GET", "/v1/admin/users", nil, admin).Want(t, 200)
	if _, next := items(t, last, "users"); next != "" || last.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("one page: next %q, headers %v", next, last.Header)
	}

	_, foreign := items(t, c.Do("GET", "/v1/admin/audit?limit=1", nil, admin).Want(t, 200), "events")
	if foreign == "" {
		t.Fatal("the audit log has one page only")
	}
	for _, bad := range []string{"limit=0", "limit=201", "limit=x", "cursor=nope", "cursor=" + url.QueryEscape(foreign)} {
		c.Do("GET", "/v1/admin/users?"+bad, nil, admin).WantError(t, 400, "invalid_request")
	}
}

// TestAdminPaginationUnderInserts: paging through users while others
// register never repeats a user nor skips one that existed at the start.
func TestAdminPaginationUnderInserts(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		before := map[string]bool{}
		for _, id := range walk(t, c, "/v1/admin/users?limit=50", "users", "id", admin, nil) {
			before[id] = true
		}
		for i := range 20 {
			r := register(t, c, fmt.Sprintf("u%02d@example.com", i))
			before[r.JSON()["user"].(map[string]any)["id"].(string)] = true
		}
		var wg sync.WaitGroup
		n := 0
		ids := walk(t, c, "/v1/admin/users?limit=3", "users", "id", admin, func() {
			wg.Go(func() { register(t, ts.NewClient(t), fmt.Sprintf("late%02d@example.com", n)) })
			wg.Wait()
			n++
		})
		seen := map[string]int{}
		for _, id := range ids {
			seen[id]++
		}
		for id, k := range seen {
			if k > 1 {
				t.Errorf("user %s listed %d times", id, k)
			}
		}
		for id := range before {
			if seen[id] != 1 {
				t.Errorf("user %s skipped", id)
			}
		}
		if n == 0 {
			t.Fatal("no user registered during the walk")
		}
	})
}

// TestAdminManagesUsers: verify, deactivate (everything ends at once),
// reactivate, log out, the self-protection rules and deletion, all audited.
func TestAdminManagesUsers(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c, phone := ts.NewClient(t), ts.NewClient(t)
		reg := register(t, c, "ada@example.com")
		uid := reg.JSON()["user"].(map[string]any)["id"].(string)
		p := login(t, phone, "ada@example.com", "phone")
		key := c.Do("POST", "/v1/auth/token", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, 200).Str("token")
		user := "/v1/admin/users/" + uid

		got := c.Do("GET", user, nil, admin).Want(t, 200)
		if got.Str("email") != "ada@example.com" || got.JSON()["email_verified"] != false {
			t.Fatalf("GET user: %s", got.Body)
		}
		c.Do("GET", "/v1/admin/users/0190f5a2-7b8c-7d9e-8f01-23456789abcd", nil, admin).WantError(t, 404, "not_found")
		c.Do("GET", "/v1/admin/users/nope", nil, admin).WantError(t, 404, "not_found")
		c.Do("PATCH", user, map[string]any{"is_active": "no"}, admin).WantError(t, 400, "invalid_request")
		if r := c.Do("PATCH", user, map[string]any{"email_verified": true}, admin).Want(t, 200); r.JSON()["email_verified"] != true {
			t.Fatalf("verify: %s", r.Body)
		}

		// Deactivation ends every session and the classic token at once.
		c.Do("PATCH", user, map[string]any{"is_active": false}, admin).Want(t, 200)
		c.Do("GET", "/v1/auth/me", nil, bearer(p)).WantError(t, 401, "invalid_token")
		c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).WantError(t, 401, "invalid_token")
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": reg.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword}).WantError(t, 400, "invalid_credentials")
		if list, _ := items(t, c.Do("GET", user+"/sessions", nil, admin).Want(t, 200), "sessions"); len(list) != 0 {
			t.Fatalf("sessions after deactivation: %v", list)
		}
		if list, _ := items(t, c.Do("GET", user+"/sessions?include_ended=true", nil, admin).Want(t, 200), "sessions"); len(list) != 2 || list[0]["revoked_reason"] != "user_deactivated" {
			t.Fatalf("ended sessions: %v", list)
		}
		c.Do("GET", user+"/sessions?include_ended=maybe", nil, admin).WantError(t, 400, "invalid_request")

		// Back on: a new login works; admin logout ends it with the token.
		c.Do("PATCH", user, map[string]any{"is_active": true}, admin).Want(t, 200)
		p = login(t, phone, "ada@example.com", "phone")
		c.Do("POST", "/v1/auth/token", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, 200)
		out := c.Do("POST", user+"/logout", nil, admin).Want(t, 200)
		if out.JSON()["sessions_revoked"] != float64(1) || out.JSON()["token_revoked"] != true {
			t.Fatalf("logout: %s", out.Body)
		}
		c.Do("GET", "/v1/auth/me", nil, bearer(p)).WantError(t, 401, "invalid_token")

		// An admin cannot lock themselves out.
		self := c.Do("GET", "/v1/admin/users?email_prefix=root", nil, admin).Want(t, 200)
		rootID := self.JSON()["users"].([]any)[0].(map[string]any)["id"].(string)
		c.Do("PATCH", "/v1/admin/users/"+rootID, map[string]any{"is_admin": false}, admin).WantError(t, 409, "conflict")
		c.Do("DELETE", "/v1/admin/users/"+rootID, nil, admin).WantError(t, 409, "conflict")

		c.Do("DELETE", user, nil, admin).Want(t, 204)
		c.Do("GET", user, nil, admin).WantError(t, 404, "not_found")
		c.Do("DELETE", user, nil, admin).WantError(t, 404, "not_found")
		ev := c.Do("GET", "/v1/admin/audit?user_id="+uid+"&limit=3", nil, admin).Want(t, 200)
		events, _ := items(t, ev, "events")
		want := []string{"admin_user_deleted", "admin_user_logout", "classic_token_created"}
		for i, e := range events {
			if e["event"] != want[i] || (i < 2 && e["actor_id"] != self.JSON()["users"].([]any)[0].(map[string]any)["id"]) {
				t.Fatalf("audit %d = %v, want %s by the admin", i, e, want[i])
			}
		}
	})
}
