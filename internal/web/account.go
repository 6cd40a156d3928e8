package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// accountPath is the account page of every signed-in person.
const accountPath = "/account"

// mountAccount adds the account page and its forms. Every form is a
// signedInAction: its origin and form token are checked before anything
// else; the classic token's actions also need a recent sign-in, since
// they show or end a credential that works without one.
func (p *Pages) mountAccount(r gin.IRoutes) {
	back := backTo(accountPath)
	r.GET(accountPath, p.signedInPage(p.accountPage))
	r.POST(accountPath+"/profile", p.signedInAction(back, anyAge, p.changeProfile))
	r.POST(accountPath+"/email", p.signedInAction(back, anyAge, p.changeEmail))
	r.POST(accountPath+"/password", p.signedInAction(back, anyAge, p.changePassword))
	r.POST(accountPath+"/devices/revoke", p.signedInAction(back, anyAge, p.revokeDevice))
	r.POST(accountPath+"/devices/others", p.signedInAction(back, anyAge, p.signOutOthers))
	r.POST(accountPath+"/token/create", p.signedInAction(back, recent, p.createToken))
	r.POST(accountPath+"/token/rotate", p.signedInAction(back, recent, p.rotateToken))
	r.POST(accountPath+"/token/revoke", p.signedInAction(back, recent, p.revokeToken))
	r.POST(accountPath+"/apps/withdraw", p.signedInAction(back, anyAge, p.withdrawApp))
	p.mountAccountMFA(r)
	p.mountAccountPasskeys(r)
}

// accountDone are the confirmations an action leaves in the account
// page's URL (?done=...) after its redirect; anything else shows nothing.
var accountDone = map[string]string{
	"profile":     "account.done.profile",
	"email":       "account.done.email",
	"password":    "account.done.password",
	"device":      "account.done.device",
	"others":      "account.done.others",
	"token_gone":  "account.done.token_revoked",
	"app":         "account.done.app",
	"mfa_removed": "account.done.mfa_removed",
	// The Passkeys section's.
	"passkey_added":   "account.done.passkey_added",
	"passkey_renamed": "account.done.passkey_renamed",
	"passkey_removed": "account.done.passkey_removed",
}

// principal is the signed-in person as the use cases know a caller: the
// browser sign-in is their session.
func principal(b *auth.BrowserSignIn) *auth.Principal {
	return &auth.Principal{User: b.User, Session: b.Session.Auth(), Method: "sso"}
}

func (p *Pages) accountPage(c *gin.Context, b *auth.BrowserSignIn) {
	v, ok := p.accountView(c, b)
	if !ok {
		return
	}
	if key, ok := accountDone[c.Query("done")]; ok {
		v.Done = p.msg.text(key)
	}
	p.render(c, http.StatusOK, "account", v)
}

// accountView gathers what the account page shows, each part from the use
// case the API answers it with.
func (p *Pages) accountView(c *gin.Context, b *auth.BrowserSignIn) (AccountView, bool) {
	ctx, who := c.Request.Context(), principal(b)
	v := AccountView{Page: p.shellPage(b), Email: b.User.Email, Verified: b.User.EmailVerifiedAt != nil,
		MinLength: p.cfg.PasswordMinLength}
	v.Username, v.FirstName, v.LastName = b.User.UsernameOrEmpty(), b.User.FirstName, b.User.LastName
	var err error
	if v.Pending, err = p.auth.PendingEmailChange(ctx, who); err != nil {
		p.internal(c, err)
		return v, false
	}
	if v.Devices, err = p.devices(c, b); err != nil {
		p.internal(c, err)
		return v, false
	}
	if v.Token, err = p.auth.ClassicTokenInfo(ctx, b.User.ID); err != nil {
		p.internal(c, err)
		return v, false
	}
	if v.Apps, err = p.apps(c, who); err != nil {
		p.internal(c, err)
		return v, false
	}
	if v.MFA, err = p.mfaSection(c, b); err != nil {
		p.internal(c, err)
		return v, false
	}
	if v.Passkeys, err = p.passkeySection(c, b); err != nil {
		p.internal(c, err)
		return v, false
	}
	return v, true
}

