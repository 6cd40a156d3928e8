package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// mfaRoutes serves second factors: the signed-in caller's enrolment and
// step-up under authed, and the completion of a pending login (which has
// no credentials but its mfa_token) under v1.
func (s *Server) mfaRoutes(v1, authed *gin.RouterGroup) {
	v1.POST("/mfa/verify", s.mfaVerify)
	authed.GET("/mfa", s.mfaStatus)
	authed.POST("/mfa/totp", s.mfaEnrollTOTP)
	authed.POST("/mfa/totp/confirm", s.mfaConfirmTOTP)
	authed.DELETE("/mfa/totp", s.mfaRemoveTOTP)
	authed.POST("/mfa/recovery-codes", s.mfaRegenerateRecoveryCodes)
	authed.POST("/mfa/step-up", s.mfaStepUp)
}

// mfaRequiredResponse is the 403 answer to a correct password when a
// second factor is due: the one error shape plus what completes it.
type mfaRequiredResponse struct {
	errorBody
	MFAToken  string   `json:"mfa_token"`
	Methods   []string `json:"methods"`
	ExpiresIn int64    `json:"expires_in"`
}

// writeMFARequired answers err when it is a pending login and reports
// whether it did.
func (s *Server) writeMFARequired(c *gin.Context, err error) bool {
	var mr *auth.MFARequired
	if !errors.As(err, &mr) {
		return false
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.AbortWithStatusJSON(statusOf[auth.CodeMFARequired], mfaRequiredResponse{
		errorBody: errorBody{Error: auth.CodeMFARequired, Description: mr.Error()},
		MFAToken:  mr.Token, Methods: mr.Methods, ExpiresIn: secondsUntil(mr.ExpiresAt, s.auth.Now()),
	})
	return true
}

type mfaVerifyRequest struct {
	MFAToken     string `json:"mfa_token"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
	// ChallengeID and Credential answer with a passkey instead (the
	// ceremony begun by POST /v1/auth/passkeys/login/begin with mfa_token).
	ChallengeID string          `json:"challenge_id"`
	Credential  json.RawMessage `json:"credential"`
	deviceFields
}

// mfaVerify completes a pending login; the answer is the usual login
// answer, in the delivery the login asked for.
func (s *Server) mfaVerify(c *gin.Context) {
	var req mfaVerifyRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	var l *auth.Login
	var err error
	if len(req.Credential) > 0 {
		l, err = s.passkeyFactor(c, req)
	} else {
		l, err = s.auth.VerifyMFA(c.Request.Context(), auth.MFAVerifyInput{
			Token: req.MFAToken, Code: req.Code, RecoveryCode: req.RecoveryCode,
			Delivery: req.Delivery, Device: s.device(c, req.deviceFields),
		})
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeLogin(c, http.StatusOK, l, l.Delivery)
}

type mfaStatusResponse struct {
	Methods                []string   `json:"methods"`
	TOTP                   string     `json:"totp"`
	TOTPSince              *time.Time `json:"totp_since"`
	RecoveryCodesRemaining int        `json:"recovery_codes_remaining"`
}

func (s *Server) mfaStatus(c *gin.Context) {
	st, err := s.auth.MFAStatusOf(c.Request.Context(), principal(c).User.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	methods := st.Methods
	if methods == nil {
		methods = []string{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, mfaStatusResponse{Methods: methods, TOTP: st.TOTP, TOTPSince: st.TOTPSince,
		RecoveryCodesRemaining: st.RecoveryCodesRemaining})
}

type mfaPasswordRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

type totpEnrolmentResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
	QRSVG      string `json:"qr_svg"`
}

func (s *Server) mfaEnrollTOTP(c *gin.Context) {
	var req mfaPasswordRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	e, err := s.auth.EnrollTOTP(c.Request.Context(), principal(c), req.Password, s.device(c, deviceFields{}))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, totpEnrolmentResponse{Secret: e.Secret, OTPAuthURI: e.URI, QRSVG: e.QRSVG})
}

type recoveryCodesResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

func (s *Server) mfaConfirmTOTP(c *gin.Context) {
	var req mfaPasswordRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	codes, err := s.auth.ConfirmTOTP(c.Request.Context(), principal(c), req.Code, s.device(c, deviceFields{}))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, recoveryCodesResponse{RecoveryCodes: codes})
}

func (s *Server) mfaRemoveTOTP(c *gin.Context) {
	var req mfaPasswordRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.auth.RemoveTOTP(c.Request.Context(), principal(c), req.Password, req.Code, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) mfaRegenerateRecoveryCodes(c *gin.Context) {
	var req mfaPasswordRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	codes, err := s.auth.RegenerateRecoveryCodes(c.Request.Context(), principal(c), req.Code, s.device(c, deviceFields{}))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, recoveryCodesResponse{RecoveryCodes: codes})
}

type stepUpRequest struct {
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
}

func (s *Server) mfaStepUp(c *gin.Context) {
	var req stepUpRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.auth.StepUp(c.Request.Context(), principal(c), req.Code, req.RecoveryCode, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// adminResetMFA removes every second factor of a user.
func (s *Server) adminResetMFA(c *gin.Context) {
	id, ok := s.userParam(c)
	if !ok {
		return
	}
	if err := s.auth.AdminResetMFA(c.Request.Context(), adminActor(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
