package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// cookieNames are the pages' two cookies. Both are host-only on the issuer
// at Path=/ whatever TESSERA_COOKIE_DOMAIN says, so they take the __Host-
// prefix (dropped only with TESSERA_COOKIE_SECURE=false): a sibling
// subdomain can neither read nor plant them.
type cookieNames struct {
	// form is the pre-session cookie the form tokens are bound to.
	form string
	// sso is the browser's sign-in.
	sso string
	// mfa holds the mfa_token of a sign-in waiting for its second factor.
	mfa    string
	secure bool
}

func newCookieNames(secure bool) cookieNames {
	prefix := "__Host-"
	if !secure {
		prefix = ""
	}
	return cookieNames{form: prefix + "tessera_form", sso: prefix + "tessera_sso", mfa: prefix + "tessera_mfa", secure: secure}
}

// formCookieLen is the length of a form cookie: 256 random bits, base64url.
const formCookieLen = 43

func (p *Pages) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: "/", Secure: p.cookies.secure, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second),
	}
	if maxAge < 0 {
		ck.MaxAge = -1 // Max-Age=0: delete now
	}
	http.SetCookie(c.Writer, ck)
}

// ctxForm holds the pre-session cookie a request's pages are rendered with.
const ctxForm = "tessera.web.form"

// formToken returns the form token of the browser's pre-session cookie,
// setting a new cookie (for the browser session) when it has none.
func (p *Pages) formToken(c *gin.Context) string {
	v := c.GetString(ctxForm)
	if v == "" {
		var err error
		if v, err = c.Cookie(p.cookies.form); err != nil || len(v) != formCookieLen {
			b := make([]byte, 32)
			_, _ = rand.Read(b) // never fails (crypto/rand crashes instead)
			v = base64.RawURLEncoding.EncodeToString(b)
			p.setCookie(c, p.cookies.form, v, 0)
		}
		c.Set(ctxForm, v)
	}
	return p.refresher.FormToken(v)
}

// formOK reports whether a POST carries the form token of its browser's
// pre-session cookie: a page of another site can make the browser post,
// but can neither read the cookie nor set a __Host- one, so it cannot
// send a matching token (login CSRF).
func (p *Pages) formOK(c *gin.Context) bool {
	v, err := c.Cookie(p.cookies.form)
	sent := c.PostForm("csrf_token")
	if err != nil || len(v) != formCookieLen || sent == "" {
		return false
	}
	return hmac.Equal([]byte(sent), []byte(p.refresher.FormToken(v)))
}

// ssoCookie is the browser's sign-in cookie value, or "".
func (p *Pages) ssoCookie(c *gin.Context) string {
	v, _ := c.Cookie(p.cookies.sso)
	return v
}
