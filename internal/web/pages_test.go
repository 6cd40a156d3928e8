package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
)

// TestPageHeaders: every page carries the exact CSP (no script, no
// framing, no <base>, no form-action) and the other protective headers.
func TestPageHeaders(t *testing.T) {
	const csp = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"
	const cspLogo = "default-src 'none'; style-src 'self'; img-src 'self' https://cdn.acme.example; frame-ancestors 'none'; base-uri 'none'"
	tests := []struct {
		name, logo, want string
	}{
		{"no logo", "", csp},
		{"logo", "https://cdn.acme.example/brand/logo.svg", cspLogo},
	}
	pages := []string{"/signin", "/signup", "/forgot-password", "/reset-password?uid=x&token=y", "/verify-email", "/verify-email?key=k"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSite(t, func(c *config.Config) { c.BrandLogoURL = tt.logo })
			s.register(t, "ada@example.com")
			b := s.browser(t)
			signedIn := s.browser(t)
			signedIn.signIn("ada@example.com", "")
			for _, path := range append(pages, "/account") {
				r := b.get(path)
				if path == "/account" { // the signed-in pages too
					r = signedIn.get(path)
				}
				r.Want(t, http.StatusOK)
				for name, want := range map[string]string{
					"Content-Security-Policy": tt.want, "X-Frame-Options": "DENY", "Cache-Control": "no-store",
					"Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8",
				} {
					if got := r.Header.Get(name); got != want {
						t.Errorf("GET %s: %s = %q, want %q", path, name, got, want)
					}
				}
				if strings.Contains(string(r.Body), "<script") || strings.Contains(string(r.Body), "style=") {
					t.Errorf("GET %s: inline script or style:\n%s", path, r.Body)
				}
			}
		})
	}
}

// TestFormWithoutToken: a POST without its form token, or with the token
// of another browser, is refused with 403 and the form again, and changes
// nothing: a correct password signs nobody in (login CSRF).
func TestFormWithoutToken(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	other := token(t, s.browser(t).get("/signin"))
	forms := []struct {
		path string
		form url.Values
	}{
		{"/signin", url.Values{"identifier": {"ada@example.com"}, "password": {testPassword}}},
		{"/signup", url.Values{"email": {"new@example.com"}, "password": {testPassword}}},
		{"/forgot-password", url.Values{"email": {"ada@example.com"}}},
		{"/reset-password", url.Values{"uid": {"x"}, "token": {"y"}, "password": {testPassword}}},
		{"/verify-email", url.Values{"email": {"ada@example.com"}}},
		{"/signout", url.Values{}},
	}
	for _, f := range forms {
		for _, tok := range []struct{ name, value string }{{"no token", ""}, {"another browser's token", other}} {
			t.Run(f.path+"/"+tok.name, func(t *testing.T) {
				b := s.browser(t)
				b.get("/signin") // the browser has its own pre-session cookie
				f.form.Set("csrf_token", tok.value)
				r := b.post(f.path, f.form).Want(t, http.StatusForbidden)
				wantText(t, r, `role="alert"`, "This form expired or did not come from this page.")
				if cookie(r, "tessera_sso") != nil {
					t.Errorf("a refused form set the sign-in cookie")
				}
				if v := f.form.Get("email"); v != "" {
					wantText(t, r, `value="`+v+`"`)
				}
			})
		}
	}
	var n int
	if err := s.DB.SQL().Get(&n, `SELECT count(*) FROM sessions WHERE kind = 'sso'`); err != nil || n != 0 {
		t.Errorf("%d browser sign-ins after refused forms (%v), want 0", n, err)
	}
	if err := s.DB.SQL().Get(&n, `SELECT count(*) FROM users`); err != nil || n != 1 {
		t.Errorf("%d users after refused forms (%v), want 1", n, err)
	}
}

// TestSignInWrongPassword: the page says so above the form and under the
// password, keeps the e-mail and never echoes the password.
func TestSignInWrongPassword(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	r := b.submit("/signin", "/signin", url.Values{"identifier": {"ada@example.com"}, "password": {"not the password at all"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `role="alert"`, `value="ada@example.com"`, `aria-describedby="password-error"`,
		`<p class="field-error" id="password-error">Incorrect e-mail, username or password.</p>`)
	if strings.Contains(string(r.Body), "not the password at all") {
		t.Error("the page echoes the password")
	}
	r = b.submit("/signin", "/signin", url.Values{"identifier": {""}, "password": {""}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `aria-describedby="identifier-error"`, "Email or username is required", `aria-describedby="password-error"`)
}

// TestSignInRateLimited: past the brute-force limit, even the right
// password gets a message on the page (429, Retry-After), not JSON.
func TestSignInRateLimited(t *testing.T) {
	s := startSite(t, func(c *config.Config) { c.LoginMaxFailures = 2 })
	s.register(t, "ada@example.com")
	b := s.browser(t)
	for range 2 {
		b.submit("/signin", "/signin", url.Values{"identifier": {"ada@example.com"}, "password": {"not the password at all"}}).Want(t, http.StatusBadRequest)
	}
	r := b.submit("/signin", "/signin", url.Values{"identifier": {"ada@example.com"}, "password": {testPassword}}).Want(t, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("Retry-After %q, Content-Type %q", r.Header.Get("Retry-After"), r.Header.Get("Content-Type"))
	}
	wantText(t, r, `role="alert"`, "Too many failed attempts. Try again in 15 minutes", `href="/forgot-password"`, `value="ada@example.com"`)
	if cookie(r, "tessera_sso") != nil {
		t.Error("a refused sign-in set the sign-in cookie")
	}
}

// TestSignInPageNamesTheClient: the page names the application from its
// registered name, found by the client_id inside return_to; an unknown id
// names nothing and no URL text reaches the page.
func TestSignInPageNamesTheClient(t *testing.T) {
	s := startSite(t, nil)
	b := s.browser(t)
	r := b.get("/signin?return_to="+url.QueryEscape("/oauth/authorize?client_id=default&login_hint=ada%40example.com")).Want(t, http.StatusOK)
	wantText(t, r, "to continue to Default", `value="ada@example.com"`)
	r = b.get("/signin?return_to="+url.QueryEscape("/oauth/authorize?client_id=Evil+Corp+Login")).Want(t, http.StatusOK)
	if strings.Contains(string(r.Body), "to continue to") {
		t.Errorf("an unknown client named on the page:\n%s", r.Body)
	}
}
