package web

// Page is what every view carries: the layout reads it.
type Page struct {
	Brand Brand
	// Style is the stylesheet's URL, with a hash of its bytes.
	Style string
	// CSRF is the form token of this browser's pre-session cookie.
	CSRF string
	// Errors are the form's problems, empty on a first render.
	Errors Errors
}

// Errors are a form's problems: one summary shown above the form (in a
// role="alert" block) and one message per field shown under it.
type Errors struct {
	Summary string
	// SummaryLink, when set, is a path on Tessera the summary offers
	// (such as resending a verification link).
	SummaryLink, SummaryLinkText string
	Fields                       map[string]string
}

// For returns the message of field, or "".
func (e Errors) For(field string) string { return e.Fields[field] }

// Any reports whether there is anything to show.
func (e Errors) Any() bool { return e.Summary != "" || len(e.Fields) > 0 }

// SignInView is the sign-in form.
type SignInView struct {
	Page
	Identifier string
	ReturnTo   string
	// ClientName is the name of the application that asked, looked up by
	// client id; never text from the URL.
	ClientName string
	SignupPath string
	// PasskeyScript is the URL of the passkey button's script; empty when
	// passkeys are off (no button).
	PasskeyScript string
}

// SignedInView is the neutral page of a signed-in browser.
type SignedInView struct {
	Page
	Who string
}

// SignUpView is the registration form.
type SignUpView struct {
	Page
	Email, Username string
	ReturnTo        string
	ClientName      string
	MinLength       int
}

// ForgotView asks for the address to send a reset link to.
type ForgotView struct {
	Page
	Email string
}

// ResetView asks for a new password; UID and Token come from the link.
type ResetView struct {
	Page
	UID, Token string
	MinLength  int
}

// VerifyView confirms an address with the key from the link (Key set) or
// asks for an address to send a new link to.
type VerifyView struct {
	Page
	Key, Email string
}

// NoticeView says that something was done and what to do next. Its texts
// are already translated.
type NoticeView struct {
	Page
	Title, Heading, Body string
	LinkHref, LinkText   string
}

// ErrorView is the error page.
type ErrorView struct {
	Page
	RequestID string
}

// ConsentView asks the user to let a third-party client use the scopes
// it asked for. Scopes are already translated.
type ConsentView struct {
	Page
	ClientName string
	Scopes     []string
	ReturnTo   string
}

// OAuthErrorView is the authorization or logout request that cannot be
// answered with a redirect: the client or redirect URI is unknown.
type OAuthErrorView struct {
	Page
	Code, Description string
}

// HiddenField is one name and value a form carries unchanged.
type HiddenField struct {
	Name, Value string
}

// LogoutView asks whether to sign out, for a logout request that carried
// no id_token_hint.
type LogoutView struct {
	Page
	Params []HiddenField
}

// MFAView is the second step of a sign-in: a code from the authenticator
// app, or (Recovery) a recovery code. Methods are what the pending sign-in
// accepts; OtherPath switches between the two forms.
type MFAView struct {
	Page
	ReturnTo  string
	Recovery  bool
	Methods   []string
	OtherPath string
	// PasskeyScript is the passkey button's script when the pending
	// sign-in accepts a passkey and passkeys are on; PasskeyOnly when
	// nothing else finishes it (no code field then).
	PasskeyScript string
	PasskeyOnly   bool
}

// Offers reports whether the pending sign-in accepts method.
func (v MFAView) Offers(method string) bool {
	for _, m := range v.Methods {
		if m == method {
			return true
		}
	}
	return false
}
