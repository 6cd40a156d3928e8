package httpapi

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/logging"
)

const (
	ctxPrincipal  = "tessera.principal"
	ctxBearerSent = "tessera.bearer_sent"
)

// requestID takes a well-formed X-Request-ID from the caller or makes one,
// and echoes it, so a client's report can be matched to the log.
func (s *Server) requestID(c *gin.Context) {
	var id string
	if v := c.Request.Header["X-Request-Id"]; len(v) > 0 { // the canonical key: no canonicalisation
		id = v[0]
	}
	if !validRequestID(id) {
		id = newRequestID()
	}
	// The response header is where the id lives for the rest of the
	// request (requestID reads it back): a context key would cost gin a
	// map per request, even for the JWKS.
	c.Writer.Header()["X-Request-Id"] = []string{id} // X-Request-ID, canonical
	c.Next()
}

// newRequestID is 96 random bits in hex. An id names a request and
// grants nothing (a caller may choose its own), so it needs to be unique,
// not secret: math/rand/v2's generator (ChaCha8, seeded by the runtime)
// gives it without the system call crypto/rand makes.
func newRequestID() string {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
	return hex.EncodeToString(b[:])
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// requestID is the request's id, as the requestID middleware set it.
func requestID(c *gin.Context) string {
	if v := c.Writer.Header()["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// accessLog writes one line per request. It logs the path without the
// query string and no header at all: tokens, cookies and credentials never
// reach the log.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	took := time.Since(start)
	status, route := c.Writer.Status(), c.FullPath()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if s.metrics != nil {
		s.metrics.ObserveRequest(route, c.Request.Method, status, took)
	}
	logging.LogAccess(c.Request.Context(), s.log, level, logging.Access{
		RequestID: requestID(c), Method: c.Request.Method, Path: c.Request.URL.Path, Route: route,
		Status: status, Duration: took, IP: c.ClientIP(), Bytes: c.Writer.Size(),
	})
}

// requestTimeout bounds the work of one request, database calls included:
// a database that accepts connections but never answers costs a 503 after
// this long, not a hung client.
const requestTimeout = 15 * time.Second

func (s *Server) deadline(c *gin.Context) {
	if c.FullPath() == jwksPath {
		// Served from memory: nothing to wait for, no timer to arm.
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), requestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// The security headers' values, shared by every response: a header map
// is cloned when the response is written, never changed in place.
var (
	nosniff    = []string{"nosniff"}
	frameDeny  = []string{"DENY"}
	noReferrer = []string{"no-referrer"}
)

func (s *Server) securityHeaders(c *gin.Context) {
	// Canonical names, assigned directly: no canonicalisation and no
	// allocation per request.
	h := c.Writer.Header()
	h["X-Content-Type-Options"] = nosniff
	h["X-Frame-Options"] = frameDeny
	h["Referrer-Policy"] = noReferrer
	c.Next()
}

// cors echoes an allowed Origin exactly, with credentials, and answers
// preflights. An unlisted origin gets no CORS header at all; "*" is never
// sent.
func (s *Server) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	h := c.Writer.Header()
	if origin != "" {
		h.Add("Vary", "Origin")
	}
	allowed := origin != "" && s.allowedOrigin(c, origin)
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After, WWW-Authenticate")
	}
	if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
		if allowed {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-CSRF-Token, X-Request-ID")
			h.Set("Access-Control-Max-Age", "600")
		}
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// originAllowed reports whether a request's Origin, when it sends one, is
// the issuer's own, a configured one or a client's.
func (s *Server) originAllowed(c *gin.Context) bool {
	o := c.GetHeader("Origin")
	return o == "" || s.allowedOrigin(c, o)
}
