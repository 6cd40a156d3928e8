package browsertest

import (
	_ "embed"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// Host names of the deployment.
const (
	AuthHost  = "auth.tessera.test"
	AppHost   = "app.tessera.test"
	AdminHost = "admin.tessera.test"
	APIHost   = "api.tessera.test"
	EvilHost  = "evil.test"
	// CookieDomain is the deployment's TESSERA_COOKIE_DOMAIN.
	CookieDomain = "tessera.test"
)

//go:embed frontend.html
var frontendPage string

// Deployment is Tessera as front-ends meet it in production: Tessera on
// auth.tessera.test with TESSERA_COOKIE_DOMAIN=tessera.test, two
// front-ends (static pages importing /sdk/tessera.js) on app. and admin.,
// a resource server on api. verifying offline, and evil.test, a site of
// someone else. Tessera runs on SQLite with a clock the test moves.
type Deployment struct {
	*Sites
	Tessera *servertest.TestServer
	API     *API

	mu   sync.Mutex
	seen []Request
}

// Request is what Tessera or the API received: enough to tell where a
// request came from and whether the user's cookies came with it.
type Request struct {
	Host, Method, Path, Origin string
	Cookies                    []string // names
}

// NewDeployment starts the deployment; mutate (may be nil) changes
// Tessera's configuration after the deployment's own settings.
func NewDeployment(t testing.TB, mutate func(*config.Config)) *Deployment {
	t.Helper()
	s := NewSites(t)
	d := &Deployment{Sites: s}
	d.Tessera = servertest.Start(t, sqltest.NewSQLite(t), func(c *config.Config) {
		c.Issuer = s.Origin(AuthHost)
		c.CookieDomain = CookieDomain
		c.CookieSecure = true
		c.CORSOrigins = []string{s.Origin(AppHost), s.Origin(AdminHost)}
		c.Audience = []string{s.Origin(APIHost)}
		if mutate != nil {
			mutate(c)
		}
	})
	s.Handle(AuthHost, d.record(d.Tessera.API))
	s.Handle(AppHost, d.page("Acme Notes", "#2f6fde", AppHost))
	s.Handle(AdminHost, d.page("Acme Admin", "#7a3fd0", AdminHost))
	s.Handle(EvilHost, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Prize draw</title><p>You won!</p>"))
	}))
	d.API = newAPI(t, s, d.Tessera)
	s.Handle(APIHost, d.record(d.API))
	return d
}

// Issuer is Tessera's origin.
func (d *Deployment) Issuer() string { return d.Origin(AuthHost) }

// Requests counts the requests Tessera received for a method and path
// ("POST /v1/auth/refresh").
func (d *Deployment) Requests(methodPath string) int {
	n := 0
	for _, r := range d.Seen() {
		if r.Host == AuthHost && r.Method+" "+r.Path == methodPath {
			n++
		}
	}
	return n
}

// Seen lists every request Tessera and the API received, in order.
func (d *Deployment) Seen() []Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Request(nil), d.seen...)
}

func (d *Deployment) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := Request{Host: strings.Split(r.Host, ":")[0], Method: r.Method, Path: r.URL.Path, Origin: r.Header.Get("Origin")}
		for _, c := range r.Cookies() {
			rec.Cookies = append(rec.Cookies, c.Name)
		}
		d.mu.Lock()
		d.seen = append(d.seen, rec)
		d.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// page serves the test front-end at / (and a 404 elsewhere).
func (d *Deployment) page(title, accent, host string) http.Handler {
	var once sync.Once
	var body []byte
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		once.Do(func() {
			body = []byte(strings.NewReplacer(
				"{{TITLE}}", title, "{{ACCENT}}", accent, "{{ISSUER}}", d.Issuer(),
				"{{ORIGIN}}", d.Origin(host), "{{API}}", d.Origin(APIHost),
			).Replace(frontendPage))
		})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}
