package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// benchTokens are the tokens of a registration, in body mode.
type benchTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// benchServer starts Tessera on db and registers one account, for the
// benchmarks of the whole handler chain below.
func benchServer(b *testing.B, db *sqlstore.DB) (*servertest.TestServer, benchTokens) {
	b.Helper()
	ts := servertest.Start(b, db, nil)
	req := httptest.NewRequest(http.MethodPost, "/v1/auth/register",
		strings.NewReader(`{"email":"ada@example.com","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	ts.API.ServeHTTP(w, req)
	var tok benchTokens
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || w.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", w.Code, w.Body)
	}
	return ts, tok
}

// BenchmarkMe is GET /v1/auth/me with a Bearer token through the whole
// handler chain (middleware, authentication, the session and user read,
// the answer) on SQLite, without the network: its allocations per request
// are what the garbage collector pays for.
func BenchmarkMe(b *testing.B) {
	ts, tok := benchServer(b, sqltest.NewSQLite(b))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/v1/auth/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		w := httptest.NewRecorder()
		ts.API.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("me: %d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRefreshChain is POST /v1/auth/refresh in body mode through the
// whole handler chain on Postgres (skipped without one), without the
// network: its allocations per rotation are what the collector pays for.
func BenchmarkRefreshChain(b *testing.B) {
	ts, tok := benchServer(b, sqltest.NewPostgres(b))
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

// BenchmarkJWKS is GET /.well-known/jwks.json through the whole handler
// chain (request id, access line, metrics, security headers, CORS), on
// SQLite, without the network: what the middleware adds to an answer
// served from memory.
func BenchmarkJWKS(b *testing.B) {
	ts := servertest.Start(b, sqltest.NewSQLite(b), nil)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil)
		w := httptest.NewRecorder()
		ts.API.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Header().Get("X-Request-Id") == "" {
			b.Fatalf("jwks: %d %v", w.Code, w.Header())
		}
	}
}
