package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
)

// signIn signs b in as email through the page and returns the answer.
func (b *browser) signIn(email, returnTo string) *http.Response {
	b.t.Helper()
	form := url.Values{"identifier": {email}, "password": {testPassword}}
	if returnTo != "" {
		form.Set("return_to", returnTo)
	}
	return b.submit("/signin", "/signin", form).Want(b.t, http.StatusSeeOther).Response
}

// TestSignInCookie: the browser sign-in cookie is host-only, HttpOnly,
// Secure, SameSite=Lax, at Path=/, and lives as long as the session.
func TestSignInCookie(t *testing.T) {
	s := startSite(t, func(c *config.Config) { c.CookieSecure = true; c.CookieDomain = "example.test" })
	s.register(t, "ada@example.com")
	b := s.browser(t)
	page := b.get("/signin").Want(t, http.StatusOK)
	form := cookie(page, "__Host-tessera_form")
	if form == nil || !form.Secure || !form.HttpOnly || form.Path != "/" || form.Domain != "" || form.SameSite != http.SameSiteLaxMode {
		t.Fatalf("form cookie %+v", form)
	}
	r := b.Do("POST", "/signin", url.Values{"identifier": {"ada@example.com"}, "password": {testPassword}, "csrf_token": {token(t, page)}}.Encode(),
		"Content-Type: application/x-www-form-urlencoded", "Cookie: __Host-tessera_form="+form.Value).Want(t, http.StatusSeeOther)
	sso := cookie(r, "__Host-tessera_sso")
	if sso == nil || !sso.Secure || !sso.HttpOnly || sso.Path != "/" || sso.Domain != "" || sso.SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in cookie %+v", sso)
	}
	if want := int(config.Default().SessionMaxTTL / time.Second); sso.MaxAge < want-5 || sso.MaxAge > want {
		t.Errorf("sign-in cookie Max-Age %d, want about %d", sso.MaxAge, want)
	}
}

// TestSignInSession: signing in on the page makes an sso session that the
// signed-in page shows, the API lists among the user's devices and can
// revoke, and the revocation feed then names.
func TestSignInSession(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	if r := b.signIn("ada@example.com", ""); r.Header.Get("Location") != "/signin" {
		t.Fatalf("Location %q, want the signed-in page", r.Header.Get("Location"))
	}
	wantText(t, b.get("/signin").Want(t, http.StatusOK), "You are signed in", "Signed in as ada@example.com.")

	var sid, amr string
	var authTime *string
	if err := s.DB.SQL().QueryRow(`SELECT id, amr, auth_time FROM sessions WHERE kind = 'sso'`).Scan(&sid, &amr, &authTime); err != nil {
		t.Fatal(err)
	}
	if amr != `["pwd"]` || authTime == nil {
		t.Errorf("stored amr %s, auth_time %v", amr, authTime)
	}

	api := s.NewClient(t)
	login := api.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword}).Want(t, http.StatusOK)
	bearer := "Authorization: Bearer " + login.Str("access_token")
	list := api.Do("GET", "/v1/auth/sessions", nil, bearer).Want(t, http.StatusOK)
	var kinds []string
	for _, d := range list.JSON()["sessions"].([]any) {
		if m := d.(map[string]any); m["id"] == sid {
			kinds = append(kinds, m["kind"].(string))
		}
	}
	if !slices.Equal(kinds, []string{"sso"}) {
		t.Fatalf("devices %s: the browser sign-in is not listed once as sso", list.Body)
	}
	api.Do("DELETE", "/v1/auth/sessions/"+sid, nil, bearer).Want(t, http.StatusNoContent)
	r := b.get("/signin").Want(t, http.StatusOK)
	wantText(t, r, `action="/signin"`)
	feed := api.Do("GET", "/v1/revocations", nil).Want(t, http.StatusOK)
	wantText(t, feed, sid)
}

// TestSignOut: POST /signout with its token ends the sign-in and clears
// the cookie.
func TestSignOut(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	page := b.get("/signin").Want(t, http.StatusOK)
	r := b.post("/signout", url.Values{"csrf_token": {token(t, page)}}).Want(t, http.StatusSeeOther)
	if c := cookie(r, "tessera_sso"); c == nil || c.MaxAge >= 0 {
		t.Errorf("sign-out cookie %+v, want it deleted", c)
	}
	var reason string
	if err := s.DB.SQL().Get(&reason, `SELECT revoked_reason FROM sessions WHERE kind = 'sso'`); err != nil || reason != "logout" {
		t.Errorf("revoked_reason %q (%v), want logout", reason, err)
	}
	wantText(t, b.get("/signin").Want(t, http.StatusOK), `action="/signin"`)
}

