package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestTwoAuthorizationHeaders: a request with two Authorization headers is
// refused before either is read, whatever their order or validity.
func TestTwoAuthorizationHeaders(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	a := bearer(register(t, c, "ada@example.com"))
	b := bearer(register(t, c, "bob@example.com"))
	tok := "Authorization: Token " + c.Do("POST", "/v1/auth/token",
		map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, 200).Str("token")
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"two valid bearers", []string{a, b}},
		{"garbage then valid", []string{"Authorization: Bearer garbage", a}},
		{"valid then garbage", []string{a, "Authorization: Bearer garbage"}},
		{"bearer and token", []string{a, tok}},
		{"empty then valid", []string{"Authorization:", b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do("GET", "/v1/auth/me", nil, tc.headers...).WantError(t, 400, "invalid_request")
			if !strings.Contains(r.Str("error_description"), "Authorization") {
				t.Fatalf("description should name the header: %s", r.Body)
			}
			// Refused on a route that reads no credential as well.
			c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": "x"}, tc.headers...).WantError(t, 400, "invalid_request")
		})
	}
	if got := c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200).Str("email"); got != "ada@example.com" {
		t.Fatalf("one header still authenticates: %q", got)
	}
}

// TestRepeatedTesseraCookie: two cookies of one Tessera name (as a sibling
// subdomain can plant under TESSERA_COOKIE_DOMAIN) are refused, whichever
// comes first; a repeated cookie of another name is not Tessera's business.
func TestRepeatedTesseraCookie(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.CookieDomain = "example.test" })
	c := ts.NewClient(t)
	register(t, c, "cookie@example.com")
	r := c.Do("POST", "/v1/auth/login", map[string]any{"email": "cookie@example.com", "password": testPassword, "delivery": "cookie"}).Want(t, 200)
	cks := cookiesOf(r)
	access, csrfCk, refresh := cks["__Secure-tessera_access"], cks["__Secure-tessera_csrf"], cks["__Secure-tessera_refresh"]
	if access == nil || csrfCk == nil || refresh == nil {
		t.Fatalf("cookies: %v", r.Header.Values("Set-Cookie"))
	}
	pair := func(name, v string) string { return name + "=" + v }
	good := pair(access.Name, access.Value) + "; " + pair(csrfCk.Name, csrfCk.Value)
	csrf := "X-CSRF-Token: " + csrfCk.Value

	c.Do("GET", "/v1/auth/me", nil, "Cookie: "+good+"; theme=a; theme=b").Want(t, 200)
	for _, tc := range []struct {
		name, method, path string
		cookies            []string
	}{
		{"planted access first", "GET", "/v1/auth/me", []string{pair(access.Name, "planted") + "; " + good}},
		{"planted access last", "GET", "/v1/auth/me", []string{good + "; " + pair(access.Name, "planted")}},
		{"same access twice", "GET", "/v1/auth/me", []string{good + "; " + pair(access.Name, access.Value)}},
		{"second Cookie line", "GET", "/v1/auth/me", []string{good, pair(access.Name, "planted")}},
		{"planted csrf", "POST", "/v1/auth/logout", []string{good + "; " + pair(csrfCk.Name, "planted")}},
		{"planted refresh", "POST", "/v1/auth/refresh", []string{pair(refresh.Name, "tsr_planted") + "; " + pair(refresh.Name, refresh.Value) + "; " + pair(csrfCk.Name, csrfCk.Value)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			for _, ck := range tc.cookies {
				hs = append(hs, "Cookie: "+ck)
			}
			r := c.Do(tc.method, tc.path, nil, append(hs, csrf)...).WantError(t, 400, "invalid_request")
			if !strings.Contains(r.Str("error_description"), "more than once") {
				t.Fatalf("description: %s", r.Body)
			}
		})
	}
	// Nothing above changed the session: the real cookies still work.
	c.Do("POST", "/v1/auth/refresh", nil, "Cookie: "+pair(refresh.Name, refresh.Value)+"; "+pair(csrfCk.Name, csrfCk.Value), csrf).Want(t, 200)
}

// TestRefreshBoundToClient: RFC 6749 s6 binds a refresh token to its
// client. Another client's id, or an unknown one, is invalid_grant on both
// refresh endpoints and leaves the session untouched (neither rotated nor
// revoked); the right id, or none, refreshes.
func TestRefreshBoundToClient(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		for _, id := range []string{"mobile", "web"} {
			c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": id, "name": id}, admin).Want(t, 201)
		}
		register(t, c, "ada@example.com")
		l := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "client_id": "mobile"}).Want(t, 200)
		rt := l.Str("refresh_token")
		for _, other := range []string{"web", "nope", "default", "MOBILE"} {
			c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": rt, "client_id": other}).WantError(t, 400, "invalid_grant")
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {other}}.Encode()
			c.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded").WantError(t, 400, "invalid_grant")
		}
		// The session was neither rotated nor revoked: the same token is
		// still the current one, and its access token still works.
		c.Do("GET", "/v1/auth/me", nil, bearer(l)).Want(t, 200)
		r1 := c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": rt, "client_id": "mobile"}).Want(t, 200)
		if r1.Str("session_id") != l.Str("session_id") || r1.Str("refresh_token") == rt {
			t.Fatalf("refresh with the right client must rotate the same session: %s", r1.Body)
		}
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r1.Str("refresh_token")}}.Encode()
		r2 := c.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded").Want(t, 200)
		form = url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r2.Str("refresh_token")}, "client_id": {"mobile"}}.Encode()
		c.Do("POST", "/oauth/token", form, "Content-Type: application/x-www-form-urlencoded").Want(t, 200)
	})
}
