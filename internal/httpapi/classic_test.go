package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func basic(user, pw string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

// TestSeedBasicFlow is the article's Basic flow: no credentials gives 401
// with a challenge per scheme; Basic credentials give 200; a wrong password
// gives 401.
func TestSeedBasicFlow(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "milan@example.com")

	r := c.Do("GET", "/v1/auth/me", nil).WantError(t, 401, "not_authenticated")
	want := []string{`Bearer realm="tessera"`, `Token`, `Basic realm="tessera", charset="UTF-8"`}
	if got := r.Header.Values("WWW-Authenticate"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("challenges = %q, want %q", got, want)
	}
	me := c.Do("GET", "/v1/auth/me", nil, basic("milan@example.com", testPassword)).Want(t, 200)
	if me.Str("email") != "milan@example.com" {
		t.Fatalf("me = %s", me.Body)
	}
	c.Do("GET", "/v1/auth/me", nil, basic("milan@example.com", "password123456")).WantError(t, 401, "authentication_failed")
	c.Do("GET", "/v1/auth/me", nil, basic("nobody@example.com", testPassword)).WantError(t, 401, "authentication_failed")

	malformed := []struct{ name, header string }{
		{"bad base64", "Authorization: Basic !!!notbase64"},
		{"missing colon", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("milan@example.com"))},
		{"non-UTF-8", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("milan\xff:pw"))},
		{"empty user", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(":"+testPassword))},
	}
	for _, tt := range malformed {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do("GET", "/v1/auth/me", nil, tt.header).WantError(t, 401, "authentication_failed")
			if !strings.Contains(strings.Join(r.Header.Values("WWW-Authenticate"), "|"), "Basic realm") {
				t.Fatalf("no Basic challenge: %v", r.Header)
			}
		})
	}
}

func TestClassicToken(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		laptop, phone := ts.NewClient(t), ts.NewClient(t)
		register(t, laptop, "drf@example.com")

		t1 := laptop.Do("POST", "/v1/auth/token", map[string]any{"email": "drf@example.com", "password": testPassword}).Want(t, 200)
		t2 := phone.Do("POST", "/v1/auth/token", nil, basic("drf@example.com", testPassword)).Want(t, 200)
		key := t1.Str("token")
		if !strings.HasPrefix(key, "tsk_") || t2.Str("token") != key || t1.Str("token_type") != "Token" || t1.Str("created_at") == "" {
			t.Fatalf("same key expected from both devices: %s / %s", t1.Body, t2.Body)
		}
		if t1.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("token response must not be cached")
		}
		var stored []string
		if err := db.SQL().Select(&stored, "SELECT prefix FROM auth_tokens"); err != nil || len(stored) != 1 {
			t.Fatalf("auth_tokens rows %v, %v", stored, err)
		}
		assertNoPlainSecret(t, db, key)

		laptop.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).Want(t, 200)
		phone.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).Want(t, 200)
		laptop.Do("DELETE", "/v1/auth/token", nil, "Authorization: Token "+key).Want(t, 204)
		laptop.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).WantError(t, 401, "invalid_token")
		phone.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).WantError(t, 401, "invalid_token")
		laptop.Do("DELETE", "/v1/auth/token", nil, basic("drf@example.com", testPassword)).WantError(t, 404, "not_found")

		t3 := phone.Do("POST", "/v1/auth/token", map[string]any{"email": "drf@example.com", "password": testPassword}).Want(t, 200)
		if t3.Str("token") == key {
			t.Fatal("a revoked token must not come back")
		}
		phone.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+t3.Str("token")).Want(t, 200)
		phone.Do("POST", "/v1/auth/token", map[string]any{"email": "drf@example.com", "password": "wrong password here"}).
			WantError(t, 400, "invalid_credentials")
		phone.Do("POST", "/v1/auth/token", nil).WantError(t, 400, "invalid_request")
	})
}

// assertNoPlainSecret scans every text and blob column of every table for
// secret (and its base64 body): the database may hold hashes only.
func assertNoPlainSecret(t *testing.T, db *sqlstore.DB, secret string) {
	t.Helper()
	body := secret[strings.Index(secret, "_")+1:]
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	for _, table := range []string{"users", "sessions", "auth_tokens", "audit_events"} {
		rows, err := db.SQL().Queryx("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				}
				if s != "" && (strings.Contains(s, body) || (len(raw) > 0 && strings.Contains(s, string(raw)))) {
					rows.Close()
					t.Fatalf("table %s stores the secret in plain text", table)
				}
			}
		}
		rows.Close()
	}
}

