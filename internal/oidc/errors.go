package oidc

// OAuth 2.0 and OpenID Connect error codes (RFC 6749 s4.1.2.1 and s5.2,
// OpenID Connect Core s3.1.2.6, OpenID Connect Prompt Create s4.1).
const (
	ErrInvalidRequest           = "invalid_request"
	ErrUnauthorizedClient       = "unauthorized_client"
	ErrAccessDenied             = "access_denied"
	ErrUnsupportedResponseType  = "unsupported_response_type"
	ErrInvalidScope             = "invalid_scope"
	ErrServerError              = "server_error"
	ErrTemporarilyUnavailable   = "temporarily_unavailable"
	ErrInvalidClient            = "invalid_client"
	ErrLoginRequired            = "login_required"
	ErrConsentRequired          = "consent_required"
	ErrInteractionRequired      = "interaction_required"
	ErrRequestNotSupported      = "request_not_supported"
	ErrRequestURINotSupported   = "request_uri_not_supported"
	ErrRegistrationNotSupported = "registration_not_supported"
)

// PageError is an error answered to the caller directly and never sent to
// a redirect URI: on Tessera's own error page at the authorization and
// logout endpoints, where the client is unknown or the redirect URI is not
// one of its registered ones, so a redirect could go anywhere (RFC 6749
// s4.1.2.1, RFC 9700 s4.11); as the JSON error at the token endpoint.
type PageError struct {
	Code        string
	Description string
}

func (e *PageError) Error() string { return e.Code + ": " + e.Description }

// RedirectError is an error of an authorization request whose client and
// redirect URI are valid: it is sent back to RedirectURI with State (RFC
// 6749 s4.1.2.1); Location builds that redirect.
type RedirectError struct {
	Code        string
	Description string
	RedirectURI string // validated against the client's registered URIs
	State       string // the request's state, empty when absent or unusable
}

func (e *RedirectError) Error() string { return e.Code + ": " + e.Description }

func pageErr(code, desc string) *PageError { return &PageError{Code: code, Description: desc} }
