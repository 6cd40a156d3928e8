package ginjwt_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

func ExampleMiddleware() {
	// In a real resource server: v, err := jwtverify.FromIssuer(ctx,
	// "https://id.example.com", jwtverify.WithAudience("api://orders"),
	// jwtverify.WithRevocationWatcher()).
	v, _ := exampleVerifier()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	api := r.Group("/api", ginjwt.Middleware(v, ginjwt.WithCookie("__Host-tessera_access")))
	api.GET("/orders", func(c *gin.Context) {
		claims, _ := ginjwt.ClaimsFrom(c)
		c.JSON(http.StatusOK, gin.H{"user": claims.Subject, "device": claims.SessionID})
	})

	// A request without a token is told how to authenticate.
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/api/orders", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output: 401 Bearer realm="api"
}

func ExampleCSRF() {
	v, _ := exampleVerifier()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// A browser front-end's cookies reach this API: unsafe requests must
	// repeat the csrf cookie in X-CSRF-Token, as Tessera's client does.
	api := r.Group("/api", ginjwt.CSRF("__Host-tessera_csrf"),
		ginjwt.Middleware(v, ginjwt.WithCookie("__Host-tessera_access")))
	api.POST("/orders", func(c *gin.Context) { c.Status(http.StatusCreated) })

	// A form on another site posts with the user's cookies, but cannot
	// read the csrf cookie to repeat it.
	req := httptest.NewRequest("POST", "/api/orders", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-tessera_csrf", Value: "b2theQ"})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 403 {"error":"csrf_failed","error_description":"missing or wrong X-CSRF-Token header"}
}

func ExampleRequireRole() {
	v, sign := exampleVerifier()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	admin := r.Group("/admin", ginjwt.Middleware(v), ginjwt.RequireRole("admin"))
	admin.GET("/stats", func(c *gin.Context) { c.String(http.StatusOK, "42 orders") })

	for _, roles := range [][]string{nil, {"admin"}} {
		req := httptest.NewRequest("GET", "/admin/stats", nil)
		req.Header.Set("Authorization", "Bearer "+sign(roles))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// 403 Bearer realm="api", error="insufficient_scope", error_description="the admin role is required"
	// 200
}

func ExampleClaimsFrom() {
	v, sign := exampleVerifier()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/me", ginjwt.Middleware(v), func(c *gin.Context) {
		claims, ok := ginjwt.ClaimsFrom(c)
		fmt.Println(ok, claims.Subject, claims.HasRole("admin"))
	})
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+sign(nil))
	r.ServeHTTP(httptest.NewRecorder(), req)
	// Output: true user-42 false
}

// exampleVerifier plays Tessera: a Verifier over one Ed25519 key, and a
// function signing access tokens with the given roles.
func exampleVerifier() (*jwtverify.Verifier, func(roles []string) string) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	keys := jwtverify.NewStaticKeySet(jwtverify.Key{ID: "key-1", Algorithm: jwtverify.EdDSA, Public: pub})
	v, err := jwtverify.NewVerifier(keys, jwtverify.WithIssuer("https://id.example.com"), jwtverify.WithAudience("api://orders"))
	if err != nil {
		panic(err)
	}
	sign := func(roles []string) string {
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, &jwtverify.Claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: "https://id.example.com", Subject: "user-42", Audience: jwt.ClaimStrings{"api://orders"},
				ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)), IssuedAt: jwt.NewNumericDate(now), ID: "j1",
			},
			ClientID: "web", SessionID: "session-7", Roles: roles,
		})
		tok.Header["typ"], tok.Header["kid"] = jwtverify.TokenType, "key-1"
		raw, err := tok.SignedString(priv)
		if err != nil {
			panic(err)
		}
		return raw
	}
	return v, sign
}
