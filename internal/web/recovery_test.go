package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
)

// TestSignUp: the page registers with the API's rules (a taken e-mail, a
// weak password) and signs the browser in; under mandatory verification it
// signs nobody in and says to check the inbox.
func TestSignUp(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "taken@example.com")
	b := s.browser(t)
	r := b.submit("/signup", "/signup", url.Values{"email": {"taken@example.com"}, "password": {testPassword}}).Want(t, http.StatusConflict)
	wantText(t, r, `aria-describedby="email-error"`, "An account with this e-mail already exists.", `value="taken@example.com"`)
	r = b.submit("/signup", "/signup", url.Values{"email": {"new@example.com"}, "username": {"neo"}, "password": {"password1234"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="password-error"`, `value="new@example.com"`, `value="neo"`)
	if strings.Contains(string(r.Body), "password1234") {
		t.Error("the page echoes the password")
	}
	r = b.submit("/signup", "/signup", url.Values{"email": {"new@example.com"}, "password": {testPassword}, "return_to": {"/account"}}).Want(t, http.StatusSeeOther)
	if r.Header.Get("Location") != "/account" || cookie(r, "tessera_sso") == nil {
		t.Fatalf("after sign-up: Location %q, cookies %v", r.Header.Get("Location"), r.Cookies())
	}

	m := startSite(t, func(c *config.Config) { c.EmailVerification = "mandatory" })
	mb := m.browser(t)
	r = mb.submit("/signup", "/signup", url.Values{"email": {"ver@example.com"}, "password": {testPassword}}).Want(t, http.StatusOK)
	wantText(t, r, "Check your inbox", "ver@example.com")
	if cookie(r, "tessera_sso") != nil {
		t.Error("a sign-up pending verification signed the browser in")
	}
	r = mb.submit("/signin", "/signin", url.Values{"identifier": {"ver@example.com"}, "password": {testPassword}}).Want(t, http.StatusForbidden)
	wantText(t, r, "Confirm your e-mail address first", `href="/verify-email"`)
	link := m.mailLink(t, "ver@example.com", mail.TemplateVerifyEmail)
	r = mb.get("/verify-email?"+link.RawQuery).Want(t, http.StatusOK)
	wantText(t, r, "Confirm my address")
	mb.submit("/verify-email?"+link.RawQuery, "/verify-email", url.Values{"key": {link.Query().Get("key")}}).Want(t, http.StatusOK)
	mb.signIn("ver@example.com", "")
}

// TestVerifyPageChangesNothingOnGet: opening the link shows a button; only
// the POST confirms (link scanners open links too).
func TestVerifyPageChangesNothingOnGet(t *testing.T) {
	s := startSite(t, func(c *config.Config) { c.EmailVerification = "optional" })
	s.register(t, "ada@example.com")
	link := s.mailLink(t, "ada@example.com", mail.TemplateVerifyEmail)
	b := s.browser(t)
	b.get("/verify-email?"+link.RawQuery).Want(t, http.StatusOK)
	var verified *string
	if err := s.DB.SQL().Get(&verified, `SELECT email_verified_at FROM users`); err != nil || verified != nil {
		t.Fatalf("after GET: verified at %v (%v), want not yet", verified, err)
	}
	r := b.submit("/verify-email", "/verify-email", url.Values{"key": {link.Query().Get("key")}}).Want(t, http.StatusOK)
	wantText(t, r, "Address confirmed")
	if err := s.DB.SQL().Get(&verified, `SELECT email_verified_at FROM users`); err != nil || verified == nil {
		t.Fatalf("after POST: not verified (%v)", err)
	}
	r = b.submit("/verify-email", "/verify-email", url.Values{"key": {link.Query().Get("key")}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `role="alert"`, "This link is invalid, expired or already used.", `name="email"`)
}

// TestForgotAndReset: the reset link from the mail sets a new password on
// the page, which ends the browser's sign-in; a used link is refused with
// a way to ask for a new one.
func TestForgotAndReset(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	for _, addr := range []string{"ada@example.com", "nobody@example.com"} {
		r := b.submit("/forgot-password", "/forgot-password", url.Values{"email": {addr}}).Want(t, http.StatusOK)
		wantText(t, r, "If an account uses "+addr)
	}
	r := b.submit("/forgot-password", "/forgot-password", url.Values{"email": {"not an address"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `aria-describedby="email-error"`, `value="not an address"`)

	link := s.mailLink(t, "ada@example.com", mail.TemplateResetPassword)
	page := "/reset-password?" + link.RawQuery
	form := url.Values{"uid": {link.Query().Get("uid")}, "token": {link.Query().Get("token")}, "password": {"short"}}
	r = b.submit(page, "/reset-password", form).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="password-error"`)
	form.Set("password", "a brand new passphrase")
	r = b.submit(page, "/reset-password", form).Want(t, http.StatusOK)
	wantText(t, r, "Password changed")
	wantText(t, b.get("/signin").Want(t, http.StatusOK), `action="/signin"`) // signed out
	r = b.submit(page, "/reset-password", form).Want(t, http.StatusBadRequest)
	wantText(t, r, "This link is invalid, expired or already used.", `href="/forgot-password"`)
	form = url.Values{"identifier": {"ada@example.com"}, "password": {"a brand new passphrase"}}
	b.submit("/signin", "/signin", form).Want(t, http.StatusSeeOther)
}
