package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// passkeyScriptPath is where the sign-in page's passkey script is served.
const passkeyScriptPath = "/static/passkey.js"

// loadPasskeyScript reads the embedded script and its cache-busting URL.
func loadPasskeyScript() ([]byte, string, error) {
	js, err := fs.ReadFile(files, "static/passkey.js")
	if err != nil {
		return nil, "", fmt.Errorf("pages: %w", err)
	}
	sum := sha256.Sum256(js)
	return js, passkeyScriptPath + "?v=" + hex.EncodeToString(sum[:6]), nil
}

func (p *Pages) passkeyScript(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", p.js)
}

// passkeyCSP is the pages' CSP plus what the passkey script needs: the
// script from Tessera itself ('self', never inline) and its one request
// to Tessera.
func (p *Pages) passkeyCSP(c *gin.Context) {
	c.Writer.Header().Set("Content-Security-Policy", p.csp+"; script-src 'self'; connect-src 'self'")
}

// withPasskeys offers the passkey button on a sign-in view when passkeys
// are on, and loosens the page's CSP for it: the script from Tessera
// itself ('self', never inline) and its one request to Tessera's API.
func (p *Pages) withPasskeys(c *gin.Context, v *SignInView) {
	if !p.auth.PasskeysEnabled() {
		return
	}
	v.PasskeyScript = p.jsPath
	p.passkeyCSP(c)
}

// withPasskeyFactor offers "Use a passkey" on the second step when the
// pending sign-in accepts one.
func (p *Pages) withPasskeyFactor(c *gin.Context, v *MFAView) {
	if !p.auth.PasskeysEnabled() || !v.Offers(auth.MethodWebAuthn) {
		return
	}
	v.PasskeyScript = p.jsPath
	v.PasskeyOnly = !v.Recovery && !v.Offers(auth.MethodTOTP)
	p.passkeyCSP(c)
}

// mfaPasskeyBegin begins the passkey ceremony of the browser's pending
// sign-in (its mfa_token is in an HttpOnly cookie the script cannot
// read): JSON {publicKey, challenge_id}, for a post with the page's form
// token only.
func (p *Pages) mfaPasskeyBegin(c *gin.Context) {
	if !p.formOK(c) {
		c.JSON(http.StatusForbidden, gin.H{"error": auth.CodeCSRFFailed, "error_description": p.msg.text("form.csrf")})
		return
	}
	ch, err := p.auth.BeginPasskeyFactor(c.Request.Context(), p.mfaCookie(c))
	if err != nil {
		p.beginFailed(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"publicKey": ch.PublicKey, "challenge_id": ch.ChallengeID})
}

// beginFailed answers the passkey script's begin request that a use case
// refused: 400 with the API's JSON error, or the error page for a fault.
func (p *Pages) beginFailed(c *gin.Context, err error) {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		p.internal(c, err)
		return
	}
	c.JSON(http.StatusBadRequest, gin.H{"error": ae.Code, "error_description": ae.Message})
}

// mfaPasskey finishes the browser's pending sign-in with the passkey
// answer the script put in the form (CompleteBrowserMFA's rules).
func (p *Pages) mfaPasskey(c *gin.Context) {
	v, returnTo, ok := p.mfaPost(c, false)
	if !ok {
		return
	}
	dev := device(c)
	cred := []byte(strings.TrimSpace(c.PostForm("credential")))
	b, err := p.auth.CompleteBrowserMFA(c.Request.Context(), p.mfaCookie(c), dev,
		p.auth.PasskeyVerifier(c.PostForm("challenge_id"), cred, dev))
	if auth.ErrorCode(err) == auth.CodeInvalidMFAToken {
		p.setCookie(c, p.cookies.mfa, "", -1)
		seeOther(c, signInAgain(returnTo))
		return
	}
	if err != nil {
		if v.Errors, ok = p.formErrors(c, err, nil); ok {
			v.Errors = Errors{Summary: p.msg.text("mfa.passkey_failed")}
			p.render(c, c.Writer.Status(), "mfa", v)
		}
		return
	}
	p.setCookie(c, p.cookies.mfa, "", -1)
	p.setSignIn(c, b)
	continueTo(c, returnTo)
}

// signInPasskey signs the browser in with the passkey answer the script
// put in the form, with the API's rules (SignInBrowserPasskey).
func (p *Pages) signInPasskey(c *gin.Context) {
	returnTo := safeReturn(c.PostForm("return_to"))
	v, ok := p.signInPost(c, returnTo, "")
	if !ok {
		return
	}
	cred := strings.TrimSpace(c.PostForm("credential"))
	b, err := p.auth.SignInBrowserPasskey(c.Request.Context(), c.PostForm("challenge_id"), []byte(cred), device(c))
	if err != nil {
		if v.Errors, ok = p.formErrors(c, err, nil); ok {
			v.Errors = Errors{Summary: p.msg.text("signin.passkey_failed")}
			p.render(c, c.Writer.Status(), "signin", v)
		}
		return
	}
	p.setSignIn(c, b)
	continueTo(c, returnTo)
}
