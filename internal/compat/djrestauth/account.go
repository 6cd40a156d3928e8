package djrestauth

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
)

// user is UserDetailsView's GET.
func (h *Routes) user(c *gin.Context) {
	writeJSON(c, http.StatusOK, newUserBody(principal(c).User))
}

// updateUser is UserDetailsView's PUT (partial false: username is
// required, as the model's USERNAME_FIELD) and PATCH. pk and email are
// read-only and ignored when sent, as DRF does.
func (h *Routes) updateUser(partial bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in auth.UpdateMeInput
		if !h.bind(c, func(f *form) {
			for name, dst := range map[string]**string{"username": &in.Username, "first_name": &in.FirstName, "last_name": &in.LastName} {
				if !f.has(name) && (partial || name != "username") {
					continue
				}
				// Django's name fields are not nullable: null is refused,
				// not taken as a blank that clears the name.
				if v, ok := f.data[name]; ok && v == nil {
					f.fail(name, msgNull)
					continue
				}
				// Only the username may not be blank, as in Django's model.
				v := f.str(name, name == "username")
				*dst = &v
			}
		}) {
			return
		}
		in.Device = device(c)
		u, err := h.auth.UpdateMe(c.Request.Context(), principal(c), in)
		if err != nil {
			h.fail(c, err, nil)
			return
		}
		writeJSON(c, http.StatusOK, newUserBody(u))
	}
}

// passwordReset is PasswordResetView: the same 200 whether or not the
// address has an account, within the limits the API's own reset spends.
func (h *Routes) passwordReset(c *gin.Context) {
	var email string
	if !h.bind(c, func(f *form) { email = f.email("email", true) }) {
		return
	}
	if err := h.limits.AllowReset(h.auth.Now(), c.ClientIP(), email); err != nil {
		h.fail(c, err, nil)
		return
	}
	if err := h.auth.RequestPasswordReset(c.Request.Context(), email, device(c)); err != nil {
		h.fail(c, err, nil)
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "Password reset e-mail has been sent."})
}

// passwordResetConfirm is PasswordResetConfirmView. uid and token are the
// two query parameters of the link Tessera mails (the user id and the
// reset token), not Django's base64 pk and its token: a link mailed by
// Django before the move does not work here.
func (h *Routes) passwordResetConfirm(c *gin.Context) {
	var p1, p2, uid, token string
	if !h.bind(c, func(f *form) {
		p1, p2 = f.str("new_password1", true), f.str("new_password2", true)
		uid, token = f.str("uid", true), f.str("token", true)
	}) {
		return
	}
	if _, err := uuid.Parse(uid); err != nil {
		h.write(c, &drfError{status: http.StatusBadRequest, body: map[string][]string{"uid": {msgInvalidValue}}})
		return
	}
	if p1 != p2 {
		h.write(c, &drfError{status: http.StatusBadRequest, body: map[string][]string{"new_password2": {msgMismatch}}})
		return
	}
	err := h.auth.ConfirmPasswordReset(c.Request.Context(), auth.ResetConfirmInput{UID: uid, Token: token, NewPassword: p1, Device: device(c)})
	if auth.ErrorCode(err) == auth.CodeInvalidKey {
		// An unknown account and a bad token are one answer, so the route
		// does not tell which user ids exist.
		err = &drfError{status: http.StatusBadRequest, body: map[string][]string{"token": {msgInvalidValue}}}
	}
	if err != nil {
		h.fail(c, err, fields{"new_password": "new_password2"})
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "Password has been reset with the new password."})
}

// passwordChange is PasswordChangeView with OLD_PASSWORD_FIELD_ENABLED:
// Tessera always asks for the current password (a stolen token must not be
// enough to take the account), checked like a login.
func (h *Routes) passwordChange(c *gin.Context) {
	var old, p1, p2 string
	if !h.bind(c, func(f *form) {
		old, p1, p2 = f.str("old_password", true), f.str("new_password1", true), f.str("new_password2", true)
	}) {
		return
	}
	if p1 != p2 {
		h.write(c, &drfError{status: http.StatusBadRequest, body: map[string][]string{"new_password2": {msgMismatch}}})
		return
	}
	err := h.auth.ChangePassword(c.Request.Context(), principal(c), auth.ChangePasswordInput{CurrentPassword: old, NewPassword: p1, Device: device(c)})
	if err != nil {
		h.fail(c, err, fields{"current_password": "old_password", "new_password": "new_password2"})
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "New password has been saved."})
}

// verifyEmail is VerifyEmailView: a key that is unknown, used, expired or
// superseded is allauth's 404.
func (h *Routes) verifyEmail(c *gin.Context) {
	var key string
	if !h.bind(c, func(f *form) { key = f.str("key", true) }) {
		return
	}
	err := h.auth.VerifyEmail(c.Request.Context(), key, device(c))
	if auth.ErrorCode(err) == auth.CodeInvalidKey {
		err = detail(http.StatusNotFound, msgNotFound)
	}
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "ok"})
}

// resendEmail is ResendEmailVerificationView: "ok" whatever the account,
// within the limits the API's own resend spends.
func (h *Routes) resendEmail(c *gin.Context) {
	var email string
	if !h.bind(c, func(f *form) { email = f.email("email", true) }) {
		return
	}
	if err := h.limits.AllowResend(h.auth.Now(), c.ClientIP(), email); err != nil {
		h.fail(c, err, nil)
		return
	}
	if err := h.auth.ResendVerification(c.Request.Context(), email, device(c)); err != nil {
		h.fail(c, err, nil)
		return
	}
	writeJSON(c, http.StatusOK, gin.H{"detail": "ok"})
}
