package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const (
	codeRedirect  = "https://app.example/cb"
	codeLoggedOut = "https://app.example/bye"
	codeVerifier  = "dBjftJeZ4CVP-mJ92K50s6Gu7Fsyo9ZaaUcHIEvnR3w0"
)

// codeSite is Tessera with a signed-up user, the public first-party
// client "app" and the confidential first-party client "svc" (secret
// svcSecret), both redirecting to codeRedirect, and a browser signed in
// on the hosted page.
type codeSite struct {
	*servertest.TestServer
	browser   *servertest.Client
	svcSecret string
}

func startCodeSite(t *testing.T) *codeSite {
	t.Helper()
	// Plain-http cookies: Go's jar keeps Secure ones away from http://.
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.CookieSecure = false })
	register(t, ts.NewClient(t), "ada@example.com")
	s := &codeSite{TestServer: ts}
	for _, c := range []struct{ id, typ string }{{"app", "public"}, {"svc", "confidential"}} {
		name, first, typ := "App "+c.id, true, c.typ
		_, secret, err := ts.Auth.AdminCreateClient(t.Context(), auth.Actor{}, auth.ClientInput{
			ID: c.id, Name: &name, RedirectURIs: []string{codeRedirect}, FirstParty: &first, Type: &typ,
			PostLogoutRedirectURIs: []string{codeLoggedOut},
		})
		if err != nil {
			t.Fatalf("create client %s: %v", c.id, err)
		}
		if c.id == "svc" {
			s.svcSecret = secret
		}
	}
	s.browser = s.newBrowser(t)
	return s
}

var pageField = regexp.MustCompile(`name="(csrf_token|return_to)" value="([^"]*)"`)

// newBrowser is a cookie jar signed in on the hosted page as
// ada@example.com, following no redirect.
func (s *codeSite) newBrowser(t *testing.T) *servertest.Client {
	t.Helper()
	return s.browserOf(t, "ada@example.com")
}

// browserOf is a cookie jar signed in on the hosted page as the user of
// email, following no redirect.
func (s *codeSite) browserOf(t *testing.T, email string) *servertest.Client {
	t.Helper()
	b := s.NewClient(t)
	b.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page := b.Do("GET", "/signin", nil).Want(t, http.StatusOK)
	f := url.Values{"identifier": {email}, "password": {testPassword}}
	for _, m := range pageField.FindAllSubmatch(page.Body, -1) {
		f.Set(string(m[1]), html.UnescapeString(string(m[2])))
	}
	b.Do("POST", "/signin", f.Encode(), formType).Want(t, http.StatusSeeOther)
	return b
}

