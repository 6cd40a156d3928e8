package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
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

// withPasskeys offers the passkey button on a sign-in view when passkeys
// are on, and loosens the page's CSP for it: the script from Tessera
// itself ('self', never inline) and its one request to Tessera's API.
func (p *Pages) withPasskeys(c *gin.Context, v *SignInView) {
	if !p.auth.PasskeysEnabled() {
		return
	}
	v.PasskeyScript = p.jsPath
	c.Writer.Header().Set("Content-Security-Policy", p.csp+"; script-src 'self'; connect-src 'self'")
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
