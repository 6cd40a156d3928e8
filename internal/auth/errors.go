package auth

import (
	"errors"
	"fmt"
)

// Stable error codes. httpapi maps each to one HTTP status; clients may
// switch on them.
const (
	CodeInvalidRequest       = "invalid_request"        // 400, malformed or invalid input (Fields says where)
	CodeInvalidCredentials   = "invalid_credentials"    // 400, wrong identifier or password
	CodeInvalidGrant         = "invalid_grant"          // 400, refresh token unknown, expired, revoked or reused
	CodeInvalidClient        = "invalid_client"         // 400, unknown client or delivery the client may not use
	CodeInvalidKey           = "invalid_key"            // 400, e-mail link key or reset token unknown, expired, used or superseded
	CodeUnsupportedGrantType = "unsupported_grant_type" // 400, an RFC 6749 grant other than authorization_code and refresh_token
	CodeUnauthorizedClient   = "unauthorized_client"    // 400, the client may not use this grant
	CodeNotAuthenticated     = "not_authenticated"      // 401, no credentials
	CodeInvalidToken         = "invalid_token"          // 401, credentials present but wrong
	CodeAuthFailed           = "authentication_failed"  // 401, wrong HTTP Basic credentials
	CodePermissionDenied     = "permission_denied"      // 403
	CodeCSRFFailed           = "csrf_failed"            // 403, cookie-authenticated unsafe request without a valid CSRF token or Origin
	CodeEmailNotVerified     = "email_not_verified"     // 403, TESSERA_EMAIL_VERIFICATION=mandatory and the address is not verified yet
	CodeNotFound             = "not_found"              // 404
	CodeEmailTaken           = "email_taken"            // 409
	CodeUsernameTaken        = "username_taken"         // 409
	CodeConflict             = "conflict"               // 409, the request conflicts with the resource's state
	CodeRateLimited          = "rate_limited"           // 429
	CodeUnavailable          = "service_unavailable"    // 503
	CodeInternal             = "internal_error"         // 500
)

// Error is a failure a client may be told about. Anything else returned by
// auth is internal: logged, and answered as "internal error".
type Error struct {
	Code    string
	Message string
	// Fields maps request fields to what is wrong with them.
	Fields map[string][]string
	// RetryAfter is set for rate_limited and service_unavailable.
	RetryAfterSeconds int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error for the given fields.
func Invalid(fields map[string][]string) *Error {
	return &Error{Code: CodeInvalidRequest, Message: "the request has invalid fields", Fields: fields}
}

// ErrorCode returns the code of err's *Error, or CodeInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

var (
	errBadCredentials = Errorf(CodeInvalidCredentials, "unable to log in with the provided credentials")
	errBadGrant       = Errorf(CodeInvalidGrant, "the refresh token is invalid, expired or revoked")
	errInvalidToken   = Errorf(CodeInvalidToken, "the access token is invalid, expired or revoked")
)

// fieldErrors collects validation problems per field.
type fieldErrors map[string][]string

func (f fieldErrors) add(field, msg string) { f[field] = append(f[field], msg) }

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f)
}

// Stable error codes of second factors (see above for the others).
const (
	CodeInvalidMFAToken   = "invalid_mfa_token"       // 400, mfa_token unknown, expired, used, out of attempts or bound to another device or delivery
	CodeInvalidMFACode    = "invalid_mfa_code"        // 400, wrong TOTP or recovery code (counted toward the brute-force limits)
	CodeMFARequired       = "mfa_required"            // 403, password right, second factor due: the answer carries mfa_token and methods
	CodeMFAEnrollRequired = "mfa_enrollment_required" // 403, a policy requires a second factor this account has not enrolled
	CodeStepUpRequired    = "step_up_required"        // 403, the action needs a second factor proven in the last few minutes
)
