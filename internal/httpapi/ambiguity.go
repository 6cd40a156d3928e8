package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// oneCredential refuses, with 400 invalid_request and before any credential
// is read, a request that carries more than one Authorization header or
// more than one cookie of a name Tessera sets. Which of two credentials
// counts would be a guess, and the guess is what an attacker controls: a
// second header added on the way, or a second cookie planted by a sibling
// subdomain under TESSERA_COOKIE_DOMAIN (possibly at a longer path, so
// that the browser sends it first).
func (s *Server) oneCredential(c *gin.Context) {
	h := c.Request.Header
	if n := len(h.Values("Authorization")); n > 1 {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "the request carries %d Authorization headers; send exactly one", n))
		return
	}
	if _, ok := h["Cookie"]; ok {
		if name := s.cookies.repeated(c.Request); name != "" {
			s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "the request carries the cookie %s more than once", name))
			return
		}
	}
	c.Next()
}

// repeated returns the first of Tessera's cookie names that r carries more
// than once, or "".
func (n cookieNames) repeated(r *http.Request) string {
	var seen [4]bool
	for _, ck := range r.Cookies() {
		i := n.index(ck.Name)
		if i < 0 {
			continue
		}
		if seen[i] {
			return ck.Name
		}
		seen[i] = true
	}
	return ""
}

// index numbers Tessera's cookie names (-1 for any other name).
func (n cookieNames) index(name string) int {
	switch name {
	case n.access:
		return 0
	case n.refresh:
		return 1
	case n.csrf:
		return 2
	case n.session:
		return 3
	}
	return -1
}
