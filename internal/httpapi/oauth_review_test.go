package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestRefreshGrantMalformedClientID: a refresh grant whose client_id is no
// client id at all (a NUL, invalid UTF-8) is invalid_grant like any other
// client's id, on every database, never a 500.
func TestRefreshGrantMalformedClientID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		rt := register(t, c, "ada@example.com").Str("refresh_token")
		for _, id := range []string{"%00", "app%00", "%FF", "%C3%28"} {
			t.Run(id, func(t *testing.T) {
				c.Do("POST", "/oauth/token", "grant_type=refresh_token&client_id="+id+"&refresh_token="+rt, formType).
					WantError(t, http.StatusBadRequest, "invalid_grant")
			})
		}
		c.Do("POST", "/oauth/token", map[string]any{"grant_type": "refresh_token", "client_id": "app\u0000", "refresh_token": rt}).
			WantError(t, http.StatusBadRequest, "invalid_grant")
		// The token was left as it was: it still refreshes.
		c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", rt), formType).Want(t, http.StatusOK)
	})
}

// TestTokenEndpointAuthorizationHeaderFailure: a client that sent an
// Authorization header and failed authentication gets 401 with a Basic
// challenge (RFC 6749 s5.2), whatever the header held: another scheme, a
// bare "Basic", undecodable credentials.
func TestTokenEndpointAuthorizationHeaderFailure(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	for _, h := range []string{"Bearer abc", "Basic", "Basic !!!", "Digest username=\"svc\""} {
		for _, body := range []string{
			form("grant_type", "client_credentials"),
			form("grant_type", "authorization_code", "code", "x", "redirect_uri", codeRedirect),
			form("grant_type", "refresh_token", "refresh_token", "tsr_x"),
		} {
			t.Run(h, func(t *testing.T) {
				r := c.Do("POST", "/oauth/token", body, formType, "Authorization: "+h).
					WantError(t, http.StatusUnauthorized, "invalid_client")
				if got := r.Header.Get("WWW-Authenticate"); got == "" {
					t.Fatalf("%s: 401 without WWW-Authenticate", body)
				}
			})
		}
	}
}

// TestRevokeTokenOfAnotherClient: a revocation request that names its
// client is authenticated, and may revoke only that client's tokens (RFC
// 7009 s2.1): another client's token is refused and stays valid, a wrong
// secret is invalid_client; the token's own client revokes it.
func TestRevokeTokenOfAnotherClient(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	svc := c.Do("POST", "/oauth/token", form("grant_type", "authorization_code", "code", s.code(t, "svc"),
		"redirect_uri", codeRedirect, "code_verifier", codeVerifier), formType, basic("svc", s.svcSecret)).Want(t, http.StatusOK)
	rt := svc.Str("refresh_token")

	c.Do("POST", "/oauth/revoke", form("token", rt, "client_id", "app"), formType).WantError(t, http.StatusBadRequest, "unauthorized_client")
	c.Do("POST", "/oauth/revoke", form("token", svc.Str("access_token"), "client_id", "app"), formType).
		WantError(t, http.StatusBadRequest, "unauthorized_client")
	c.Do("POST", "/oauth/revoke", form("token", rt), formType, basic("svc", "tcs_wrong")).WantError(t, http.StatusUnauthorized, "invalid_client")
	c.Do("POST", "/oauth/revoke", form("token", rt, "client_id", "svc", "client_secret", "tcs_wrong"), formType).
		WantError(t, http.StatusBadRequest, "invalid_client")
	c.Do("GET", "/oauth/userinfo", nil, bearer(svc)).Want(t, http.StatusOK)

	// An unknown token is still 200 for an authenticated client.
	c.Do("POST", "/oauth/revoke", form("token", "tsr_unknown", "client_id", "app"), formType).Want(t, http.StatusOK)
	// The token's own client revokes it.
	c.Do("POST", "/oauth/revoke", form("token", rt), formType, basic("svc", s.svcSecret)).Want(t, http.StatusOK)
	c.Do("GET", "/oauth/userinfo", nil, bearer(svc)).WantError(t, http.StatusUnauthorized, "invalid_token")
}

