package web

import (
	"html/template"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// MFASection is the account page's Second factors section: the account's
// factors, and what an action just made, shown in this answer only (the
// pending secret and its QR code, new recovery codes).
type MFASection struct {
	Status *auth.MFAStatus
	// Secret and QR are a pending enrolment; QR is the SVG the use case
	// drew from the otpauth URI (no script, no external reference).
	Secret string
	QR     template.HTML
	Codes  []string
	Errors Errors
}

// mountAccountMFA adds the Second factors forms: each calls the use case
// the API's /v1/auth/mfa routes call. Enrolment needs a recent sign-in
// and the password; the others a current code from the app.
func (p *Pages) mountAccountMFA(r gin.IRoutes) {
	back := backTo(accountPath)
	r.POST(accountPath+"/mfa/totp", p.signedInAction(back, recent, p.enrolTOTP))
	r.POST(accountPath+"/mfa/totp/confirm", p.signedInAction(back, anyAge, p.confirmTOTP))
	r.POST(accountPath+"/mfa/recovery-codes", p.signedInAction(back, recent, p.newRecoveryCodes))
	r.POST(accountPath+"/mfa/totp/remove", p.signedInAction(back, recent, p.removeTOTP))
}

// mfaSection is what the section shows now.
func (p *Pages) mfaSection(c *gin.Context, b *auth.BrowserSignIn) (MFASection, error) {
	st, err := p.auth.MFAStatusOf(c.Request.Context(), b.User.ID)
	return MFASection{Status: st}, err
}

// renderMFA renders the account page with the section changed by set, or
// the use case's error err shown in the section.
func (p *Pages) renderMFA(c *gin.Context, b *auth.BrowserSignIn, err error, set func(*MFASection)) {
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) { v.MFA.Errors = e })
		return
	}
	v, ok := p.accountView(c, b)
	if !ok {
		return
	}
	set(&v.MFA)
	p.render(c, 200, "account", v)
}

func (p *Pages) enrolTOTP(c *gin.Context, b *auth.BrowserSignIn) {
	e, err := p.auth.EnrollTOTP(c.Request.Context(), principal(b), c.PostForm("password"), device(c))
	p.renderMFA(c, b, err, func(s *MFASection) {
		// The SVG is drawn by internal/mfa from a fixed grammar (rect and
		// path of numbers only), never from input.
		s.Secret, s.QR = e.Secret, template.HTML(e.QRSVG) // #nosec: our own markup
	})
}

func (p *Pages) confirmTOTP(c *gin.Context, b *auth.BrowserSignIn) {
	codes, err := p.auth.ConfirmTOTP(c.Request.Context(), principal(b), c.PostForm("code"), device(c))
	p.renderMFA(c, b, err, func(s *MFASection) { s.Codes = codes })
}

func (p *Pages) newRecoveryCodes(c *gin.Context, b *auth.BrowserSignIn) {
	codes, err := p.auth.RegenerateRecoveryCodes(c.Request.Context(), principal(b), c.PostForm("code"), device(c))
	p.renderMFA(c, b, err, func(s *MFASection) { s.Codes = codes })
}

func (p *Pages) removeTOTP(c *gin.Context, b *auth.BrowserSignIn) {
	err := p.auth.RemoveTOTP(c.Request.Context(), principal(b), c.PostForm("password"), c.PostForm("code"), device(c))
	if err != nil {
		p.accountFormError(c, b, err, func(v *AccountView, e Errors) { v.MFA.Errors = e })
		return
	}
	accountDoneRedirect(c, "mfa_removed")
}
