package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// BenchmarkMe is GET /v1/auth/me with a Bearer token through the whole
// handler chain (middleware, authentication, the session and user read,
// the answer) on SQLite, without the network: its allocations per request
// are what the garbage collector pays for.
func BenchmarkMe(b *testing.B) {
	ts := servertest.Start(b, sqltest.NewSQLite(b), nil)
	req := httptest.NewRequest(http.MethodPost, "/v1/auth/register",
		strings.NewReader(`{"email":"ada@example.com","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	ts.API.ServeHTTP(w, req)
	var reg struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reg); err != nil || w.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/v1/auth/me", nil)
		req.Header.Set("Authorization", "Bearer "+reg.AccessToken)
		w := httptest.NewRecorder()
		ts.API.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("me: %d %s", w.Code, w.Body)
		}
	}
}
