package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
)

// The admin console, under /admin. Every page and action goes through
// adminPage or adminAction: the shared signed-in guard first (a browser
// without a sign-in goes to the sign-in page; a form is checked for its
// origin and token before anything else), then auth.AdminActor on the
// account as loaded for this request, so an admin demoted a second ago is
// refused at once (403). Every action calls the same use case as the
// admin API, and so is audited the same way.

// adminHandler is the handler of a console page or action.
type adminHandler func(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor)

// mountAdmin adds the console's routes to r.
func (p *Pages) mountAdmin(r gin.IRoutes) {
	r.GET("/admin", p.adminPage(p.adminOverview))
	r.GET("/admin/users", p.adminPage(p.adminUsers))
	r.GET("/admin/users/:id", p.adminPage(p.adminUser))
	user := func(c *gin.Context) string { return "/admin/users/" + c.Param("id") }
	r.POST("/admin/users/:id/flags", p.adminAction(user, anyAge, p.adminUserFlags))
	r.POST("/admin/users/:id/reset", p.adminAction(user, anyAge, p.adminUserReset))
	r.POST("/admin/users/:id/logout", p.adminAction(user, anyAge, p.adminUserLogout))
	r.POST("/admin/users/:id/token/revoke", p.adminAction(user, anyAge, p.adminUserTokenRevoke))
	r.POST("/admin/users/:id/sessions/:sid/revoke", p.adminAction(user, anyAge, p.adminSessionRevoke))
	r.POST("/admin/users/:id/delete", p.adminAction(user, recent, p.adminUserDelete))
	r.POST("/admin/users/:id/mfa/reset", p.adminAction(user, recent, p.adminUserResetMFA))
	r.GET("/admin/clients", p.adminPage(p.adminClients))
	r.GET("/admin/clients/new", p.adminPage(p.adminClientNew))
	r.POST("/admin/clients/new", p.adminAction(backTo("/admin/clients/new"), anyAge, p.adminClientCreate))
	client := func(c *gin.Context) string { return "/admin/clients/" + c.Param("id") }
	r.GET("/admin/clients/:id", p.adminPage(p.adminClientEdit))
	r.POST("/admin/clients/:id", p.adminAction(client, anyAge, p.adminClientUpdate))
	r.POST("/admin/clients/:id/secret", p.adminAction(client, recent, p.adminClientSecret))
	r.GET("/admin/audit", p.adminPage(p.adminAudit))
	r.GET("/admin/audit/export", p.adminPage(p.adminAuditExport))
	r.GET("/admin/keys", p.adminPage(p.adminKeys))
	r.POST("/admin/keys/rotate", p.adminAction(backTo("/admin/keys"), recent, p.adminKeysRotate))
}

// adminPage wraps a console page's GET handler.
func (p *Pages) adminPage(h adminHandler) gin.HandlerFunc {
	return p.signedInPage(func(c *gin.Context, b *auth.BrowserSignIn) {
		if a, ok := p.admin(c, b, c.Request.URL.RequestURI()); ok {
			h(c, b, a)
		}
	})
}

// adminAction wraps a console form's POST handler. A recent action (delete
// a user, rotate keys or a client's secret) also asks an admin with a
// second factor to have proven it in the last few minutes, as the admin
// API's step-up does: a fresh sign-in on the hosted page proves it.
func (p *Pages) adminAction(back backFunc, fresh freshness, h adminHandler) gin.HandlerFunc {
	return p.signedInAction(back, fresh, func(c *gin.Context, b *auth.BrowserSignIn) {
		a, ok := p.admin(c, b, back(c))
		if !ok {
			return
		}
		if fresh == recent {
			if err := p.auth.RequireStepUp(c.Request.Context(), principal(b)); err != nil {
				if auth.ErrorCode(err) == auth.CodeStepUpRequired {
					p.askPassword(c, back(c))
					return
				}
				p.internal(c, err)
				return
			}
		}
		h(c, b, a)
	})
}

