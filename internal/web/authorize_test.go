package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/server/servertest"
)

const (
	appRedirect = "https://app.example/cb"
	verifier    = "dBjftJeZ4CVP-mJ92K50s6Gu7Fsyo9ZaaUcHIEvnR3w0" // 44 characters, RFC 7636 alphabet
)

func challenge(v string) string {
	h := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// addClient registers a public client with appRedirect.
func (s *site) addClient(t *testing.T, id string, firstParty bool) {
	t.Helper()
	name := "App " + id
	if _, _, err := s.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
		ID: id, Name: &name, RedirectURIs: []string{appRedirect}, FirstParty: &firstParty,
	}); err != nil {
		t.Fatalf("create client %s: %v", id, err)
	}
}

// authorizePath is an authorization request of client id with extra
// parameters.
func authorizePath(id string, extra ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {appRedirect},
		"scope": {"openid email"}, "state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/oauth/authorize?" + q.Encode()
}

// location is the parsed Location of a redirect.
func location(t *testing.T, r *http.Response) *url.URL {
	t.Helper()
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil || r.Header.Get("Location") == "" {
		t.Fatalf("%s: no usable Location %q", r.Request.URL, r.Header.Get("Location"))
	}
	return u
}

// wantClientRedirect checks that r sends the browser to the client with
// the given error ("" for a code), the request's state and iss.
func (s *site) wantClientRedirect(t *testing.T, r *http.Response, wantErr string) url.Values {
	t.Helper()
	if r.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", r.StatusCode)
	}
	u := location(t, r)
	if !strings.HasPrefix(u.String(), appRedirect+"?") {
		t.Fatalf("redirect to %s, want the client's %s", u, appRedirect)
	}
	q := u.Query()
	if q.Get("error") != wantErr || q.Get("state") != "st-1" || q.Get("iss") != s.Config.Issuer {
		t.Fatalf("redirect query %v: want error %q, state st-1, iss %s", q, wantErr, s.Config.Issuer)
	}
	if wantErr == "" && len(q.Get("code")) != 43 {
		t.Fatalf("code %q, want 43 characters", q.Get("code"))
	}
	return q
}

// TestAuthorizeErrorPage: an unknown client, or a redirect URI that is not
// character for character a registered one, gets the error page and never
// a redirect.
func TestAuthorizeErrorPage(t *testing.T) {
	s := startSite(t, nil)
	s.addClient(t, "app", true)
	for _, tt := range []struct{ name, path string }{
		{"unknown client", authorizePath("nobody")},
		{"no client", "/oauth/authorize?response_type=code"},
		{"trailing slash", authorizePath("app", "redirect_uri", appRedirect+"/")},
		{"case", authorizePath("app", "redirect_uri", "https://APP.example/cb")},
		{"extra query", authorizePath("app", "redirect_uri", appRedirect+"?x=1")},
		{"fragment", authorizePath("app", "redirect_uri", appRedirect+"#f")},
		{"unregistered", authorizePath("app", "redirect_uri", "https://evil.example/cb")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.browser(t).get(tt.path).Want(t, http.StatusBadRequest)
			if loc := r.Header.Get("Location"); loc != "" {
				t.Fatalf("redirected to %s", loc)
			}
			wantText(t, r, "This sign-in request cannot be completed")
			if r.Header.Get("X-Frame-Options") != "DENY" {
				t.Error("the error page may be framed")
			}
		})
	}
}

