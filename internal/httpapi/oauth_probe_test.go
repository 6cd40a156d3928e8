package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func TestProbeOAuth2(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		reg := register(t, c, "p@example.com")
		r := c.Do("POST", "/oauth/token", map[string]any{"grant_type": "refresh_token", "client_id": "a\u0000", "refresh_token": reg.Str("refresh_token")})
		t.Logf("json nul client -> %d %s", r.StatusCode, r.Body)
		r = c.Do("POST", "/v1/auth/refresh", map[string]any{"client_id": "a\u0000", "refresh_token": reg.Str("refresh_token")})
		t.Logf("v1 refresh nul client -> %d %s", r.StatusCode, r.Body)
		r = c.Do("POST", "/v1/auth/login", map[string]any{"email": "p@example.com", "password": testPassword, "client_id": "a\u0000"})
		t.Logf("v1 login nul client -> %d %s", r.StatusCode, r.Body)
	})
}

func TestProbeCode(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	ex := func(id, code string, extra ...string) *servertest.Response {
		kv := append([]string{"grant_type", "authorization_code", "code", code, "redirect_uri", codeRedirect, "code_verifier", codeVerifier}, extra...)
		return c.Do("POST", "/oauth/token", form(kv...), formType)
	}
	code := s.code(t, "app")
	r1 := ex("app", code, "client_id", "app")
	t.Logf("first -> %d %v", r1.StatusCode, r1.Header)
	parts := strings.Split(r1.Str("id_token"), ".")
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	t.Logf("id header %s payload %s", h, p)
	var at map[string]any
	ap, _ := base64.RawURLEncoding.DecodeString(strings.Split(r1.Str("access_token"), ".")[1])
	json.Unmarshal(ap, &at)
	t.Logf("access %v", at)
	r2 := ex("app", code, "client_id", "app")
	t.Logf("second -> %d %s", r2.StatusCode, r2.Body)
	r := c.Do("GET", "/oauth/userinfo", nil, bearer(r1))
	t.Logf("userinfo after reuse -> %d %s", r.StatusCode, r.Body)
	r = c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", r1.Str("refresh_token"), "client_id", "app"), formType)
	t.Logf("refresh after reuse -> %d %s", r.StatusCode, r.Body)

	// confidential without auth
	r = ex("svc", s.code(t, "svc"), "client_id", "svc")
	t.Logf("svc no auth -> %d %s", r.StatusCode, r.Body)
	r = ex("svc", s.code(t, "svc"), "client_id", "svc", "client_secret", s.svcSecret)
	t.Logf("svc post -> %d", r.StatusCode)
	rr := r
	r = c.Do("POST", "/oauth/token", form("grant_type", "authorization_code", "code", s.code(t, "svc"), "redirect_uri", codeRedirect, "code_verifier", codeVerifier, "client_secret", s.svcSecret), formType, basic("svc", s.svcSecret))
	t.Logf("svc both -> %d %s", r.StatusCode, r.Body)
	r = ex("app", s.code(t, "app"), "client_id", "app", "client_secret", "tcs_x")
	t.Logf("public with secret -> %d %s", r.StatusCode, r.Body)
	r = ex("app", s.code(t, "app"), "client_id", "app", "client_secret", "tcs_x")
	// expiry
	code = s.code(t, "app")
	s.Clock.Advance(61 * time.Second)
	r = ex("app", code, "client_id", "app")
	t.Logf("expired -> %d %s", r.StatusCode, r.Body)
	// refresh svc token without auth, no client_id
	r = c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", rr.Str("refresh_token")), formType)
	t.Logf("svc refresh no auth -> %d %s", r.StatusCode, r.Body)
	// svc refresh with app's id
	r = c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", rr.Str("refresh_token"), "client_id", "app"), formType)
	t.Logf("svc refresh as app -> %d %s", r.StatusCode, r.Body)
	// revoke svc token authenticated as ... app
	r = c.Do("POST", "/oauth/revoke", form("token", rr.Str("refresh_token"), "client_id", "app"), formType)
	t.Logf("revoke svc token as app -> %d %s", r.StatusCode, r.Body)
	r = c.Do("POST", "/oauth/token", form("grant_type", "refresh_token", "refresh_token", rr.Str("refresh_token"), "client_id", "svc", "client_secret", s.svcSecret), formType)
	t.Logf("svc refresh after -> %d %s", r.StatusCode, r.Body)
	// client credentials
	name, typ := "Robot", "confidential"
	_, secret, err := s.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{ID: "robot", Name: &name, Type: &typ, GrantTypes: []string{"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	r = c.Do("POST", "/oauth/token", form("grant_type", "client_credentials"), formType, basic("robot", secret))
	t.Logf("cc -> %d %v %s", r.StatusCode, r.Header, r.Body)
	_ = http.StatusOK
}
