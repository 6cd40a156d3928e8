package djrestauth

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/httpapi"
)

// Token modes (TESSERA_COMPAT_TOKEN): what login and registration answer.
const (
	// ModeToken answers {"key": ...}, the user's classic token, like
	// dj-rest-auth's default TokenModel.
	ModeToken = "token"
	// ModeJWT answers {"access", "refresh", "user"} like dj-rest-auth with
	// USE_JWT, and serves token/verify/ and token/refresh/.
	ModeJWT = "jwt"
)

// Options are what the routes are built from.
type Options struct {
	Auth *auth.Service
	// Limits must be the instance the API's own account flows spend from,
	// so that these routes are not a second allowance.
	Limits *httpapi.AccountLimits
	// Path is the mount point, starting and ending with "/".
	Path string
	// Mode is ModeToken or ModeJWT.
	Mode string
	// Authentication is the API's authenticators (TESSERA_AUTHENTICATION):
	// "Authorization: Token" is read only when it holds "token", and
	// "Bearer" (jwt mode) only when it holds "bearer", so these routes
	// accept no credential the operator turned off. Nil reads both.
	Authentication []string
	Logger         *slog.Logger
}

// Routes are dj-rest-auth's routes over Tessera's use cases, ready to mount.
// They are safe for concurrent use.
type Routes struct {
	auth   *auth.Service
	limits *httpapi.AccountLimits
	path   string
	jwt    bool
	// token and bearer say which Authorization schemes are read.
	token, bearer bool
	log           *slog.Logger
}

// New returns the routes for o.
func New(o Options) *Routes {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Limits == nil {
		o.Limits = httpapi.NewAccountLimits()
	}
	allowed := func(name string) bool { return o.Authentication == nil || slices.Contains(o.Authentication, name) }
	return &Routes{auth: o.Auth, limits: o.Limits, path: "/" + strings.Trim(o.Path, "/") + "/", jwt: o.Mode == ModeJWT,
		token: allowed("token"), bearer: allowed("bearer"), log: o.Logger}
}

// Mount adds the routes to r, under the configured path and with a
// trailing slash, as dj-rest-auth's URLs are usually written. As in
// dj-rest-auth, token/verify/ and token/refresh/ exist only in jwt mode.
func (h *Routes) Mount(r gin.IRoutes) {
	p := h.path
	r.POST(p+"login/", h.login)
	r.POST(p+"logout/", h.authenticate(false), h.logout)
	r.GET(p+"user/", h.authenticate(true), h.user)
	r.PUT(p+"user/", h.authenticate(true), h.updateUser(false))
	r.PATCH(p+"user/", h.authenticate(true), h.updateUser(true))
	r.POST(p+"password/reset/", h.passwordReset)
	r.POST(p+"password/reset/confirm/", h.passwordResetConfirm)
	r.POST(p+"password/change/", h.authenticate(true), h.passwordChange)
	r.POST(p+"registration/", h.register)
	r.POST(p+"registration/verify-email/", h.verifyEmail)
	r.POST(p+"registration/resend-email/", h.resendEmail)
	if h.jwt {
		r.POST(p+"token/verify/", h.tokenVerify)
		r.POST(p+"token/refresh/", h.tokenRefresh)
	}
}

// device describes the caller for sessions and the audit trail; the
// default client is used, as a dj-rest-auth front-end names none.
func device(c *gin.Context) auth.Device {
	return auth.Device{UserAgent: c.Request.UserAgent(), IP: c.ClientIP()}
}
