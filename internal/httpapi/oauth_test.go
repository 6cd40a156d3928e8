package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

const formType = "Content-Type: application/x-www-form-urlencoded"

func TestOAuthTokenEndpoint(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "oauth@example.com")

	r := c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", reg.Str("refresh_token")), formType).Want(t, 200)
	if r.Str("token_type") != "Bearer" || r.Str("access_token") == "" || r.Str("refresh_token") == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("RFC 6749 token response: %s %v", r.Body, r.Header)
	}
	j := c.Do("POST", "/oauth/token", map[string]any{"grant_type": "refresh_token", "refresh_token": r.Str("refresh_token")}).Want(t, 200)
	if j.Str("refresh_token") == r.Str("refresh_token") {
		t.Fatal("JSON refresh grant did not rotate")
	}

	tests := []struct {
		name, body, code string
	}{
		{"password grant is not offered", form("grant_type", "password", "username", "oauth@example.com", "password", testPassword), "unsupported_grant_type"},
		{"client credentials without a client", form("grant_type", "client_credentials"), "invalid_client"},
		{"device code grant is not offered", form("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), "unsupported_grant_type"},
		{"no grant type", form("refresh_token", "x"), "invalid_request"},
		{"no refresh token", form("grant_type", "refresh_token"), "invalid_request"},
		{"garbage refresh token", form("grant_type", "refresh_token", "refresh_token", "tsr_garbage"), "invalid_grant"},
		{"repeated parameter", "grant_type=refresh_token&grant_type=refresh_token&refresh_token=x", "invalid_request"},
		{"reused refresh token", form("grant_type", "refresh_token", "refresh_token", reg.Str("refresh_token")), "invalid_grant"},
	}
	ts.Clock.Advance(11 * time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Do("POST", "/oauth/token", tt.body, formType).WantError(t, 400, tt.code)
		})
	}
}

func TestOAuthRevoke(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "revoke@example.com")

	byRefresh := login(t, c, "revoke@example.com", "a")
	c.Do("POST", "/oauth/revoke", form("token", byRefresh.Str("refresh_token"), "token_type_hint", "access_token"), formType).Want(t, 200)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": byRefresh.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
	c.Do("GET", "/v1/auth/me", nil, bearer(byRefresh)).WantError(t, 401, "invalid_token")

	byAccess := login(t, c, "revoke@example.com", "b")
	c.Do("POST", "/oauth/revoke", form("token", byAccess.Str("access_token"), "token_type_hint", "refresh_token"), formType).Want(t, 200)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": byAccess.Str("refresh_token")}).WantError(t, 400, "invalid_grant")

	key := c.Do("POST", "/v1/auth/token", map[string]any{"email": "revoke@example.com", "password": testPassword}).Want(t, 200).Str("token")
	c.Do("POST", "/oauth/revoke", map[string]any{"token": key}).Want(t, 200)
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+key).WantError(t, 401, "invalid_token")

	survivor := login(t, c, "revoke@example.com", "c")
	for _, garbage := range []string{"garbage", "tsr_AAAA", "tsk_nope", "tss_nope", "a.b.c", strings.Repeat("x", 20000)} {
		r := c.Do("POST", "/oauth/revoke", form("token", garbage), formType).Want(t, 200)
		if len(r.Body) != 0 {
			t.Fatalf("revoke must answer an empty body, got %s", r.Body)
		}
	}
	c.Do("POST", "/oauth/revoke", form("token_type_hint", "refresh_token"), formType).WantError(t, 400, "invalid_request")
	c.Do("GET", "/v1/auth/me", nil, bearer(survivor)).Want(t, 200)
}

func TestOAuthIntrospect(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		c.ResourceServers = []string{"api:0123456789abcdef-secret"}
	})
	c := ts.NewClient(t)
	reg := register(t, c, "intro@example.com")
	rs := basic("api", "0123456789abcdef-secret")

	c.Do("POST", "/oauth/introspect", form("token", reg.Str("access_token")), formType).WantError(t, 401, "invalid_client")
	c.Do("POST", "/oauth/introspect", form("token", reg.Str("access_token")), formType, basic("api", "wrong-secret-of-16+")).
		WantError(t, 401, "invalid_client")

	r := c.Do("POST", "/oauth/introspect", form("token", reg.Str("access_token")), formType, rs).Want(t, 200)
	m := r.JSON()
	for k, want := range map[string]any{"active": true, "token_type": "Bearer", "client_id": "default", "sid": reg.Str("session_id"), "iss": ts.Config.Issuer} {
		if m[k] != want {
			t.Fatalf("introspection %s = %v, want %v (%s)", k, m[k], want, r.Body)
		}
	}
	for _, k := range []string{"sub", "exp", "iat", "aud"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("introspection lacks %s: %s", k, r.Body)
		}
	}
	rr := c.Do("POST", "/oauth/introspect", form("token", reg.Str("refresh_token")), formType, rs).Want(t, 200)
	if rr.JSON()["active"] != true || rr.Str("token_type") != "refresh_token" {
		t.Fatalf("refresh introspection: %s", rr.Body)
	}

	inactive := func(name, tok string) {
		t.Helper()
		r := c.Do("POST", "/oauth/introspect", form("token", tok), formType, rs).Want(t, 200)
		if strings.TrimSpace(string(r.Body)) != `{"active":false}` {
			t.Fatalf("%s: want exactly {\"active\":false}, got %s", name, r.Body)
		}
	}
	inactive("garbage", "garbage")
	inactive("garbage refresh", "tsr_garbage")
	expired := login(t, c, "intro@example.com", "expiring")
	ts.Clock.Advance(16 * time.Minute)
	inactive("expired access token", expired.Str("access_token"))
	fresh := login(t, c, "intro@example.com", "fresh")
	c.Do("POST", "/v1/auth/logout", nil, bearer(fresh)).Want(t, 204)
	inactive("revoked access token", fresh.Str("access_token"))
	inactive("revoked refresh token", fresh.Str("refresh_token"))
}

