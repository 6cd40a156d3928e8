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

	mu       sync.Mutex
	requests map[string]int // "POST /v1/auth/refresh" -> count
}

// NewDeployment starts the deployment; mutate (may be nil) changes
// Tessera's configuration after the deployment's own settings.
func NewDeployment(t testing.TB, mutate func(*config.Config)) *Deployment {
	t.Helper()
	s := NewSites(t)
	d := &Deployment{Sites: s, requests: map[string]int{}}
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
	s.Handle(AuthHost, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.requests[r.Method+" "+r.URL.Path]++
		d.mu.Unlock()
		d.Tessera.API.ServeHTTP(w, r)
	}))
	s.Handle(AppHost, d.page("Acme Notes", "#2f6fde", AppHost))
	s.Handle(AdminHost, d.page("Acme Admin", "#7a3fd0", AdminHost))
	s.Handle(EvilHost, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Prize draw</title><p>You won!</p>"))
	}))
	d.API = newAPI(t, s, d.Tessera)
	s.Handle(APIHost, d.API)
	return d
}

// Issuer is Tessera's origin.
func (d *Deployment) Issuer() string { return d.Origin(AuthHost) }

// Requests counts the requests Tessera received for a method and path
// ("POST /v1/auth/refresh").
func (d *Deployment) Requests(methodPath string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.requests[methodPath]
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
