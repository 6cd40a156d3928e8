package web

import (
	"time"

	"github.com/tessera-id/tessera/internal/auth"
)

// Page is what every view carries: the layout reads it.
type Page struct {
	Brand Brand
	// Style is the stylesheet's URL, with a hash of its bytes.
	Style string
	// CSRF is the form token of this browser's pre-session cookie.
	CSRF string
	// Errors are the form's problems, empty on a first render.
	Errors Errors
	// Shell, when set, puts the page in the app shell of a signed-in
	// person (header, sign-out, nav) instead of the sign-in card.
	Shell *Shell
}

// Shell is the frame of a signed-in page: the product name, the person's
// name and a Sign out button at the top, and an optional navigation (a
// left column on a desktop, a bar on top on a phone).
type Shell struct {
	// Who names the signed-in person.
	Who string
	Nav []NavLink
}

// NavLink is one entry of the app shell's navigation; Current marks the
// page shown (aria-current).
type NavLink struct {
	Href, Text string
	Current    bool
}

// ConfirmView asks before a destructive action, on a page of its own.
// Its texts are already translated; Body names exactly what will end.
// The form posts Fields back to Action with confirm=yes (see confirmed);
// when Typed is set, the person must type it into a field first.
type ConfirmView struct {
	Page
	Title, Heading, Body string
	Action               string
	Fields               []HiddenField
	Button               string
	Cancel               string
	Typed, TypedLabel    string
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
	// Reauth asks a signed-in person for the password again, before a
	// sensitive action on a signed-in page.
	Reauth bool
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

// AccountView is the account page of the signed-in person. Each form has
// its own Errors; what was typed is kept (never a password).
type AccountView struct {
	Page
	// Done says what the last action did, already translated.
	Done                string
	Username, Email     string
	FirstName, LastName string
	Verified            bool
	// Pending is the address an e-mail change waits for, or nil.
	Pending   *auth.PendingEmail
	NewEmail  string
	MinLength int
	Devices   []DeviceRow
	// Token is the classic token's status, nil when there is none.
	Token *auth.ClassicTokenStatus
	// NewKey is a classic token key just made, shown in this answer only.
	NewKey string
	Apps   []AppRow

	ProfileErrors, EmailErrors, PasswordErrors, TokenErrors Errors

	// MFA is the Second factors section.
	MFA MFASection
	// Passkeys is the Passkeys section.
	Passkeys PasskeySection
}

// DeviceRow is one of the person's sessions on the account page (and a
// user's page of the console).
type DeviceRow struct {
	ID                      string
	Name, UserAgent, Client string
	IP                      string
	Created, LastUsed       time.Time
	// Current marks this browser's own sign-in; Browser marks a browser
	// sign-in of the hosted pages.
	Current, Browser bool
}

// AppRow is a third-party app the person granted consent to. Scopes are
// already translated.
type AppRow struct {
	ClientID, Name string
	Scopes         []string
	Granted        time.Time
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
