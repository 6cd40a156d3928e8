package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
)

// signedIn is a browser signed in as ada@example.com on a fresh site.
func signedIn(t *testing.T, mutate func(*config.Config)) (*site, *browser) {
	t.Helper()
	s := startSite(t, mutate)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	return s, b
}

// act posts form, with the account page's form token, to action.
func (b *browser) act(action string, form url.Values) *servertest.Response {
	b.t.Helper()
	return b.submit("/account", action, form)
}

// apiLogin logs ada in through the API and returns the answer.
func (s *site) apiLogin(t *testing.T, password string) *servertest.Response {
	t.Helper()
	return s.NewClient(t).Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": password})
}

// liveSessions counts ada's unrevoked sessions.
func (s *site) liveSessions(t *testing.T) int {
	t.Helper()
	var n int
	if err := s.DB.SQL().Get(&n, `SELECT count(*) FROM sessions WHERE revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAccountNeedsSignIn: without a sign-in the page and its forms send
// the browser to the sign-in page, which brings it back; signed in, the
// page is in the app shell with the person's name and Sign out.
func TestAccountNeedsSignIn(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	for _, r := range []*servertest.Response{
		b.get("/account").Want(t, http.StatusSeeOther),
		b.post("/account/devices/others", url.Values{"csrf_token": {"x"}}).Want(t, http.StatusSeeOther),
	} {
		if got := r.Header.Get("Location"); got != "/signin?return_to=%2Faccount" {
			t.Errorf("%s: Location %q, want the sign-in page returning to /account", r.Request.URL.Path, got)
		}
	}
	if got := b.signIn("ada@example.com", "/account").Header.Get("Location"); got != "/account" {
		t.Fatalf("after signing in: Location %q, want /account", got)
	}
	page := b.get("/account").Want(t, http.StatusOK)
	wantText(t, page, "<title>Account · Tessera</title>", `class="topbar"`, `class="who-name">ada@example.com<`,
		`action="/signout"`, "Profile", "Password", "Devices", "Classic token", "Connected apps", "This device")
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	// The shell's Sign out works with the page's token.
	b.post("/signout", url.Values{"csrf_token": {token(t, page)}}).Want(t, http.StatusSeeOther)
	b.get("/account").Want(t, http.StatusSeeOther)
}

// TestAccountFormRefused: a form posted without its token, with the token
// of another sign-in or of the sign-in page, or from another site, is
// refused with 403 before it does anything.
func TestAccountFormRefused(t *testing.T) {
	s, b := signedIn(t, nil)
	other := s.browser(t)
	other.signIn("ada@example.com", "")
	s.apiLogin(t, testPassword).Want(t, http.StatusOK)
	good := token(t, b.get("/account").Want(t, http.StatusOK))
	form := func(tok string) string { return url.Values{"csrf_token": {tok}}.Encode() }
	const ct = "Content-Type: application/x-www-form-urlencoded"
	tests := []struct {
		name    string
		body    string
		headers []string
	}{
		{"no token", "", nil},
		{"forged token", form("forged"), nil},
		{"the sign-in page's token", form(token(t, b.get("/signin?return_to=%2Foauth%2Fauthorize%3Fx").Want(t, http.StatusOK))), nil},
		{"another sign-in's token", form(token(t, other.get("/account").Want(t, http.StatusOK))), nil},
		{"another site", form(good), []string{"Origin: https://evil.example"}},
		{"a sibling subdomain", form(good), []string{"Sec-Fetch-Site: same-site"}},
		{"a cross-site fetch", form(good), []string{"Sec-Fetch-Site: cross-site"}},
		{"an opaque origin", form(good), []string{"Origin: null"}},
	}
	before := s.liveSessions(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.Do("POST", "/account/devices/others", tt.body, append([]string{ct}, tt.headers...)...).Want(t, http.StatusForbidden)
			wantText(t, r, "This request was refused", `href="/account"`)
		})
	}
	if n := s.liveSessions(t); n != before {
		t.Fatalf("%d live sessions after refused posts, want %d", n, before)
	}
	// The same post from the page itself, with its origin, asks first.
	r := b.Do("POST", "/account/devices/others", form(good), ct, "Origin: "+s.URL, "Sec-Fetch-Site: same-origin").Want(t, http.StatusOK)
	wantText(t, r, "Sign out every other device?", `name="confirm" value="yes"`, "Cancel")
}

// TestAccountStaleSignIn: a sensitive action with a sign-in older than
// TESSERA_REAUTH_MAX_AGE asks for the password again, does nothing, and
// works once the person has signed in again.
func TestAccountStaleSignIn(t *testing.T) {
	s, b := signedIn(t, func(c *config.Config) { c.ReauthMaxAge = 5 * time.Minute })
	s.Clock.Advance(5*time.Minute + time.Second)
	r := b.act("/account/token/create", url.Values{}).Want(t, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/signin?return_to=%2Faccount" {
		t.Fatalf("stale sign-in: Location %q, want the sign-in page", got)
	}
	var n int
	if err := s.DB.SQL().Get(&n, `SELECT count(*) FROM auth_tokens`); err != nil || n != 0 {
		t.Fatalf("%d classic tokens (%v) after a refused creation", n, err)
	}
	wantText(t, b.get("/signin?return_to=%2Faccount").Want(t, http.StatusOK), "Confirm it is you", `value="ada@example.com"`)
	b.signIn("ada@example.com", "/account")
	page := b.act("/account/token/create", url.Values{}).Want(t, http.StatusOK)
	wantText(t, page, "Copy it now: it is shown only this once.")

	// Actions that are not sensitive work with an old sign-in.
	s.Clock.Advance(time.Hour)
	b.act("/account/profile", url.Values{"username": {"ada"}}).Want(t, http.StatusSeeOther)
}

var newKey = regexp.MustCompile(`id="new-key" type="text" readonly value="(tsk_[A-Za-z0-9_-]+)"`)

// key is the classic token key shown on page.
func key(t *testing.T, page *servertest.Response) string {
	t.Helper()
	m := newKey.FindSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no new key on the page:\n%s", page.Body)
	}
	return string(m[1])
}

// TestAccountClassicToken: the token is created, rotated and revoked on
// the page through the API's use cases; a key is shown once; the API
// accepts exactly the current key.
func TestAccountClassicToken(t *testing.T) {
	s, b := signedIn(t, nil)
	api := s.NewClient(t)
	me := func(k string) int {
		return api.Do("GET", "/v1/auth/me", nil, "Authorization: Token "+k).StatusCode
	}
	wantText(t, b.get("/account").Want(t, http.StatusOK), "Create a classic token")
	first := key(t, b.act("/account/token/create", url.Values{}).Want(t, http.StatusOK))
	if me(first) != http.StatusOK {
		t.Fatal("the created key is refused by the API")
	}
	again := b.get("/account").Want(t, http.StatusOK)
	if strings.Contains(string(again.Body), first) {
		t.Fatal("the key is shown again on a later page")
	}
	wantText(t, again, first[:10]+"…", "last used", "Rotate")
	// A second create (another tab) shows no key.
	if r := b.act("/account/token/create", url.Values{}).Want(t, http.StatusSeeOther); r.Header.Get("Location") != "/account" {
		t.Errorf("second create: Location %q", r.Header.Get("Location"))
	}

	wantText(t, b.act("/account/token/rotate", url.Values{}).Want(t, http.StatusOK), "Replace your classic token?", "Replace the key")
	if me(first) != http.StatusOK {
		t.Fatal("the confirmation page rotated the key")
	}
	second := key(t, b.act("/account/token/rotate", url.Values{"confirm": {"yes"}}).Want(t, http.StatusOK))
	if second == first || me(first) != http.StatusUnauthorized || me(second) != http.StatusOK {
		t.Fatalf("after rotation: old key %d, new key %d", me(first), me(second))
	}

	wantText(t, b.act("/account/token/revoke", url.Values{}).Want(t, http.StatusOK), "Revoke your classic token?")
	r := b.act("/account/token/revoke", url.Values{"confirm": {"yes"}}).Want(t, http.StatusSeeOther)
	wantText(t, b.get(r.Header.Get("Location")).Want(t, http.StatusOK), "Your classic token is revoked.", "Create a classic token")
	if me(second) != http.StatusUnauthorized {
		t.Fatal("the revoked key still works")
	}
	var events []string
	if err := s.DB.SQL().Select(&events, `SELECT event FROM audit_events WHERE event LIKE 'classic_token%' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(events, ",") != "classic_token_created,classic_token_revoked,classic_token_created,classic_token_revoked" {
		t.Errorf("audit events %v", events)
	}
}

// TestAccountPassword: the password changes through the page with the
// API's rules: a wrong current password is a field error, a short new
// one too; a good change keeps this browser and ends the other devices.
func TestAccountPassword(t *testing.T) {
	s, b := signedIn(t, nil)
	other := s.apiLogin(t, testPassword).Want(t, http.StatusOK).Str("refresh_token")
	const next = "a much newer passphrase"
	r := b.act("/account/password", url.Values{"current_password": {"wrong password here"}, "new_password": {next}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="current_password-error"`, "Please correct the marked fields.")
	r = b.act("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"short"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="new_password-error"`)
	if strings.Contains(string(r.Body), testPassword) {
		t.Fatal("the page echoes a password")
	}
	r = b.act("/account/password", url.Values{"current_password": {testPassword}, "new_password": {next}}).Want(t, http.StatusSeeOther)
	wantText(t, b.get(r.Header.Get("Location")).Want(t, http.StatusOK), "Your password is changed")
	s.apiLogin(t, testPassword).Want(t, http.StatusBadRequest)
	s.apiLogin(t, next).Want(t, http.StatusOK)
	s.NewClient(t).Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": other}).WantError(t, http.StatusBadRequest, "invalid_grant")
}

// TestAccountProfile: the names and the username are saved together through
// the same use case as PATCH /v1/auth/me; a bad name is refused under its
// field, keeping what was typed, and nothing is saved.
func TestAccountProfile(t *testing.T) {
	s, b := signedIn(t, nil)
	r := b.act("/account/profile", url.Values{"first_name": {"A\x07da"}, "last_name": {"Lovelace"}, "username": {"ada"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="first_name-error"`, `value="Lovelace"`, `value="ada"`)
	r = b.act("/account/profile", url.Values{"first_name": {" Ada "}, "last_name": {"Lovelace"}, "username": {"ada"}}).Want(t, http.StatusSeeOther)
	wantText(t, b.get(r.Header.Get("Location")).Want(t, http.StatusOK), "Your profile is saved", `value="Ada"`, `value="Lovelace"`)
	u, err := s.Auth.AdminFindUser(t.Context(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "Ada" || u.LastName != "Lovelace" || u.Username == nil || *u.Username != "ada" {
		t.Fatalf("stored %q %q %v", u.FirstName, u.LastName, u.Username)
	}
	b.act("/account/profile", url.Values{"first_name": {""}, "last_name": {"Lovelace"}, "username": {"ada"}}).Want(t, http.StatusSeeOther)
	if u, _ = s.Auth.AdminFindUser(t.Context(), "ada@example.com"); u.FirstName != "" {
		t.Errorf("an empty first name does not clear it: %q", u.FirstName)
	}
}

// TestAccountEmailChange: an e-mail change asked on the page mails the new
// address, shows the pending state, and changes nothing until the link is
// used.
func TestAccountEmailChange(t *testing.T) {
	s, b := signedIn(t, nil)
	r := b.act("/account/email", url.Values{"new_email": {"ada@new.example"}, "current_password": {"not the password"}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `id="email_password-error"`, `value="ada@new.example"`)
	s.register(t, "eve@example.com")
	r = b.act("/account/email", url.Values{"new_email": {"eve@example.com"}, "current_password": {testPassword}}).Want(t, http.StatusConflict)
	wantText(t, r, `id="new_email-error"`)

	r = b.act("/account/email", url.Values{"new_email": {"ada@new.example"}, "current_password": {testPassword}}).Want(t, http.StatusSeeOther)
	wantText(t, b.get(r.Header.Get("Location")).Want(t, http.StatusOK),
		"Check the inbox of the new address", "Waiting for you to confirm ada@new.example", "The link expires")
	link := s.mailLink(t, "ada@new.example", mail.TemplateChangeEmail)
	bearer := "Authorization: Bearer " + s.apiLogin(t, testPassword).Want(t, http.StatusOK).Str("access_token")
	if got := s.NewClient(t).Do("GET", "/v1/auth/me", nil, bearer).Want(t, http.StatusOK).Str("email"); got != "ada@example.com" {
		t.Fatalf("e-mail %q before the link is used", got)
	}
	b.submit(link.RequestURI(), "/verify-email", url.Values{"key": {link.Query().Get("key")}}).Want(t, http.StatusOK)
	page := b.get("/account").Want(t, http.StatusOK)
	wantText(t, page, "ada@new.example")
	if strings.Contains(string(page.Body), "Waiting for you to confirm") {
		t.Error("the pending state outlives the change")
	}
}

// TestAccountDevices: a device is revoked from the list after its
// confirmation page: its refresh token fails at once, the other device
// keeps working; this browser has no Revoke button and cannot revoke
// itself by a crafted post; Sign out other devices ends the rest.
func TestAccountDevices(t *testing.T) {
	s, b := signedIn(t, nil)
	a := s.apiLogin(t, testPassword).Want(t, http.StatusOK)
	dev := s.apiLogin(t, testPassword).Want(t, http.StatusOK)
	page := b.get("/account").Want(t, http.StatusOK)
	if n, want := strings.Count(string(page.Body), `action="/account/devices/revoke"`), s.liveSessions(t)-1; n != want {
		t.Fatalf("%d Revoke buttons, want %d (one per device but this one)", n, want)
	}
	confirm := b.act("/account/devices/revoke", url.Values{"id": {a.Str("session_id")}}).Want(t, http.StatusOK)
	wantText(t, confirm, "Revoke this device?", "will be signed out at once", `name="id" value="`+a.Str("session_id")+`"`)
	r := b.act("/account/devices/revoke", url.Values{"id": {a.Str("session_id")}, "confirm": {"yes"}}).Want(t, http.StatusSeeOther)
	wantText(t, b.get(r.Header.Get("Location")).Want(t, http.StatusOK), "The device is signed out.")
	api := s.NewClient(t)
	api.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).WantError(t, http.StatusBadRequest, "invalid_grant")
	api.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": dev.Str("refresh_token")}).Want(t, http.StatusOK)

	var sid string
	if err := s.DB.SQL().Get(&sid, `SELECT id FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{sid, a.Str("session_id"), "not-an-id"} {
		b.act("/account/devices/revoke", url.Values{"id": {id}, "confirm": {"yes"}}).Want(t, http.StatusNotFound)
	}
	b.act("/account/devices/others", url.Values{"confirm": {"yes"}}).Want(t, http.StatusSeeOther)
	if n := s.liveSessions(t); n != 1 {
		t.Fatalf("%d live sessions after Sign out other devices, want this browser only", n)
	}
	b.get("/account").Want(t, http.StatusOK)
}

// TestAccountConsentWithdraw: an app the person allowed is listed and its
// access withdrawn on the page: the consent is gone from the API and the
// next authorization asks again.
func TestAccountConsentWithdraw(t *testing.T) {
	s, b := signedIn(t, nil)
	s.addClient(t, "tool", false)
	consent := b.get(authorizePath("tool")).Want(t, http.StatusOK)
	returnTo := regexp.MustCompile(`name="return_to" value="([^"]+)"`).FindSubmatch(consent.Body)
	b.post("/oauth/consent", url.Values{"return_to": {html.UnescapeString(string(returnTo[1]))}, "decision": {"allow"},
		"csrf_token": {token(t, consent)}}).Want(t, http.StatusSeeOther)
	bearer := "Authorization: Bearer " + s.apiLogin(t, testPassword).Want(t, http.StatusOK).Str("access_token")
	list := func() string {
		return string(s.NewClient(t).Do("GET", "/v1/auth/consents", nil, bearer).Want(t, http.StatusOK).Body)
	}
	if !strings.Contains(list(), `"tool"`) {
		t.Fatalf("consent not granted: %s", list())
	}
	wantText(t, b.get("/account").Want(t, http.StatusOK), "App tool", "Withdraw access")
	wantText(t, b.act("/account/apps/withdraw", url.Values{"client_id": {"tool"}}).Want(t, http.StatusOK),
		"App tool will be signed out of your account at once")
	b.act("/account/apps/withdraw", url.Values{"client_id": {"tool"}, "confirm": {"yes"}}).Want(t, http.StatusSeeOther)
	if strings.Contains(list(), `"tool"`) {
		t.Fatalf("consent still listed: %s", list())
	}
	b.act("/account/apps/withdraw", url.Values{"client_id": {"tool"}, "confirm": {"yes"}}).Want(t, http.StatusNotFound)
	wantText(t, b.get(authorizePath("tool")).Want(t, http.StatusOK), "Allow App tool to use your account?")
}
