package httpapi_test

import (
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestNoBasicChallengeForScripts: a 401 to a script's request (Origin,
// Sec-Fetch-Mode other than navigate, X-Requested-With) carries no Basic
// challenge, so no browser opens its password dialog; curl and a page the
// user navigates to keep it.
func TestNoBasicChallengeForScripts(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	tests := []struct {
		name      string
		headers   []string
		wantBasic bool
	}{
		{"curl", nil, true},
		{"navigation", []string{"Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document"}, true},
		{"fetch from another origin", []string{"Origin: https://app.example.com", "Sec-Fetch-Mode: cors"}, false},
		{"fetch from an unlisted origin", []string{"Origin: https://evil.example"}, false},
		{"same-origin fetch", []string{"Sec-Fetch-Mode: same-origin"}, false},
		{"no-cors request", []string{"Sec-Fetch-Mode: no-cors"}, false},
		{"XMLHttpRequest library", []string{"X-Requested-With: XMLHttpRequest"}, false},
		{"origin null", []string{"Origin: null"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/v1/auth/me", "/v1/auth/sessions"} {
				r := c.Do("GET", path, nil, tt.headers...).WantError(t, 401, "not_authenticated")
				got := r.Header.Values("WWW-Authenticate")
				hasBasic := strings.Contains(strings.Join(got, "|"), "Basic")
				if hasBasic != tt.wantBasic {
					t.Fatalf("%s: challenges %q, want Basic: %v", path, got, tt.wantBasic)
				}
				if len(got) == 0 || got[0] != `Bearer realm="tessera"` {
					t.Fatalf("%s: challenges %q, want the Bearer one first", path, got)
				}
			}
		})
	}
	t.Run("wrong Basic credentials from a script", func(t *testing.T) {
		r := c.Do("GET", "/v1/auth/me", nil, basic("nobody@example.com", testPassword), "Origin: https://app.example.com").
			WantError(t, 401, "authentication_failed")
		if strings.Contains(strings.Join(r.Header.Values("WWW-Authenticate"), "|"), "Basic") {
			t.Fatalf("Basic challenge sent to a script: %q", r.Header.Values("WWW-Authenticate"))
		}
	})
}
