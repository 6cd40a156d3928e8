package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// forgotPage asks for the address to send a reset link to.
func (p *Pages) forgotPage(c *gin.Context) {
	p.render(c, http.StatusOK, "forgot", ForgotView{Page: p.page(c)})
}

// forgot queues the reset mail. The answer is the same whether or not an
// account uses the address, as the API's.
func (p *Pages) forgot(c *gin.Context) {
	v := ForgotView{Page: p.page(c), Email: strings.TrimSpace(c.PostForm("email"))}
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "forgot", v)
		return
	}
	if err := p.auth.RequestPasswordReset(c.Request.Context(), v.Email, device(c)); err != nil {
		var ok bool
		if v.Errors, ok = p.formErrors(c, err, nil); ok {
			p.render(c, c.Writer.Status(), "forgot", v)
		}
		return
	}
	p.notice(c, "forgot.sent", p.msg.text("forgot.sent_body", v.Email), "/signin", "forgot.back")
}

// resetPage asks for a new password; the uid and token of the mailed link
// travel in hidden fields (and no Referer carries them anywhere).
func (p *Pages) resetPage(c *gin.Context) {
	p.render(c, http.StatusOK, "reset", ResetView{
		Page: p.page(c), UID: c.Query("uid"), Token: c.Query("token"), MinLength: p.cfg.PasswordMinLength,
	})
}

// reset sets the new password. Success ends every session of the user,
// this browser's sign-in included.
func (p *Pages) reset(c *gin.Context) {
	v := ResetView{Page: p.page(c), UID: c.PostForm("uid"), Token: c.PostForm("token"), MinLength: p.cfg.PasswordMinLength}
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "reset", v)
		return
	}
	err := p.auth.ConfirmPasswordReset(c.Request.Context(), auth.ResetConfirmInput{
		UID: v.UID, Token: v.Token, NewPassword: c.PostForm("password"), Device: device(c),
	})
	if err != nil {
		var ok bool
		if v.Errors, ok = p.formErrors(c, err, map[string]string{"new_password": "password"}); !ok {
			return
		}
		if v.Errors.For("uid") != "" || v.Errors.For("token") != "" || auth.ErrorCode(err) == auth.CodeInvalidKey {
			v.Errors.Summary = p.msg.text("form.invalid_key")
			v.Errors.SummaryLink, v.Errors.SummaryLinkText = "/forgot-password", p.msg.text("reset.new_link")
		}
		p.render(c, c.Writer.Status(), "reset", v)
		return
	}
	p.setCookie(c, p.cookies.sso, "", -1)
	p.notice(c, "reset.done", p.msg.text("reset.done_body"), "/signin", "notice.signin")
}

// verifyPage shows the confirm button for the key of a mailed link (a GET
// changes nothing, so link scanners cannot confirm for the user), or the
// form to ask for a new link.
func (p *Pages) verifyPage(c *gin.Context) {
	p.render(c, http.StatusOK, "verify", VerifyView{Page: p.page(c), Key: c.Query("key")})
}

// verify confirms the address with the key, or, without a key, mails a
// new link (answered the same whether or not the address needs one).
func (p *Pages) verify(c *gin.Context) {
	v := VerifyView{Page: p.page(c), Key: c.PostForm("key"), Email: strings.TrimSpace(c.PostForm("email"))}
	if !p.formOK(c) {
		v.Errors = Errors{Summary: p.msg.text("form.csrf")}
		p.render(c, http.StatusForbidden, "verify", v)
		return
	}
	ctx := c.Request.Context()
	if v.Key != "" {
		if err := p.auth.VerifyEmail(ctx, v.Key, device(c)); err != nil {
			var ok bool
			if v.Errors, ok = p.formErrors(c, err, nil); ok {
				v.Key = "" // offer a new link instead
				v.Errors.Summary = p.msg.text("form.invalid_key")
				p.render(c, c.Writer.Status(), "verify", v)
			}
			return
		}
		p.notice(c, "verify.done", p.msg.text("verify.done_body"), "/signin", "notice.signin")
		return
	}
	if err := p.auth.ResendVerification(ctx, v.Email, device(c)); err != nil {
		var ok bool
		if v.Errors, ok = p.formErrors(c, err, nil); ok {
			p.render(c, c.Writer.Status(), "verify", v)
		}
		return
	}
	p.notice(c, "verify.sent", p.msg.text("verify.sent_body", v.Email), "/signin", "notice.signin")
}