func TestRevocationFeed(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.RevocationPollInterval = 20 * time.Second })
	c := ts.NewClient(t)
	register(t, c, "feed@example.com")
	a := login(t, c, "feed@example.com", "a")
	b := login(t, c, "feed@example.com", "b")

	empty := c.Do("GET", "/v1/revocations", nil).Want(t, 200)
	if got := empty.JSON()["revocations"].([]any); len(got) != 0 || empty.JSON()["poll_interval"] != float64(20) ||
		empty.Header.Get("Cache-Control") != "public, max-age=10" {
		t.Fatalf("empty feed: %s %v", empty.Body, empty.Header)
	}
	c.Do("DELETE", "/v1/auth/sessions/"+a.Str("session_id"), nil, bearer(b)).Want(t, 204)
	r := c.Do("GET", "/v1/revocations", nil).Want(t, 200)
	list := r.JSON()["revocations"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["sid"] != a.Str("session_id") {
		t.Fatalf("feed after revoking A: %s", r.Body)
	}
	exp, _ := time.Parse(time.RFC3339Nano, list[0].(map[string]any)["expires_at"].(string))
	if d := exp.Sub(ts.Clock.Now()); d < 15*time.Minute || d > 17*time.Minute {
		t.Fatalf("expires_at %v is %v from now, want access TTL + leeway", exp, d)
	}
	cursor := r.Str("cursor")
	// A poll right after repeats the last seconds (late commits must not be
	// missed) but adds nothing and keeps the cursor.
	next := c.Do("GET", "/v1/revocations?since="+cursor, nil).Want(t, 200)
	if l := next.JSON()["revocations"].([]any); len(l) > 1 || next.Str("cursor") != cursor {
		t.Fatalf("nothing new after the cursor: %s", next.Body)
	}
	ts.Clock.Advance(20 * time.Second)
	c.Do("POST", "/v1/auth/logout", nil, bearer(b)).Want(t, 204)
	next = c.Do("GET", "/v1/revocations?since="+cursor, nil).Want(t, 200)
	l := next.JSON()["revocations"].([]any)
	if len(l) == 0 || l[len(l)-1].(map[string]any)["sid"] != b.Str("session_id") {
		t.Fatalf("B's logout after the cursor: %s", next.Body)
	}
	if next.Str("cursor") == cursor {
		t.Fatal("the cursor must move past B's revocation")
	}
	c.Do("GET", "/v1/revocations?since=bm9wZQ", nil).WantError(t, 400, "invalid_request")
	c.Do("GET", "/v1/revocations?since=%%%", nil).WantError(t, 400, "invalid_request")

	ts.Clock.Advance(17 * time.Minute)
	if l := c.Do("GET", "/v1/revocations", nil).Want(t, 200).JSON()["revocations"].([]any); len(l) != 0 {
		t.Fatalf("revocations whose tokens expired must drop out: %v", l)
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	oidc := c.Do("GET", "/.well-known/openid-configuration", nil).Want(t, 200)
	as := c.Do("GET", "/.well-known/oauth-authorization-server", nil).Want(t, 200)
	if string(oidc.Body) != string(as.Body) {
		t.Fatal("the two discovery documents differ")
	}
	for k, want := range map[string]string{
		"issuer": ts.Config.Issuer, "token_endpoint": ts.URL + "/oauth/token", "revocation_endpoint": ts.URL + "/oauth/revoke",
		"introspection_endpoint": ts.URL + "/oauth/introspect", "revocation_feed_endpoint": ts.URL + "/v1/revocations",
	} {
		if got := oidc.Str(k); got != want {
			t.Fatalf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestRevocationFeedCatchesLateCommits: a revocation stamped a few seconds
// before a cursor already handed out (a slow commit, a replica whose clock
// is behind) still reaches a verifier polling from that cursor.
func TestRevocationFeedCatchesLateCommits(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	register(t, c, "late@example.com")
	a := login(t, c, "late@example.com", "a")
	b := login(t, c, "late@example.com", "b")
	c.Do("POST", "/v1/auth/logout", nil, bearer(a)).Want(t, 204)
	cursor := c.Do("GET", "/v1/revocations", nil).Want(t, 200).Str("cursor")

	// B's revocation is stamped 5 s before A's, as a lagging replica would.
	if _, err := ts.DB.SQL().Exec(ts.DB.SQL().Rebind(`UPDATE sessions SET revoked_at = ?, revoked_reason = 'late' WHERE id = ?`),
		ts.Clock.Now().Add(-5*time.Second).UTC().Format("2006-01-02T15:04:05.000000Z"), b.Str("session_id")); err != nil {
		t.Fatal(err)
	}
	l := c.Do("GET", "/v1/revocations?since="+cursor, nil).Want(t, 200).JSON()["revocations"].([]any)
	found := false
	for _, e := range l {
		found = found || e.(map[string]any)["sid"] == b.Str("session_id")
	}
	if !found {
		t.Fatalf("the late revocation of B is missing: %v", l)
	}
}