func TestSessionCookieDelivery(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	browser, phone := ts.NewClient(t), ts.NewClient(t)
	register(t, browser, "admin-console@example.com")
	r := browser.Do("POST", "/v1/auth/login", map[string]any{"email": "admin-console@example.com", "password": testPassword, "delivery": "session"}).Want(t, 200)
	if r.Str("access_token") != "" || r.Str("refresh_token") != "" || r.Str("csrf_token") == "" {
		t.Fatalf("session delivery must send no token in the body: %s", r.Body)
	}
	cks := cookiesOf(r)
	sc := cks["__Host-tessera_session"]
	if sc == nil || !sc.HttpOnly || !sc.Secure || sc.Path != "/" || cks["__Host-tessera_access"] != nil {
		t.Fatalf("session cookie %+v; all %v", sc, r.Header.Values("Set-Cookie"))
	}
	assertNoPlainSecret(t, ts.DB, sc.Value)
	cookie := cookieHeader(cks, "__Host-tessera_session", "__Host-tessera_csrf")
	csrf := "X-CSRF-Token: " + r.Str("csrf_token")

	browser.Do("GET", "/v1/auth/me", nil, cookie).Want(t, 200)
	browser.Do("PATCH", "/v1/auth/me", map[string]any{"username": "console"}, cookie).WantError(t, 403, "csrf_failed")
	browser.Do("PATCH", "/v1/auth/me", map[string]any{"username": "console"}, cookie, csrf).Want(t, 200)

	p := login(t, phone, "admin-console@example.com", "phone")
	ids := sessionIDs(t, phone, bearer(p))
	if _, ok := ids[r.Str("session_id")]; !ok {
		t.Fatalf("the cookie session is not listed: %v", ids)
	}
	phone.Do("DELETE", "/v1/auth/sessions/"+r.Str("session_id"), nil, bearer(p)).Want(t, 204)
	browser.Do("GET", "/v1/auth/me", nil, cookie).WantError(t, 401, "invalid_token")

	// Logout clears the cookie.
	r = browser.Do("POST", "/v1/auth/login", map[string]any{"email": "admin-console@example.com", "password": testPassword, "delivery": "session"}).Want(t, 200)
	cks = cookiesOf(r)
	cookie = cookieHeader(cks, "__Host-tessera_session", "__Host-tessera_csrf")
	out := browser.Do("POST", "/v1/auth/logout", nil, cookie, "X-CSRF-Token: "+r.Str("csrf_token")).Want(t, 204)
	if ck := cookiesOf(out)["__Host-tessera_session"]; ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("logout must delete the session cookie: %v", out.Header.Values("Set-Cookie"))
	}
	browser.Do("GET", "/v1/auth/me", nil, cookie).WantError(t, 401, "invalid_token")
	// A session cookie has no refresh token.
	browser.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": "tsr_x", "delivery": "session"}).
		WantError(t, 400, "invalid_request")
}

func TestAuthenticatorChain(t *testing.T) {
	type setup struct {
		ts    *servertest.TestServer
		c     *servertest.Client
		token string
		jwt   string
	}
	start := func(t *testing.T, chain []string) setup {
		ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.Authentication = chain })
		c := ts.NewClient(t)
		reg := register(t, c, "chain@example.com")
		tok := c.Do("POST", "/v1/auth/token", map[string]any{"email": "chain@example.com", "password": testPassword}).Want(t, 200)
		return setup{ts, c, tok.Str("token"), reg.Str("access_token")}
	}

	t.Run("bad token does not fall through to basic", func(t *testing.T) {
		s := start(t, []string{"token", "basic"})
		s.c.Do("GET", "/v1/auth/me", nil, "Authorization: Token tsk_wrong").WantError(t, 401, "invalid_token")
	})
	t.Run("wrong bearer stops the chain before a valid session cookie", func(t *testing.T) {
		s := start(t, []string{"bearer", "session"})
		r := s.c.Do("POST", "/v1/auth/login", map[string]any{"email": "chain@example.com", "password": testPassword, "delivery": "session"}).Want(t, 200)
		cookie := cookieHeader(cookiesOf(r), "__Host-tessera_session")
		s.c.Do("GET", "/v1/auth/me", nil, cookie).Want(t, 200)
		s.c.Do("GET", "/v1/auth/me", nil, cookie, "Authorization: Bearer x.y.z").WantError(t, 401, "invalid_token")
	})
	offCases := []struct {
		name   string
		chain  []string
		header func(s setup) string
	}{
		{"bearer off", []string{"token", "session", "basic"}, func(s setup) string { return "Authorization: Bearer " + s.jwt }},
		{"token off", []string{"bearer", "session", "basic"}, func(s setup) string { return "Authorization: Token " + s.token }},
		{"basic off", []string{"bearer", "token", "session"}, func(setup) string { return basic("chain@example.com", testPassword) }},
	}
	for _, tt := range offCases {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.chain)
			r := s.c.Do("GET", "/v1/auth/me", nil, tt.header(s)).WantError(t, 401, "not_authenticated")
			if got := len(r.Header.Values("WWW-Authenticate")); got != len(tt.chain)-1 {
				t.Fatalf("want a challenge per enabled scheme but session, got %q", r.Header.Values("WWW-Authenticate"))
			}
		})
	}
	t.Run("session off", func(t *testing.T) {
		s := start(t, []string{"bearer", "token", "basic"})
		r := s.c.Do("POST", "/v1/auth/login", map[string]any{"email": "chain@example.com", "password": testPassword, "delivery": "session"}).Want(t, 200)
		s.c.Do("GET", "/v1/auth/me", nil, cookieHeader(cookiesOf(r), "__Host-tessera_session")).WantError(t, 401, "not_authenticated")
	})
	t.Run("order: token before basic uses the token", func(t *testing.T) {
		s := start(t, []string{"token", "basic"})
		s.c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+s.token).Want(t, 200)
		var n int
		if err := s.ts.DB.SQL().Get(&n, "SELECT count(*) FROM audit_events WHERE event = 'login_failed'"); err != nil || n != 0 {
			t.Fatalf("login_failed events %d, %v", n, err)
		}
	})
}

func TestClientMayRefuseClassicToken(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "policy@example.com")
	if _, err := ts.DB.SQL().Exec(`UPDATE clients SET allowed_delivery = '["body"]' WHERE client_id = 'default'`); err != nil {
		t.Fatal(err)
	}
	// A change made behind the server's back (another replica, the CLI)
	// applies once the client cache expires.
	ts.Clock.Advance(11 * time.Second)
	c.Do("POST", "/v1/auth/token", map[string]any{"email": "policy@example.com", "password": testPassword}).
		WantError(t, http.StatusBadRequest, "invalid_client")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "policy@example.com", "password": testPassword, "delivery": "cookie"}).
		WantError(t, http.StatusBadRequest, "invalid_client")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "policy@example.com", "password": testPassword}).Want(t, 200)
}
