package web_test

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const testPassword = "correct horse battery staple"

// site is Tessera over SQLite with plain-http cookies (Go's cookie jar
// keeps Secure cookies away from http://127.0.0.1) and an outbox.
type site struct {
	*servertest.TestServer
	outbox *mail.Outbox
}

func startSite(t *testing.T, mutate func(*config.Config)) *site {
	t.Helper()
	return startSiteWith(t, sqltest.NewSQLite(t), mutate)
}

// browser is one browser on the site: a cookie jar, no redirect following.
type browser struct {
	*servertest.Client
	t *testing.T
}

func (s *site) browser(t *testing.T) *browser {
	c := s.NewClient(t)
	c.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{Client: c, t: t}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token is the form token of a page.
func token(t *testing.T, r *servertest.Response) string {
	t.Helper()
	m := csrfField.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s has no csrf_token field:\n%s", r.Request.URL.Path, r.Body)
	}
	return html.UnescapeString(string(m[1]))
}

// get loads a page.
func (b *browser) get(path string) *servertest.Response {
	b.t.Helper()
	return b.Do("GET", path, nil)
}

// post sends a form as the browser would.
func (b *browser) post(path string, form url.Values) *servertest.Response {
	b.t.Helper()
	return b.Do("POST", path, form.Encode(), "Content-Type: application/x-www-form-urlencoded")
}

// submit loads page, fills in its form token and posts form to action.
func (b *browser) submit(page, action string, form url.Values) *servertest.Response {
	b.t.Helper()
	form.Set("csrf_token", token(b.t, b.get(page).Want(b.t, http.StatusOK)))
	return b.post(action, form)
}

// register makes an account through the API.
func (s *site) register(t *testing.T, email string) {
	t.Helper()
	s.NewClient(t).Do("POST", "/v1/auth/register", map[string]any{"email": email, "password": testPassword}).Want(t, http.StatusCreated)
}

// cookie returns the Set-Cookie of name in r, or nil.
func cookie(r *servertest.Response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// wantText fails unless the page's text (entities decoded) contains each.
func wantText(t *testing.T, r *servertest.Response, want ...string) {
	t.Helper()
	body := html.UnescapeString(string(r.Body))
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s %s: page lacks %q:\n%s", r.Request.Method, r.Request.URL.Path, w, body)
		}
	}
}

// mailLink returns the link of the newest mail of the template kind to
// addr (see mail.Outbox.LastOf).
func (s *site) mailLink(t *testing.T, addr, kind string) *url.URL {
	t.Helper()
	s.FlushMail(t)
	m, ok := s.outbox.LastOf(addr, kind)
	if !ok {
		t.Fatalf("no %q mail to %s; outbox: %+v", kind, addr, s.outbox.To(addr))
	}
	raw := regexp.MustCompile(`https?://\S+`).FindString(m.Text)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		t.Fatalf("mail to %s has no link: %v\n%s", addr, errors.Join(err), m.Text)
	}
	return u
}

// stores are the databases a test runs on when it runs on both.
var stores = []struct {
	name string
	open func(testing.TB) *sqlstore.DB
}{{"sqlite", sqltest.NewSQLite}, {"postgres", sqltest.NewPostgres}}
