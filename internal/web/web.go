package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/token"
)

//go:embed templates/*.html static/pages.css static/passkey.js messages/*.json
var files embed.FS

// Options are what the pages are built from.
type Options struct {
	Auth *auth.Service
	// Refresher derives the form tokens; the pages never hold the secret.
	Refresher *token.Refresher
	Config    config.Config
	Logger    *slog.Logger
}

// Pages are the hosted pages, ready to mount. They are safe for
// concurrent use.
type Pages struct {
	auth      *auth.Service
	refresher *token.Refresher
	cfg       config.Config
	log       *slog.Logger
	msg       catalog
	views     map[string]*template.Template
	brand     Brand
	css       []byte
	cssPath   string
	csp       string
	cookies   cookieNames
	// now is the auth service's clock, which tests set.
	now func() time.Time
	// js and jsPath are the sign-in page's passkey script and its URL.
	js     []byte
	jsPath string
}

// views are the templates under templates/, each parsed over layout.html.
var views = []string{"signin", "signedin", "signup", "forgot", "reset", "verify", "notice", "error", "consent", "oautherror", "logout",
	"confirm", "account", "admin_overview", "admin_users", "admin_user", "admin_clients", "admin_client", "admin_audit", "admin_keys", "mfa"}

// New parses every template and the stylesheet once; a broken one stops
// the server from starting instead of failing a request later.
func New(o Options) (*Pages, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	msg, err := loadCatalog(files, "en")
	if err != nil {
		return nil, err
	}
	p := &Pages{
		auth: o.Auth, refresher: o.Refresher, cfg: o.Config, log: o.Logger, msg: msg,
		views:   map[string]*template.Template{},
		brand:   Brand{Name: o.Config.BrandName, LogoURL: o.Config.BrandLogoURL},
		cookies: newCookieNames(o.Config.CookieSecure),
		now:     time.Now,
	}
	if o.Auth != nil {
		p.now = o.Auth.Now
	}
	layout, err := template.New("layout.html").Funcs(p.funcs()).ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	for _, v := range views {
		l, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("pages: %w", err)
		}
		pats := []string{"templates/" + v + ".html"}
		if strings.HasPrefix(v, "admin_") {
			pats = append(pats, "templates/admin_parts.html")
		}
		if p.views[v], err = l.ParseFS(files, pats...); err != nil {
			return nil, fmt.Errorf("pages: %w", err)
		}
	}
	pal, err := newPalette(o.Config.BrandColor)
	if err != nil {
		return nil, err
	}
	src, err := fs.ReadFile(files, "static/pages.css")
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	css, sum, err := stylesheet(string(src), pal)
	if err != nil {
		return nil, err
	}
	p.css, p.cssPath = css, stylePath+"?v="+sum
	if p.js, p.jsPath, err = loadPasskeyScript(); err != nil {
		return nil, err
	}
	p.csp = contentSecurityPolicy(logoOrigin(o.Config.BrandLogoURL))
	return p, nil
}

// stylePath is where the stylesheet is served.
const stylePath = "/static/pages.css"

// contentSecurityPolicy allows styles and images from Tessera itself (and
// images from the logo's origin), no script at all (the sign-in page alone
// adds its passkey script, see withPasskeys), no framing and no <base>.
//
// It deliberately has no form-action: Chromium applies form-action to the
// redirects that follow a form post, and the sign-in form ends in a
// redirect through /oauth/authorize to a client on another site, which a
// form-action of 'self' would block. The forms post only to fixed paths
// on Tessera, and no script or injected markup can run to change that.
func contentSecurityPolicy(logo string) string {
	img := "'self'"
	if logo != "" {
		img += " " + logo
	}
	return "default-src 'none'; style-src 'self'; img-src " + img + "; frame-ancestors 'none'; base-uri 'none'"
}

