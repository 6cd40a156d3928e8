package browsertest

import (
	"net/http"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
	"github.com/tessera-id/tessera/pkg/jwtverify/ginjwt"
)

// Cookie names with TESSERA_COOKIE_DOMAIN set.
const (
	AccessCookie = "__Secure-tessera_access"
	CSRFCookie   = "__Secure-tessera_csrf"
)

// API is the resource server on api.tessera.test, written as a team using
// Tessera would: pkg/jwtverify/ginjwt reading the access cookie, its CSRF
// double submit on unsafe methods, CORS for the two front-ends. It never
// asks Tessera about a request: it fetches discovery and the JWKS once and
// verifies offline.
type API struct {
	engine *gin.Engine
	mu     sync.Mutex
	asked  []string // paths the API fetched from Tessera
}

func newAPI(t testing.TB, s *Sites, ts *servertest.TestServer) *API {
	a := &API{}
	client := s.Client()
	base := client.Transport
	client.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		a.mu.Lock()
		a.asked = append(a.asked, r.URL.Path)
		a.mu.Unlock()
		return base.RoundTrip(r)
	})
	var (
		once     sync.Once
		verifier *jwtverify.Verifier
		vErr     error
	)
	verify := func(c *gin.Context) {
		once.Do(func() {
			verifier, vErr = jwtverify.FromIssuer(t.Context(), s.Origin(AuthHost),
				jwtverify.WithAudience(s.Origin(APIHost)),
				jwtverify.WithHTTPClient(client), jwtverify.WithClock(ts.Clock.Now))
			if vErr == nil {
				t.Cleanup(func() { _ = verifier.Close() })
			}
		})
		if vErr != nil {
			c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "server_error", "error_description": vErr.Error()})
			return
		}
		ginjwt.Middleware(verifier, ginjwt.WithCookie(AccessCookie))(c)
	}
	origins := map[string]bool{s.Origin(AppHost): true, s.Origin(AdminHost): true}
	e := gin.New()
	e.Use(func(c *gin.Context) { cors(c, origins) })
	g := e.Group("/v1", verify, ginjwt.CSRF(CSRFCookie))
	g.GET("/whoami", func(c *gin.Context) {
		claims, _ := ginjwt.ClaimsFrom(c)
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject, "sid": claims.SessionID})
	})
	g.POST("/notes", func(c *gin.Context) {
		c.JSON(http.StatusCreated, gin.H{"saved": true})
	})
	a.engine = e
	return a
}

// ServeHTTP makes API an http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.engine.ServeHTTP(w, r) }

// Asked lists the paths the API requested from Tessera so far.
func (a *API) Asked() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.asked...)
}

// cors lets the listed origins call with credentials, preflight included.
func cors(c *gin.Context, origins map[string]bool) {
	o := c.GetHeader("Origin")
	c.Header("Vary", "Origin")
	if origins[o] {
		c.Header("Access-Control-Allow-Origin", o)
		c.Header("Access-Control-Allow-Credentials", "true")
	}
	if c.Request.Method == http.MethodOptions {
		if origins[o] {
			c.Header("Access-Control-Allow-Methods", "GET, POST, DELETE")
			c.Header("Access-Control-Allow-Headers", "Content-Type, X-CSRF-Token")
		}
		c.AbortWithStatus(http.StatusNoContent)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