// TestRefreshMalformedClientID: /v1/auth/refresh with a client_id no
// client can have (a NUL, bytes that are not UTF-8, a space) is
// invalid_grant on both databases, not a 500 from Postgres, and the token
// still refreshes.
func TestRefreshMalformedClientID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		rt := register(t, c, "ada@example.com").Str("refresh_token")
		for _, id := range []string{"app\x00", "\xff", "a b"} {
			c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": rt, "client_id": id}).
				WantError(t, http.StatusBadRequest, "invalid_grant")
		}
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": rt}).Want(t, http.StatusOK)
	})
}

// TestIntrospectServiceToken: an access token of the client_credentials
// grant, which verifies offline, is active at introspection too (RFC 7662
// s2.2), with the client as sub and client_id; once its client may no
// longer use the grant, or is gone, it is inactive.
func TestIntrospectServiceToken(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, func(c *config.Config) {
			c.ResourceServers = []string{"api:0123456789abcdef-secret"}
		})
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		secret := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "backend", "name": "Backend",
			"type": "confidential", "grant_types": []string{"client_credentials"}}, admin).Want(t, 201).Str("client_secret")
		tok := c.Do("POST", "/oauth/token", form("grant_type", "client_credentials"), formType, basic("backend", secret)).
			Want(t, 200).Str("access_token")
		rs := basic("api", "0123456789abcdef-secret")
		m := c.Do("POST", "/oauth/introspect", form("token", tok), formType, rs).Want(t, 200).JSON()
		if m["active"] != true || m["sub"] != "backend" || m["client_id"] != "backend" || m["exp"] == nil {
			t.Fatalf("a live service token: %v", m)
		}
		c.Do("PATCH", "/v1/admin/clients/backend", map[string]any{"grant_types": []string{"authorization_code"},
			"redirect_uris": []string{"https://backend.example/cb"}}, admin).Want(t, 200)
		if m := c.Do("POST", "/oauth/introspect", form("token", tok), formType, rs).Want(t, 200).JSON(); m["active"] != false || len(m) != 1 {
			t.Fatalf("the grant withdrawn: %v", m)
		}
		c.Do("DELETE", "/v1/admin/clients/backend", nil, admin).Want(t, 204)
		if m := c.Do("POST", "/oauth/introspect", form("token", tok), formType, rs).Want(t, 200).JSON(); m["active"] != false {
			t.Fatalf("the client deleted: %v", m)
		}
	})
}

// TestRefreshGrantOfTheCodeFlow: refreshing a code-flow session at the
// token endpoint answers as the code exchange does (RFC 6749 s5.1, with
// the granted scope), not with Tessera's login answer: an app granted
// openid alone gets nothing of the user, not even the e-mail. A session of
// Tessera's own sign-in keeps the login answer.
func TestRefreshGrantOfTheCodeFlow(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	q := s.authorize(t, authorizeQuery("app", "scope", "openid").Encode())
	tok := c.Do("POST", "/oauth/token", form("grant_type", "authorization_code", "client_id", "app",
		"code", q.Get("code"), "redirect_uri", codeRedirect, "code_verifier", codeVerifier), formType).Want(t, http.StatusOK)
	r := c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "client_id", "app", "refresh_token", tok.Str("refresh_token")), formType).
		Want(t, http.StatusOK)
	m := r.JSON()
	if m["scope"] != "openid" || m["token_type"] != "Bearer" || m["access_token"] == "" || m["refresh_token"] == "" || m["expires_in"] == nil {
		t.Fatalf("refresh of a code-flow session: %s", r.Body)
	}
	if _, ok := m["user"]; ok || strings.Contains(string(r.Body), "ada@example.com") {
		t.Fatalf("the answer tells the app about the user: %s", r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
	}
	own := login(t, c, "ada@example.com", "laptop")
	r = c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", own.Str("refresh_token")), formType).Want(t, http.StatusOK)
	if r.JSON()["user"] == nil || r.Str("session_id") == "" {
		t.Fatalf("Tessera's own sign-in lost its login answer: %s", r.Body)
	}
}
