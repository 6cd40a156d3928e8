package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// The hosted pages answer HTML and CSS, checked as the plain strings the
// contract says.
func init() {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/css", openapi3filter.PlainBodyDecoder)
}

// inputValue returns the value of the form field name in an HTML page.
func inputValue(body []byte, name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// pagesContractWalk walks the hosted pages: every form with and without its
// token, the browser sign-in and its end.
func pagesContractWalk(t *testing.T) *contractWalk {
	ts := servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) { c.LoginMaxFailures = 2 })
	w := newContractWalk(t, ts)
	form := "Content-Type: application/x-www-form-urlencoded"
	jar := "Cookie: __Host-tessera_form={form}"
	signedIn := "Cookie: __Host-tessera_form={form}; __Host-tessera_sso={sso}"
	t.Run("pages", func(t *testing.T) {
		w.run(t, []contractStep{
			{name: "stylesheet", method: "GET", path: "/static/pages.css", status: 200},
			{name: "sign-in page", method: "GET", path: "/signin?return_to=%2Foauth%2Fauthorize%3Fclient_id%3Ddefault", status: 200,
				save: map[string]string{"form": "cookie:__Host-tessera_form", "tok": "input:csrf_token"}},
			{name: "sign-up page", method: "GET", path: "/signup", headers: []string{jar}, status: 200},
			{name: "sign up", method: "POST", path: "/signup", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada%40example.com&password=" + contractPassword, status: 303},
			{name: "sign up taken", method: "POST", path: "/signup", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada%40example.com&password=" + contractPassword, status: 409},
			{name: "sign up weak password", method: "POST", path: "/signup", headers: []string{form, jar}, body: "csrf_token={tok}&email=b%40example.com&password=short", status: 400},
			{name: "sign up without token", method: "POST", path: "/signup", headers: []string{form, jar}, body: "csrf_token=&email=c%40example.com", status: 403, offSpec: true},
			{name: "sign in wrong password", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=ada%40example.com&password=wrong", status: 400},
			{name: "sign in without token", method: "POST", path: "/signin", headers: []string{form}, body: "identifier=ada%40example.com&password=" + contractPassword, status: 403, offSpec: true},
			{name: "sign in", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=ada%40example.com&password=" + contractPassword + "&return_to=%2Faccount",
				status: 303, save: map[string]string{"sso": "cookie:__Host-tessera_sso"}},
			{name: "signed-in page", method: "GET", path: "/signin", headers: []string{signedIn}, status: 200},
			{name: "authorize unknown client", method: "GET", path: "/oauth/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", headers: []string{signedIn}, status: 400},
			{name: "authorize by POST", method: "POST", path: "/oauth/authorize", headers: []string{form, signedIn}, body: "response_type=code&client_id=nobody", status: 303},
			{name: "authorize by POST, too large", method: "POST", path: "/oauth/authorize", headers: []string{form, signedIn}, body: "state=" + strings.Repeat("s", 20<<10), status: 400},
			{name: "consent without token", method: "POST", path: "/oauth/consent", headers: []string{form, signedIn}, body: "csrf_token=&return_to=%2Foauth%2Fauthorize%3Fclient_id%3Ddefault&decision=allow", status: 403, offSpec: true},
			{name: "logout bad hint", method: "GET", path: "/oauth/logout?id_token_hint=x.y.z", headers: []string{signedIn}, status: 400},
			{name: "logout question", method: "GET", path: "/oauth/logout", headers: []string{signedIn}, status: 200},
			{name: "logout request by POST", method: "POST", path: "/oauth/logout", headers: []string{form, signedIn}, body: "state=s1", status: 200},
			{name: "logout answer without token", method: "POST", path: "/oauth/logout", headers: []string{form, signedIn}, body: "csrf_token=", status: 403, offSpec: true},
			{name: "logout answer with a forged token", method: "POST", path: "/oauth/logout", headers: []string{form, signedIn}, body: "csrf_token=forged", status: 403},
			{name: "sign out without token", method: "POST", path: "/signout", headers: []string{form, signedIn}, body: "csrf_token=", status: 403, offSpec: true},
			{name: "sign out", method: "POST", path: "/signout", headers: []string{form, signedIn}, body: "csrf_token={tok}", status: 303},
			{name: "logout signed out", method: "GET", path: "/oauth/logout", headers: []string{jar}, status: 200},
			{name: "sign in wrong password again", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=ada%40example.com&password=wrong", status: 400},
			{name: "sign in wrong password a third time", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=ada%40example.com&password=wrong", status: 400},
			{name: "sign in locked", method: "POST", path: "/signin", headers: []string{form, jar}, body: "csrf_token={tok}&identifier=ada%40example.com&password=" + contractPassword, status: 429},
			{name: "forgot page", method: "GET", path: "/forgot-password", status: 200},
			{name: "forgot", method: "POST", path: "/forgot-password", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada%40example.com", status: 200},
			{name: "forgot malformed", method: "POST", path: "/forgot-password", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada", status: 400},
			{name: "forgot without token", method: "POST", path: "/forgot-password", headers: []string{form}, body: "email=ada%40example.com", status: 403, offSpec: true},
			{name: "reset page", method: "GET", path: "/reset-password?uid=x&token=y", status: 200},
			{name: "reset bad link", method: "POST", path: "/reset-password", headers: []string{form, jar}, body: "csrf_token={tok}&uid=x&token=y&password=" + contractPassword, status: 400},
			{name: "reset without token", method: "POST", path: "/reset-password", headers: []string{form}, body: "uid=x&token=y", status: 403, offSpec: true},
			{name: "verify page", method: "GET", path: "/verify-email?key=k", status: 200},
			{name: "verify bad key", method: "POST", path: "/verify-email", headers: []string{form, jar}, body: "csrf_token={tok}&key=nope", status: 400},
			{name: "verify resend", method: "POST", path: "/verify-email", headers: []string{form, jar}, body: "csrf_token={tok}&email=ada%40example.com", status: 200},
			{name: "verify without token", method: "POST", path: "/verify-email", headers: []string{form}, body: "key=nope", status: 403, offSpec: true},
		})
	})
	return w
}
