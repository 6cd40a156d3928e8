package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// The answers of the account flows. Reset and resend say the same whether
// or not an account uses the address.
const (
	detailVerified      = "e-mail address verified"
	detailResendQueued  = "if this address has an account that needs verification, a new link has been sent"
	detailResetQueued   = "if an account uses this address, a password reset link has been sent"
	detailResetDone     = "password reset; log in with the new password"
	detailChanged       = "password changed; your other devices were logged out"
	detailVerifyPending = "verification e-mail sent"
)

type emailRequest struct {
	Email string `json:"email"`
}

type verifyEmailRequest struct {
	Key string `json:"key"`
}

type resetConfirmRequest struct {
	UID         string `json:"uid"`
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// lifecycleRoutes serves the account flows: e-mail verification, password
// reset and change. Their rate limits live in the handlers' closures.
func (s *Server) lifecycleRoutes(public, authed *gin.RouterGroup) {
	lim := s.limits
	public.POST("/email/verify", s.verifyEmail)
	public.POST("/email/resend", s.resendVerification(lim))
	public.POST("/password/reset", s.requestPasswordReset(lim))
	public.POST("/password/reset/confirm", s.confirmPasswordReset)
	authed.POST("/password/change", s.changePassword)
}

// writeDetail answers an account flow: a status and a sentence, never
// cached.
func writeDetail(c *gin.Context, status int, detail string) {
	c.Header("Cache-Control", "no-store")
	c.JSON(status, gin.H{"detail": detail})
}

func (s *Server) verifyEmail(c *gin.Context) {
	var req verifyEmailRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.auth.VerifyEmail(c.Request.Context(), req.Key, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	writeDetail(c, http.StatusOK, detailVerified)
}

func (s *Server) resendVerification(lim *AccountLimits) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req emailRequest
		if err := bind(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if err := lim.AllowResend(s.auth.Now(), c.ClientIP(), req.Email); err != nil {
			s.writeError(c, err)
			return
		}
		if err := s.auth.ResendVerification(c.Request.Context(), req.Email, s.device(c, deviceFields{})); err != nil {
			s.writeError(c, err)
			return
		}
		writeDetail(c, http.StatusAccepted, detailResendQueued)
	}
}

// requestPasswordReset answers every well-formed request 202 with one
// body, at once: the account look-up happens after the answer, in the mail
// worker, so neither the body nor the time says whether the address has
// an account.
func (s *Server) requestPasswordReset(lim *AccountLimits) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req emailRequest
		if err := bind(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if err := lim.AllowReset(s.auth.Now(), c.ClientIP(), req.Email); err != nil {
			s.writeError(c, err)
			return
		}
		if err := s.auth.RequestPasswordReset(c.Request.Context(), req.Email, s.device(c, deviceFields{})); err != nil {
			s.writeError(c, err)
			return
		}
		writeDetail(c, http.StatusAccepted, detailResetQueued)
	}
}

func (s *Server) confirmPasswordReset(c *gin.Context) {
	var req resetConfirmRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	err := s.auth.ConfirmPasswordReset(c.Request.Context(), auth.ResetConfirmInput{
		UID: req.UID, Token: req.Token, NewPassword: req.NewPassword, Device: s.device(c, deviceFields{}),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeDetail(c, http.StatusOK, detailResetDone)
}

// changePassword: wrong current passwords count against the login
// brute-force limits (the use case checks them like a login).
func (s *Server) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	err := s.auth.ChangePassword(c.Request.Context(), principal(c), auth.ChangePasswordInput{
		CurrentPassword: req.CurrentPassword, NewPassword: req.NewPassword, Device: s.device(c, deviceFields{}),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeDetail(c, http.StatusOK, detailChanged)
}
