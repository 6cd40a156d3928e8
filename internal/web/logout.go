package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/oidc"
)

// logout is RP-initiated logout: it ends the browser sign-in (and, when
// the client asks for it, the sessions born from it), then goes to the
// client's registered post_logout_redirect_uri with state, or shows the
// signed-out page. A bad request gets the error page and ends nothing.
//
// A request with no id_token_hint proves no client sent it: any site could
// link it to sign people out. One whose hint was issued to another user
// was not meant for this browser's sign-in. With a live sign-in either
// only asks, on a page whose form (with its form token) POSTs the same
// parameters back (OpenID RP-Initiated Logout 1.0 s2 lets the OP ask).
func (p *Pages) logout(c *gin.Context) {
	p.logoutRequest(c, c.Request.URL.Query())
}

// logoutRequest answers the logout request of parameters q, sent by GET in
// the query or by POST in a form (RP-Initiated Logout 1.0 s2: the OP
// supports both).
func (p *Pages) logoutRequest(c *gin.Context, q url.Values) {
	lr, err := oidc.ParseLogoutRequest(q)
	if err != nil {
		p.oauthError(c, err)
		return
	}
	ask, err := p.auth.LogoutAsks(c.Request.Context(), lr, p.ssoCookie(c))
	if err != nil {
		p.oauthError(c, err)
		return
	}
	if ask {
		p.render(c, http.StatusOK, "logout", LogoutView{Page: p.page(c), Params: logoutParams(lr)})
		return
	}
	p.endSignIn(c, lr)
}

// confirmLogout takes a POST to the logout endpoint. With a csrf_token
// field it is the answer to the logout question, and the form token must
// show the person answered on Tessera's own page. Without one it is a
// client's logout request sent by POST, answered like the GET.
func (p *Pages) confirmLogout(c *gin.Context) {
	if _, answer := c.GetPostForm("csrf_token"); !answer {
		p.logoutRequest(c, c.Request.PostForm)
		return
	}
	if !p.formOK(c) {
		p.render(c, http.StatusForbidden, "oautherror", OAuthErrorView{Page: p.page(c), Code: oidc.ErrInvalidRequest,
			Description: p.msg.text("form.csrf")})
		return
	}
	lr, err := oidc.ParseLogoutRequest(c.Request.PostForm)
	if err != nil {
		p.oauthError(c, err)
		return
	}
	p.endSignIn(c, lr)
}

// endSignIn carries out a validated logout request.
func (p *Pages) endSignIn(c *gin.Context, lr *oidc.LogoutRequest) {
	loc, err := p.auth.LogoutRP(c.Request.Context(), lr, p.ssoCookie(c), device(c))
	if err != nil {
		p.oauthError(c, err)
		return
	}
	p.setCookie(c, p.cookies.sso, "", -1)
	if loc != "" {
		status := http.StatusFound
		if c.Request.Method == http.MethodPost {
			status = http.StatusSeeOther
		}
		c.Redirect(status, loc)
		return
	}
	p.render(c, http.StatusOK, "notice", NoticeView{Page: p.page(c), Title: p.msg.text("signedout.title"),
		Heading: p.msg.text("signedout.heading"), Body: p.msg.text("signedout.body"),
		LinkHref: "/signin", LinkText: p.msg.text("notice.signin")})
}

// logoutParams are the hidden fields that carry a logout request through
// the question.
func logoutParams(lr *oidc.LogoutRequest) []HiddenField {
	var out []HiddenField
	fields := []HiddenField{{"id_token_hint", lr.IDTokenHint}, {"client_id", lr.ClientID},
		{"post_logout_redirect_uri", lr.PostLogoutRedirectURI}, {"state", lr.State}}
	for _, f := range fields {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}
