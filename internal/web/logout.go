package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/oidc"
)

// logout is RP-initiated logout: it ends the browser sign-in (and, when
// the client asks for it, the sessions born from it), then goes to the
// client's registered post_logout_redirect_uri with state, or shows the
// signed-out page. A bad request gets the error page and ends nothing.
func (p *Pages) logout(c *gin.Context) {
	lr, err := oidc.ParseLogoutRequest(c.Request.URL.Query())
	if err != nil {
		p.oauthError(c, err)
		return
	}
	loc, err := p.auth.LogoutRP(c.Request.Context(), lr, p.ssoCookie(c), device(c))
	if err != nil {
		p.oauthError(c, err)
		return
	}
	p.setCookie(c, p.cookies.sso, "", -1)
	if loc != "" {
		c.Redirect(http.StatusFound, loc)
		return
	}
	p.render(c, http.StatusOK, "notice", NoticeView{Page: p.page(c), Title: p.msg.text("signedout.title"),
		Heading: p.msg.text("signedout.heading"), Body: p.msg.text("signedout.body"),
		LinkHref: "/signin", LinkText: p.msg.text("notice.signin")})
}