// TestReturnTo: after signing in the browser goes to return_to only when
// it is a path on Tessera under /oauth/authorize?, /account or /admin; every
// hostile form goes to the neutral signed-in page instead.
func TestReturnTo(t *testing.T) {
	tests := []struct {
		name, returnTo, want string
	}{
		{"authorize", "/oauth/authorize?client_id=default&state=x%2Fy", "/oauth/authorize?client_id=default&state=x%2Fy"},
		{"account", "/account", "/account"},
		{"account page", "/account/devices", "/account/devices"},
		{"console page", "/admin/users?q=ada", "/admin/users?q=ada"},
		{"console look-alike", "/administrator", "/signin"},
		{"none", "", "/signin"},
		{"scheme-relative", "//evil.example", "/signin"},
		{"scheme-relative to authorize", "//evil.example/oauth/authorize?x=1", "/signin"},
		{"backslash", `/\evil.example`, "/signin"},
		{"backslash after the prefix", `/account\..\..\evil`, "/signin"},
		{"absolute URL", "https://evil.example", "/signin"},
		{"absolute URL of the issuer's path", "https://evil.example/oauth/authorize?x=1", "/signin"},
		{"encoded slashes", "/%2F%2Fevil", "/signin"},
		{"encoded slashes after the prefix", "/account/%2F%2Fevil", "/signin"},
		{"dot segments", "/account/../..//evil.example", "/signin"},
		{"javascript", "javascript:alert(1)", "/signin"},
		{"tab in the host", "/\t/evil.example", "/signin"},
		{"authorize without a query", "/oauth/authorize", "/signin"},
		{"other path", "/v1/auth/me", "/signin"},
		{"prefix look-alike", "/accounts.evil", "/signin"},
		{"fragment", "/account#@evil.example", "/signin"},
	}
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.browser(t).signIn("ada@example.com", tt.returnTo)
			if got := r.Header.Get("Location"); got != tt.want {
				t.Errorf("return_to %q: Location %q, want %q", tt.returnTo, got, tt.want)
			}
		})
	}
}

// TestLogoutWithoutHintAsks: a logout link with no id_token_hint could come
// from any site, so with a live sign-in it only shows the question; the
// sign-in ends on the question's POST with its form token, not before,
// and not from a forged POST (a POST with no form token at all is a logout
// request, and asks). Without a sign-in there is nothing to ask.
func TestLogoutWithoutHintAsks(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	alive := func() int {
		t.Helper()
		var n int
		if err := s.DB.SQL().Get(&n, `SELECT count(*) FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	page := b.get("/oauth/logout").Want(t, http.StatusOK)
	wantText(t, page, "Sign out?", `action="/oauth/logout"`, "Stay signed in")
	if alive() != 1 {
		t.Fatal("a GET without id_token_hint ended the sign-in")
	}
	// A POST without the form token is a logout request sent by POST, no
	// answer: it asks again.
	wantText(t, b.post("/oauth/logout", url.Values{}).Want(t, http.StatusOK), "Sign out?")
	b.post("/oauth/logout", url.Values{"csrf_token": {"forged"}}).Want(t, http.StatusForbidden)
	b.post("/oauth/logout", url.Values{"csrf_token": {""}}).Want(t, http.StatusForbidden)
	if alive() != 1 {
		t.Fatal("a forged POST ended the sign-in")
	}
	wantText(t, b.post("/oauth/logout", url.Values{"csrf_token": {token(t, page)}}).Want(t, http.StatusOK), "You are signed out")
	if alive() != 0 {
		t.Fatal("the confirmed logout left the sign-in alive")
	}
	wantText(t, s.browser(t).get("/oauth/logout").Want(t, http.StatusOK), "You are signed out")
}

// TestSignInAgain: a signed-in browser sent back to the sign-in page by a
// signed-in page is asked for its password again, its account filled in
// (never from the URL); the new sign-in replaces the old one, which ends,
// so the person's devices do not fill with sign-ins nothing can reach.
func TestSignInAgain(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	var first string
	if err := s.DB.SQL().Get(&first, `SELECT id FROM sessions WHERE kind = 'sso'`); err != nil {
		t.Fatal(err)
	}
	page := b.get("/signin?return_to=%2Faccount&login_hint=eve%40example.com").Want(t, http.StatusOK)
	wantText(t, page, "Confirm it is you", `value="ada@example.com"`, `name="return_to" value="/account"`)
	if r := b.signIn("ada@example.com", "/account"); r.Header.Get("Location") != "/account" {
		t.Fatalf("Location %q, want /account", r.Header.Get("Location"))
	}
	var live []string
	if err := s.DB.SQL().Select(&live, `SELECT id FROM sessions WHERE kind = 'sso' AND revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || live[0] == first {
		t.Fatalf("live sign-ins %v, want one new one replacing %s", live, first)
	}
	var reason string
	if err := s.DB.SQL().Get(&reason, s.DB.SQL().Rebind(`SELECT revoked_reason FROM sessions WHERE id = ?`), first); err != nil || reason != "logout" {
		t.Errorf("the replaced sign-in ended with %q (%v), want logout", reason, err)
	}

	// Not signed in, the same link is the plain sign-in page.
	wantText(t, s.browser(t).get("/signin?return_to=%2Faccount").Want(t, http.StatusOK), "Sign in")
	if strings.Contains(string(s.browser(t).get("/signin?return_to=%2Faccount").Body), "Confirm it is you") {
		t.Error("a browser without a sign-in is asked to confirm")
	}
}
