package web

import (
	"crypto/hmac"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// The pages of a signed-in person (the account page, the console) share
// one guard, one form check and one freshness rule:
//
//   - signedInPage: a GET without a browser sign-in is sent (303) to the
//     sign-in page with return_to, and comes back after signing in.
//   - signedInAction: a POST is refused (403) when it comes from another
//     site (Origin, Sec-Fetch-Site) or lacks the form token of this very
//     sign-in, before anything else is read; a sensitive one whose sign-in
//     is older than TESSERA_REAUTH_MAX_AGE goes to the sign-in page, which
//     asks for the password again and returns to the page.
//
// The handlers they wrap receive the sign-in and never check it again.

// signedInHandler is the handler of a signed-in page or action.
type signedInHandler func(c *gin.Context, b *auth.BrowserSignIn)

// backFunc names the page an action belongs to: where the browser returns
// after signing in again, and where a confirmation's Cancel leads. It must
// give a path safeReturn accepts.
type backFunc func(c *gin.Context) string

// backTo is a backFunc of a fixed page.
func backTo(path string) backFunc { return func(*gin.Context) string { return path } }

// freshness says whether an action needs a recent sign-in.
type freshness bool

const (
	// anyAge: the action needs a sign-in of any age.
	anyAge freshness = false
	// recent: the action needs a sign-in younger than TESSERA_REAUTH_MAX_AGE
	// (revoking, rotating, deleting, changing an address).
	recent freshness = true
)

// signedInPage wraps the GET handler of a page that needs a signed-in
// person.
func (p *Pages) signedInPage(h signedInHandler) gin.HandlerFunc {
	return p.handle(func(c *gin.Context) {
		if b := p.signedIn(c, c.Request.URL.RequestURI()); b != nil {
			h(c, b)
		}
	})
}

// signedInAction wraps the POST handler of a signed-in page's form: the
// origin and the form token are checked first, then the sign-in's age
// when fresh is recent. back is the page the form sits on.
func (p *Pages) signedInAction(back backFunc, fresh freshness, h signedInHandler) gin.HandlerFunc {
	return p.handle(func(c *gin.Context) {
		page := back(c)
		if !sameOrigin(c, p.cfg.Issuer) {
			p.refuse(c, page)
			return
		}
		b := p.signedIn(c, page)
		if b == nil {
			return
		}
		if !p.signedInFormOK(c, b) {
			p.refuse(c, page)
			return
		}
		if fresh == recent && !p.fresh(b) {
			p.askPassword(c, page)
			return
		}
		h(c, b)
	})
}

// signedIn returns the browser's sign-in, or sends the browser to the
// sign-in page (to come back to back) and returns nil.
func (p *Pages) signedIn(c *gin.Context, back string) *auth.BrowserSignIn {
	b, err := p.auth.BrowserSession(c.Request.Context(), p.ssoCookie(c))
	if err != nil {
		p.internal(c, err)
		return nil
	}
	if b == nil {
		p.askPassword(c, back)
	}
	return b
}

// askPassword sends the browser to the sign-in page, to come back to back.
// A browser that is signed in is asked for its password again there.
func (p *Pages) askPassword(c *gin.Context, back string) {
	dest := "/signin"
	if back = safeReturn(back); back != "" {
		dest += "?return_to=" + url.QueryEscape(back)
	}
	// Without a body: net/http would add a link to a GET's redirect.
	c.Header("Location", dest)
	c.Status(http.StatusSeeOther)
	c.Writer.WriteHeaderNow()
}

// fresh reports whether b signed in (with a password) less than
// TESSERA_REAUTH_MAX_AGE ago.
func (p *Pages) fresh(b *auth.BrowserSignIn) bool {
	if b.Session.AuthTime == nil {
		return false
	}
	return p.auth.Now().Sub(*b.Session.AuthTime) <= p.cfg.ReauthMaxAge
}

// signedInToken is the form token of the pages of sign-in b.
func (p *Pages) signedInToken(b *auth.BrowserSignIn) string {
	return p.refresher.SignedInFormToken(b.Session.ID)
}

// signedInFormOK reports whether a POST carries the form token of sign-in
// b. Another site can make the browser post, but cannot read the page the
// token is in, and a token of another (or an ended) sign-in never matches.
func (p *Pages) signedInFormOK(c *gin.Context, b *auth.BrowserSignIn) bool {
	sent := c.PostForm("csrf_token")
	return sent != "" && hmac.Equal([]byte(sent), []byte(p.signedInToken(b)))
}

// sameOrigin reports whether a POST may come from Tessera's own pages.
// Browsers mark every form post with Sec-Fetch-Site, which no page can
// forge: when it is sent it must say same-origin (or none, a request the
// person made themselves), so a post from another site, even a sibling
// subdomain that SameSite=Lax lets through, is refused. An Origin header
// must then be the issuer's origin, or "null", which is what a browser
// sends from a page of our own under Referrer-Policy: no-referrer. A
// browser too old for Sec-Fetch-Site must send the issuer's origin or
// none at all.
func sameOrigin(c *gin.Context, issuer string) bool {
	o := c.GetHeader("Origin")
	switch c.GetHeader("Sec-Fetch-Site") {
	case "same-origin", "none":
		return o == "" || o == "null" || o == originOf(issuer)
	case "":
		return o == "" || o == originOf(issuer)
	}
	return false
}

// originOf is the scheme://host[:port] of an absolute URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// refuse answers a signed-in form that failed its origin or token check:
// 403, and a page leading back to the form's page.
func (p *Pages) refuse(c *gin.Context, back string) {
	if back = safeReturn(back); back == "" {
		back = signedInPath
	}
	p.render(c, http.StatusForbidden, "notice", NoticeView{Page: p.page(c),
		Title: p.msg.text("refused.title"), Heading: p.msg.text("refused.heading"), Body: p.msg.text("form.csrf"),
		LinkHref: back, LinkText: p.msg.text("refused.back")})
}

// shellPage is the common part of a signed-in page: the app shell with
// the person's name, the sign-out button and nav (which may be empty),
// and the form token of sign-in b.
func (p *Pages) shellPage(b *auth.BrowserSignIn, nav ...NavLink) Page {
	return Page{Brand: p.brand, Style: p.cssPath, CSRF: p.signedInToken(b),
		Shell: &Shell{Who: displayName(b), Nav: nav}}
}

// displayName is what the app shell calls the signed-in person.
func displayName(b *auth.BrowserSignIn) string {
	if u := b.User.Username; u != nil && *u != "" {
		return *u
	}
	return b.User.Email
}

// confirmed reports whether a destructive action's POST comes from its
// confirmation page (confirm.html), with the typed text when the page
// asked for one.
func confirmed(c *gin.Context, typed string) bool {
	if c.PostForm("confirm") != "yes" {
		return false
	}
	return typed == "" || c.PostForm("typed") == typed
}

// confirm shows the confirmation page of a destructive action instead of
// doing it; its form posts v.Fields back with confirm=yes.
func (p *Pages) confirm(c *gin.Context, v ConfirmView) {
	p.render(c, http.StatusOK, "confirm", v)
}
