package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// cookiesOf returns the response's Set-Cookie values by name.
func cookiesOf(r *servertest.Response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, ck := range r.Cookies() {
		out[ck.Name] = ck
	}
	return out
}

// cookieHeader builds a Cookie header by hand: Go's cookie jar will not send
// Secure cookies over the test's plain-http loopback.
func cookieHeader(cks map[string]*http.Cookie, names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, n+"="+cks[n].Value)
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

func TestCookieDelivery(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		c.CORSOrigins = []string{"https://app.example"}
	})
	c := ts.NewClient(t)
	register(t, c, "cookie@example.com")
	r := c.Do("POST", "/v1/auth/login", map[string]any{"email": "cookie@example.com", "password": testPassword, "delivery": "cookie"}).Want(t, 200)
	if r.Str("access_token") != "" || r.Str("refresh_token") != "" || r.Str("csrf_token") == "" {
		t.Fatalf("cookie delivery body must hold no token but the csrf one: %s", r.Body)
	}
	cks := cookiesOf(r)
	want := []struct {
		name     string
		path     string
		httpOnly bool
		sameSite http.SameSite
		maxAge   int
	}{
		{"__Host-tessera_access", "/", true, http.SameSiteLaxMode, 900},
		{"__Secure-tessera_refresh", "/v1/auth", true, http.SameSiteStrictMode, 720 * 3600},
		{"__Host-tessera_csrf", "/", false, http.SameSiteLaxMode, 720 * 3600},
	}
	for _, w := range want {
		ck, ok := cks[w.name]
		if !ok {
			t.Fatalf("cookie %s not set; got %v", w.name, r.Header.Values("Set-Cookie"))
		}
		if ck.Path != w.path || ck.HttpOnly != w.httpOnly || !ck.Secure || ck.SameSite != w.sameSite || ck.Domain != "" {
			t.Errorf("cookie %s = %+v", w.name, ck)
		}
		if ck.MaxAge < w.maxAge-2 || ck.MaxAge > w.maxAge {
			t.Errorf("cookie %s Max-Age %d, want about %d", w.name, ck.MaxAge, w.maxAge)
		}
	}
	if cks["__Host-tessera_csrf"].Value != r.Str("csrf_token") {
		t.Fatal("csrf cookie and body value differ")
	}

	access := cookieHeader(cks, "__Host-tessera_access", "__Host-tessera_csrf")
	c.Do("GET", "/v1/auth/me", nil, access).Want(t, 200)

	refreshCookies := cookieHeader(cks, "__Secure-tessera_refresh", "__Host-tessera_csrf")
	csrf := "X-CSRF-Token: " + r.Str("csrf_token")
	c.Do("POST", "/v1/auth/refresh", nil, refreshCookies).WantError(t, 403, "csrf_failed")
	c.Do("POST", "/v1/auth/refresh", nil, refreshCookies, "X-CSRF-Token: forged").WantError(t, 403, "csrf_failed")
	c.Do("POST", "/v1/auth/refresh", nil, refreshCookies, csrf, "Origin: https://evil.example").WantError(t, 403, "csrf_failed")
	r2 := c.Do("POST", "/v1/auth/refresh", nil, refreshCookies, csrf, "Origin: https://app.example").Want(t, 200)
	cks2 := cookiesOf(r2)
	if cks2["__Secure-tessera_refresh"].Value == cks["__Secure-tessera_refresh"].Value || r2.Str("access_token") != "" {
		t.Fatalf("cookie refresh must rotate in cookies: %s", r2.Body)
	}

	// Unsafe requests authenticated by the access cookie need the CSRF header.
	access2 := cookieHeader(cks2, "__Host-tessera_access", "__Host-tessera_csrf")
	c.Do("PATCH", "/v1/auth/me", map[string]any{"username": "cookies"}, access2).WantError(t, 403, "csrf_failed")
	c.Do("POST", "/v1/auth/logout", nil, access2, "Origin: https://evil.example", csrf).WantError(t, 403, "csrf_failed")
	c.Do("PATCH", "/v1/auth/me", map[string]any{"username": "cookies"}, access2, csrf).Want(t, 200)
	out := c.Do("POST", "/v1/auth/logout", nil, access2, csrf).Want(t, 204)
	if ck := cookiesOf(out)["__Host-tessera_access"]; ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("logout must delete the access cookie, got %v", out.Header.Values("Set-Cookie"))
	}
	c.Do("GET", "/v1/auth/me", nil, access2).WantError(t, 401, "invalid_token")
}

func TestCookieNamesFollowConfiguration(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*config.Config)
		want   []string
		secure bool
		domain string
	}{
		{"sibling subdomains", func(c *config.Config) { c.CookieDomain = "example.com" },
			[]string{"__Secure-tessera_access", "__Secure-tessera_refresh", "__Secure-tessera_csrf"}, true, "example.com"},
		{"plain-http development", func(c *config.Config) { c.CookieSecure = false },
			[]string{"tessera_access", "tessera_refresh", "tessera_csrf"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := servertest.Start(t, sqltest.NewSQLite(t), tt.mutate)
			c := ts.NewClient(t)
			r := c.Do("POST", "/v1/auth/register", map[string]any{"email": "n@example.com", "password": testPassword, "delivery": "cookie"}).Want(t, 201)
			cks := cookiesOf(r)
			for _, n := range tt.want {
				ck, ok := cks[n]
				if !ok || ck.Secure != tt.secure || ck.Domain != tt.domain {
					t.Fatalf("cookie %s = %+v; all: %v", n, ck, r.Header.Values("Set-Cookie"))
				}
			}
		})
	}
}

func TestCORS(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.CORSOrigins = []string{"https://app.example"} })
	c := ts.NewClient(t)
	pre := c.Do("OPTIONS", "/v1/auth/login", nil, "Origin: https://app.example", "Access-Control-Request-Method: POST").Want(t, 204)
	if pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || pre.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight from a listed origin: %v", pre.Header)
	}
	bad := c.Do("OPTIONS", "/v1/auth/login", nil, "Origin: https://evil.example", "Access-Control-Request-Method: POST")
	if bad.Header.Get("Access-Control-Allow-Origin") != "" || bad.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("unlisted origin got CORS headers: %v", bad.Header)
	}
	get := c.Do("GET", "/healthz", nil, "Origin: https://app.example").Want(t, 200)
	if get.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("simple request from a listed origin: %v", get.Header)
	}
}
