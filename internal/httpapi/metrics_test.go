package httpapi_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func TestMetrics(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "metrics@example.com")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "metrics@example.com", "password": "not the right one"}).
		WantError(t, 400, "invalid_credentials")
	a := login(t, c, "metrics@example.com", "a")
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).Want(t, 200)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).Want(t, 200)
	ts.Clock.Advance(11 * time.Second)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
	c.Do("GET", "/v1/auth/sessions/"+reg.Str("session_id"), nil).WantError(t, 405, "method_not_allowed")

	body := string(c.Do("GET", "/metrics", nil).Want(t, 200).Body)
	for _, want := range []string{
		`tessera_logins_total{outcome="success"} 1`,
		`tessera_logins_total{outcome="invalid_credentials"} 1`,
		`tessera_refreshes_total{outcome="rotated"} 1`,
		`tessera_refreshes_total{outcome="grace"} 1`,
		`tessera_refreshes_total{outcome="reuse"} 1`,
		`tessera_http_requests_total{code="201",method="POST",route="/v1/auth/register"} 1`,
		`tessera_active_sessions 1`, // the registration's; A was revoked by the reuse
		`tessera_signing_key_age_seconds{alg="ES256"`,
		`tessera_http_request_duration_seconds_bucket{method="POST",route="/v1/auth/login"`,
		// SQLite writes through one connection and reads through a pool.
		`go_sql_max_open_connections{db_name="write"} 1`,
		`go_sql_max_open_connections{db_name="read"} `,
		`go_sql_wait_count_total{db_name="write"} `,
		`tessera_db_queue_waits_total{db_name="read"} `,
		`tessera_db_queue_wait_seconds_total{db_name="write"} `,
		// The three refreshes each tried the one rotation statement.
		"tessera_db_rotation_statements_total 3\n",
		"tessera_db_rotations_total 3\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, reg.Str("session_id")) {
		t.Error("a session id leaked into a metric label")
	}
}

// TestMetricsPostgresPool: on Postgres the one pool that reads and writes
// is exported under db_name="main", with the connections the requests
// before the scrape opened, and so are the rotation statements.
func TestMetricsPostgresPool(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewPostgres(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "pool@example.com")
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": reg.Str("refresh_token")}).Want(t, 200)
	body := string(c.Do("GET", "/metrics", nil).Want(t, 200).Body)
	if strings.Contains(body, `db_name="write"`) || strings.Contains(body, `db_name="read"`) {
		t.Error("a Postgres server exports SQLite's pools")
	}
	if got := metricValue(t, body, `go_sql_max_open_connections{db_name="main"}`); got != 16 {
		t.Errorf("main pool's limit %v, want the default 16", got)
	}
	if got := metricValue(t, body, `go_sql_open_connections{db_name="main"}`); got < 1 {
		t.Errorf("main pool has %v open connections after a registration, want at least 1", got)
	}
	// A refresh alone finds a connection free and rotates in a statement
	// of its own.
	if s, r := metricValue(t, body, "tessera_db_rotation_statements_total"), metricValue(t, body, "tessera_db_rotations_total"); s != 1 || r != 1 {
		t.Errorf("%v rotation statements carried %v rotations, want 1 and 1", s, r)
	}
}

// metricValue returns the value of the series named exactly by series in
// a text exposition.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	for line := range strings.Lines(body) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return v
		}
	}
	t.Fatalf("metrics lack %s", series)
	return 0
}
