package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// Codes only the transport produces.
const (
	codeMethodNotAllowed     = "method_not_allowed"
	codePayloadTooLarge      = "payload_too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
)

// statusOf maps every stable error code to its one HTTP status.
var statusOf = map[string]int{
	auth.CodeInvalidRequest:       http.StatusBadRequest,
	auth.CodeInvalidCredentials:   http.StatusBadRequest,
	auth.CodeInvalidGrant:         http.StatusBadRequest,
	auth.CodeInvalidClient:        http.StatusBadRequest,
	auth.CodeUnauthorizedClient:   http.StatusBadRequest,
	auth.CodeUnsupportedGrantType: http.StatusBadRequest,
	auth.CodeInvalidKey:           http.StatusBadRequest,
	auth.CodeInvalidMFAToken:      http.StatusBadRequest,
	auth.CodeInvalidMFACode:       http.StatusBadRequest,
	auth.CodeNotAuthenticated:     http.StatusUnauthorized,
	auth.CodeInvalidToken:         http.StatusUnauthorized,
	auth.CodeAuthFailed:           http.StatusUnauthorized,
	auth.CodePermissionDenied:     http.StatusForbidden,
	auth.CodeCSRFFailed:           http.StatusForbidden,
	auth.CodeEmailNotVerified:     http.StatusForbidden,
	auth.CodeMFARequired:          http.StatusForbidden,
	auth.CodeMFAEnrollRequired:    http.StatusForbidden,
	auth.CodeStepUpRequired:       http.StatusForbidden,
	auth.CodeNotFound:             http.StatusNotFound,
	codeMethodNotAllowed:          http.StatusMethodNotAllowed,
	auth.CodeEmailTaken:           http.StatusConflict,
	auth.CodeUsernameTaken:        http.StatusConflict,
	auth.CodeConflict:             http.StatusConflict,
	codePayloadTooLarge:           http.StatusRequestEntityTooLarge,
	codeUnsupportedMediaType:      http.StatusUnsupportedMediaType,
	auth.CodeRateLimited:          http.StatusTooManyRequests,
	auth.CodeInternal:             http.StatusInternalServerError,
	auth.CodeUnavailable:          http.StatusServiceUnavailable,
}

// errorBody is the one error shape of every response.
type errorBody struct {
	Error       string              `json:"error"`
	Description string              `json:"error_description"`
	Fields      map[string][]string `json:"fields,omitempty"`
}

// writeError answers err and aborts the request. It is the only function
// that writes an error response. Errors that are not an *auth.Error are
// internal: logged here with the request id, answered "internal error" (or
// 503 when the database cannot be reached).
func (s *Server) writeError(c *gin.Context, err error) {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		if Unavailable(err) {
			ae = &auth.Error{Code: auth.CodeUnavailable, Message: "the service is temporarily unavailable, retry shortly", RetryAfterSeconds: 5}
			s.log.WarnContext(c.Request.Context(), "database unavailable", "request_id", requestID(c), "err", err)
		} else {
			ae = &auth.Error{Code: auth.CodeInternal, Message: "internal error"}
			s.log.ErrorContext(c.Request.Context(), "internal error", "request_id", requestID(c), "err", err)
		}
	}
	status, ok := statusOf[ae.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if ae.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfterSeconds))
	}
	if status == http.StatusUnauthorized {
		s.challenge(c, ae.Code == auth.CodeInvalidToken)
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, errorBody{Error: ae.Code, Description: ae.Message, Fields: ae.Fields})
}

// Unavailable reports whether err comes from a database that cannot be
// reached (as opposed to a bug), so the client is told to retry.
func Unavailable(err error) bool {
	return errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// challenge adds one WWW-Authenticate header per enabled scheme, except
// Basic for a script's request: a browser answers a Basic challenge to
// fetch or XMLHttpRequest with its own password dialog, which a page can
// neither prevent nor style (Django REST Framework has the same trap).
// curl and other programs still get it.
func (s *Server) challenge(c *gin.Context, invalidBearer bool) {
	script := fromScript(c.Request)
	for _, a := range s.authenticators {
		if _, isBasic := a.(basicAuth); isBasic && script {
			continue
		}
		if ch := a.challenge(invalidBearer && c.GetBool(ctxBearerSent)); ch != "" {
			c.Writer.Header().Add("WWW-Authenticate", ch)
		}
	}
}

// fromScript reports whether a request was made by a script in a browser
// page rather than by a person navigating or by a program: it carries an
// Origin, a Sec-Fetch-Mode other than navigate, or X-Requested-With (set
// by script libraries, and never by a browser on its own).
func fromScript(r *http.Request) bool {
	if r.Header.Get("Origin") != "" || r.Header.Get("X-Requested-With") != "" {
		return true
	}
	mode := r.Header.Get("Sec-Fetch-Mode")
	return mode != "" && mode != "navigate"
}

func (s *Server) notFound(c *gin.Context) {
	s.writeError(c, auth.Errorf(auth.CodeNotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	s.writeError(c, &auth.Error{Code: codeMethodNotAllowed, Message: "method " + c.Request.Method + " is not allowed here"})
}

func (s *Server) recovered(c *gin.Context, v any) {
	s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", v)
	s.writeError(c, &auth.Error{Code: auth.CodeInternal, Message: "internal error"})
}