// admin returns the Actor of sign-in b, or answers and returns false: 403
// when its account is not an active admin now, or when TESSERA_ADMIN_MFA
// requires a second factor it has not enrolled (pointing at the account
// page); the sign-in page, to come back to back, when the factor is
// enrolled but this sign-in did not prove it.
func (p *Pages) admin(c *gin.Context, b *auth.BrowserSignIn, back string) (auth.Actor, bool) {
	who := principal(b)
	a, err := auth.AdminActor(who, device(c))
	if err != nil {
		p.render(c, http.StatusForbidden, "notice", NoticeView{Page: p.shellPage(b),
			Title: p.msg.text("admin.forbidden.title"), Heading: p.msg.text("admin.forbidden.heading"),
			Body: p.msg.text("admin.forbidden.body"), LinkHref: signedInPath, LinkText: p.msg.text("admin.forbidden.back")})
		return auth.Actor{}, false
	}
	err = p.auth.RequireAdminMFA(c.Request.Context(), who)
	if err == nil {
		return a, true
	}
	switch auth.ErrorCode(err) {
	case auth.CodeMFAEnrollRequired:
		p.render(c, http.StatusForbidden, "notice", NoticeView{Page: p.shellPage(b),
			Title: p.msg.text("admin.enrol.title"), Heading: p.msg.text("admin.enrol.title"),
			Body: p.msg.text("admin.enrol.body"), LinkHref: accountPath + "#mfa", LinkText: p.msg.text("admin.enrol.link")})
	case auth.CodeStepUpRequired:
		p.askPassword(c, back)
	default:
		p.internal(c, err)
	}
	return auth.Actor{}, false
}

// adminSections are the console's navigation: path and message key.
var adminSections = [][2]string{
	{"/admin", "admin.nav.overview"}, {"/admin/users", "admin.nav.users"}, {"/admin/clients", "admin.nav.clients"},
	{"/admin/audit", "admin.nav.audit"}, {"/admin/keys", "admin.nav.keys"},
}

// adminShell is the common part of a console page in section current
// (one of adminSections' paths).
func (p *Pages) adminShell(b *auth.BrowserSignIn, current string) Page {
	nav := make([]NavLink, len(adminSections))
	for i, s := range adminSections {
		nav[i] = NavLink{Href: s[0], Text: p.msg.text(s[1]), Current: s[0] == current}
	}
	return p.shellPage(b, nav...)
}

// adminStatus is the status of a console action refused by its use case.
var adminStatus = map[string]int{
	auth.CodeNotFound:         http.StatusNotFound,
	auth.CodeConflict:         http.StatusConflict,
	auth.CodePermissionDenied: http.StatusForbidden,
}

// adminErrors turns a use case's error into what a console page shows:
// the use case's own message for the refusals only admins meet (not
// found, conflict), formErrors' for the rest.
func (p *Pages) adminErrors(c *gin.Context, err error) (Errors, bool) {
	var ae *auth.Error
	if errors.As(err, &ae) && adminStatus[ae.Code] != 0 {
		c.Status(adminStatus[ae.Code])
		return Errors{Summary: capitalized(ae.Message) + ".", Fields: map[string]string{}}, true
	}
	return p.formErrors(c, err, nil)
}

// notFound answers the console's page for an unknown user or client.
func (p *Pages) adminNotFound(c *gin.Context, b *auth.BrowserSignIn, section string) {
	p.render(c, http.StatusNotFound, "notice", NoticeView{Page: p.adminShell(b, section),
		Title: p.msg.text("admin.notfound.title"), Heading: p.msg.text("admin.notfound.title"),
		Body: p.msg.text("admin.notfound.body"), LinkHref: section, LinkText: p.msg.text("admin.notfound.back")})
}

// idParam reads a uuid route parameter; ok is false for a malformed one.
func idParam(c *gin.Context, name string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param(name))
	return id, err == nil
}

// doneMessages are the notes a console page shows after a redirect from
// an action (?done=...): only these keys, never text from the URL.
var doneMessages = map[string]string{
	"flags": "admin.done.flags", "reset": "admin.done.reset", "logout": "admin.done.logout",
	"token": "admin.done.token", "session": "admin.done.session", "deleted": "admin.done.deleted",
	"client": "admin.done.client", "rotated": "admin.done.rotated", "mfa": "admin.done.mfa",
}

// done is the note of ?done=, or "".
func (p *Pages) done(c *gin.Context) string {
	if k, ok := doneMessages[c.Query("done")]; ok {
		return p.msg.text(k)
	}
	return ""
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
