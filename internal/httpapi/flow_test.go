package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const testPassword = "correct horse battery staple"

func register(t *testing.T, c *servertest.Client, email string) *servertest.Response {
	t.Helper()
	return c.Do("POST", "/v1/auth/register", map[string]any{"email": email, "password": testPassword}).Want(t, http.StatusCreated)
}

func login(t *testing.T, c *servertest.Client, email, device string) *servertest.Response {
	t.Helper()
	return c.Do("POST", "/v1/auth/login", map[string]any{
		"email": email, "password": testPassword, "device_name": device,
	}).Want(t, http.StatusOK)
}

func bearer(r *servertest.Response) string { return "Authorization: Bearer " + r.Str("access_token") }

func sessionIDs(t *testing.T, c *servertest.Client, auth string) map[string]bool {
	t.Helper()
	r := c.Do("GET", "/v1/auth/sessions", nil, auth).Want(t, http.StatusOK)
	ids := map[string]bool{}
	for _, s := range r.JSON()["sessions"].([]any) {
		m := s.(map[string]any)
		ids[m["id"].(string)] = m["current"].(bool)
	}
	return ids
}

// TestDeviceSessionFlow is the foundation's story on both databases:
// register, log in from two devices, refresh one, replay its old refresh
// token (reuse: the device is revoked, the other untouched), then log out
// the others from the survivor.
func TestDeviceSessionFlow(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		regDev, devA, devB := ts.NewClient(t), ts.NewClient(t), ts.NewClient(t)
		reg := register(t, regDev, "Ada@Example.com")
		if reg.Str("access_token") == "" || reg.Str("refresh_token") == "" || reg.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("register must log in with no-store tokens: %s %v", reg.Body, reg.Header)
		}
		a := login(t, devA, "ada@example.COM", "laptop")
		b := login(t, devB, "ada@example.com", "phone")

		for _, who := range []struct {
			name string
			r    *servertest.Response
			c    *servertest.Client
		}{{"A", a, devA}, {"B", b, devB}} {
			ids := sessionIDs(t, who.c, bearer(who.r))
			if !ids[who.r.Str("session_id")] || len(ids) != 3 {
				t.Fatalf("device %s sees %v, want 3 sessions with itself current", who.name, ids)
			}
			other := a.Str("session_id")
			if who.name == "A" {
				other = b.Str("session_id")
			}
			if _, ok := ids[other]; !ok || ids[other] {
				t.Fatalf("device %s must see the other device, not current: %v", who.name, ids)
			}
		}

		a2 := devA.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).Want(t, http.StatusOK)
		if a2.Str("refresh_token") == a.Str("refresh_token") || a2.Str("access_token") == "" {
			t.Fatalf("refresh must rotate: %s", a2.Body)
		}
		devA.Do("GET", "/v1/auth/me", nil, bearer(a2)).Want(t, http.StatusOK)

		ts.Clock.Advance(11 * time.Second) // past the 10 s grace window
		devA.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).
			WantError(t, http.StatusBadRequest, "invalid_grant")
		devA.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a2.Str("refresh_token")}).
			WantError(t, http.StatusBadRequest, "invalid_grant")
		devA.Do("GET", "/v1/auth/me", nil, bearer(a2)).WantError(t, http.StatusUnauthorized, "invalid_token")
		devB.Do("GET", "/v1/auth/me", nil, bearer(b)).Want(t, http.StatusOK)
		if ids := sessionIDs(t, devB, bearer(b)); ids[a.Str("session_id")] || len(ids) != 2 {
			t.Fatalf("after reuse A must be gone: %v", ids)
		}

		devB.Do("POST", "/v1/auth/logout", map[string]any{"scope": "others"}, bearer(b)).Want(t, http.StatusNoContent)
		ids := sessionIDs(t, devB, bearer(b))
		if len(ids) != 1 || !ids[b.Str("session_id")] {
			t.Fatalf("after logout others only B remains, got %v", ids)
		}
		regDev.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": reg.Str("refresh_token")}).
			WantError(t, http.StatusBadRequest, "invalid_grant")

		devB.Do("POST", "/v1/auth/logout", nil, bearer(b)).Want(t, http.StatusNoContent)
		devB.Do("GET", "/v1/auth/me", nil, bearer(b)).WantError(t, http.StatusUnauthorized, "invalid_token")
	})
}

// TestConcurrentRefresh: 50 parallel refreshes of one token rotate exactly
// once; every caller inside the grace window gets the same new pair; after
// the window the old token is reuse and revokes the session.
func TestConcurrentRefresh(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		reg := register(t, c, "race@example.com")
		old := reg.Str("refresh_token")

		const n = 50
		var wg sync.WaitGroup
		results := make([]*servertest.Response, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Try, not Do: a test may only fail from its own goroutine.
				results[i], errs[i] = c.Try("POST", "/v1/auth/refresh", map[string]any{"refresh_token": old})
			}(i)
		}
		wg.Wait()
		tokens := map[string]int{}
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if r.StatusCode != http.StatusOK {
				t.Fatalf("request %d: %d %s", i, r.StatusCode, r.Body)
			}
			tokens[r.Str("refresh_token")]++
		}
		if len(tokens) != 1 {
			t.Fatalf("want one new refresh token for all %d callers, got %d distinct", n, len(tokens))
		}
		var gen int64
		if err := db.SQL().Get(&gen, db.SQL().Rebind("SELECT generation FROM sessions WHERE id = ?"), reg.Str("session_id")); err != nil {
			t.Fatal(err)
		}
		if gen != 2 {
			t.Fatalf("generation = %d after one rotation, want 2", gen)
		}
		var fresh string
		for tok := range tokens {
			fresh = tok
		}
		ts.Clock.Advance(11 * time.Second)
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": old}).WantError(t, http.StatusBadRequest, "invalid_grant")
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": fresh}).WantError(t, http.StatusBadRequest, "invalid_grant")
	})
}

// TestSessionLifetimes: the idle timeout and the absolute lifetime are
// both enforced on refresh.
func TestSessionLifetimes(t *testing.T) {
	db := sqltest.NewSQLite(t)
	ts := servertest.Start(t, db, func(c *config.Config) {
		c.SessionIdleTTL = time.Hour
		c.SessionMaxTTL = 3 * time.Hour
	})
	c := ts.NewClient(t)
	tok := register(t, c, "life@example.com").Str("refresh_token")
	for i := 0; i < 4; i++ { // 4 x 50 min: idle never reached, absolute at 3 h is
		ts.Clock.Advance(50 * time.Minute)
		r := c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": tok})
		if i < 3 {
			tok = r.Want(t, http.StatusOK).Str("refresh_token")
			continue
		}
		r.WantError(t, http.StatusBadRequest, "invalid_grant")
	}
	tok = login(t, c, "life@example.com", "idle").Str("refresh_token")
	ts.Clock.Advance(61 * time.Minute)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": tok}).WantError(t, http.StatusBadRequest, "invalid_grant")
}
