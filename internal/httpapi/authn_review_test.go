package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestAdminClientMalformedID: a client id in the path that no client can
// have (a NUL, bytes that are not UTF-8) is answered like an unknown
// client on every database, on every client route, never with a 500.
func TestAdminClientMalformedID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		for _, id := range []string{"%00", "app%00", "%FF", "%C3%28"} {
			t.Run(id, func(t *testing.T) {
				path := "/v1/admin/clients/" + id
				c.Do("GET", path, nil, admin).WantError(t, http.StatusNotFound, "not_found")
				c.Do("PATCH", path, map[string]any{"name": "X"}, admin).WantError(t, http.StatusNotFound, "not_found")
				c.Do("DELETE", path, nil, admin).WantError(t, http.StatusNotFound, "not_found")
				c.Do("POST", path+"/secret", nil, admin).WantError(t, http.StatusNotFound, "not_found")
			})
		}
		c.Do("GET", "/v1/admin/clients/default", nil, admin).Want(t, http.StatusOK)
	})
}

// TestWithdrawConsentMalformedClientID: withdrawing the consent of a
// client id no client can have is 404 like any app without a consent, on
// every database.
func TestWithdrawConsentMalformedClientID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		me := bearer(register(t, c, "ada@example.com"))
		for _, id := range []string{"%00", "app%00", "%FF", "%C3%28"} {
			c.Do("DELETE", "/v1/auth/consents/"+id, nil, me).WantError(t, http.StatusNotFound, "not_found")
		}
	})
}

// TestAdminAuditSinceOutOfRange: an audit filter's since that RFC 3339
// can write but no stored time can reach (year 0 in UTC, or past 9999
// once its offset is applied) is a 400 naming the field, not a 500.
func TestAdminAuditSinceOutOfRange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		for _, since := range []string{"0000-01-01T00:00:00Z", "0001-01-01T00:00:00%2B23:59", "9999-12-31T23:59:59-23:59"} {
			r := c.Do("GET", "/v1/admin/audit?since="+since, nil, admin).WantError(t, http.StatusBadRequest, "invalid_request")
			if _, ok := r.JSON()["fields"].(map[string]any)["since"]; !ok {
				t.Fatalf("since=%s: %s", since, r.Body)
			}
		}
		c.Do("GET", "/v1/admin/audit?since=0001-01-02T00:00:00Z", nil, admin).Want(t, http.StatusOK)
		c.Do("GET", "/v1/admin/audit?since=9999-12-31T23:59:59Z", nil, admin).Want(t, http.StatusOK)
	})
}

// TestAdminClientHugeNegativeTTL: a lifetime of very many negative
// seconds is refused like -1, not multiplied past the range of a duration
// into some other lifetime (or into 0, the server default).
func TestAdminClientHugeNegativeTTL(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	admin := newAdmin(t, ts, "root@example.com")
	c := ts.NewClient(t)
	for _, field := range []string{"access_ttl_seconds", "idle_ttl_seconds", "max_ttl_seconds"} {
		for _, v := range []int64{-9223372036854775808, -18446744073709, -1} {
			r := c.Do("PATCH", "/v1/admin/clients/default", map[string]any{field: v}, admin).
				WantError(t, http.StatusBadRequest, "invalid_request")
			if _, ok := r.JSON()["fields"].(map[string]any)[field]; !ok {
				t.Fatalf("%s=%d: %s", field, v, r.Body)
			}
		}
	}
}

// TestAdminOddCursorsAndNames: a users or sessions cursor holding a time
// no row can have (year 0 or past 9999), a clients cursor holding a NUL or
// bytes that are not UTF-8, and a client name with a control character
// are 400 invalid_request on both databases, not 500 (and the name is not
// stored).
func TestAdminOddCursorsAndNames(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		uid := c.Do("GET", "/v1/admin/users", nil, admin).Want(t, http.StatusOK).JSON()["users"].([]any)[0].(map[string]any)["id"].(string)
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		for _, path := range []string{
			"/v1/admin/users?cursor=" + enc("u:-9223372036854775808."+uid),
			"/v1/admin/users?cursor=" + enc("u:9223372036854775807."+uid),
			"/v1/admin/users/" + uid + "/sessions?cursor=" + enc("s:-9223372036854775808."+uid),
			"/v1/admin/clients?cursor=" + enc("c:\x00"),
			"/v1/admin/clients?cursor=" + enc("c:\xff"),
		} {
			c.Do("GET", path, nil, admin).WantError(t, http.StatusBadRequest, "invalid_request")
		}
		for _, name := range []string{"a\u0000b", "line\nbreak", "bell\u0007"} {
			c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "odd", "name": name}, admin).
				WantError(t, http.StatusBadRequest, "invalid_request")
		}
		c.Do("GET", "/v1/admin/clients/odd", nil, admin).WantError(t, http.StatusNotFound, "not_found")
	})
}
