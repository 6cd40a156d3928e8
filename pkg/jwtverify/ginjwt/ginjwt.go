package ginjwt

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// DefaultRealm is the realm of the WWW-Authenticate challenge unless
// WithRealm sets another.
const DefaultRealm = "api"

// Error codes of the JSON bodies. The first three are RFC 6750 s3.1's and
// also appear in the challenge; the last is Tessera's own code for a
// request that sent no credentials (the challenge then has no error=).
const (
	ErrorInvalidRequest    = "invalid_request"
	ErrorInvalidToken      = "invalid_token"
	ErrorInsufficientScope = "insufficient_scope"
	ErrorNotAuthenticated  = "not_authenticated"
)

// Option configures Middleware.
type Option func(*config)

type config struct {
	realm  string
	cookie string
}

// WithRealm sets the realm of the challenge. Characters RFC 6750 forbids in
// a quoted string (double quote, backslash, controls) are dropped.
func WithRealm(realm string) Option { return func(c *config) { c.realm = quotable(realm) } }

// WithCookie also reads the token from the cookie named name (Tessera's is
// "__Host-tessera_access") when the request has no Authorization header.
// A cookie is sent by browsers on their own: a route that changes state
// and accepts it must also defend against CSRF with CSRF (Tessera's
// X-CSRF-Token double submit), which Middleware itself does not do.
func WithCookie(name string) Option { return func(c *config) { c.cookie = name } }

type ctxKey int

const (
	claimsKey ctxKey = iota
	realmKey
)

// Middleware verifies the request's bearer token with v and stores the
// claims for ClaimsFrom. A request whose token fails is aborted with 401,
// {"error":"invalid_token","error_description":...} and the challenge
// `Bearer realm="api", error="invalid_token", error_description="..."`; a
// request with no token gets 401 {"error":"not_authenticated",...} and
// `Bearer realm="api"` alone. The Authorization header wins over the cookie; a header of
// another scheme (Basic, Token) counts as no token. A request with two
// Authorization headers, or two of the token cookie, is refused with 400
// invalid_request (RFC 6750 s3.1): which one counts would be up to
// whichever proxy or parser reads it, as it is at Tessera itself.
func Middleware(v *jwtverify.Verifier, opts ...Option) gin.HandlerFunc {
	if v == nil {
		panic("ginjwt: Middleware needs a Verifier")
	}
	cfg := config{realm: DefaultRealm}
	for _, o := range opts {
		o(&cfg)
	}
	return func(c *gin.Context) {
		c.Set(realmKey, cfg.realm)
		if desc := ambiguous(c.Request, cfg.cookie); desc != "" {
			c.Header("WWW-Authenticate", challenge(cfg.realm, ErrorInvalidRequest, desc))
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusBadRequest, errorBody{Error: ErrorInvalidRequest, Description: desc})
			return
		}
		raw, sent := token(c, cfg.cookie)
		if !sent {
			unauthorized(c, cfg.realm, "", "an access token is required")
			return
		}
		claims, err := v.Verify(c.Request.Context(), raw)
		if err != nil {
			unauthorized(c, cfg.realm, ErrorInvalidToken, describe(err))
			return
		}
		c.Set(claimsKey, claims)
		c.Next()
	}
}

// ClaimsFrom returns the claims Middleware verified for this request.
func ClaimsFrom(c *gin.Context) (*jwtverify.Claims, bool) {
	v, ok := c.Get(claimsKey)
	if !ok {
		return nil, false
	}
	claims, ok := v.(*jwtverify.Claims)
	return claims, ok && claims != nil
}

// RequireRole lets a request through only when the claims Middleware
// verified list role; otherwise it aborts with 403 insufficient_scope
// (RFC 6750 s3.1). Used without Middleware before it, it refuses every
// request with 500: a misplaced guard must fail closed and loudly.
func RequireRole(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		claims, ok := ClaimsFrom(c)
		if !ok {
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{
				Error: "server_error", Description: "ginjwt: RequireRole is used without Middleware",
			})
			return
		}
		if claims.HasRole(role) {
			c.Next()
			return
		}
		realm := c.GetString(realmKey)
		desc := "the " + quotable(role) + " role is required"
		c.Header("WWW-Authenticate", challenge(realm, ErrorInsufficientScope, desc))
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(http.StatusForbidden, errorBody{Error: ErrorInsufficientScope, Description: desc})
	}
}

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// ambiguous describes why r carries more than one credential where one is
// read (two Authorization headers, or two cookies named cookie), or is
// "" when it does not.
func ambiguous(r *http.Request, cookie string) string {
	if len(r.Header.Values("Authorization")) > 1 {
		return "send exactly one Authorization header"
	}
	if cookie == "" || len(r.Header.Values("Cookie")) == 0 {
		return ""
	}
	n := 0
	for _, ck := range r.Cookies() {
		if ck.Name == cookie {
			n++
		}
	}
	if n > 1 {
		return "send the " + quotable(cookie) + " cookie once"
	}
	return ""
}

// token returns the bearer token of the request and whether one was sent.
// "Authorization: Bearer" with nothing after it counts as sent (and fails).
func token(c *gin.Context, cookie string) (string, bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		return strings.TrimSpace(cred), true
	}
	if cookie != "" {
		if v, err := c.Cookie(cookie); err == nil && v != "" {
			return v, true
		}
	}
	return "", false
}

// unauthorized answers 401 with the challenge; code is "" when no token
// was sent (RFC 6750 s3.1: no error code then).
func unauthorized(c *gin.Context, realm, code, desc string) {
	c.Header("WWW-Authenticate", challenge(realm, code, desc))
	c.Header("Cache-Control", "no-store")
	body := errorBody{Error: code, Description: desc}
	if code == "" {
		body.Error = ErrorNotAuthenticated
	}
	c.AbortWithStatusJSON(http.StatusUnauthorized, body)
}

// challenge renders a Bearer challenge. Every value is either a constant
// or passed through quotable, so no quoting is needed.
func challenge(realm, code, desc string) string {
	if code == "" {
		return `Bearer realm="` + realm + `"`
	}
	return `Bearer realm="` + realm + `", error="` + code + `", error_description="` + desc + `"`
}

// describe is the error_description of a rejected token: enough for a
// client to know whether refreshing helps, nothing from the token itself.
func describe(err error) string {
	switch {
	case errors.Is(err, jwtverify.ErrExpired):
		return "the access token expired"
	case errors.Is(err, jwtverify.ErrRevoked):
		return "the access token was revoked"
	case errors.Is(err, jwtverify.ErrInvalidAudience):
		return "the access token is not meant for this API"
	case errors.Is(err, jwtverify.ErrNotYetValid):
		return "the access token is not valid yet"
	}
	return "the access token is invalid"
}

// quotable keeps the characters RFC 6750 s3 allows inside the quoted
// values of a challenge: %x20-21 / %x23-5B / %x5D-7E.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}
