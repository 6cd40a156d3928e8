package httpapi

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/jsonw"
)

// The answers of the request path (a sign-in, a refresh, the current
// user) are written without encoding/json's reflection, to the same bytes
// (TestAnswersMatchEncodingJSON, FuzzAppendLoginResponse). A value the
// writers cannot match exactly goes to c.JSON.

// jsonContentType is the Content-Type c.JSON sends.
const jsonContentType = "application/json; charset=utf-8"

// answerJSON sends b, v as appended by one of the writers below, as c.JSON
// would send v; when the writer reported false, c.JSON sends v.
func answerJSON(c *gin.Context, status int, v any, b []byte, ok bool) {
	if !ok {
		c.JSON(status, v)
		return
	}
	c.Data(status, jsonContentType, b)
}

// appendUserResponse appends u as encoding/json marshals it, or reports
// false for a time it cannot write.
func appendUserResponse(b []byte, u *userResponse) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = jsonw.AppendString(b, u.ID)
	b = append(b, `,"email":`...)
	b = jsonw.AppendString(b, u.Email)
	b = append(b, `,"username":`...)
	b = appendStringPtr(b, u.Username)
	b = append(b, `,"first_name":`...)
	b = jsonw.AppendString(b, u.FirstName)
	b = append(b, `,"last_name":`...)
	b = jsonw.AppendString(b, u.LastName)
	b = append(b, `,"is_active":`...)
	b = strconv.AppendBool(b, u.IsActive)
	b = append(b, `,"is_admin":`...)
	b = strconv.AppendBool(b, u.IsAdmin)
	b = append(b, `,"email_verified":`...)
	b = strconv.AppendBool(b, u.EmailVerified)
	b = append(b, `,"created_at":`...)
	b, ok := jsonw.AppendTime(b, u.CreatedAt)
	if !ok {
		return b, false
	}
	b = append(b, `,"last_login_at":`...)
	if u.LastLoginAt == nil {
		b = append(b, "null"...)
	} else if b, ok = jsonw.AppendTime(b, *u.LastLoginAt); !ok {
		return b, false
	}
	return append(b, '}'), true
}

// appendLoginResponse appends r as encoding/json marshals it, or reports
// false for a time it cannot write.
func appendLoginResponse(b []byte, r *loginResponse) ([]byte, bool) {
	b = append(b, '{')
	if r.TokenType != "" {
		b = append(b, `"token_type":`...)
		b = jsonw.AppendString(b, r.TokenType)
		b = append(b, ',')
	}
	if r.AccessToken != "" {
		b = append(b, `"access_token":`...)
		b = jsonw.AppendString(b, r.AccessToken)
		b = append(b, ',')
	}
	b = append(b, `"expires_in":`...)
	b = strconv.AppendInt(b, r.ExpiresIn, 10)
	if r.RefreshToken != "" {
		b = append(b, `,"refresh_token":`...)
		b = jsonw.AppendString(b, r.RefreshToken)
	}
	b = append(b, `,"refresh_expires_in":`...)
	b = strconv.AppendInt(b, r.RefreshExpiresIn, 10)
	b = append(b, `,"session_id":`...)
	b = jsonw.AppendString(b, r.SessionID)
	b = append(b, `,"delivery":`...)
	b = jsonw.AppendString(b, r.Delivery)
	if r.CSRFToken != "" {
		b = append(b, `,"csrf_token":`...)
		b = jsonw.AppendString(b, r.CSRFToken)
	}
	b = append(b, `,"user":`...)
	b, ok := appendUserResponse(b, &r.User)
	if !ok {
		return b, false
	}
	return append(b, '}'), true
}

func appendStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return jsonw.AppendString(b, *s)
}

// Sizes the answers' buffers start at: a body-mode sign-in with its two
// tokens fits, as does the current user.
const (
	loginAnswerSize = 2048
	userAnswerSize  = 512
)
