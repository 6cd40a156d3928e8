package djrestauth

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/httpapi"
)

// The WWW-Authenticate of a 401: DRF sends the first authentication
// class's, TokenAuthentication's "Token" or simplejwt's Bearer.
const (
	tokenChallenge  = "Token"
	bearerChallenge = `Bearer realm="api"`
)

const ctxPrincipal = "djrestauth.principal"

// authenticate reads "Authorization: Token <key>" and, in jwt mode,
// "Authorization: Bearer <access>", through the same use cases as
// /v1/auth, each only when TESSERA_AUTHENTICATION lists it (token,
// bearer). Like DRF, other schemes are ignored, credentials present but
// wrong are a 401 whatever the route, and none at all is a 401 only where
// required. Cookies are never read here, so these routes need no CSRF
// token: a browser cannot send a header credential on its own.
func (h *Routes) authenticate(required bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := h.principalOf(c)
		if err != nil {
			h.fail(c, err, nil)
			return
		}
		if p == nil && required {
			h.write(c, h.unauthenticated("Authentication credentials were not provided."))
			return
		}
		if p != nil {
			c.Set(ctxPrincipal, p)
		}
		c.Next()
	}
}

func (h *Routes) principalOf(c *gin.Context) (*auth.Principal, error) {
	header := c.GetHeader("Authorization")
	ctx := c.Request.Context()
	if key, ok := httpapi.SchemeCredential(header, "Token"); ok && h.token {
		switch {
		case key == "":
			return nil, h.unauthenticated("Invalid token header. No credentials provided.")
		case strings.ContainsAny(key, " \t"):
			return nil, h.unauthenticated("Invalid token header. Token string should not contain spaces.")
		case len(key) > httpapi.MaxCredentialLen:
			return nil, h.unauthenticated("Invalid token.")
		}
		p, err := h.auth.AuthenticateClassicToken(ctx, key)
		return p, h.authError(err, h.unauthenticated("Invalid token."))
	}
	if raw, ok := httpapi.SchemeCredential(header, "Bearer"); ok && h.jwt && h.bearer {
		if raw == "" || len(raw) > httpapi.MaxCredentialLen || strings.ContainsAny(raw, " \t") {
			return nil, h.unauthenticated("Authorization header must contain two space-delimited values")
		}
		p, err := h.auth.AuthenticateAccess(ctx, raw, "bearer")
		return p, h.authError(err, &drfError{status: http.StatusUnauthorized, challenge: bearerChallenge,
			body: gin.H{"detail": "Given token not valid for any token type", "code": codeTokenInvalid}})
	}
	return nil, nil
}

// authError is refused when err is a refusal of the credentials, err
// itself when it is another failure (a database outage stays a 503), and
// nil when there is none.
func (h *Routes) authError(err error, refused *drfError) error {
	if err == nil {
		return nil
	}
	switch auth.ErrorCode(err) {
	case auth.CodeInvalidToken, auth.CodeNotAuthenticated, auth.CodeAuthFailed:
		return refused
	}
	return err
}

// unauthenticated is DRF's 401 with this mode's challenge.
func (h *Routes) unauthenticated(msg string) *drfError {
	ch := tokenChallenge
	if h.jwt {
		ch = bearerChallenge
	}
	return &drfError{status: http.StatusUnauthorized, body: gin.H{"detail": msg}, challenge: ch}
}

func principal(c *gin.Context) *auth.Principal {
	v, _ := c.Get(ctxPrincipal)
	p, _ := v.(*auth.Principal)
	return p
}
