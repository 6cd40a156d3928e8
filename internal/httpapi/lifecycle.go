package httpapi

import "github.com/gin-gonic/gin"

// lifecycleRoutes serves the account flows: e-mail verification, password
// reset and change.
func (s *Server) lifecycleRoutes(public, authed *gin.RouterGroup) {}
