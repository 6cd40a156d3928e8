package ginjwt_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

// TestCSRF: unsafe requests without an Authorization header need
// X-CSRF-Token equal to the csrf cookie; safe methods and bearer requests
// pass.
func TestCSRF(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(ginjwt.CSRF("__Host-tessera_csrf"))
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"} {
		r.Handle(m, "/notes", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	}
	const csrf = "Zm9vYmFyYmF6"
	tests := []struct {
		name, method, cookie, header, auth string
		want                               int
	}{
		{"GET needs nothing", "GET", "", "", "", 204},
		{"HEAD needs nothing", "HEAD", "", "", "", 204},
		{"OPTIONS needs nothing", "OPTIONS", "", "", "", 204},
		{"POST with the matching header", "POST", csrf, csrf, "", 204},
		{"DELETE with the matching header", "DELETE", csrf, csrf, "", 204},
		{"POST without the header", "POST", csrf, "", "", 403},
		{"PUT with a wrong header", "PUT", csrf, "Zm9vYmFyYmF7", "", 403},
		{"PATCH with a header but no cookie", "PATCH", "", csrf, "", 403},
		{"POST with neither", "POST", "", "", "", 403},
		{"POST with a prefix of the cookie", "POST", csrf, csrf[:4], "", 403},
		{"POST with a bearer token", "POST", "", "", "Bearer abc", 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/notes", nil)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "__Host-tessera_csrf", Value: tt.cookie})
			}
			if tt.header != "" {
				req.Header.Set("X-CSRF-Token", tt.header)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == 403 {
				var body map[string]string
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != ginjwt.ErrorCSRFFailed || body["error_description"] == "" {
					t.Fatalf("body %s", rec.Body)
				}
				if rec.Header().Get("Cache-Control") != "no-store" {
					t.Fatal("refusal may be cached")
				}
			}
		})
	}
}
