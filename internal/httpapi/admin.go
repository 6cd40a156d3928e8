package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/view"
)

const ctxAdminActor = "tessera.admin_actor"

// maxCursorLen bounds a cursor read from a query string.
const maxCursorLen = 256

// adminRoutes serves /v1/admin, for users with the admin role only: the
// usual authenticator chain and CSRF rules, then requireAdmin.
func (s *Server) adminRoutes(e *gin.Engine) {
	originCaches.Store(s, &originCache{load: s.auth.ClientOrigins, log: s.log})
	a := e.Group("/v1/admin", s.authenticate, s.csrf, s.requireAdmin)
	a.GET("/users", s.adminListUsers)
	a.GET("/users/:id", s.adminGetUser)
	a.PATCH("/users/:id", s.adminUpdateUser)
	a.DELETE("/users/:id", s.adminDeleteUser)
	a.GET("/users/:id/sessions", s.adminListSessions)
	a.POST("/users/:id/logout", s.adminLogoutUser)
	a.DELETE("/sessions/:id", s.adminRevokeSession)
	a.GET("/clients", s.adminListClients)
	a.POST("/clients", s.adminCreateClient)
	a.GET("/clients/:id", s.adminGetClient)
	a.PATCH("/clients/:id", s.adminUpdateClient)
	a.DELETE("/clients/:id", s.adminDeleteClient)
	a.POST("/clients/:id/secret", s.adminRotateClientSecret)
	a.GET("/audit", s.adminAuditLog)
	a.DELETE("/users/:id/mfa", s.adminResetMFA)
}

// requireAdmin lets through active admins only (403 permission_denied for
// anyone else authenticated), judged on the account as loaded for this
// request, not on the token's roles claim; then TESSERA_ADMIN_MFA
// (RequireAdminMFA), and for every unsafe method a recent second factor
// (RequireStepUp). Admin answers are never cached.
func (s *Server) requireAdmin(c *gin.Context) {
	a, err := auth.AdminActor(principal(c), s.device(c, deviceFields{}))
	if err == nil {
		err = s.auth.RequireAdminMFA(c.Request.Context(), principal(c))
	}
	if err == nil && !safeMethod(c.Request.Method) {
		err = s.auth.RequireStepUp(c.Request.Context(), principal(c))
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Set(ctxAdminActor, a)
	c.Header("Cache-Control", "no-store")
	c.Next()
}

func adminActor(c *gin.Context) auth.Actor {
	a, _ := c.Get(ctxAdminActor)
	actor, _ := a.(auth.Actor)
	return actor
}

// pageInput reads ?cursor= and ?limit=.
func pageInput(c *gin.Context) (auth.PageInput, error) {
	in := auth.PageInput{Cursor: c.Query("cursor")}
	if len(in.Cursor) > maxCursorLen {
		return in, auth.Invalid(map[string][]string{"cursor": {"is not a cursor of this listing"}})
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return in, auth.Invalid(map[string][]string{"limit": {"must be between 1 and " + strconv.Itoa(auth.MaxPageSize)}})
		}
		in.Limit = n
	}
	return in, nil
}

// userParam reads the :id of a user route; a malformed id is answered
// like an unknown one.
func (s *Server) userParam(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.writeError(c, auth.Errorf(auth.CodeNotFound, "no such user"))
		return uuid.Nil, false
	}
	return id, true
}

type adminUserPatch struct {
	IsActive      *bool `json:"is_active"`
	IsAdmin       *bool `json:"is_admin"`
	EmailVerified *bool `json:"email_verified"`
}

type adminLogoutResponse struct {
	SessionsRevoked int  `json:"sessions_revoked"`
	TokenRevoked    bool `json:"token_revoked"`
}

func (s *Server) adminListUsers(c *gin.Context) {
	in, err := pageInput(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.auth.AdminListUsers(c.Request.Context(), c.Query("email_prefix"), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminList("users", page, view.NewAdminUser))
}

func (s *Server) adminGetUser(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	u, err := s.auth.AdminGetUser(c.Request.Context(), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminUser(u))
}

func (s *Server) adminUpdateUser(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	var req adminUserPatch
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.auth.AdminUpdateUser(c.Request.Context(), adminActor(c), id, auth.UserPatch(req))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminUser(u))
}

func (s *Server) adminDeleteUser(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	if err := s.auth.AdminDeleteUser(c.Request.Context(), adminActor(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) adminLogoutUser(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	ended, err := s.auth.AdminLogoutUser(c.Request.Context(), adminActor(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, adminLogoutResponse(ended))
}

func (s *Server) adminListSessions(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	in, err := pageInput(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	all, err := boolQuery(c, "include_ended")
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.auth.AdminListSessions(c.Request.Context(), id, all, in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view.NewAdminList("sessions", page, view.NewAdminSession))
}

func (s *Server) adminRevokeSession(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.writeError(c, auth.Errorf(auth.CodeNotFound, "no such session"))
		return
	}
	if err := s.auth.AdminRevokeSession(c.Request.Context(), adminActor(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// boolQuery reads an optional true/false query parameter.
func boolQuery(c *gin.Context, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, auth.Invalid(map[string][]string{name: {"must be true or false"}})
	}
	return b, nil
}
