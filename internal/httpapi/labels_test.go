package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestDeviceLabelsStoredClean: a device name with a NUL, a newline and a
// byte that is not UTF-8, sent with a User-Agent holding such a byte (HTTP
// lets obs-text through), signs in on both databases (Postgres's text
// refuses both, which was a 500), and the device is listed with the
// bytes made U+FFFD and the control characters dropped. The admin
// listing's prefix takes the same bytes without failing; the audit log's
// event filter refuses them, and any other name no event has, as a 400.
func TestDeviceLabelsStoredClean(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		register(t, c, "ada@example.com")
		l := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword,
			"device_name": "Ada\x00's\nphone \xff"}, "User-Agent: Probe\xff/1.0").Want(t, http.StatusOK)
		list := c.Do("GET", "/v1/auth/sessions", nil, bearer(l)).Want(t, http.StatusOK)
		var found bool
		for _, s := range list.JSON()["sessions"].([]any) {
			s := s.(map[string]any)
			if s["id"] != l.Str("session_id") {
				continue
			}
			found = true
			if s["device_name"] != "Ada'sphone \uFFFD" || s["user_agent"] != "Probe\uFFFD/1.0" {
				t.Errorf("stored as %q, %q", s["device_name"], s["user_agent"])
			}
		}
		if !found {
			t.Fatalf("the new device is not listed: %s", list.Body)
		}
		for _, q := range []string{"%FF", "ada%00", "%C3"} {
			c.Do("GET", "/v1/admin/users?email_prefix="+q, nil, admin).Want(t, http.StatusOK)
		}
		for _, q := range []string{"%FF", "login%00", "Login", "login-failed", "%20"} {
			c.Do("GET", "/v1/admin/audit?event="+q, nil, admin).WantError(t, http.StatusBadRequest, "invalid_request")
		}
		c.Do("GET", "/v1/admin/audit?event=login", nil, admin).Want(t, http.StatusOK)
	})
}
