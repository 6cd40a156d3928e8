package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestLoginCountsFromServiceClock: expires_in, refresh_expires_in and the
// cookies' Max-Age count from the service's clock, the one that set the
// expiry times, not from the wall clock. The test clock runs three hours
// ahead of the wall, so any read of the wall clock shows.
func TestLoginCountsFromServiceClock(t *testing.T) {
	const (
		access  = int64(15 * time.Minute / time.Second)
		session = int64(720 * time.Hour / time.Second)
		// The session delivery's cookies live to the absolute expiry: the
		// server slides the idle one forward on every request.
		absolute = int64(2160 * time.Hour / time.Second)
	)
	tests := []struct {
		name        string
		delivery    string
		wantExpires int64
		wantCookies map[string]int // name -> Max-Age
	}{
		{"body", "body", access, nil},
		{"cookie", "cookie", access, map[string]int{
			"__Host-tessera_access": int(access), "__Secure-tessera_refresh": int(session), "__Host-tessera_csrf": int(session),
		}},
		{"session", "session", session, map[string]int{
			"__Host-tessera_session": int(absolute), "__Host-tessera_csrf": int(absolute),
		}},
	}
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	ts.Clock.Advance(3 * time.Hour)
	register(t, ts.NewClient(t), "clock@example.com")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{
				"email": "clock@example.com", "password": testPassword, "delivery": tt.delivery,
			}).Want(t, http.StatusOK)
			m := r.JSON()
			if got := int64(m["expires_in"].(float64)); got != tt.wantExpires {
				t.Errorf("expires_in = %d, want %d", got, tt.wantExpires)
			}
			if got := int64(m["refresh_expires_in"].(float64)); got != session {
				t.Errorf("refresh_expires_in = %d, want %d", got, session)
			}
			got := map[string]int{}
			for _, ck := range r.Cookies() {
				got[ck.Name] = ck.MaxAge
			}
			for name, want := range tt.wantCookies {
				if got[name] != want {
					t.Errorf("cookie %s Max-Age = %d, want %d", name, got[name], want)
				}
			}
		})
	}
	t.Run("refresh", func(t *testing.T) {
		c := ts.NewClient(t)
		l := login(t, c, "clock@example.com", "laptop")
		ts.Clock.Advance(time.Hour)
		r := c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": l.Str("refresh_token")}).Want(t, http.StatusOK)
		if got := int64(r.JSON()["expires_in"].(float64)); got != access {
			t.Errorf("expires_in after a refresh = %d, want %d", got, access)
		}
	})
}
