package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// mfaPath is the second step of a sign-in.
const mfaPath = "/signin/mfa"

// startMFAStep handles a sign-in whose password was right but which needs
// a second factor: the mfa_token goes into a short-lived cookie (never
// into a URL or the page) and the browser to the code step. It reports
// whether err was such a sign-in.
func (p *Pages) startMFAStep(c *gin.Context, err error, returnTo string) bool {
	var mr *auth.MFARequired
	if !errors.As(err, &mr) {
		return false
	}
	p.setCookie(c, p.cookies.mfa, mr.Token, auth.MFATokenTTL)
	seeOther(c, mfaStepPath(returnTo, false))
	return true
}

// seeOther sends the browser to path (a fixed place on Tessera) with a 303
// and no body, whatever the method (Gin's Redirect writes a link into the
// body of an answer to a GET).
func seeOther(c *gin.Context, path string) {
	c.Header("Location", path)
	c.Status(http.StatusSeeOther)
}

// mfaStepPath is the code step's address, keeping return_to.
func mfaStepPath(returnTo string, recovery bool) string {
	q := url.Values{}
	if returnTo != "" {
		q.Set("return_to", returnTo)
	}
	if recovery {
		q.Set("method", auth.MethodRecoveryCode)
	}
	if len(q) == 0 {
		return mfaPath
	}
	return mfaPath + "?" + q.Encode()
}

// mfaView is the code step for the browser's pending sign-in, or false
// (the browser sent back to the sign-in form) when it has none.
func (p *Pages) mfaView(c *gin.Context, returnTo string, recovery bool) (MFAView, bool) {
	methods, err := p.auth.PendingMFA(c.Request.Context(), p.mfaCookie(c))
	if err != nil {
		p.internal(c, err)
		return MFAView{}, false
	}
	if len(methods) == 0 {
		p.setCookie(c, p.cookies.mfa, "", -1)
		seeOther(c, signInAgain(returnTo))
		return MFAView{}, false
	}
	v := MFAView{Page: p.page(c), ReturnTo: returnTo, Methods: methods}
	v.Recovery = recovery && v.Offers(auth.MethodRecoveryCode)
	v.OtherPath = mfaStepPath(returnTo, !v.Recovery)
	p.withPasskeyFactor(c, &v)
	return v, true
}

// signInAgain is the sign-in form, keeping return_to.
func signInAgain(returnTo string) string {
	if returnTo == "" {
		return "/signin"
	}
	return "/signin?return_to=" + url.QueryEscape(returnTo)
}

func (p *Pages) mfaCookie(c *gin.Context) string {
	v, _ := c.Cookie(p.cookies.mfa)
	return v
}

// mfaPage shows the code step.
func (p *Pages) mfaPage(c *gin.Context) {
	returnTo := safeReturn(c.Query("return_to"))
	if v, ok := p.mfaView(c, returnTo, c.Query("method") == auth.MethodRecoveryCode); ok {
		p.render(c, http.StatusOK, "mfa", v)
	}
}

// mfaStep checks the code with the API's rules (VerifyBrowserMFA) and
// signs the browser in with amr recording both factors.
func (p *Pages) mfaStep(c *gin.Context) {
	recovery := c.PostForm("method") == auth.MethodRecoveryCode
	v, returnTo, ok := p.mfaPost(c, recovery)
	if !ok {
		return
	}
	in := auth.MFAVerifyInput{Token: p.mfaCookie(c), Device: device(c)}
	code := strings.TrimSpace(c.PostForm("code"))
	if v.Recovery {
		in.RecoveryCode = code
	} else {
		in.Code = strings.ReplaceAll(code, " ", "")
	}
	if code == "" {
		v.Errors = Errors{Summary: p.msg.text("form.problem"), Fields: map[string]string{"code": p.msg.text("mfa.code_required")}}
		p.render(c, http.StatusBadRequest, "mfa", v)
		return
	}
	b, err := p.auth.VerifyBrowserMFA(c.Request.Context(), in)
	if auth.ErrorCode(err) == auth.CodeInvalidMFAToken {
		p.setCookie(c, p.cookies.mfa, "", -1)
		seeOther(c, signInAgain(returnTo))
		return
	}
	if err != nil {
		if v.Errors, ok = p.formErrors(c, err, map[string]string{"recovery_code": "code"}); ok {
			p.render(c, c.Writer.Status(), "mfa", v)
		}
		return
	}
	p.setCookie(c, p.cookies.mfa, "", -1)
	p.finishSignIn(c, b, returnTo)
}

// mfaPost starts a post of the second step: the step's view for the form
// in return_to, once the form token is checked. It answers (and returns
// false) when there is no pending sign-in or the token is missing.
func (p *Pages) mfaPost(c *gin.Context, recovery bool) (MFAView, string, bool) {
	returnTo := safeReturn(c.PostForm("return_to"))
	v, ok := p.mfaView(c, returnTo, recovery)
	if !ok {
		return v, returnTo, false
	}
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "mfa", v)
		return v, returnTo, false
	}
	return v, returnTo, true
}
