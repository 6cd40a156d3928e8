package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/view"
)

type userResponse struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	Username      *string    `json:"username"`
	FirstName     string     `json:"first_name"`
	LastName      string     `json:"last_name"`
	IsActive      bool       `json:"is_active"`
	IsAdmin       bool       `json:"is_admin"`
	EmailVerified bool       `json:"email_verified"`
	CreatedAt     time.Time  `json:"created_at"`
	LastLoginAt   *time.Time `json:"last_login_at"`
}

func newUserResponse(u *store.User) userResponse {
	return userResponse{
		ID: u.ID.String(), Email: u.Email, Username: u.Username, FirstName: u.FirstName,
		LastName: u.LastName, IsActive: u.IsActive,
		IsAdmin: u.IsAdmin, EmailVerified: u.EmailVerifiedAt != nil, CreatedAt: u.CreatedAt,
		LastLoginAt: u.LastLoginAt,
	}
}

type sessionResponse struct {
	view.Session
	Current bool `json:"current"`
}

type updateMeRequest struct {
	Username        *string `json:"username"`
	FirstName       *string `json:"first_name"`
	LastName        *string `json:"last_name"`
	Email           *string `json:"email"`
	CurrentPassword string  `json:"current_password"`
}

func (s *Server) me(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	u := newUserResponse(principal(c).User)
	b, ok := appendUserResponse(make([]byte, 0, userAnswerSize), &u)
	answerJSON(c, http.StatusOK, u, b, ok)
}

func (s *Server) updateMe(c *gin.Context) {
	var req updateMeRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.auth.UpdateMe(c.Request.Context(), principal(c), auth.UpdateMeInput{
		Username: req.Username, FirstName: req.FirstName, LastName: req.LastName,
		Email: req.Email, CurrentPassword: req.CurrentPassword, Device: s.device(c, deviceFields{}),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, newUserResponse(u))
}

func (s *Server) sessions(c *gin.Context) {
	p := principal(c)
	list, err := s.auth.ListSessions(c.Request.Context(), p)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := make([]sessionResponse, 0, len(list))
	for _, ss := range list {
		out = append(out, sessionResponse{Session: view.NewSession(&ss), Current: ss.ID == p.SessionID()})
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"sessions": out})
}

func (s *Server) revokeSession(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.writeError(c, auth.Errorf(auth.CodeNotFound, "no such session"))
		return
	}
	p := principal(c)
	if err := s.auth.RevokeSession(c.Request.Context(), p, id, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	if id == p.SessionID() && (p.Method == "cookie" || p.Method == "session") {
		s.clearCookies(c)
	}
	c.Status(http.StatusNoContent)
}

// consentResponse is one app the caller granted scopes to.
type consentResponse struct {
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
}

func (s *Server) consents(c *gin.Context) {
	list, err := s.auth.Consents(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := make([]consentResponse, 0, len(list))
	for _, k := range list {
		scopes := k.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		out = append(out, consentResponse{ClientID: k.ClientID, Scopes: scopes, GrantedAt: k.GrantedAt})
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"consents": out})
}

func (s *Server) withdrawConsent(c *gin.Context) {
	id := c.Param("client_id")
	if err := s.auth.WithdrawConsent(c.Request.Context(), principal(c), id, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
