package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// formStatus is the status of a form answered with a use case's error,
// the same as the API's for that code.
var formStatus = map[string]int{
	auth.CodeInvalidRequest:     http.StatusBadRequest,
	auth.CodeInvalidCredentials: http.StatusBadRequest,
	auth.CodeInvalidKey:         http.StatusBadRequest,
	auth.CodeEmailNotVerified:   http.StatusForbidden,
	auth.CodeEmailTaken:         http.StatusConflict,
	auth.CodeUsernameTaken:      http.StatusConflict,
	auth.CodeRateLimited:        http.StatusTooManyRequests,
	auth.CodeInvalidMFACode:     http.StatusBadRequest,
	auth.CodeConflict:           http.StatusConflict,
	auth.CodeUnavailable:        http.StatusServiceUnavailable,
}

// formErrors turns a use case's error into what the form shows, and sets
// the answer's status (and Retry-After). rename maps a use case's field
// names to the form's where they differ. Errors that are not an
// *auth.Error are internal: answered with the error page, and ok is false.
func (p *Pages) formErrors(c *gin.Context, err error, rename map[string]string) (_ Errors, ok bool) {
	var ae *auth.Error
	if !errors.As(err, &ae) || formStatus[ae.Code] == 0 {
		p.internal(c, err)
		return Errors{}, false
	}
	c.Status(formStatus[ae.Code])
	if ae.RetryAfterSeconds > 0 {
		c.Header("Retry-After", strconv.Itoa(ae.RetryAfterSeconds))
	}
	e := Errors{Fields: map[string]string{}}
	for field, msgs := range ae.Fields {
		if f, ok := rename[field]; ok {
			field = f
		}
		if len(msgs) > 0 && e.Fields[field] == "" {
			e.Fields[field] = capitalized(msgs[0])
		}
	}
	switch ae.Code {
	case auth.CodeInvalidCredentials:
		e.Summary = p.msg.text("form.invalid_credentials")
		e.Fields["password"] = e.Summary
	case auth.CodeRateLimited:
		minutes := (ae.RetryAfterSeconds + 59) / 60
		e.Summary = p.msg.text("form.rate_limited", strconv.Itoa(max(minutes, 1)))
		e.SummaryLink, e.SummaryLinkText = "/forgot-password", p.msg.text("signin.forgot")
	case auth.CodeEmailNotVerified:
		e.Summary = p.msg.text("form.email_not_verified")
		e.SummaryLink, e.SummaryLinkText = "/verify-email", p.msg.text("form.email_not_verified_resend")
	case auth.CodeUnavailable:
		e.Summary = p.msg.text("form.busy")
	case auth.CodeConflict:
		e.Summary = p.msg.text("form.conflict")
	case auth.CodeInvalidMFACode:
		e.Summary = p.msg.text("mfa.wrong_code")
		e.Fields["code"] = e.Summary
	case auth.CodeInvalidKey:
		e.Summary = p.msg.text("form.invalid_key")
	case auth.CodeEmailTaken:
		e.Fields["email"] = p.msg.text("form.email_taken")
		e.Summary = p.msg.text("form.problem")
	case auth.CodeUsernameTaken:
		e.Fields["username"] = p.msg.text("form.username_taken")
		e.Summary = p.msg.text("form.problem")
	default:
		e.Summary = p.msg.text("form.problem")
	}
	return e, true
}
