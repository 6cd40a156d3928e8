package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
)

// The account page's Passkeys section. Its routes are page routes, not
// the JSON API: the API's /v1/auth/passkeys routes take a bearer token,
// which a browser signed in on Tessera's pages does not have (its sign-in
// is an HttpOnly cookie), and page routes keep the account page's own
// checks (origin, form token of this sign-in, freshness). Each calls the
// same use case as the API, so each change is audited and mailed alike.

// PasskeySection is the Passkeys section: shown when passkeys are on.
type PasskeySection struct {
	Enabled bool
	// Script is the URL of the add button's script.
	Script string
	List   []PasskeyRow
	// Name is what was typed in the add form when it failed.
	Name   string
	Errors Errors
}

// PasskeyRow is one passkey as the section lists it.
type PasskeyRow struct {
	ID, Name string
	Created  time.Time
	LastUsed *time.Time
	// Synced is a backup-eligible passkey (it may be copied to the
	// person's other devices); otherwise it is bound to one device.
	Synced bool
	// Failed marks the row whose rename was just refused: its field shows
	// Typed (what was typed, not the stored name) and Error under it.
	Failed       bool
	Typed, Error string
}

// mountAccountPasskeys adds the section's routes. Adding needs a recent
// sign-in (it adds a way in); renaming and removing, like revoking a
// device, a sign-in of any age, removal after the confirmation page.
func (p *Pages) mountAccountPasskeys(r gin.IRoutes) {
	back := backTo(accountPath)
	r.POST(accountPath+"/passkeys/begin", p.signedInAction(back, recent, p.passkeyRegisterBegin))
	r.POST(accountPath+"/passkeys", p.signedInAction(back, recent, p.addPasskey))
	r.POST(accountPath+"/passkeys/rename", p.signedInAction(back, anyAge, p.renamePasskey))
	r.POST(accountPath+"/passkeys/remove", p.signedInAction(back, anyAge, p.removePasskey))
}

// passkeySection is what the section shows now; it also loosens the
// page's CSP for the add button's script when passkeys are on.
func (p *Pages) passkeySection(c *gin.Context, b *auth.BrowserSignIn) (PasskeySection, error) {
	if !p.auth.PasskeysEnabled() {
		return PasskeySection{}, nil
	}
	p.passkeyCSP(c)
	list, err := p.auth.Passkeys(c.Request.Context(), principal(b))
	if err != nil {
		return PasskeySection{}, err
	}
	s := PasskeySection{Enabled: true, Script: p.jsPath, List: make([]PasskeyRow, 0, len(list))}
	for _, k := range list {
		s.List = append(s.List, PasskeyRow{ID: k.ID.String(), Name: k.Name, Created: k.CreatedAt,
			LastUsed: k.LastUsedAt, Synced: k.BackupEligible})
	}
	return s, nil
}

// passkeyRegisterBegin answers the script's first request with the
// creation options (JSON {publicKey}) of a registration for this
// sign-in's account.
func (p *Pages) passkeyRegisterBegin(c *gin.Context, b *auth.BrowserSignIn) {
	opts, err := p.auth.BeginPasskeyRegistration(c.Request.Context(), principal(b))
	if err != nil {
		p.beginFailed(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", opts)
}

// addPasskey stores the new passkey the script put in the form.
func (p *Pages) addPasskey(c *gin.Context, b *auth.BrowserSignIn) {
	name := c.PostForm("name")
	_, err := p.auth.FinishPasskeyRegistration(c.Request.Context(), principal(b), auth.AddPasskeyInput{
		Name: name, Credential: []byte(strings.TrimSpace(c.PostForm("credential"))), Device: device(c)})
	if err != nil {
		p.passkeyFormError(c, b, err, name)
		return
	}
	accountDoneRedirect(c, "passkey_added")
}

// passkeyFormError shows the section's form error, or the page saying the
// passkey is gone.
func (p *Pages) passkeyFormError(c *gin.Context, b *auth.BrowserSignIn, err error, name string) {
	if auth.ErrorCode(err) == auth.CodeNotFound {
		p.notFound(c, b)
		return
	}
	p.accountFormError(c, b, err, func(v *AccountView, e Errors) {
		if _, ok := e.Fields["credential"]; ok {
			e.Summary = p.msg.text("account.passkey_failed")
		}
		v.Passkeys.Errors, v.Passkeys.Name = e, name
	})
}

// formPasskeyID is the form's passkey id; a malformed one is like an
// unknown one.
func formPasskeyID(c *gin.Context) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.PostForm("id"))
	return id, err == nil
}

func (p *Pages) renamePasskey(c *gin.Context, b *auth.BrowserSignIn) {
	id, ok := formPasskeyID(c)
	if !ok {
		p.notFound(c, b)
		return
	}
	name := c.PostForm("name")
	_, err := p.auth.RenamePasskey(c.Request.Context(), principal(b), id, name, device(c))
	if auth.ErrorCode(err) == auth.CodeNotFound {
		p.notFound(c, b)
		return
	}
	if err != nil {
		// The message goes under the row's own field, which keeps what was
		// typed; the add form's field is not the one in error.
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) {
			for i := range v.Passkeys.List {
				if row := &v.Passkeys.List[i]; row.ID == id.String() {
					row.Failed, row.Typed, row.Error = true, name, e.For("name")
				}
			}
			delete(e.Fields, "name")
			v.Passkeys.Errors = e
		})
		return
	}
	accountDoneRedirect(c, "passkey_renamed")
}

// removePasskey deletes one of the person's passkeys, after confirmation.
func (p *Pages) removePasskey(c *gin.Context, b *auth.BrowserSignIn) {
	id, ok := formPasskeyID(c)
	if !ok {
		p.notFound(c, b)
		return
	}
	if !confirmed(c, "") {
		list, err := p.auth.Passkeys(c.Request.Context(), principal(b))
		if err != nil {
			p.internal(c, err)
			return
		}
		for _, k := range list {
			if k.ID == id {
				p.confirm(c, p.confirmView(b, "passkey", "/passkeys/remove",
					p.msg.text("account.confirm.passkey.body", k.Name), HiddenField{Name: "id", Value: id.String()}))
				return
			}
		}
		p.notFound(c, b)
		return
	}
	p.accountDone(c, b, p.auth.RemovePasskey(c.Request.Context(), principal(b), id, device(c)), "passkey_removed")
}
