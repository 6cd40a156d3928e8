package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

func (p *Pages) signUpView(c *gin.Context, returnTo string) (SignUpView, bool) {
	name, _, err := p.asking(c, returnTo)
	if err != nil {
		p.internal(c, err)
		return SignUpView{}, false
	}
	return SignUpView{Page: p.page(c), ReturnTo: returnTo, ClientName: name, MinLength: p.cfg.PasswordMinLength}, true
}

// signUpPage shows the registration form. Registration is open whenever
// the API's POST /v1/auth/register is, which is always.
func (p *Pages) signUpPage(c *gin.Context) {
	if v, ok := p.signUpView(c, safeReturn(c.Query("return_to"))); ok {
		p.render(c, http.StatusOK, "signup", v)
	}
}

// signUp registers with the API's rules and signs the browser in (or,
// under mandatory verification, says to check the inbox).
func (p *Pages) signUp(c *gin.Context) {
	v, ok := p.signUpView(c, safeReturn(c.PostForm("return_to")))
	if !ok {
		return
	}
	v.Email, v.Username = strings.TrimSpace(c.PostForm("email")), strings.TrimSpace(c.PostForm("username"))
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "signup", v)
		return
	}
	b, err := p.auth.RegisterBrowser(c.Request.Context(), auth.RegisterInput{
		Email: v.Email, Username: v.Username, Password: c.PostForm("password"), Device: device(c),
	})
	if err != nil {
		if v.Errors, ok = p.formErrors(c, err, nil); ok {
			p.render(c, c.Writer.Status(), "signup", v)
		}
		return
	}
	if b.Pending() {
		p.notice(c, "signup.check_mail", p.msg.text("signup.check_mail_body", v.Email), signInLink(v.ReturnTo), "notice.signin")
		return
	}
	p.setSignIn(c, b)
	continueTo(c, v.ReturnTo)
}

// signInLink is the sign-in page keeping a return_to.
func signInLink(returnTo string) string {
	if returnTo == "" {
		return "/signin"
	}
	return "/signin?return_to=" + url.QueryEscape(returnTo)
}

// notice renders the notice page: heading (a message key, also the
// title), a translated body, and a link (href and the key of its text).
func (p *Pages) notice(c *gin.Context, heading, body, href, linkKey string) {
	h := p.msg.text(heading)
	p.render(c, http.StatusOK, "notice", NoticeView{
		Page: p.page(c), Title: h, Heading: h, Body: body, LinkHref: href, LinkText: p.msg.text(linkKey),
	})
}
