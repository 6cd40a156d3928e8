package httpapi

import (
	"crypto/hmac"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
)

// cookieNames are the cookie names for the configured security: __Host-
// when the cookie is host-only at Path=/, __Secure- when it carries a
// Domain or a narrower Path, no prefix only with TESSERA_COOKIE_SECURE=false.
type cookieNames struct {
	access, refresh, csrf, session string
	secure                         bool
	domain                         string
	sameSite                       http.SameSite
}

const refreshCookiePath = "/v1/auth"

func newCookieNames(c config.Config) cookieNames {
	n := cookieNames{secure: c.CookieSecure, domain: c.CookieDomain, sameSite: sameSite(c.CookieSameSite)}
	host, sec := "__Host-", "__Secure-"
	if !c.CookieSecure {
		host, sec = "", ""
	} else if c.CookieDomain != "" {
		host = sec
	}
	n.access = host + "tessera_access"
	n.csrf = host + "tessera_csrf"
	n.session = host + "tessera_session"
	n.refresh = sec + "tessera_refresh"
	return n
}

func sameSite(v string) http.SameSite {
	switch v {
	case "strict":
		return http.SameSiteStrictMode
	case "none":
		return http.SameSiteNoneMode
	}
	return http.SameSiteLaxMode
}

func (n cookieNames) set(c *gin.Context, name, value, path string, maxAge time.Duration, httpOnly bool, ss http.SameSite) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: path, Domain: n.domain,
		MaxAge: int(maxAge / time.Second), Secure: n.secure, HttpOnly: httpOnly, SameSite: ss,
	}
	if maxAge <= 0 {
		ck.MaxAge = -1 // Max-Age=0: delete now
	}
	http.SetCookie(c.Writer, ck)
}

// setLogin writes the cookies of a cookie-delivery login or refresh.
func (s *Server) setLoginCookies(c *gin.Context, l *auth.Login, now time.Time) string {
	n := s.cookies
	csrf := s.csrfToken(l.Session.ID)
	n.set(c, n.access, l.AccessToken, "/", l.AccessExpiresAt.Sub(now), true, n.sameSite)
	n.set(c, n.refresh, l.RefreshToken, refreshCookiePath, l.RefreshExpiresAt.Sub(now), true, http.SameSiteStrictMode)
	n.set(c, n.csrf, csrf, "/", l.RefreshExpiresAt.Sub(now), false, n.sameSite)
	return csrf
}

// setSessionCookies writes the cookies of a session-delivery login: the
// opaque session id and the csrf value, no JWT.
//
// Both cookies live until the session's absolute expiry: the session is
// looked up on every request, which enforces the idle lifetime and slides
// it forward, while the cookies are set only here, at sign-in. With the
// idle expiry as their Max-Age, a person using the session every day was
// signed out by the browser when the first idle period ran out.
func (s *Server) setSessionCookies(c *gin.Context, l *auth.Login, now time.Time) string {
	n := s.cookies
	csrf := s.csrfToken(l.Session.ID)
	life := l.Session.ExpiresAt.Sub(now)
	n.set(c, n.session, l.SessionSecret, "/", life, true, n.sameSite)
	n.set(c, n.csrf, csrf, "/", life, false, n.sameSite)
	return csrf
}

// clearCookies deletes every cookie Tessera may have set.
func (s *Server) clearCookies(c *gin.Context) {
	n := s.cookies
	n.set(c, n.session, "", "/", 0, true, n.sameSite)
	n.set(c, n.access, "", "/", 0, true, n.sameSite)
	n.set(c, n.refresh, "", refreshCookiePath, 0, true, http.SameSiteStrictMode)
	n.set(c, n.csrf, "", "/", 0, false, n.sameSite)
}

// csrfToken is the double-submit value of session sid, derived in
// internal/token from the refresh secret, which the transport never holds.
func (s *Server) csrfToken(sid uuid.UUID) string { return s.refresher.CSRF(sid) }

// checkCSRF enforces the double-submit rule for a cookie-authenticated
// unsafe request of session sid: X-CSRF-Token equal to the csrf cookie,
// both equal to the session's token, and an allowed Origin when one is sent.
func (s *Server) checkCSRF(c *gin.Context, sid uuid.UUID) error {
	if !s.originAllowed(c) {
		return auth.Errorf(auth.CodeCSRFFailed, "origin not allowed")
	}
	header := c.GetHeader("X-CSRF-Token")
	cookie, _ := c.Cookie(s.cookies.csrf)
	want := s.csrfToken(sid)
	if header == "" || !hmac.Equal([]byte(header), []byte(cookie)) || !hmac.Equal([]byte(header), []byte(want)) {
		return auth.Errorf(auth.CodeCSRFFailed, "missing or wrong X-CSRF-Token header")
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
