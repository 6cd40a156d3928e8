package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// The account page's destructive actions: each first shows the
// confirmation page naming what will end, and acts on its confirmed POST.

// revokeDevice ends one of the person's sessions (not this browser's sign-in,
// which Sign out ends), as DELETE /v1/auth/sessions/{id} does.
func (p *Pages) revokeDevice(c *gin.Context, b *auth.BrowserSignIn) {
	id, err := uuid.Parse(c.PostForm("id"))
	if err != nil || id == b.Session.ID {
		p.notFound(c, b)
		return
	}
	if !confirmed(c, "") {
		rows, err := p.devices(c, b)
		if err != nil {
			p.internal(c, err)
			return
		}
		for _, d := range rows {
			if d.ID == id.String() {
				p.confirm(c, p.confirmView(b, "device", "/devices/revoke",
					p.msg.text("account.confirm.device.body", p.deviceLabel(d), d.Client),
					HiddenField{Name: "id", Value: d.ID}))
				return
			}
		}
		p.notFound(c, b)
		return
	}
	p.accountDone(c, b, p.auth.RevokeSession(c.Request.Context(), principal(b), id, device(c)), "device")
}

// accountDone answers an action on something of the person's: the page
// saying done, or saying it is gone (not_found), or the error page.
func (p *Pages) accountDone(c *gin.Context, b *auth.BrowserSignIn, err error, done string) {
	switch {
	case auth.ErrorCode(err) == auth.CodeNotFound:
		p.notFound(c, b)
	case err != nil:
		p.internal(c, err)
	default:
		accountDoneRedirect(c, done)
	}
}

// signOutOthers ends every session but this browser's sign-in, as a
// logout with scope others does.
func (p *Pages) signOutOthers(c *gin.Context, b *auth.BrowserSignIn) {
	if !confirmed(c, "") {
		p.confirm(c, p.confirmView(b, "others", "/devices/others", p.msg.text("account.confirm.others.body")))
		return
	}
	if err := p.auth.Logout(c.Request.Context(), principal(b), auth.ScopeOthers, device(c)); err != nil {
		p.internal(c, err)
		return
	}
	accountDoneRedirect(c, "others")
}

// createToken makes the person's classic token and shows its key once, in
// this answer only (never in a URL or a later page).
func (p *Pages) createToken(c *gin.Context, b *auth.BrowserSignIn) {
	info, err := p.auth.ClassicTokenInfo(c.Request.Context(), b.User.ID)
	if err != nil {
		p.internal(c, err)
		return
	}
	if info != nil {
		// The key was shown when it was made; Rotate makes a new one.
		c.Redirect(http.StatusSeeOther, accountPath)
		return
	}
	p.showNewKey(c, b, p.auth.ObtainClassicToken)
}

// rotateToken replaces the classic token, after confirmation.
func (p *Pages) rotateToken(c *gin.Context, b *auth.BrowserSignIn) {
	if !confirmed(c, "") {
		p.confirm(c, p.confirmView(b, "rotate", "/token/rotate", p.msg.text("account.confirm.rotate.body")))
		return
	}
	p.showNewKey(c, b, p.auth.RotateClassicToken)
}

// showNewKey runs make and renders the account page with the key it
// returns. The key is shown exactly when make created it: a person who
// already has a token (a second tab, a repeated post) sees its status.
func (p *Pages) showNewKey(c *gin.Context, b *auth.BrowserSignIn, create newKeyFunc) {
	ctx := c.Request.Context()
	t, err := create(ctx, b.User, device(c))
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) { v.TokenErrors = e })
		return
	}
	v, ok := p.accountView(c, b)
	if !ok {
		return
	}
	v.NewKey = t.Key
	p.render(c, http.StatusOK, "account", v)
}

// newKeyFunc is the use case that makes (or replaces) a classic token.
type newKeyFunc func(ctx context.Context, u *store.User, dev auth.Device) (*auth.ClassicToken, error)

// revokeToken deletes the classic token, after confirmation.
func (p *Pages) revokeToken(c *gin.Context, b *auth.BrowserSignIn) {
	if !confirmed(c, "") {
		p.confirm(c, p.confirmView(b, "token", "/token/revoke", p.msg.text("account.confirm.token.body")))
		return
	}
	err := p.auth.RevokeClassicToken(c.Request.Context(), b.User, device(c))
	if err != nil && auth.ErrorCode(err) != auth.CodeNotFound {
		p.internal(c, err)
		return
	}
	accountDoneRedirect(c, "token_gone")
}

// withdrawApp forgets a consent and ends the app's sessions, after
// confirmation.
func (p *Pages) withdrawApp(c *gin.Context, b *auth.BrowserSignIn) {
	id := c.PostForm("client_id")
	if !confirmed(c, "") {
		apps, err := p.apps(c, principal(b))
		if err != nil {
			p.internal(c, err)
			return
		}
		for _, a := range apps {
			if a.ClientID == id {
				p.confirm(c, p.confirmView(b, "app", "/apps/withdraw",
					p.msg.text("account.confirm.app.body", a.Name), HiddenField{Name: "client_id", Value: id}))
				return
			}
		}
		p.notFound(c, b)
		return
	}
	p.accountDone(c, b, p.auth.WithdrawConsent(c.Request.Context(), principal(b), id, device(c)), "app")
}

// confirmTexts are the message keys of a confirmation page.
type confirmTexts struct{ title, heading, button string }

// accountConfirms are the texts of the account page's confirmations.
var accountConfirms = map[string]confirmTexts{
	"device":  {"account.confirm.device.title", "account.confirm.device.heading", "account.confirm.device.button"},
	"others":  {"account.confirm.others.title", "account.confirm.others.heading", "account.confirm.others.button"},
	"rotate":  {"account.confirm.rotate.title", "account.confirm.rotate.heading", "account.confirm.rotate.button"},
	"token":   {"account.confirm.token.title", "account.confirm.token.heading", "account.confirm.token.button"},
	"app":     {"account.confirm.app.title", "account.confirm.app.heading", "account.confirm.app.button"},
	"passkey": {"account.confirm.passkey.title", "account.confirm.passkey.heading", "account.confirm.passkey.button"},
}

// confirmView is the confirmation page of the account action at
// accountPath+action, with the texts of accountConfirms[which].
func (p *Pages) confirmView(b *auth.BrowserSignIn, which, action, body string, fields ...HiddenField) ConfirmView {
	k := accountConfirms[which]
	return ConfirmView{Page: p.shellPage(b), Title: p.msg.text(k.title), Heading: p.msg.text(k.heading),
		Body: body, Action: accountPath + action, Fields: fields, Button: p.msg.text(k.button), Cancel: accountPath}
}

// deviceLabel names a device: its name, else its readable user agent.
func (p *Pages) deviceLabel(d DeviceRow) string {
	if d.Name != "" {
		return d.Name
	}
	return p.readableUA(d.UserAgent)
}
