package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/password"
)

func (p *Pages) adminOverview(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	o, err := p.auth.AdminOverview(c.Request.Context())
	if err != nil {
		p.internal(c, err)
		return
	}
	h, err := p.auth.PasswordHashStats(c.Request.Context())
	if err != nil {
		p.internal(c, err)
		return
	}
	p.render(c, http.StatusOK, "admin_overview", AdminOverviewView{Page: p.adminShell(b, "/admin"), Overview: o,
		Hashes: h, Unusable: h.Schemes[password.SchemeUnusable] + h.Schemes[password.SchemeUnknown]})
}

func (p *Pages) adminKeys(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	p.render(c, c.Writer.Status(), "admin_keys", AdminKeysView{Page: p.adminShell(b, "/admin/keys"),
		Done: p.done(c), Keys: p.auth.AdminKeys(), Now: p.now()})
}

func (p *Pages) adminKeysRotate(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	if !confirmed(c, "") {
		p.confirm(c, ConfirmView{Page: p.adminShell(b, "/admin/keys"), Title: p.msg.text("admin.confirm.rotate.title"),
			Heading: p.msg.text("admin.confirm.rotate.title"), Body: p.msg.text("admin.confirm.rotate.body"),
			Action: "/admin/keys/rotate", Button: p.msg.text("admin.confirm.rotate.button"), Cancel: "/admin/keys"})
		return
	}
	if _, err := p.auth.AdminRotateKeys(c.Request.Context(), a); err != nil {
		errs, ok := p.adminErrors(c, err)
		if !ok {
			return
		}
		v := AdminKeysView{Page: p.adminShell(b, "/admin/keys"), Keys: p.auth.AdminKeys(), Now: p.now()}
		v.Errors = errs
		p.render(c, c.Writer.Status(), "admin_keys", v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/keys?done=rotated")
}
