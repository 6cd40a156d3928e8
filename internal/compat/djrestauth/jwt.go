package djrestauth

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// djangoTime is how DRF's JSON encoder writes a UTC datetime.
const djangoTime = "2006-01-02T15:04:05.000000Z07:00"

// tokenVerify is simplejwt's TokenVerifyView: 200 {} for a token that is
// active now (an access token, or a refresh token of a live session),
// 401 token_not_valid for anything else. Unlike simplejwt, a token whose
// session was ended is refused at once.
func (h *Routes) tokenVerify(c *gin.Context) {
	var raw string
	if !h.bind(c, func(f *form) { raw = f.str("token", true) }) {
		return
	}
	in, err := h.auth.Introspect(c.Request.Context(), raw, "")
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	if !in.Active {
		h.write(c, invalidToken(msgTokenInvalid))
		return
	}
	writeJSON(c, http.StatusOK, gin.H{})
}

// tokenRefresh is dj-rest-auth's refresh view over simplejwt's
// TokenRefreshView with ROTATE_REFRESH_TOKENS: Tessera rotates on every
// refresh, so the answer always carries the new refresh token, and using
// an old one after the grace period ends the session (as Tessera's own
// refresh does).
func (h *Routes) tokenRefresh(c *gin.Context) {
	var raw string
	if !h.bind(c, func(f *form) { raw = f.str("refresh", false) }) {
		return
	}
	if raw == "" {
		h.write(c, invalidToken("No valid refresh token found."))
		return
	}
	l, err := h.auth.Refresh(c.Request.Context(), raw, device(c))
	if err != nil {
		h.fail(c, err, nil)
		return
	}
	writeJSON(c, http.StatusOK, gin.H{
		"access": l.AccessToken, "refresh": l.RefreshToken,
		"access_expiration":  l.AccessExpiresAt.UTC().Format(djangoTime),
		"refresh_expiration": l.RefreshExpiresAt.UTC().Format(djangoTime),
	})
}

// invalidToken is simplejwt's InvalidToken.
func invalidToken(msg string) *drfError {
	return &drfError{status: http.StatusUnauthorized, challenge: bearerChallenge,
		body: gin.H{"detail": msg, "code": codeTokenInvalid}}
}