// authorizeQuery is an authorization request of client id with PKCE for
// codeVerifier, changed by extra name, value pairs.
func authorizeQuery(id string, extra ...string) url.Values {
	sum := sha256.Sum256([]byte(codeVerifier))
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {codeRedirect},
		"scope": {"openid email"}, "state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// authorize sends the browser's authorization request with raw query and
// returns the query of the redirect to the client.
func (s *codeSite) authorize(t *testing.T, rawQuery string) url.Values {
	t.Helper()
	return s.authorizeIn(t, s.browser, rawQuery)
}

// authorizeIn is authorize in browser b.
func (s *codeSite) authorizeIn(t *testing.T, b *servertest.Client, rawQuery string) url.Values {
	t.Helper()
	r := b.Do("GET", "/oauth/authorize?"+rawQuery, nil).Want(t, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, codeRedirect+"?") {
		t.Fatalf("authorization answered a redirect to %q, want one to the client", loc)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

// code returns a fresh code of client id for codeVerifier.
func (s *codeSite) code(t *testing.T, id string) string {
	t.Helper()
	return s.codeIn(t, s.browser, id)
}

// codeIn is code in browser b.
func (s *codeSite) codeIn(t *testing.T, b *servertest.Client, id string) string {
	t.Helper()
	q := s.authorizeIn(t, b, authorizeQuery(id).Encode())
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	return q.Get("code")
}

// TestTokenEndpointEmptyParameters: a parameter sent without a value
// counts as omitted (RFC 6749 s3.1), so a public client's empty
// client_secret, or an empty client_id next to HTTP Basic, does not make
// the exchange fail.
func TestTokenEndpointEmptyParameters(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	exchange := func(id string, extra ...string) []string {
		return append([]string{"grant_type", "authorization_code", "code", s.code(t, id),
			"redirect_uri", codeRedirect, "code_verifier", codeVerifier}, extra...)
	}
	tests := []struct {
		name    string
		body    string
		headers []string
	}{
		{"public client with an empty client_secret", form(exchange("app", "client_id", "app", "client_secret", "")...), nil},
		{"Basic with an empty client_id", form(exchange("svc", "client_id", "")...), []string{basic("svc", s.svcSecret)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do("POST", "/oauth/token", tt.body, append([]string{formType}, tt.headers...)...).Want(t, http.StatusOK)
			if r.Str("access_token") == "" || r.Str("id_token") == "" {
				t.Fatalf("token response: %s", r.Body)
			}
		})
	}
}

// TestAuthorizeEmptyParameters: an authorization request parameter sent
// without a value counts as omitted (RFC 6749 s3.1): an empty max_age is
// no bad max_age, an empty request or request_uri no request object.
func TestAuthorizeEmptyParameters(t *testing.T) {
	s := startCodeSite(t)
	for _, p := range []string{"max_age", "request", "request_uri", "registration"} {
		t.Run(p, func(t *testing.T) {
			q := s.authorize(t, authorizeQuery("app").Encode()+"&"+p+"=")
			if q.Get("code") == "" || q.Has("error") {
				t.Fatalf("%s= was refused: %v", p, q)
			}
		})
	}
}

// TestAuthorizeByPost: an authorization request sent as a form (OpenID
// Connect Core s3.1.2.1) is sent on to the GET with the same parameters,
// where a signed-in browser gets its code; a form too large to read gets
// the error page and no redirect.
func TestAuthorizeByPost(t *testing.T) {
	s := startCodeSite(t)
	sent := authorizeQuery("app")
	r := s.browser.Do("POST", "/oauth/authorize", sent.Encode(), formType).Want(t, http.StatusSeeOther)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Path != "/oauth/authorize" || loc.Host != "" {
		t.Fatalf("POST went to %q, want the GET of the authorization endpoint", r.Header.Get("Location"))
	}
	if got := loc.Query(); got.Encode() != sent.Encode() {
		t.Fatalf("the GET carries %v, want %v", got, sent)
	}
	if q := s.authorize(t, loc.RawQuery); q.Get("code") == "" || q.Get("state") != "st-1" {
		t.Fatalf("no code after the POST: %v", q)
	}
	big := authorizeQuery("app", "state", strings.Repeat("s", 20<<10)).Encode()
	r = s.browser.Do("POST", "/oauth/authorize", big, formType).Want(t, http.StatusBadRequest)
	if r.Header.Get("Location") != "" {
		t.Fatalf("an unreadable form was redirected to %q", r.Header.Get("Location"))
	}
}

// TestLogoutByPost: the logout endpoint takes a client's request by POST
// as well as by GET (RP-Initiated Logout 1.0 s2): with id_token_hint it
// ends the browser sign-in and goes to the registered
// post_logout_redirect_uri with state; without one, a signed-in browser is
// asked first, as for a GET.
func TestLogoutByPost(t *testing.T) {
	s := startCodeSite(t)
	tok := s.NewClient(t).Do("POST", "/oauth/token", form("grant_type", "authorization_code", "client_id", "app",
		"code", s.code(t, "app"), "redirect_uri", codeRedirect, "code_verifier", codeVerifier), formType).Want(t, http.StatusOK)

	asked := s.browser.Do("POST", "/oauth/logout", form("client_id", "app", "post_logout_redirect_uri", codeLoggedOut), formType).
		Want(t, http.StatusOK)
	if !pageField.Match(asked.Body) {
		t.Fatalf("a POST without id_token_hint did not get the logout question:\n%s", asked.Body)
	}

	r := s.browser.Do("POST", "/oauth/logout", form("id_token_hint", tok.Str("id_token"),
		"post_logout_redirect_uri", codeLoggedOut, "state", "bye-1"), formType).Want(t, http.StatusSeeOther)
	if got, want := r.Header.Get("Location"), codeLoggedOut+"?state=bye-1"; got != want {
		t.Fatalf("logout went to %q, want %q", got, want)
	}
	if q := s.authorize(t, authorizeQuery("app", "prompt", "none").Encode()); q.Get("error") != "login_required" {
		t.Fatalf("the browser is still signed in after logout: %v", q)
	}
}

// TestLogoutHintOfAnotherUser: an id_token_hint issued to another user
// was not meant for this browser's sign-in, so it only asks (RP-Initiated
// Logout 1.0 s2); the answer, which carries the hint through, ends the
// sign-in and goes to the hint's client's registered URI.
func TestLogoutHintOfAnotherUser(t *testing.T) {
	s := startCodeSite(t)
	register(t, s.NewClient(t), "bob@example.com")
	bob := s.browserOf(t, "bob@example.com")
	tok := s.NewClient(t).Do("POST", "/oauth/token", form("grant_type", "authorization_code", "client_id", "app",
		"code", s.codeIn(t, bob, "app"), "redirect_uri", codeRedirect, "code_verifier", codeVerifier), formType).Want(t, http.StatusOK)
	q := url.Values{"id_token_hint": {tok.Str("id_token")}, "post_logout_redirect_uri": {codeLoggedOut}, "state": {"bye-2"}}
	signedIn := func() bool {
		t.Helper()
		return s.authorize(t, authorizeQuery("app", "prompt", "none").Encode()).Get("code") != ""
	}

	asked := s.browser.Do("GET", "/oauth/logout?"+q.Encode(), nil).Want(t, http.StatusOK)
	if !signedIn() {
		t.Fatal("bob's id_token_hint signed ada's browser out without asking")
	}
	f := url.Values{}
	for _, m := range regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`).FindAllSubmatch(asked.Body, -1) {
		f.Set(string(m[1]), html.UnescapeString(string(m[2])))
	}
	if f.Get("csrf_token") == "" || f.Get("id_token_hint") != tok.Str("id_token") {
		t.Fatalf("the question does not carry the form token and the hint: %v", f)
	}
	r := s.browser.Do("POST", "/oauth/logout", f.Encode(), formType).Want(t, http.StatusSeeOther)
	if got, want := r.Header.Get("Location"), codeLoggedOut+"?state=bye-2"; got != want {
		t.Fatalf("the answer went to %q, want %q", got, want)
	}
	if signedIn() {
		t.Fatal("ada's browser is still signed in after she answered")
	}
	// Bob's own hint in bob's browser ends his sign-in without a question.
	r = bob.Do("GET", "/oauth/logout?"+q.Encode(), nil).Want(t, http.StatusFound)
	if got := r.Header.Get("Location"); got != codeLoggedOut+"?state=bye-2" {
		t.Fatalf("bob's logout went to %q", got)
	}
}

// TestUserinfoProfile: with the profile scope, userinfo gives the profile
// claims the ID token carries (OpenID Connect Core s5.3.2: the same
// claims by both routes); without it, none of them.
func TestUserinfoProfile(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	c.Do("PATCH", "/v1/auth/me", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "username": "ada"},
		bearer(login(t, c, "ada@example.com", "laptop"))).Want(t, http.StatusOK)
	for _, tt := range []struct {
		scope string
		want  map[string]any
	}{
		{"openid profile", map[string]any{"given_name": "Ada", "family_name": "Lovelace", "preferred_username": "ada"}},
		{"openid email", map[string]any{"email": "ada@example.com", "email_verified": false}},
	} {
		t.Run(tt.scope, func(t *testing.T) {
			q := s.authorize(t, authorizeQuery("app", "scope", tt.scope).Encode())
			tok := c.Do("POST", "/oauth/token", form("grant_type", "authorization_code", "client_id", "app",
				"code", q.Get("code"), "redirect_uri", codeRedirect, "code_verifier", codeVerifier), formType).Want(t, http.StatusOK)
			ui := c.Do("GET", "/oauth/userinfo", nil, bearer(tok)).Want(t, http.StatusOK)
			var got map[string]any
			if err := json.Unmarshal(ui.Body, &got); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok.Str("id_token"), ".")
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			var id map[string]any
			if err := json.Unmarshal(payload, &id); err != nil {
				t.Fatal(err)
			}
			if got["sub"] != id["sub"] || len(got) != len(tt.want)+1 {
				t.Fatalf("userinfo %v, want sub %v and %v", got, id["sub"], tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v || (k != "email_verified" && id[k] != v) {
					t.Errorf("%s: userinfo %v, ID token %v; want %v in both", k, got[k], id[k], v)
				}
			}
		})
	}
}

// TestUserinfoChallenge: a userinfo request with no credentials gets a
// Bearer challenge without an error code (RFC 6750 s3.1); one with a bad
// token gets error="invalid_token".
func TestUserinfoChallenge(t *testing.T) {
	s := startCodeSite(t)
	c := s.NewClient(t)
	for _, tt := range []struct{ name, header, want string }{
		{"no credentials", "", `Bearer realm="tessera"`},
		{"bad token", "Authorization: Bearer nope", `Bearer realm="tessera", error="invalid_token"`},
		{"another scheme", "Authorization: Basic Zm9vOmJhcg==", `Bearer realm="tessera", error="invalid_token"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.header != "" {
				headers = append(headers, tt.header)
			}
			r := c.Do("GET", "/oauth/userinfo", nil, headers...).WantError(t, http.StatusUnauthorized, "invalid_token")
			if got := r.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != tt.want {
				t.Fatalf("WWW-Authenticate %q, want %q", got, tt.want)
			}
		})
	}
}
