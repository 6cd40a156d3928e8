package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/oidc"
)

// jwksPath is the route of the key set.
const jwksPath = "/.well-known/jwks.json"

var jwksContentType = []string{"application/jwk-set+json"}

// jwks serves the public keys with validators so verifiers can cache them;
// If-None-Match with the current ETag answers 304. The set's bytes are
// pre-rendered; its headers are assigned under their canonical names (no
// canonicalisation per request), and Gin's Data keeps a Content-Type
// already set.
func (s *Server) jwks(c *gin.Context) {
	set := s.keys.JWKS()
	h := c.Writer.Header()
	h["Cache-Control"] = set.CacheControlHeader
	h["Etag"] = set.ETagHeader
	h["Content-Type"] = jwksContentType
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, set.ETag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/jwk-set+json", set.Body)
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// discovery is the OpenID Provider metadata (and RFC 8414's, served at
// both addresses): Tessera's own endpoints with those of the code flow
// (oidc.ProviderMetadata, whose keys win). Its issuer is byte for byte the
// iss of every token Tessera signs.
func (s *Server) discovery(c *gin.Context) {
	iss := strings.TrimSuffix(s.cfg.Issuer, "/")
	doc := gin.H{
		"issuer":                                s.cfg.Issuer,
		"jwks_uri":                              iss + jwksPath,
		"token_endpoint":                        iss + "/oauth/token",
		"revocation_endpoint":                   iss + "/oauth/revoke",
		"introspection_endpoint":                iss + "/oauth/introspect",
		"revocation_feed_endpoint":              iss + "/v1/revocations",
		"grant_types_supported":                 []string{"refresh_token"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic"},
		"response_types_supported":                      []string{"token"},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{s.cfg.SigningAlg},
		"claims_supported":                              []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "sid", "roles"},
		"tessera_endpoints": gin.H{
			"register": iss + "/v1/auth/register",
			"login":    iss + "/v1/auth/login",
			"refresh":  iss + "/v1/auth/refresh",
			"logout":   iss + "/v1/auth/logout",
			"me":       iss + "/v1/auth/me",
			"sessions": iss + "/v1/auth/sessions",
		},
	}
	for k, v := range oidc.ProviderMetadata(s.cfg.Issuer, []string{s.cfg.SigningAlg}) {
		doc[k] = v
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, doc)
}

func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only while the database answers a ping.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: database unreachable", "err", err)
		s.writeError(c, &auth.Error{Code: auth.CodeUnavailable, Message: "the database is unreachable", RetryAfterSeconds: 5})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
