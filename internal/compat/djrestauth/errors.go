package djrestauth

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/httpapi"
)

// drfError is an answer in one of Django REST Framework's error shapes:
// {"detail": "..."} or {"field": ["..."]}.
type drfError struct {
	status     int
	body       any
	retryAfter int
	// challenge is the WWW-Authenticate value of a 401.
	challenge string
}

func (e *drfError) Error() string { return fmt.Sprintf("%d %v", e.status, e.body) }

func detail(status int, msg string) *drfError {
	return &drfError{status: status, body: gin.H{"detail": msg}}
}

func nonField(msg string) *drfError {
	return &drfError{status: http.StatusBadRequest, body: map[string][]string{"non_field_errors": {msg}}}
}

// DRF's and dj-rest-auth's sentences.
const (
	msgBadCredentials = "Unable to log in with provided credentials."
	msgNotVerified    = "E-mail is not verified."
	msgEmailTaken     = "A user is already registered with this e-mail address." // RegisterSerializer.validate_email
	msgUsernameTaken  = "A user with that username already exists."
	msgOldPassword    = "Your old password was entered incorrectly. Please enter it again."
	msgInvalidValue   = "Invalid value"
	msgNotFound       = "Not found."
	msgServerError    = "A server error occurred."
	msgDenied         = "You do not have permission to perform this action."
	msgTokenInvalid   = "Token is invalid or expired" // simplejwt's InvalidToken
	codeTokenInvalid  = "token_not_valid"
)

// fields renames Tessera's field names to a route's DRF names
// (password -> password1, new_password -> new_password2, ...).
type fields map[string]string

// write answers e and aborts the request. Every answer of these routes is
// personal, so none is cached.
func (h *Routes) write(c *gin.Context, e *drfError) {
	if e.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.challenge != "" {
		c.Header("WWW-Authenticate", e.challenge)
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(e.status, e.body)
}

// fail answers err from a use case in DRF's shape, renaming fields by
// names. Anything that is not an *auth.Error is internal: logged here and
// answered 500 (503 when the database cannot be reached).
func (h *Routes) fail(c *gin.Context, err error, names fields) {
	var de *drfError
	if errors.As(err, &de) {
		h.write(c, de)
		return
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		if httpapi.Unavailable(err) {
			h.log.WarnContext(c.Request.Context(), "database unavailable", "err", err)
			h.write(c, &drfError{status: http.StatusServiceUnavailable, body: gin.H{"detail": "Service temporarily unavailable, try again later."}, retryAfter: 5})
			return
		}
		h.log.ErrorContext(c.Request.Context(), "internal error", "path", c.FullPath(), "err", err)
		h.write(c, detail(http.StatusInternalServerError, msgServerError))
		return
	}
	h.write(c, translate(ae, names))
}

// translate maps a use case's refusal onto the answer dj-rest-auth gives
// for the same situation.
func translate(ae *auth.Error, names fields) *drfError {
	switch ae.Code {
	case auth.CodeInvalidRequest:
		if len(ae.Fields) == 0 {
			return nonField(sentence(ae.Message))
		}
		out := map[string][]string{}
		for f, msgs := range ae.Fields {
			name := f
			if n, ok := names[f]; ok {
				name = n
			}
			for _, m := range msgs {
				out[name] = append(out[name], djangoMessage(name, m))
			}
		}
		return &drfError{status: http.StatusBadRequest, body: out}
	case auth.CodeInvalidCredentials:
		return nonField(msgBadCredentials)
	case auth.CodeEmailNotVerified:
		return nonField(msgNotVerified)
	case auth.CodeEmailTaken:
		return &drfError{status: http.StatusBadRequest, body: map[string][]string{"email": {msgEmailTaken}}}
	case auth.CodeUsernameTaken:
		return &drfError{status: http.StatusBadRequest, body: map[string][]string{"username": {msgUsernameTaken}}}
	case auth.CodeRateLimited:
		return throttled(ae.RetryAfterSeconds)
	case auth.CodeUnavailable:
		return &drfError{status: http.StatusServiceUnavailable, body: gin.H{"detail": sentence(ae.Message)}, retryAfter: ae.RetryAfterSeconds}
	case auth.CodeNotFound:
		return detail(http.StatusNotFound, msgNotFound)
	case auth.CodePermissionDenied, auth.CodeCSRFFailed:
		return detail(http.StatusForbidden, msgDenied)
	case auth.CodeInvalidGrant, auth.CodeInvalidToken:
		return invalidToken(msgTokenInvalid)
	case auth.CodeInternal:
		return detail(http.StatusInternalServerError, msgServerError)
	}
	// invalid_client, invalid_key, conflict: a refusal of the input.
	return nonField(sentence(ae.Message))
}

// throttled is DRF's Throttled: 429 with the wait in the sentence and in
// Retry-After.
func throttled(wait int) *drfError {
	wait = max(wait, 1)
	unit := "seconds"
	if wait == 1 {
		unit = "second"
	}
	return &drfError{status: http.StatusTooManyRequests, retryAfter: wait,
		body: gin.H{"detail": fmt.Sprintf("Request was throttled. Expected available in %d %s.", wait, unit)}}
}

var (
	tooShort = regexp.MustCompile(`^must be at least (\d+) characters$`)
	tooLong  = regexp.MustCompile(`^must be at most (\d+) characters$`)
)

// djangoMessage words one of Tessera's field messages as Django does for
// the DRF field name: the password validators' sentences for passwords,
// the field sentences for the rest.
func djangoMessage(field, msg string) string {
	password := strings.Contains(field, "password")
	switch {
	case msg == "this field is required":
		return msgRequired
	case field == "email" && msg == "is taken":
		return msgEmailTaken
	case field == "username" && msg == "is taken":
		return msgUsernameTaken
	case field == "email":
		return msgEmail
	case field == "old_password" && msg == "is incorrect":
		return msgOldPassword
	case password && msg == "is too common":
		return "This password is too common."
	case password && tooShort.MatchString(msg):
		return "This password is too short. It must contain at least " + tooShort.FindStringSubmatch(msg)[1] + " characters."
	case password:
		return "This password " + msg + "."
	case tooLong.MatchString(msg):
		return "Ensure this field has no more than " + tooLong.FindStringSubmatch(msg)[1] + " characters."
	}
	return sentence(msg)
}

// sentence capitalises msg and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
