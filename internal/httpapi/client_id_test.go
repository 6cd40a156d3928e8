package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestHugeClientIDIsNotEchoed sends a client_id of almost the whole body
// limit to every endpoint that takes one: each answers invalid_client in
// a small body that does not repeat it.
func TestHugeClientIDIsNotEchoed(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "known@example.com")
	huge := strings.Repeat("x", 60<<10)
	tests := []struct {
		name, path string
		body       map[string]any
	}{
		{"register", "/v1/auth/register", map[string]any{"email": "huge@example.com", "password": testPassword, "client_id": huge}},
		{"login", "/v1/auth/login", map[string]any{"email": "known@example.com", "password": testPassword, "client_id": huge}},
		{"classic token", "/v1/auth/token", map[string]any{"email": "known@example.com", "password": testPassword, "client_id": huge}},
		{"login, upper case", "/v1/auth/login", map[string]any{"email": "known@example.com", "password": testPassword, "client_id": "Default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do("POST", tt.path, tt.body).WantError(t, http.StatusBadRequest, "invalid_client")
			if len(r.Body) > 1<<10 || strings.Contains(string(r.Body), tt.body["client_id"].(string)) {
				t.Fatalf("error body of %d bytes echoes the client_id: %.200s", len(r.Body), r.Body)
			}
		})
	}
}
