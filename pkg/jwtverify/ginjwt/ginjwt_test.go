package ginjwt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

const (
	issuer   = "https://id.example.com"
	audience = "api://orders"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// revokedSet is a RevocationChecker over a fixed set.
type revokedSet map[string]bool

func (r revokedSet) Revoked(sid string) bool { return r[sid] }

type fixture struct {
	key *ecdsa.PrivateKey
	v   *jwtverify.Verifier
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ks := jwtverify.NewStaticKeySet(jwtverify.Key{ID: "k1", Algorithm: jwtverify.ES256, Public: key.Public()})
	v, err := jwtverify.NewVerifier(ks, jwtverify.WithIssuer(issuer), jwtverify.WithAudience(audience),
		jwtverify.WithClock(func() time.Time { return now }), jwtverify.WithRevocations(revokedSet{"sid-revoked": true}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{key: key, v: v}
}

// token signs an access token; change edits its claims first.
func (f *fixture) token(t testing.TB, change func(jwt.MapClaims)) string {
	t.Helper()
	c := jwt.MapClaims{
		"iss": issuer, "sub": "user-1", "aud": []string{audience}, "client_id": "web", "sid": "sid-1",
		"jti": "j1", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
	}
	if change != nil {
		change(c)
	}
	tok := jwt.NewWithClaims(jwtverify.SigningMethodES256, c)
	tok.Header["typ"], tok.Header["kid"] = "at+jwt", "k1"
	raw, err := tok.SignedString(f.key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (f *fixture) router(opts ...ginjwt.Option) *gin.Engine {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	me := func(c *gin.Context) {
		claims, ok := ginjwt.ClaimsFrom(c)
		if !ok {
			c.String(http.StatusTeapot, "no claims")
			return
		}
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject})
	}
	api := r.Group("/api", ginjwt.Middleware(f.v, opts...))
	api.GET("/me", me)
	api.GET("/admin", ginjwt.RequireRole("admin"), me)
	r.GET("/misplaced", ginjwt.RequireRole("admin"), me)
	return r
}

type want struct {
	status    int
	challenge string // exact WWW-Authenticate, "" for none
	code      string // JSON "error"
}

func do(t *testing.T, r http.Handler, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

func check(t *testing.T, rec *httptest.ResponseRecorder, w want) {
	t.Helper()
	if rec.Code != w.status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, w.status, rec.Body)
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != w.challenge {
		t.Fatalf("WWW-Authenticate %q, want %q", got, w.challenge)
	}
	if w.status == http.StatusOK {
		return
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] != w.code || body["error_description"] == "" {
		t.Fatalf("body %s, want error %q with a description", rec.Body, w.code)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q on an error", cc)
	}
}

func invalid(desc string) string {
	return `Bearer realm="api", error="invalid_token", error_description="` + desc + `"`
}

func TestMiddleware(t *testing.T) {
	f := newFixture(t)
	r := f.router()
	good := f.token(t, nil)
	tests := []struct {
		name    string
		headers []string
		want    want
	}{
		{"valid", []string{"Authorization: Bearer " + good}, want{200, "", ""}},
		{"scheme in any case", []string{"Authorization: bearer " + good}, want{200, "", ""}},
		{"no token", nil, want{401, `Bearer realm="api"`, "not_authenticated"}},
		{"another scheme", []string{"Authorization: Basic dTpw"}, want{401, `Bearer realm="api"`, "not_authenticated"}},
		{"empty bearer", []string{"Authorization: Bearer "}, want{401, invalid("the access token is invalid"), "invalid_token"}},
		{"garbage", []string{"Authorization: Bearer ' OR 1=1--"}, want{401, invalid("the access token is invalid"), "invalid_token"}},
		{"1 MB", []string{"Authorization: Bearer " + strings.Repeat("a", 1<<20)}, want{401, invalid("the access token is invalid"), "invalid_token"}},
		{"expired", []string{"Authorization: Bearer " + f.token(t, func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() })},
			want{401, invalid("the access token expired"), "invalid_token"}},
		{"revoked", []string{"Authorization: Bearer " + f.token(t, func(c jwt.MapClaims) { c["sid"] = "sid-revoked" })},
			want{401, invalid("the access token was revoked"), "invalid_token"}},
		{"another API", []string{"Authorization: Bearer " + f.token(t, func(c jwt.MapClaims) { c["aud"] = "api://billing" })},
			want{401, invalid("the access token is not meant for this API"), "invalid_token"}},
		{"cookie ignored without WithCookie", []string{"Cookie: at=" + good}, want{401, `Bearer realm="api"`, "not_authenticated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, r, "/api/me", tt.headers...)
			check(t, rec, tt.want)
			if strings.Contains(rec.Body.String(), "OR 1=1") || strings.Contains(rec.Header().Get("WWW-Authenticate"), "OR 1=1") {
				t.Fatal("the answer echoes the token")
			}
		})
	}
}

func TestMiddlewareCookie(t *testing.T) {
	f := newFixture(t)
	r := f.router(ginjwt.WithCookie("at"), ginjwt.WithRealm(`orders "v2"\`))
	good := f.token(t, nil)
	check(t, do(t, r, "/api/me", "Cookie: at="+good), want{200, "", ""})
	// The header wins: a bad header is not rescued by a good cookie.
	check(t, do(t, r, "/api/me", "Cookie: at="+good, "Authorization: Bearer nope"),
		want{401, `Bearer realm="orders v2", error="invalid_token", error_description="the access token is invalid"`, "invalid_token"})
	check(t, do(t, r, "/api/me", "Cookie: other="+good), want{401, `Bearer realm="orders v2"`, "not_authenticated"})
}

func TestRequireRole(t *testing.T) {
	f := newFixture(t)
	r := f.router()
	admin := f.token(t, func(c jwt.MapClaims) { c["roles"] = []string{"admin"} })
	user := f.token(t, nil)
	check(t, do(t, r, "/api/admin", "Authorization: Bearer "+admin), want{200, "", ""})
	check(t, do(t, r, "/api/admin", "Authorization: Bearer "+user), want{403,
		`Bearer realm="api", error="insufficient_scope", error_description="the admin role is required"`, "insufficient_scope"})
	check(t, do(t, r, "/api/admin"), want{401, `Bearer realm="api"`, "not_authenticated"})
	check(t, do(t, r, "/misplaced", "Authorization: Bearer "+admin), want{500, "", "server_error"})
}

func TestClaimsFromWithoutMiddleware(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	if claims, ok := ginjwt.ClaimsFrom(c); ok || claims != nil {
		t.Fatalf("ClaimsFrom = %v, %v without Middleware", claims, ok)
	}
	c.Set("claims", &jwtverify.Claims{}) // another package's key does not count
	if _, ok := ginjwt.ClaimsFrom(c); ok {
		t.Fatal("ClaimsFrom read a key it does not own")
	}
}

// TestMiddlewareRefusesTwoCredentials: two Authorization headers, or two
// cookies of the token's name (in one Cookie header or two), are 400
// invalid_request, even when both hold the same good token; one of each,
// or the token cookie beside others, is fine.
func TestMiddlewareRefusesTwoCredentials(t *testing.T) {
	f := newFixture(t)
	r := f.router(ginjwt.WithCookie("at"))
	good := f.token(t, nil)
	twice := want{400, `Bearer realm="api", error="invalid_request", error_description="send exactly one Authorization header"`, "invalid_request"}
	check(t, do(t, r, "/api/me", "Authorization: Bearer "+good, "Authorization: Bearer "+good), twice)
	check(t, do(t, r, "/api/me", "Authorization: Bearer "+good, "Authorization: Basic YTpi"), twice)
	cookieTwice := want{400, `Bearer realm="api", error="invalid_request", error_description="send the at cookie once"`, "invalid_request"}
	check(t, do(t, r, "/api/me", "Cookie: at="+good+"; at="+good), cookieTwice)
	check(t, do(t, r, "/api/me", "Cookie: at="+good, "Cookie: at=other"), cookieTwice)
	check(t, do(t, r, "/api/me", "Cookie: at="+good+"; other=x; other=y"), want{200, "", ""})
	check(t, do(t, r, "/api/me", "Authorization: Bearer "+good, "Cookie: at="+good), want{200, "", ""})
	// Without WithCookie, cookies are not read, so they cannot be ambiguous.
	check(t, do(t, f.router(), "/api/me", "Cookie: at=a; at=b", "Authorization: Bearer "+good), want{200, "", ""})
}