// devices lists the person's sessions, this browser's sign-in marked.
func (p *Pages) devices(c *gin.Context, b *auth.BrowserSignIn) ([]DeviceRow, error) {
	list, err := p.auth.ListSessions(c.Request.Context(), principal(b))
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	rows := make([]DeviceRow, 0, len(list))
	for _, s := range list {
		name, ok := names[s.ClientID]
		if !ok {
			if name, err = p.clientLabel(c, s.ClientID); err != nil {
				return nil, err
			}
			names[s.ClientID] = name
		}
		rows = append(rows, DeviceRow{ID: s.ID.String(), Name: s.DeviceName, UserAgent: s.UserAgent, Client: name,
			IP: s.IP, Created: s.CreatedAt, LastUsed: s.LastUsedAt, Current: s.ID == b.Session.ID,
			Browser: s.Kind == store.SessionKindSSO})
	}
	return rows, nil
}

// clientLabel is the name of client id, or the id when it has none.
func (p *Pages) clientLabel(c *gin.Context, id string) (string, error) {
	name, err := p.auth.ClientName(c.Request.Context(), id)
	if name == "" {
		name = id
	}
	return name, err
}

// apps lists the third-party apps the person granted consent to.
func (p *Pages) apps(c *gin.Context, who *auth.Principal) ([]AppRow, error) {
	list, err := p.auth.Consents(c.Request.Context(), who)
	if err != nil {
		return nil, err
	}
	rows := make([]AppRow, 0, len(list))
	for _, cs := range list {
		name, err := p.clientLabel(c, cs.ClientID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, AppRow{ClientID: cs.ClientID, Name: name, Scopes: p.scopeTexts(cs.Scopes), Granted: cs.GrantedAt})
	}
	return rows, nil
}

// accountDoneRedirect sends the browser back to the account page saying
// what was done (post, redirect, get: a reload repeats nothing).
func accountDoneRedirect(c *gin.Context, done string) {
	c.Redirect(http.StatusSeeOther, accountPath+"?done="+url.QueryEscape(done))
}

// accountFormError renders the account page with a form's problems, keeping
// what was typed (never a password), with the use case's status.
func (p *Pages) accountFormError(c *gin.Context, b *auth.BrowserSignIn, err error, set func(*AccountView, Errors)) {
	e, ok := p.formErrors(c, err, nil)
	if !ok {
		return
	}
	status := c.Writer.Status()
	v, ok := p.accountView(c, b)
	if !ok {
		return
	}
	set(&v, e)
	p.render(c, status, "account", v)
}

func (p *Pages) changeProfile(c *gin.Context, b *auth.BrowserSignIn) {
	first, last, name := c.PostForm("first_name"), c.PostForm("last_name"), c.PostForm("username")
	_, err := p.auth.UpdateMe(c.Request.Context(), principal(b), auth.UpdateMeInput{
		FirstName: &first, LastName: &last, Username: &name, Device: device(c)})
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) {
			v.ProfileErrors, v.FirstName, v.LastName, v.Username = e, first, last, name
		})
		return
	}
	accountDoneRedirect(c, "profile")
}

func (p *Pages) changeEmail(c *gin.Context, b *auth.BrowserSignIn) {
	email := strings.TrimSpace(c.PostForm("new_email"))
	_, err := p.auth.UpdateMe(c.Request.Context(), principal(b), auth.UpdateMeInput{Email: &email,
		CurrentPassword: c.PostForm("current_password"), Device: device(c)})
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) {
			e.Fields = renameFields(e.Fields, map[string]string{"email": "new_email", "current_password": "email_password"})
			v.EmailErrors, v.NewEmail = e, email
		})
		return
	}
	accountDoneRedirect(c, "email")
}

func (p *Pages) changePassword(c *gin.Context, b *auth.BrowserSignIn) {
	err := p.auth.ChangePassword(c.Request.Context(), principal(b), auth.ChangePasswordInput{
		CurrentPassword: c.PostForm("current_password"), NewPassword: c.PostForm("new_password"), Device: device(c)})
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) { v.PasswordErrors = e })
		return
	}
	accountDoneRedirect(c, "password")
}

// renameFields moves field messages to the names of the form's inputs.
func renameFields(fields map[string]string, rename map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, msg := range fields {
		if to, ok := rename[k]; ok {
			k = to
		}
		out[k] = msg
	}
	return out
}

// notFound answers an action on something that is not (or no longer)
// the person's: the account page again, saying so.
func (p *Pages) notFound(c *gin.Context, b *auth.BrowserSignIn) {
	v, ok := p.accountView(c, b)
	if !ok {
		return
	}
	v.Errors = Errors{Summary: p.msg.text("account.gone")}
	p.render(c, http.StatusNotFound, "account", v)
}
