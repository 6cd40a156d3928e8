package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/view"
)

type addPasskeyRequest struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

type renamePasskeyRequest struct {
	Name string `json:"name"`
}

type passkeyLoginBeginRequest struct {
	Email string `json:"email"`
	// MFAToken, when sent, begins the ceremony that completes that pending
	// login (POST /v1/auth/mfa/verify) instead of a sign-in.
	MFAToken string `json:"mfa_token"`
}

type passkeyLoginRequest struct {
	ChallengeID string          `json:"challenge_id"`
	Credential  json.RawMessage `json:"credential"`
	deviceFields
}

// passkeyRoutes adds the passkey endpoints: sign-in on v1, the rest for
// signed-in callers.
func (s *Server) passkeyRoutes(v1, authed gin.IRoutes) {
	v1.POST("/passkeys/login/begin", s.passkeyLoginBegin)
	v1.POST("/passkeys/login/finish", s.passkeyLogin)
	authed.POST("/passkeys/register/begin", s.passkeyRegisterBegin)
	authed.POST("/passkeys/register/finish", s.passkeyRegister)
	authed.GET("/passkeys", s.listPasskeys)
	authed.PATCH("/passkeys/:id", s.renamePasskey)
	authed.DELETE("/passkeys/:id", s.removePasskey)
}

// webauthnCredential is a request's credential: a JSON object (the browser's
// credential.toJSON()), or a validation error naming the field.
func webauthnCredential(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, auth.Invalid(map[string][]string{"credential": {"this field is required"}})
	}
	if raw[0] != '{' {
		return nil, auth.Invalid(map[string][]string{"credential": {"must be an object"}})
	}
	return raw, nil
}

func (s *Server) passkeyRegisterBegin(c *gin.Context) {
	opts, err := s.auth.BeginPasskeyRegistration(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", opts)
}

func (s *Server) passkeyRegister(c *gin.Context) {
	var req addPasskeyRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	cred, err := webauthnCredential(req.Credential)
	if err != nil {
		s.writeError(c, err)
		return
	}
	pk, err := s.auth.FinishPasskeyRegistration(c.Request.Context(), principal(c), auth.AddPasskeyInput{
		Name: req.Name, Credential: cred, Device: s.device(c, deviceFields{}),
	})
	s.writePasskey(c, http.StatusCreated, pk, err)
}

// writePasskey answers a use case that returns one passkey: its view with
// status, or the error.
func (s *Server) writePasskey(c *gin.Context, status int, pk *store.Passkey, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, view.NewPasskey(pk))
}

func (s *Server) listPasskeys(c *gin.Context) {
	list, err := s.auth.Passkeys(c.Request.Context(), principal(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := make([]view.Passkey, 0, len(list))
	for i := range list {
		out = append(out, view.NewPasskey(&list[i]))
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"passkeys": out})
}

// passkeyID is the path's passkey id; a malformed one is answered 404,
// like an unknown one, and ok is false.
func (s *Server) passkeyID(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		s.writeError(c, auth.Errorf(auth.CodeNotFound, "no such passkey"))
		return uuid.Nil, false
	}
	return id, true
}

func (s *Server) renamePasskey(c *gin.Context) {
	id, ok := s.passkeyID(c)
	if !ok {
		return
	}
	var req renamePasskeyRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	pk, err := s.auth.RenamePasskey(c.Request.Context(), principal(c), id, req.Name, s.device(c, deviceFields{}))
	s.writePasskey(c, http.StatusOK, pk, err)
}

func (s *Server) removePasskey(c *gin.Context) {
	id, ok := s.passkeyID(c)
	if !ok {
		return
	}
	if err := s.auth.RemovePasskey(c.Request.Context(), principal(c), id, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// passkeyLoginBeginResponse is {publicKey, challenge_id}: the request
// options and the id the answer must come back with.
type passkeyLoginBeginResponse struct {
	PublicKey   json.RawMessage `json:"publicKey"`
	ChallengeID string          `json:"challenge_id"`
}

func (s *Server) passkeyLoginBegin(c *gin.Context) {
	var req passkeyLoginBeginRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	var ch *auth.PasskeyChallenge
	var err error
	if req.MFAToken != "" {
		ch, err = s.auth.BeginPasskeyFactor(c.Request.Context(), req.MFAToken)
	} else {
		ch, err = s.auth.BeginPasskeyLogin(c.Request.Context(), req.Email)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, passkeyLoginBeginResponse{PublicKey: ch.PublicKey, ChallengeID: ch.ChallengeID})
}

// passkeyLogin answers exactly like login: the same deliveries, clients
// and device fields.
func (s *Server) passkeyLogin(c *gin.Context) {
	var req passkeyLoginRequest
	if err := bindLogin(c, &req, &req.deviceFields); err != nil {
		s.writeError(c, err)
		return
	}
	cred, err := webauthnCredential(req.Credential)
	if err != nil {
		s.writeError(c, err)
		return
	}
	l, err := s.auth.PasskeyLogin(c.Request.Context(), auth.PasskeyLoginInput{
		ChallengeID: req.ChallengeID, Credential: cred, Delivery: req.Delivery, Device: s.device(c, req.deviceFields),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeLogin(c, http.StatusOK, l, req.Delivery)
}

// passkeyFactor completes a pending login with a passkey's answer.
func (s *Server) passkeyFactor(c *gin.Context, req mfaVerifyRequest) (*auth.Login, error) {
	cred, err := webauthnCredential(req.Credential)
	if err != nil {
		return nil, err
	}
	return s.auth.VerifyMFAPasskey(c.Request.Context(), auth.PasskeyFactorInput{
		Token: req.MFAToken, ChallengeID: req.ChallengeID, Credential: cred,
		Delivery: req.Delivery, Device: s.device(c, req.deviceFields),
	})
}
