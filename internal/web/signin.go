package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// safeReturn returns raw when it is a place on Tessera a browser may be
// sent after signing in: a relative path starting with /oauth/authorize?
// /account or /admin, in plain printable ASCII, without percent-escapes in the
// path, dot segments, doubled slashes, backslashes or a fragment. Anything
// else ("//evil.example", "/\evil.example", "https://evil.example",
// "/%2F%2Fevil", ...) gives "": the browser then goes to the neutral
// signed-in page, so return_to can never be an open redirect.
func safeReturn(raw string) string {
	if len(raw) > 4096 {
		return ""
	}
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b <= ' ' || b >= 0x7f || b == '\\' || b == '#' {
			return ""
		}
	}
	if !strings.HasPrefix(raw, "/oauth/authorize?") && raw != "/account" &&
		!strings.HasPrefix(raw, "/account/") && !strings.HasPrefix(raw, "/account?") &&
		raw != "/admin" && !strings.HasPrefix(raw, "/admin/") && !strings.HasPrefix(raw, "/admin?") {
		return ""
	}
	path, _, _ := strings.Cut(raw, "?")
	if strings.Contains(path, "%") || strings.Contains(path, "//") || strings.Contains(path, "/.") {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return raw
}

// signedInPath is where a browser goes after signing in without a
// (valid) return_to: the neutral signed-in page.
const signedInPath = "/signin"

// continueTo sends the browser on after a sign-in: to return_to when it
// passed safeReturn, else to the signed-in page. 303, so the browser
// follows with a GET.
func continueTo(c *gin.Context, returnTo string) {
	if returnTo == "" {
		returnTo = signedInPath
	}
	c.Redirect(http.StatusSeeOther, returnTo)
}

// asking returns the name of the client that sent the browser here (the
// client_id of an /oauth/authorize return_to, looked up, never echoed) and
// its login_hint.
func (p *Pages) asking(c *gin.Context, returnTo string) (name, hint string, err error) {
	if !strings.HasPrefix(returnTo, "/oauth/authorize?") {
		return "", "", nil
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(returnTo, "/oauth/authorize?"))
	name, err = p.auth.ClientName(c.Request.Context(), q.Get("client_id"))
	return name, q.Get("login_hint"), err
}

func (p *Pages) signInView(c *gin.Context, returnTo, identifier string) (SignInView, bool) {
	name, hint, err := p.asking(c, returnTo)
	if err != nil {
		p.internal(c, err)
		return SignInView{}, false
	}
	if identifier == "" && len(hint) <= 320 {
		identifier = hint
	}
	signup := "/signup"
	if returnTo != "" {
		signup += "?return_to=" + url.QueryEscape(returnTo)
	}
	v := SignInView{Page: p.page(c), Identifier: identifier, ReturnTo: returnTo, ClientName: name, SignupPath: signup}
	p.withPasskeys(c, &v)
	return v, true
}

// signInPost is the view a sign-in form post answers with; ok is false
// when it has answered already (the error page, or the form again with
// 403 when the post lacks its form token).
func (p *Pages) signInPost(c *gin.Context, returnTo, identifier string) (SignInView, bool) {
	v, ok := p.signInView(c, returnTo, identifier)
	if !ok {
		return v, false
	}
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "signin", v)
		return v, false
	}
	return v, true
}

// signInPage shows the sign-in form, or the signed-in page to a browser
// that is signed in and was sent nowhere. A signed-in browser sent back
// from a signed-in page (its sign-in too old for a sensitive action) is
// asked for its password again, the account filled in.
func (p *Pages) signInPage(c *gin.Context) {
	returnTo := safeReturn(c.Query("return_to"))
	b, err := p.auth.BrowserSession(c.Request.Context(), p.ssoCookie(c))
	if err != nil {
		p.internal(c, err)
		return
	}
	if b != nil && returnTo == "" {
		p.render(c, http.StatusOK, "signedin", SignedInView{Page: p.page(c), Who: who(b.User)})
		return
	}
	reauth := b != nil && signedInReturn(returnTo)
	identifier := ""
	if reauth {
		identifier = b.User.Email
	}
	if v, ok := p.signInView(c, returnTo, identifier); ok {
		v.Reauth = reauth
		p.render(c, http.StatusOK, "signin", v)
	}
}