// Mount adds the pages' routes to r.
func (p *Pages) Mount(r gin.IRoutes) {
	r.GET(stylePath, p.stylesheet)
	r.GET("/signin", p.handle(p.signInPage))
	r.POST("/signin", p.handle(p.signIn))
	r.GET(passkeyScriptPath, p.passkeyScript)
	r.POST("/signin/passkey", p.handle(p.signInPasskey))
	r.GET("/signin/mfa", p.handle(p.mfaPage))
	r.POST("/signin/mfa", p.handle(p.mfaStep))
	r.POST("/signin/mfa/passkey/begin", p.handle(p.mfaPasskeyBegin))
	r.POST("/signin/mfa/passkey", p.handle(p.mfaPasskey))
	r.POST("/signout", p.handle(p.signOut))
	r.GET("/signup", p.handle(p.signUpPage))
	r.POST("/signup", p.handle(p.signUp))
	r.GET("/forgot-password", p.handle(p.forgotPage))
	r.POST("/forgot-password", p.handle(p.forgot))
	r.GET("/reset-password", p.handle(p.resetPage))
	r.POST("/reset-password", p.handle(p.reset))
	r.GET("/verify-email", p.handle(p.verifyPage))
	r.POST("/verify-email", p.handle(p.verify))
	r.GET("/oauth/authorize", p.handle(p.authorize))
	r.POST("/oauth/authorize", p.handle(p.authorizeByPost))
	r.POST("/oauth/consent", p.handle(p.consent))
	r.GET("/oauth/logout", p.handle(p.logout))
	r.POST("/oauth/logout", p.handle(p.confirmLogout))
	p.mountAdmin(r)
	p.mountAccount(r)
}

func (p *Pages) stylesheet(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/css; charset=utf-8", p.css)
}

// maxFormBytes bounds a page's form body; every form is far smaller.
const maxFormBytes = 16 << 10

// handle sets the headers of every page and turns a panic into the error
// page: a page never answers with a stack trace or the API's JSON.
func (p *Pages) handle(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		hd := c.Writer.Header()
		hd.Set("Content-Security-Policy", p.csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		if c.Request.Method == http.MethodPost {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBytes)
		}
		defer func() {
			if v := recover(); v != nil {
				p.internal(c, fmt.Errorf("panic: %v", v))
			}
		}()
		h(c)
	}
}

// page returns the common part of a view, setting the pre-session cookie
// its form token is bound to when the browser has none.
func (p *Pages) page(c *gin.Context) Page {
	return Page{Brand: p.brand, Style: p.cssPath, CSRF: p.formToken(c)}
}

// render writes view with the template name. A template that fails is
// logged and answered with the error page, never half a page.
func (p *Pages) render(c *gin.Context, status int, name string, view any) {
	var b bytes.Buffer
	if err := p.views[name].ExecuteTemplate(&b, "layout.html", view); err != nil {
		p.internal(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// internal logs err with the request id and answers the error page
// carrying it (plain text if even that page fails).
func (p *Pages) internal(c *gin.Context, err error) {
	id := requestID(c)
	p.log.ErrorContext(c.Request.Context(), "page failed", "request_id", id, "path", c.Request.URL.Path, "err", err)
	view := ErrorView{Page: Page{Brand: p.brand, Style: p.cssPath}, RequestID: id}
	var b bytes.Buffer
	if err := p.views["error"].ExecuteTemplate(&b, "layout.html", view); err != nil {
		p.log.ErrorContext(c.Request.Context(), "error page failed", "request_id", id, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error, request id "+id+"\n"))
		return
	}
	c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", b.Bytes())
}

// requestID is the id the router's middleware gave the request, read from
// the response header it set, so this package needs nothing of the
// router's internals.
func requestID(c *gin.Context) string {
	if id := c.Writer.Header().Get("X-Request-ID"); id != "" {
		return id
	}
	return "none"
}

// device describes the caller to the use cases.
func device(c *gin.Context) auth.Device {
	return auth.Device{UserAgent: c.Request.UserAgent(), IP: c.ClientIP()}
}

// capitalized starts a use case's field message with a capital, as a
// sentence under a field.
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
