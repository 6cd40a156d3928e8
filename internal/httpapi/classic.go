package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

type tokenRequest struct {
	Email    string `json:"email"`
	Username string `json:"username"`
	Password string `json:"password"`
	ClientID string `json:"client_id"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	CreatedAt time.Time `json:"created_at"`
}

// obtainToken is Django REST Framework's obtain_auth_token: credentials in
// the body or in HTTP Basic give the user's one classic token, the same key
// on every call until it is revoked.
func (s *Server) obtainToken(c *gin.Context) {
	var req tokenRequest
	if err := bind(c, &req); err != nil {
		s.writeError(c, err)
		return
	}
	dev := s.device(c, deviceFields{ClientID: req.ClientID})
	if req.Email == "" && req.Username == "" && req.Password == "" {
		user, pw, present, err := parseBasic(c.GetHeader("Authorization"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		if !present {
			s.writeError(c, auth.Invalid(map[string][]string{"password": {"credentials are required in the body or in HTTP Basic"}}))
			return
		}
		if strings.Contains(user, "@") {
			req.Email = user
		} else {
			req.Username = user
		}
		req.Password = pw
	}
	if (req.Email == "" && req.Username == "") || req.Password == "" {
		s.writeError(c, auth.Invalid(map[string][]string{"password": {"email or username, and password, are required"}}))
		return
	}
	t, err := s.auth.ObtainClassicTokenByPassword(c.Request.Context(), req.Email, req.Username, req.Password, dev)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, tokenResponse{Token: t.Key, TokenType: "Token", CreatedAt: t.CreatedAt})
}

func (s *Server) revokeToken(c *gin.Context) {
	if err := s.auth.RevokeClassicToken(c.Request.Context(), principal(c).User, s.device(c, deviceFields{})); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// credential returns the credentials of the request's Authorization
// header when its scheme is want, and whether it uses that scheme at all.
func credential(c *gin.Context, want string) (string, bool) {
	return SchemeCredential(c.GetHeader("Authorization"), want)
}

// SchemeCredential splits an Authorization header value (RFC 9110
// s11.6.2: scheme, one space, credentials); the scheme matches without
// regard to case. Every route that reads the header splits it here.
func SchemeCredential(h, want string) (string, bool) {
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, want) {
		return "", false
	}
	return strings.TrimSpace(cred), true
}

// tokenAuth accepts "Authorization: Token <key>".
type tokenAuth struct{ s *Server }

func (a tokenAuth) authenticate(c *gin.Context) (*auth.Principal, error) {
	key, ok := credential(c, "Token")
	if !ok {
		return nil, nil
	}
	if key == "" || len(key) > MaxCredentialLen {
		return nil, auth.Errorf(auth.CodeInvalidToken, "invalid token")
	}
	return a.s.auth.AuthenticateClassicToken(c.Request.Context(), key)
}

func (tokenAuth) challenge(bool) string { return "Token" }

// sessionAuth accepts the session cookie of delivery "session".
type sessionAuth struct{ s *Server }

func (a sessionAuth) authenticate(c *gin.Context) (*auth.Principal, error) {
	v, err := c.Cookie(a.s.cookies.session)
	if err != nil || v == "" {
		return nil, nil
	}
	if len(v) > MaxCredentialLen {
		return nil, auth.Errorf(auth.CodeInvalidToken, "invalid session")
	}
	return a.s.auth.AuthenticateSessionCookie(c.Request.Context(), v)
}

func (sessionAuth) challenge(bool) string { return "" }

// basicAuth accepts RFC 7617 HTTP Basic. Every request is a full password
// check (one argon2id hash, tens of milliseconds of CPU and 19 MiB),
// which is why it suits scripts and tests, not traffic.
type basicAuth struct{ s *Server }

func (a basicAuth) authenticate(c *gin.Context) (*auth.Principal, error) {
	user, pw, present, err := parseBasic(c.GetHeader("Authorization"))
	if !present || err != nil {
		return nil, err
	}
	return a.s.auth.AuthenticateBasic(c.Request.Context(), user, pw, a.s.device(c, deviceFields{}))
}

func (basicAuth) challenge(bool) string { return `Basic realm="tessera", charset="UTF-8"` }

// parseBasic decodes an RFC 7617 header. present is false when the header
// does not use the Basic scheme; bad base64, a missing colon or non-UTF-8
// text are an authentication failure.
func parseBasic(h string) (user, pw string, present bool, err error) {
	cred, ok := SchemeCredential(h, "Basic")
	if !ok {
		return "", "", false, nil
	}
	fail := auth.Errorf(auth.CodeAuthFailed, "malformed Basic credentials")
	if len(cred) > MaxCredentialLen {
		return "", "", true, fail
	}
	raw, derr := base64.StdEncoding.DecodeString(cred)
	if derr != nil || !utf8.Valid(raw) {
		return "", "", true, fail
	}
	user, pw, ok = strings.Cut(string(raw), ":")
	if !ok || user == "" {
		return "", "", true, fail
	}
	return user, pw, true, nil
}
