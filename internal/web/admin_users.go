package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// maxQueryLen bounds a search box or cursor read from a URL.
const maxQueryLen = 256

// userFilters are the users table's filters: query parameter and label.
var userFilters = [][2]string{{"active", "admin.users.status"}, {"admin", "admin.users.role"}, {"verified", "admin.users.email"}}

// userFilterText are the labels of each filter's values: all, yes, no.
var userFilterText = map[string][3]string{
	"active":   {"admin.filter.all", "admin.filter.active", "admin.filter.disabled"},
	"admin":    {"admin.filter.all", "admin.filter.admin", "admin.filter.not_admin"},
	"verified": {"admin.filter.all", "admin.filter.verified", "admin.filter.unverified"},
}

// triState reads a filter parameter: "yes", "no" or absent (nil).
func triState(v string) *bool {
	switch v {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

func (p *Pages) adminUsers(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	q := c.Query("q")
	if len(q) > maxQueryLen {
		// Cut on a character boundary: half a character is not text.
		q = strings.ToValidUTF8(q[:maxQueryLen], "")
	}
	f := auth.UserFilter{Search: q, Active: triState(c.Query("active")), Admin: triState(c.Query("admin")),
		Verified: triState(c.Query("verified"))}
	v := AdminUsersView{Page: p.adminShell(b, "/admin/users"), Done: p.done(c), Query: q}
	page, err := p.auth.AdminSearchUsers(c.Request.Context(), f, auth.PageInput{Cursor: cursorParam(c, "cursor")})
	if err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err != nil {
			return
		}
	}
	v.Users = page.Items
	base := url.Values{}
	for k, val := range map[string]string{"q": q, "active": c.Query("active"), "admin": c.Query("admin"), "verified": c.Query("verified")} {
		if val != "" {
			base.Set(k, val)
		}
	}
	for _, uf := range userFilters {
		g := FilterGroup{Label: p.msg.text(uf[1])}
		for i, val := range []string{"", "yes", "no"} {
			link := cloneValues(base)
			link.Del(uf[0])
			if val != "" {
				link.Set(uf[0], val)
			}
			g.Links = append(g.Links, FilterLink{Text: p.msg.text(userFilterText[uf[0]][i]),
				Href: "/admin/users" + query(link), Current: base.Get(uf[0]) == val})
		}
		v.Filters = append(v.Filters, g)
	}
	if page.NextCursor != "" {
		next := cloneValues(base)
		next.Set("cursor", page.NextCursor)
		v.NextHref = "/admin/users" + query(next)
	}
	p.render(c, c.Writer.Status(), "admin_users", v)
}

// adminErrorsOK is adminErrors for a page that still renders with the
// error shown: a non-nil error means the error page was answered.
func (p *Pages) adminErrorsOK(c *gin.Context, err error) (Errors, error) {
	e, ok := p.adminErrors(c, err)
	if !ok {
		return e, err
	}
	return e, nil
}

// cursorParam reads a cursor from the query; an over-long one is ignored
// here and refused by no one (it starts at the first page).
func cursorParam(c *gin.Context, name string) string {
	v := c.Query(name)
	if len(v) > maxQueryLen {
		return ""
	}
	return v
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// query is "?" and v encoded, or "" for no values.
func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func (p *Pages) adminUser(c *gin.Context, b *auth.BrowserSignIn, _ auth.Actor) {
	id, ok := idParam(c, "id")
	if !ok {
		p.adminNotFound(c, b, "/admin/users")
		return
	}
	p.renderUser(c, b, id, http.StatusOK, Errors{})
}

// renderUser renders user id's page with status and errors (those of an
// action that failed), or the not-found page.
func (p *Pages) renderUser(c *gin.Context, b *auth.BrowserSignIn, id uuid.UUID, status int, errs Errors) {
	ctx := c.Request.Context()
	u, err := p.auth.AdminGetUser(ctx, id)
	if err != nil {
		if _, ok := p.adminErrors(c, err); ok {
			p.adminNotFound(c, b, "/admin/users")
		}
		return
	}
	v := AdminUserView{Page: p.adminShell(b, "/admin/users"), User: u, Done: p.done(c), Self: u.ID == b.User.ID}
	v.Errors = errs
	v.Flags = p.flagActions(u, v.CSRF, v.Self)
	self := "/admin/users/" + id.String()
	sessions, err := p.auth.AdminListSessions(ctx, id, false, auth.PageInput{Cursor: cursorParam(c, "devices")})
	if err != nil {
		// A cursor that is not this listing's (an edited or stale link) is
		// the page again saying so, as on the users table.
		if v.Errors, err = p.adminErrorsOK(c, err); err != nil {
			return
		}
		status = c.Writer.Status()
	}
	v.Sessions = sessions.Items
	if sessions.NextCursor != "" {
		v.SessionsNext = self + "?devices=" + url.QueryEscape(sessions.NextCursor) + "#devices"
	}
	if v.Token, err = p.auth.ClassicTokenInfo(ctx, id); err != nil {
		p.internal(c, err)
		return
	}
	methods, err := p.auth.MFAMethods(ctx, id)
	if err != nil {
		p.internal(c, err)
		return
	}
	v.HasMFA = len(methods) > 0
	events, err := p.auth.AdminAuditLog(ctx, auth.AuditFilter{UserID: &id}, auth.PageInput{Limit: 20, Cursor: cursorParam(c, "events")})
	if err != nil {
		if v.Errors, err = p.adminErrorsOK(c, err); err != nil {
			return
		}
		status = c.Writer.Status()
	}
	v.Events = events.Items
	if events.NextCursor != "" {
		v.EventsNext = self + "?events=" + url.QueryEscape(events.NextCursor) + "#events"
	}
	p.render(c, status, "admin_user", v)
}

// flagActions are the flag switches offered for u.
func (p *Pages) flagActions(u *store.User, csrf string, self bool) []FlagAction {
	var out []FlagAction
	add := func(field string, value bool, key string) {
		out = append(out, FlagAction{User: u.ID.String(), CSRF: csrf, Field: field,
			Value: strconv.FormatBool(value), Text: p.msg.text(key)})
	}
	if u.EmailVerifiedAt == nil {
		add("email_verified", true, "admin.user.verify")
	}
	if self {
		return out
	}
	if u.IsActive {
		add("is_active", false, "admin.user.deactivate")
	} else {
		add("is_active", true, "admin.user.activate")
	}
	if u.IsAdmin {
		add("is_admin", false, "admin.user.demote")
	} else {
		add("is_admin", true, "admin.user.promote")
	}
	return out
}

// userDone redirects to the user's page with a note of what was done.
func userDone(c *gin.Context, id uuid.UUID, done string) {
	c.Redirect(http.StatusSeeOther, "/admin/users/"+id.String()+"?done="+done)
}

// userActionFailed shows the user's page again with the use case's error.
func (p *Pages) userActionFailed(c *gin.Context, b *auth.BrowserSignIn, id uuid.UUID, err error) {
	if errs, ok := p.adminErrors(c, err); ok {
		p.renderUser(c, b, id, c.Writer.Status(), errs)
	}
}

// userConfirm are the message keys of a confirmation page about a user:
// its title (and heading), its body (naming the user's e-mail) and its
// button.
type userConfirm struct{ title, body, button string }

var (
	confirmDeactivate = &userConfirm{"admin.confirm.deactivate.title", "admin.confirm.deactivate.body", "admin.confirm.deactivate.button"}
	confirmDemote     = &userConfirm{"admin.confirm.demote.title", "admin.confirm.demote.body", "admin.confirm.demote.button"}
	confirmLogout     = &userConfirm{"admin.confirm.logout.title", "admin.confirm.logout.body", "admin.confirm.logout.button"}
	confirmToken      = &userConfirm{"admin.confirm.token.title", "admin.confirm.token.body", "admin.confirm.token.button"}
	confirmDelete     = &userConfirm{"admin.confirm.delete.title", "admin.confirm.delete.body", "admin.confirm.delete.button"}
	confirmMFAReset   = &userConfirm{"admin.confirm.mfa.title", "admin.confirm.mfa.body", "admin.confirm.mfa.button"}
)

// userFlagFields are the flags the user page switches, with the
// confirmation switching each off needs (nil for none).
var userFlagFields = map[string]struct{ off *userConfirm }{
	"is_active":      {off: confirmDeactivate},
	"is_admin":       {off: confirmDemote},
	"email_verified": {},
}

func (p *Pages) adminUserFlags(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	id, ok := idParam(c, "id")
	field, known := userFlagFields[c.PostForm("field")]
	value, err := strconv.ParseBool(c.PostForm("value"))
	if !ok || !known || err != nil {
		p.adminNotFound(c, b, "/admin/users")
		return
	}
	if !value && field.off != nil && !confirmed(c, "") {
		u, err := p.auth.AdminGetUser(c.Request.Context(), id)
		if err != nil {
			p.userActionFailed(c, b, id, err)
			return
		}
		p.confirmUser(c, b, u.Email, field.off, "flags", []HiddenField{{"field", c.PostForm("field")}, {"value", "false"}}, "")
		return
	}
	var patch auth.UserPatch
	switch c.PostForm("field") {
	case "is_active":
		patch.IsActive = &value
	case "is_admin":
		patch.IsAdmin = &value
	default:
		patch.EmailVerified = &value
	}
	if _, err := p.auth.AdminUpdateUser(c.Request.Context(), a, id, patch); err != nil {
		p.userActionFailed(c, b, id, err)
		return
	}
	userDone(c, id, "flags")
}

// confirmUser shows the confirmation page of a destructive action on the
// user with e-mail email, in the texts of key; action is the form's path
// under the user's page.
func (p *Pages) confirmUser(c *gin.Context, b *auth.BrowserSignIn, email string, key *userConfirm, action string, fields []HiddenField, typed string) {
	back := "/admin/users/" + c.Param("id")
	v := ConfirmView{Page: p.adminShell(b, "/admin/users"), Title: p.msg.text(key.title),
		Heading: p.msg.text(key.title), Body: p.msg.text(key.body, email),
		Action: back + "/" + action, Fields: fields, Button: p.msg.text(key.button), Cancel: back}
	if typed != "" {
		v.Typed, v.TypedLabel = typed, p.msg.text("admin.confirm.type", typed)
		if c.PostForm("confirm") == "yes" {
			c.Status(http.StatusBadRequest)
			v.Errors = Errors{Summary: p.msg.text("admin.confirm.mismatch"),
				Fields: map[string]string{"typed": p.msg.text("admin.confirm.mismatch")}}
		}
	}
	p.render(c, c.Writer.Status(), "confirm", v)
}

func (p *Pages) adminUserReset(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	p.userAction(c, b, nil, "reset", func(id uuid.UUID) error {
		return p.auth.AdminSendPasswordReset(c.Request.Context(), a, id)
	})
}

func (p *Pages) adminUserLogout(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	p.userAction(c, b, confirmLogout, "logout", func(id uuid.UUID) error {
		_, err := p.auth.AdminLogoutUser(c.Request.Context(), a, id)
		return err
	})
}

func (p *Pages) adminUserTokenRevoke(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	p.userAction(c, b, confirmToken, "token", func(id uuid.UUID) error {
		return p.auth.AdminRevokeUserToken(c.Request.Context(), a, id)
	})
}

// userAction runs do on the user of the route, after its confirmation
// page when confirm is set, then returns to the user's page noting
// done.
func (p *Pages) userAction(c *gin.Context, b *auth.BrowserSignIn, confirm *userConfirm, done string, do func(uuid.UUID) error) {
	id, ok := idParam(c, "id")
	if !ok {
		p.adminNotFound(c, b, "/admin/users")
		return
	}
	if confirm != nil && !confirmed(c, "") {
		u, err := p.auth.AdminGetUser(c.Request.Context(), id)
		if err != nil {
			p.userActionFailed(c, b, id, err)
			return
		}
		action := map[string]string{"logout": "logout", "token": "token/revoke", "mfa": "mfa/reset"}[done]
		p.confirmUser(c, b, u.Email, confirm, action, nil, "")
		return
	}
	if err := do(id); err != nil {
		p.userActionFailed(c, b, id, err)
		return
	}
	userDone(c, id, done)
}

// adminUserResetMFA removes the user's authenticator app, passkeys and recovery
// codes, after confirmation (a destructive action: recent sign-in and
// step-up, see adminAction), as DELETE /v1/admin/users/{id}/mfa does.
func (p *Pages) adminUserResetMFA(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	p.userAction(c, b, confirmMFAReset, "mfa", func(id uuid.UUID) error {
		return p.auth.AdminResetMFA(c.Request.Context(), a, id)
	})
}

func (p *Pages) adminSessionRevoke(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	id, ok1 := idParam(c, "id")
	sid, ok2 := idParam(c, "sid")
	if !ok1 || !ok2 {
		p.adminNotFound(c, b, "/admin/users")
		return
	}
	if !confirmed(c, "") {
		// A page of its own names the device and its user first.
		sess, err := p.auth.AdminGetUserSession(c.Request.Context(), id, sid)
		var u *store.User
		if err == nil {
			u, err = p.auth.AdminGetUser(c.Request.Context(), id)
		}
		if err != nil {
			p.userActionFailed(c, b, id, err)
			return
		}
		label := sess.DeviceName
		if label == "" {
			label = p.readableUA(sess.UserAgent)
		}
		back := "/admin/users/" + id.String()
		title := p.msg.text("admin.confirm.session.title")
		p.confirm(c, ConfirmView{Page: p.adminShell(b, "/admin/users"), Title: title, Heading: title,
			Body: p.msg.text("admin.confirm.session.body", label, u.Email), Action: back + "/sessions/" + sid.String() + "/revoke",
			Button: p.msg.text("admin.confirm.session.button"), Cancel: back})
		return
	}
	if err := p.auth.AdminRevokeUserSession(c.Request.Context(), a, id, sid); err != nil {
		p.userActionFailed(c, b, id, err)
		return
	}
	userDone(c, id, "session")
}

func (p *Pages) adminUserDelete(c *gin.Context, b *auth.BrowserSignIn, a auth.Actor) {
	id, ok := idParam(c, "id")
	if !ok {
		p.adminNotFound(c, b, "/admin/users")
		return
	}
	u, err := p.auth.AdminGetUser(c.Request.Context(), id)
	if err != nil {
		p.userActionFailed(c, b, id, err)
		return
	}
	if !confirmed(c, u.Email) {
		p.confirmUser(c, b, u.Email, confirmDelete, "delete", nil, u.Email)
		return
	}
	if err := p.auth.AdminDeleteUser(c.Request.Context(), a, id); err != nil {
		p.userActionFailed(c, b, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=deleted")
}
