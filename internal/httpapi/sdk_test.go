package httpapi_test

import (
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestSDKIsServed: /sdk/tessera.js and /sdk/tessera.d.ts are public to
// every origin ("*", never with credentials, even for an origin that is
// allowed credentials elsewhere), typed, cacheable and revalidated by a
// strong ETag, and stamped with the server's version.
func TestSDKIsServed(t *testing.T) {
	ts := servertest.StartWith(t, sqltest.NewSQLite(t), servertest.Options{
		Mutate:  func(c *config.Config) { c.CORSOrigins = []string{"https://app.example.com"} },
		Version: `v1.2.3"; alert(1); "`,
	})
	c := ts.NewClient(t)
	tests := []struct {
		path, contentType, mustHave string
	}{
		{"/sdk/tessera.js", "text/javascript; charset=utf-8", `export const version = "v1.2.3; alert(1); ";`},
		{"/sdk/tessera.d.ts", "text/plain; charset=utf-8", "export declare function createTessera("},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			for _, origin := range []string{"https://app.example.com", "https://elsewhere.example", ""} {
				var h []string
				if origin != "" {
					h = append(h, "Origin: "+origin)
				}
				r := c.Do("GET", tt.path, nil, h...).Want(t, 200)
				if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
					t.Errorf("origin %q: Access-Control-Allow-Origin %q, want *", origin, got)
				}
				if got := r.Header.Get("Access-Control-Allow-Credentials"); got != "" {
					t.Errorf("origin %q: Access-Control-Allow-Credentials %q, want none", origin, got)
				}
				if got := r.Header.Get("Content-Type"); got != tt.contentType {
					t.Errorf("Content-Type %q, want %q", got, tt.contentType)
				}
				if got := r.Header.Get("Cache-Control"); got != "public, max-age=300" {
					t.Errorf("Cache-Control %q", got)
				}
				if !strings.Contains(string(r.Body), tt.mustHave) {
					t.Fatalf("body lacks %q", tt.mustHave)
				}
				if strings.Contains(string(r.Body), "__TESSERA_VERSION__") {
					t.Fatal("version mark left unstamped")
				}
			}
			etag := c.Do("GET", tt.path, nil).Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("ETag %q", etag)
			}
			if r := c.Do("GET", tt.path, nil, "If-None-Match: "+etag).Want(t, 304); len(r.Body) != 0 {
				t.Fatalf("304 with a body of %d bytes", len(r.Body))
			}
			c.Do("GET", tt.path, nil, `If-None-Match: "stale"`).Want(t, 200)
			c.Do("HEAD", tt.path, nil).Want(t, 200)
		})
	}
	t.Run("dev when the build has no version", func(t *testing.T) {
		ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
		r := ts.NewClient(t).Do("GET", "/sdk/tessera.js", nil).Want(t, 200)
		if !strings.Contains(string(r.Body), `export const version = "dev";`) {
			t.Fatal("version is not dev")
		}
	})
}
