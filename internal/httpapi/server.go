package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/metrics"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 64 << 10

// Options are what the HTTP API is built from.
type Options struct {
	Auth   *auth.Service
	Keys   *keys.Ring
	Store  store.Store // for readiness
	Config config.Config
	Logger *slog.Logger
	// Metrics, when set, observes every request and is served at /metrics.
	Metrics *metrics.Metrics
	// Refresher derives the CSRF value of a session; it is the one auth
	// derives refresh tokens with, so the transport never holds the secret.
	Refresher *token.Refresher
	// Version is the server's version, stamped into the browser client
	// served at /sdk/ ("dev" when empty).
	Version string
	// Mount, when set, adds routes served by another package (the hosted
	// pages) to the router, behind the same middleware.
	Mount func(gin.IRoutes)
	// Limits are the account flows' request limits; pass the same instance
	// to every package that serves those flows (nil: the API's own).
	Limits *AccountLimits
}

// Server is Tessera's HTTP API.
type Server struct {
	auth           *auth.Service
	keys           *keys.Ring
	refresher      *token.Refresher
	store          store.Store
	cfg            config.Config
	log            *slog.Logger
	cookies        cookieNames
	origins        map[string]bool // allowed for CORS and CSRF Origin checks
	authenticators []authenticator
	metrics        *metrics.Metrics
	version        string
	limits         *AccountLimits
	engine         *gin.Engine
}

// New builds the router.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Server{
		auth: o.Auth, keys: o.Keys, refresher: o.Refresher, store: o.Store, cfg: o.Config, log: o.Logger,
		cookies: newCookieNames(o.Config), metrics: o.Metrics, version: o.Version,
		origins: map[string]bool{}, limits: o.Limits,
	}
	if s.limits == nil {
		s.limits = NewAccountLimits()
	}
	if iss, err := url.Parse(o.Config.Issuer); err == nil {
		s.origins[iss.Scheme+"://"+iss.Host] = true
	}
	for _, o := range o.Config.CORSOrigins {
		s.origins[strings.TrimSuffix(o, "/")] = true
	}
	for _, name := range o.Config.Authentication {
		a, err := s.newAuthenticator(name)
		if err != nil {
			return nil, err
		}
		s.authenticators = append(s.authenticators, a)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(o.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.requestID, s.accessLog, gin.CustomRecoveryWithWriter(nil, s.recovered), s.securityHeaders, s.cors, s.oneCredential, s.deadline)
	e.NoRoute(s.notFound)
	e.NoMethod(s.methodNotAllowed)
	s.routes(e)
	if err := s.sdkRoutes(e); err != nil {
		return nil, err
	}
	if o.Mount != nil {
		o.Mount(e)
	}
	s.engine = e
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists every method and path the router serves (for the contract
// test against openapi.yaml).
func (s *Server) Routes() []gin.RouteInfo { return s.engine.Routes() }

func (s *Server) routes(e *gin.Engine) {
	// Probes and caches may ask with HEAD (RFC 9110 s9.3.2); Gin sends
	// the headers and drops the body.
	for path, h := range map[string]gin.HandlerFunc{
		"/healthz": s.healthz, "/readyz": s.readyz,
		jwksPath: s.jwks, "/.well-known/openid-configuration": s.discovery,
	} {
		e.GET(path, h)
		e.HEAD(path, h)
	}
	if s.metrics != nil {
		e.GET("/metrics", gin.WrapH(s.metrics.Handler()))
	}

	v1 := e.Group("/v1/auth")
	v1.POST("/register", s.register)
	v1.POST("/login", s.login)
	v1.POST("/refresh", s.refresh)

	authed := v1.Group("", s.authenticate, s.csrf)
	authed.POST("/logout", s.logout)
	authed.GET("/me", s.me)
	authed.PATCH("/me", s.updateMe)
	authed.GET("/sessions", s.sessions)
	authed.DELETE("/sessions/:id", s.revokeSession)
	authed.GET("/consents", s.consents)
	authed.DELETE("/consents/:client_id", s.withdrawConsent)
	v1.POST("/token", s.obtainToken)
	authed.DELETE("/token", s.revokeToken)

	s.lifecycleRoutes(v1, authed)
	s.passkeyRoutes(v1, authed)
	s.mfaRoutes(v1, authed)
	s.oauthRoutes(e)
	s.adminRoutes(e)
}
