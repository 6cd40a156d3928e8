package ginjwt

import (
	"crypto/subtle"
	"net/http"

	"github.com/gin-gonic/gin"
)

// ErrorCSRFFailed is the error code of a request CSRF refuses, the same
// code Tessera answers with.
const ErrorCSRFFailed = "csrf_failed"

// CSRF is the guard a route needs when Middleware reads the token from a
// cookie (WithCookie): browsers send cookies on requests other sites make.
// It applies Tessera's double submit: an unsafe request (any method but
// GET, HEAD and OPTIONS) without an Authorization header must carry
// X-CSRF-Token equal to the csrf cookie named cookie
// ("__Host-tessera_csrf", or "__Secure-tessera_csrf" with
// TESSERA_COOKIE_DOMAIN); otherwise 403 csrf_failed. The values are
// compared in constant time. A request with an Authorization header
// passes, since a browser never adds one on its own. Put it in front of
// the handlers, before or after Middleware.
func CSRF(cookie string) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if c.GetHeader("Authorization") != "" {
			c.Next()
			return
		}
		want, _ := c.Cookie(cookie)
		got := c.GetHeader("X-CSRF-Token")
		if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusForbidden, errorBody{
				Error: ErrorCSRFFailed, Description: "missing or wrong X-CSRF-Token header",
			})
			return
		}
		c.Next()
	}
}
