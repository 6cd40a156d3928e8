package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/token"
)

type deviceFields struct {
	Delivery   string `json:"delivery"`
	ClientID   string `json:"client_id"`
	DeviceName string `json:"device_name"`
}

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Username string `json:"username"`
	deviceFields
}

type loginRequest struct {
	Email    string `json:"email"`
	Username string `json:"username"`
	Password string `json:"password"`
	deviceFields
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
	Delivery     string `json:"delivery"`
	// ClientID, when sent, must be the client the session was issued to.
	ClientID string `json:"client_id"`
}

type logoutRequest struct {
	Scope string `json:"scope"`
}

// loginResponse is the body of every register, login and refresh answer.
// With cookie delivery the two token strings stay out of the body.
type loginResponse struct {
	TokenType        string       `json:"token_type,omitempty"`
	AccessToken      string       `json:"access_token,omitempty"`
	ExpiresIn        int64        `json:"expires_in"`
	RefreshToken     string       `json:"refresh_token,omitempty"`
	RefreshExpiresIn int64        `json:"refresh_expires_in"`
	SessionID        string       `json:"session_id"`
	Delivery         string       `json:"delivery"`
	CSRFToken        string       `json:"csrf_token,omitempty"`
	User             userResponse `json:"user"`
}

func (s *Server) device(c *gin.Context, d deviceFields) auth.Device {
	return auth.Device{ClientID: d.ClientID, Name: d.DeviceName, UserAgent: c.Request.UserAgent(), IP: c.ClientIP()}
}

func deliveryOr(d, def string) string {
	if d == "" {
		return def
	}
	return d
}

// checkLoginDelivery refuses delivery modes a login cannot use.
func checkLoginDelivery(d string) error {
	if d != auth.DeliveryBody && d != auth.DeliveryCookie && d != auth.DeliverySession {
		return auth.Invalid(map[string][]string{"delivery": {"must be one of body, cookie, session"}})
	}
	return nil
}

// bindLogin decodes a request that opens a session into dst, whose
// device fields are d: the delivery defaults to body and must be one a
// login can use.
func bindLogin(c *gin.Context, dst any, d *deviceFields) error {
	if err := bind(c, dst); err != nil {
		return err
	}
	d.Delivery = deliveryOr(d.Delivery, auth.DeliveryBody)
	return checkLoginDelivery(d.Delivery)
}

// checkRefreshDelivery: a refresh answers with tokens, in the body or in
// cookies; a cookie session has no refresh token.
func checkRefreshDelivery(d string) error {
	if d != auth.DeliveryBody && d != auth.DeliveryCookie {
		return auth.Invalid(map[string][]string{"delivery": {"must be body or cookie"}})
	}
	return nil
}

func (s *Server) register(c *gin.Context) {
	var req registerRequest
	if err := bindLogin(c, &req, &req.deviceFields); err != nil {
		s.writeError(c, err)
		return
	}
	l, err := s.auth.Register(c.Request.Context(), auth.RegisterInput{
		Email: req.Email, Password: req.Password, Username: req.Username,
		Delivery: req.Delivery, Device: s.device(c, req.deviceFields),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	if l.Pending() {
		// Mandatory e-mail verification: no session yet, and the same
		// answer whether the address was new or taken.
		c.Header("Pragma", "no-cache")
		writeDetail(c, http.StatusCreated, detailVerifyPending)
		return
	}
	s.writeLogin(c, http.StatusCreated, l, req.Delivery)
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bindLogin(c, &req, &req.deviceFields); err != nil {
		s.writeError(c, err)
		return
	}
	l, err := s.auth.Login(c.Request.Context(), auth.LoginInput{
		Email: req.Email, Username: req.Username, Password: req.Password,
		Delivery: req.Delivery, Device: s.device(c, req.deviceFields),
	})
	if err != nil {
		if !s.writeMFARequired(c, err) {
			s.writeError(c, err)
		}
		return
	}
	s.writeLogin(c, http.StatusOK, l, req.Delivery)
}

// refresh takes the refresh token from the body or, failing that, from the
// refresh cookie; a cookie refresh must pass the CSRF rules and answers in
// cookies unless the body asks otherwise.
func (s *Server) refresh(c *gin.Context) {
	var req refreshRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	delivery := auth.DeliveryBody
	if req.RefreshToken == "" {
		v, err := c.Cookie(s.cookies.refresh)
		if err != nil || v == "" {
			s.writeError(c, auth.Invalid(map[string][]string{"refresh_token": {"this field is required"}}))
			return
		}
		rt, err := token.Parse(v)
		if err != nil {
			s.writeError(c, auth.Errorf(auth.CodeInvalidGrant, "the refresh token is invalid, expired or revoked"))
			return
		}
		if err := s.checkCSRF(c, rt.SessionID); err != nil {
			s.writeError(c, err)
			return
		}
		req.RefreshToken, delivery = v, auth.DeliveryCookie
	}
	delivery = deliveryOr(req.Delivery, delivery)
	if err := checkRefreshDelivery(delivery); err != nil {
		s.writeError(c, err)
		return
	}
	l, err := s.auth.Refresh(c.Request.Context(), req.RefreshToken, s.device(c, deviceFields{ClientID: req.ClientID}))
	if err != nil {
		if delivery == auth.DeliveryCookie && auth.ErrorCode(err) == auth.CodeInvalidGrant {
			s.clearCookies(c)
		}
		s.writeError(c, err)
		return
	}
	s.writeLogin(c, http.StatusOK, l, delivery)
}

func (s *Server) logout(c *gin.Context) {
	var req logoutRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	p := principal(c)
	if err := s.auth.Logout(c.Request.Context(), p, req.Scope, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	if (p.Method == "cookie" || p.Method == "session") && req.Scope != auth.ScopeOthers {
		s.clearCookies(c)
	}
	c.Status(http.StatusNoContent)
}

// writeLogin answers a login in the chosen delivery. Token responses are
// never cached. expires_in and the cookies' Max-Age count from the
// service's clock, the one that set the expiry times.
func (s *Server) writeLogin(c *gin.Context, status int, l *auth.Login, delivery string) {
	now := s.auth.Now()
	resp := loginResponse{
		ExpiresIn:        secondsUntil(l.AccessExpiresAt, now),
		RefreshExpiresIn: secondsUntil(l.RefreshExpiresAt, now),
		SessionID:        l.Session.ID.String(),
		Delivery:         delivery,
		User:             newUserResponse(l.User),
	}
	switch delivery {
	case auth.DeliveryCookie:
		resp.CSRFToken = s.setLoginCookies(c, l, now)
	case auth.DeliverySession:
		resp.ExpiresIn = resp.RefreshExpiresIn
		resp.CSRFToken = s.setSessionCookies(c, l, now)
	default:
		resp.TokenType, resp.AccessToken, resp.RefreshToken = "Bearer", l.AccessToken, l.RefreshToken
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	b, ok := appendLoginResponse(make([]byte, 0, loginAnswerSize), &resp)
	answerJSON(c, status, resp, b, ok)
}

func secondsUntil(t, now time.Time) int64 {
	d := t.Sub(now)
	if d < 0 {
		return 0
	}
	return int64(d.Round(time.Second) / time.Second)
}
