package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// benchLargeEnv turns on the large seed of BenchmarkConsoleScale
// (100,000 users and 1,000,000 sessions); without it the large site has
// a tenth of that, so that a plain -bench run stays short.
const benchLargeEnv = "TESSERA_BENCH_LARGE"

// seedScale adds users accounts (user<i>@example.com, one second apart in
// 2026) and sessions active devices spread over them, with one INSERT ...
// SELECT each: generate_series on Postgres, a recursive CTE on SQLite.
// Its first user is user1@example.com, whose id is seedUserID(1).
func seedScale(b *testing.B, db *sqlstore.DB, users, sessions int) {
	b.Helper()
	var qs []string
	if db.Dialect() == "postgres" {
		qs = []string{`INSERT INTO users (id, email, email_normalized, password_hash, is_active, is_admin,
			created_at, updated_at, password_changed_at)
			SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'user' || i || '@example.com',
				'user' || i || '@example.com', 'x', true, false, t, t, t
			FROM generate_series(1, $1) AS i, LATERAL (SELECT timestamptz '2026-01-01' + i * interval '1 second' AS t) AS ts`,
			`INSERT INTO sessions (id, user_id, client_id, kind, device_name, user_agent, ip, created_at, last_used_at,
				idle_expires_at, expires_at, nonce, rotated_at)
			SELECT ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
				('00000000-0000-4000-8000-' || lpad((((i - 1) % $2) + 1)::text, 12, '0'))::uuid,
				'default', 'jwt', 'device ' || i, 'bench', '192.0.2.1', t, t, t + interval '3000 days', t + interval '3000 days',
				'\x00'::bytea, t
			FROM generate_series(1, $1) AS i, LATERAL (SELECT timestamptz '2026-01-01' + i * interval '1 second' AS t) AS ts`}
	} else {
		qs = []string{`INSERT INTO users (id, email, email_normalized, password_hash, is_active, is_admin,
			created_at, updated_at, password_changed_at)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT printf('00000000-0000-4000-8000-%012d', i), 'user' || i || '@example.com', 'user' || i || '@example.com',
				'x', 1, 0, t, t, t
			FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%f000Z', '2026-01-01', '+' || i || ' seconds') AS t FROM n)`,
			`INSERT INTO sessions (id, user_id, client_id, kind, device_name, user_agent, ip, created_at, last_used_at,
				idle_expires_at, expires_at, nonce, rotated_at)
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			SELECT printf('10000000-0000-4000-8000-%012d', i), printf('00000000-0000-4000-8000-%012d', ((i - 1) % ?) + 1),
				'default', 'jwt', 'device ' || i, 'bench', '192.0.2.1', t, t, f, f, x'00', t
			FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%f000Z', '2026-01-01', '+' || i || ' seconds') AS t,
				strftime('%Y-%m-%dT%H:%M:%f000Z', '2026-01-01', '+3000 days') AS f FROM n)`}
	}
	if _, err := db.SQL().ExecContext(b.Context(), qs[0], users); err != nil {
		b.Fatalf("seed users: %v", err)
	}
	if _, err := db.SQL().ExecContext(b.Context(), qs[1], sessions, users); err != nil {
		b.Fatalf("seed sessions: %v", err)
	}
	if _, err := db.SQL().ExecContext(b.Context(), "ANALYZE"); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

// seedUserID is the id seedScale gives user i.
func seedUserID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// consoleSite is a site over db seeded with users and sessions, and the
// HTTP client of an admin signed in on its sign-in page.
func consoleSite(b *testing.B, db *sqlstore.DB, users, sessions int) *servertest.Client {
	b.Helper()
	s := startSiteOn(b, db)
	seedScale(b, db, users, sessions)
	s.makeAdmin(b, "root@example.com")
	c := s.NewClient(b)
	c.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	m := csrfField.FindSubmatch(c.Do("GET", "/signin", nil).Want(b, http.StatusOK).Body)
	if m == nil {
		b.Fatal("the sign-in page has no form token")
	}
	form := url.Values{"identifier": {"root@example.com"}, "password": {testPassword}, "csrf_token": {html.UnescapeString(string(m[1]))}}
	c.Do("POST", "/signin", form.Encode(), "Content-Type: application/x-www-form-urlencoded").Want(b, http.StatusSeeOther)
	return c
}

// BenchmarkConsoleScale: the users page and a user's page (ten devices)
// on a site of 100 users and 1,000 sessions against one of 100,000 users
// and 1,000,000 sessions (with TESSERA_BENCH_LARGE=1). The metrics
// users-ratio and user-ratio are the large site's time per page over the
// small one's: keyset listings keep them near 1.
func BenchmarkConsoleScale(b *testing.B) {
	large, largeSessions := 10_000, 100_000
	if os.Getenv(benchLargeEnv) != "" {
		large, largeSessions = 100_000, 1_000_000
	}
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", sqltest.NewSQLite}, {"postgres", sqltest.NewPostgres}} {
		b.Run(db.name, func(b *testing.B) {
			small := consoleSite(b, db.open(b), 100, 1000)
			big := consoleSite(b, db.open(b), large, largeSessions)
			user := "/admin/users/" + seedUserID(1)
			var took [2][2]time.Duration // [site][page]
			b.ResetTimer()
			for range b.N {
				for si, site := range []*servertest.Client{small, big} {
					for pi, path := range []string{"/admin/users", user} {
						start := time.Now()
						site.Do("GET", path, nil).Want(b, http.StatusOK)
						took[si][pi] += time.Since(start)
					}
				}
			}
			b.ReportMetric(float64(took[1][0])/float64(took[0][0]), "users-ratio")
			b.ReportMetric(float64(took[1][1])/float64(took[0][1]), "user-ratio")
			b.ReportMetric(float64(took[0][0].Microseconds())/float64(b.N), "users-small-µs")
			b.ReportMetric(float64(took[1][0].Microseconds())/float64(b.N), "users-large-µs")
			b.ReportMetric(float64(took[0][1].Microseconds())/float64(b.N), "user-small-µs")
			b.ReportMetric(float64(took[1][1].Microseconds())/float64(b.N), "user-large-µs")
			b.Logf("%s: %s users, %s sessions on the large site", db.name, strconv.Itoa(large), strconv.Itoa(largeSessions))
		})
	}
}