// signedInReturn reports whether returnTo (already safe) is a signed-in
// page rather than an authorization request.
func signedInReturn(returnTo string) bool {
	return returnTo != "" && !strings.HasPrefix(returnTo, "/oauth/authorize?")
}

// signIn checks the password with the API's rules and signs the browser in.
func (p *Pages) signIn(c *gin.Context) {
	returnTo := safeReturn(c.PostForm("return_to"))
	identifier := strings.TrimSpace(c.PostForm("identifier"))
	v, ok := p.signInPost(c, returnTo, identifier)
	if !ok {
		return
	}
	in := auth.BrowserSignInInput{Password: c.PostForm("password"), Device: device(c)}
	if strings.Contains(identifier, "@") {
		in.Email = identifier
	} else {
		in.Username = identifier
	}
	b, err := p.auth.SignInBrowser(c.Request.Context(), in)
	if p.startMFAStep(c, err, returnTo) {
		return
	}
	if err != nil {
		if v.Errors, ok = p.formErrors(c, err, map[string]string{"email": "identifier", "username": "identifier"}); ok {
			p.render(c, c.Writer.Status(), "signin", v)
		}
		return
	}
	p.finishSignIn(c, b, returnTo)
}

// finishSignIn sets the browser's new sign-in b and sends it on. The new
// sign-in replaces the browser's previous one (a sign-in asked again, or
// another account): its cookie is overwritten, so nothing could use or
// end it any more.
func (p *Pages) finishSignIn(c *gin.Context, b *auth.BrowserSignIn, returnTo string) {
	if err := p.auth.SignOutBrowser(c.Request.Context(), p.ssoCookie(c), device(c)); err != nil {
		p.internal(c, err)
		return
	}
	p.setSignIn(c, b)
	continueTo(c, returnTo)
}

// setSignIn writes the browser sign-in cookie; it lives as long as the
// session's absolute lifetime, and the server ends it sooner when idle.
func (p *Pages) setSignIn(c *gin.Context, b *auth.BrowserSignIn) {
	p.setCookie(c, p.cookies.sso, b.Secret, b.Session.ExpiresAt.Sub(p.auth.Now()))
}

// signOut ends the browser sign-in. It takes the form token of the
// signed-in page or of a signed-in page's app shell.
func (p *Pages) signOut(c *gin.Context) {
	if !sameOrigin(c, p.cfg.Issuer) || !p.signOutFormOK(c) {
		v, ok := p.signInView(c, "", "")
		if ok {
			v.Errors = Errors{Summary: p.msg.text("form.csrf")}
			p.render(c, http.StatusForbidden, "signin", v)
		}
		return
	}
	if err := p.auth.SignOutBrowser(c.Request.Context(), p.ssoCookie(c), device(c)); err != nil {
		p.internal(c, err)
		return
	}
	p.setCookie(c, p.cookies.sso, "", -1)
	c.Redirect(http.StatusSeeOther, "/signin")
}

// signOutFormOK reports whether the sign-out POST carries the pre-session
// form token (the signed-in page) or the token of the browser's sign-in
// (the app shell of the account page and the console).
func (p *Pages) signOutFormOK(c *gin.Context) bool {
	if p.formOK(c) {
		return true
	}
	b, err := p.auth.BrowserSession(c.Request.Context(), p.ssoCookie(c))
	return err == nil && b != nil && p.signedInFormOK(c, b)
}

// who names a user on the signed-in page.
func who(u *store.User) string {
	if u.Username != nil && *u.Username != "" {
		return *u.Username + " (" + u.Email + ")"
	}
	return u.Email
}