// TestAuthorizeSignInThenCode: without a sign-in the browser goes to the
// sign-in page (prompt=none gets login_required, prompt=create the sign-up
// page), comes back after signing in and gets a code with state and iss;
// a signed-in browser gets its code without a page.
func TestAuthorizeSignInThenCode(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	s.addClient(t, "app", true)
	b := s.browser(t)
	s.wantClientRedirect(t, b.get(authorizePath("app", "prompt", "none")).Response, "login_required")
	if u := location(t, b.get(authorizePath("app", "prompt", "create")).Response); u.Path != "/signup" {
		t.Errorf("prompt=create went to %s, want /signup", u)
	}
	// A bad request of a known client with a valid redirect URI is redirected.
	s.wantClientRedirect(t, b.get(authorizePath("app", "code_challenge_method", "plain")).Response, "invalid_request")

	u := location(t, b.get(authorizePath("app")).Want(t, http.StatusFound).Response)
	if u.Path != "/signin" || !strings.HasPrefix(u.Query().Get("return_to"), "/oauth/authorize?") {
		t.Fatalf("sent to %s, want the sign-in page returning here", u)
	}
	back := location(t, b.signIn("ada@example.com", u.Query().Get("return_to")))
	s.wantClientRedirect(t, b.get(back.String()).Response, "")
	// Signed in: the next request gets a code at once, a fresh one.
	q1 := s.wantClientRedirect(t, b.get(authorizePath("app")).Response, "")
	q2 := s.wantClientRedirect(t, b.get(authorizePath("app", "prompt", "none")).Response, "")
	if q1.Get("code") == q2.Get("code") {
		t.Error("two requests got the same code")
	}
}

// TestAuthorizePromptLoginDoesNotLoop: prompt=login (and max_age=0) send a
// signed-in browser to sign in again, once: after that sign-in the request
// is answered with a code.
func TestAuthorizePromptLoginDoesNotLoop(t *testing.T) {
	for _, extra := range [][]string{{"prompt", "login"}, {"max_age", "0"}} {
		t.Run(extra[0], func(t *testing.T) {
			s := startSite(t, nil)
			s.register(t, "ada@example.com")
			s.addClient(t, "app", true)
			b := s.browser(t)
			b.signIn("ada@example.com", "")
			s.Clock.Advance(2 * time.Second)
			u := location(t, b.get(authorizePath("app", extra...)).Want(t, http.StatusFound).Response)
			if u.Path != "/signin" {
				t.Fatalf("signed-in browser with %v sent to %s, want the sign-in page", extra, u)
			}
			s.Clock.Advance(2 * time.Second)
			back := location(t, b.signIn("ada@example.com", u.Query().Get("return_to")))
			s.wantClientRedirect(t, b.get(back.String()).Response, "")
		})
	}
}

// TestAuthorizeConsent: a third-party client needs the user's consent once
// per set of scopes: prompt=none answers consent_required, Deny sends
// access_denied, Allow (with the form token) gives the code and is
// remembered; a forged consent without the token is refused.
func TestAuthorizeConsent(t *testing.T) {
	s := startSite(t, nil)
	s.register(t, "ada@example.com")
	s.addClient(t, "tool", false)
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	s.wantClientRedirect(t, b.get(authorizePath("tool", "prompt", "none")).Response, "consent_required")

	page := b.get(authorizePath("tool")).Want(t, http.StatusOK)
	wantText(t, page, "Allow App tool to use your account?", "Your e-mail address")
	returnTo := inputValue(t, page, "return_to")
	b.post("/oauth/consent", url.Values{"return_to": {returnTo}, "decision": {"allow"}}).Want(t, http.StatusForbidden)
	s.wantClientRedirect(t, b.post("/oauth/consent", url.Values{"return_to": {returnTo}, "decision": {"deny"},
		"csrf_token": {token(t, page)}}).Response, "access_denied")
	s.wantClientRedirect(t, b.get(authorizePath("tool", "prompt", "none")).Response, "consent_required")

	r := b.post("/oauth/consent", url.Values{"return_to": {returnTo}, "decision": {"allow"}, "csrf_token": {token(t, page)}}).Want(t, http.StatusSeeOther)
	s.wantClientRedirect(t, b.get(r.Header.Get("Location")).Response, "")
	s.wantClientRedirect(t, b.get(authorizePath("tool", "prompt", "none")).Response, "")
	// A scope not yet approved asks again.
	b.get(authorizePath("tool", "scope", "openid email offline_access")).Want(t, http.StatusOK)
}

// inputValue is the value of the form field name on a page.
func inputValue(t *testing.T, r *servertest.Response, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no %s field:\n%s", name, r.Body)
	}
	return html.UnescapeString(string(m[1]))
}
