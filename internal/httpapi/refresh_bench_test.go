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

// BenchmarkRefreshChain is POST /v1/auth/refresh in body mode through
// the whole handler chain on Postgres (skipped without one), without the
// network: its allocations per rotation are what the collector pays for.
func BenchmarkRefreshChain(b *testing.B) {
	ts := servertest.Start(b, sqltest.NewPostgres(b), nil)
	req := httptest.NewRequest(http.MethodPost, "/v1/auth/register",
		strings.NewReader(`{"email":"ada@example.com","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	ts.API.ServeHTTP(w, req)
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || w.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v1/auth/refresh",
			strings.NewReader(`{"refresh_token":"`+tok.RefreshToken+`"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		ts.API.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("refresh: %d %s", w.Code, w.Body)
		}
		if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil {
			b.Fatal(err)
		}
	}
}
