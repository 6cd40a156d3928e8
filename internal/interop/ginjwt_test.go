package interop_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

// TestGinjwtWithTessera: a Gin resource server protected by ginjwt over a
// verifier from FromIssuer accepts Tessera's users, keeps its admin route
// to admins, and turns a device away (401 invalid_token, "revoked") one
// poll after its session is revoked.
func TestGinjwtWithTessera(t *testing.T) {
	ts := startTessera(t, "EdDSA")
	admin := newAdmin(t, ts, "root@example.com")
	register(t, ts, "ada@example.com")
	ada := login(t, ts, "ada@example.com", "laptop")
	v, w := watching(t, ts)

	gin.SetMode(gin.TestMode)
	r := gin.New()
	api := r.Group("/api", ginjwt.Middleware(v))
	api.GET("/me", func(c *gin.Context) {
		claims, _ := ginjwt.ClaimsFrom(c)
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject})
	})
	api.GET("/admin", ginjwt.RequireRole("admin"), func(c *gin.Context) { c.Status(http.StatusNoContent) })

	call := func(path string, d *device) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+d.token())
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}
	me := call("/api/me", ada)
	var body map[string]string
	if json.Unmarshal(me.Body.Bytes(), &body); me.Code != http.StatusOK || body["sub"] != ada.login.JSON()["user"].(map[string]any)["id"] {
		t.Fatalf("GET /api/me as ada: %d %s", me.Code, me.Body)
	}
	if rec := call("/api/admin", ada); rec.Code != http.StatusForbidden {
		t.Fatalf("GET /api/admin as ada: %d, want 403", rec.Code)
	}
	if rec := call("/api/admin", admin); rec.Code != http.StatusNoContent {
		t.Fatalf("GET /api/admin as admin: %d, want 204; %s", rec.Code, rec.Body)
	}

	admin.c.Do("DELETE", "/v1/admin/sessions/"+ada.sessionID(), nil, admin.bearer()).Want(t, http.StatusNoContent)
	ts.Clock.Advance(time.Second)
	if err := w.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := call("/api/me", ada)
	want := `Bearer realm="api", error="invalid_token", error_description="the access token was revoked"`
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != want {
		t.Fatalf("revoked device: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
