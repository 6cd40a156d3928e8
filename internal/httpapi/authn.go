package httpapi

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
)

// MaxCredentialLen bounds any credential read from a header or cookie;
// longer input is refused before it is parsed. Routes mounted from other
// packages apply the same bound.
const MaxCredentialLen = 8 << 10

// authenticator is one way of proving who a request comes from, tried in
// the configured order like Django REST Framework's authentication classes.
type authenticator interface {
	// authenticate returns (nil, nil) when the request carries none of this
	// scheme's credentials, and an error when it carries wrong ones: that
	// stops the chain.
	authenticate(c *gin.Context) (*auth.Principal, error)
	// challenge is this scheme's WWW-Authenticate value ("" for none).
	challenge(invalidToken bool) string
}

func (s *Server) newAuthenticator(name string) (authenticator, error) {
	switch name {
	case "bearer":
		return bearerAuth{s}, nil
	case "token":
		return tokenAuth{s}, nil
	case "session":
		return sessionAuth{s}, nil
	case "basic":
		return basicAuth{s}, nil
	}
	return nil, fmt.Errorf("unknown authenticator %q", name)
}

// authenticate runs the chain and stores the principal. Credentials
// present but wrong stop the chain with 401; none at all is 401 too.
func (s *Server) authenticate(c *gin.Context) {
	for _, a := range s.authenticators {
		p, err := a.authenticate(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if p != nil {
			c.Set(ctxPrincipal, p)
			c.Next()
			return
		}
	}
	s.writeError(c, auth.Errorf(auth.CodeNotAuthenticated, "authentication credentials were not provided"))
}

// csrf applies the double-submit and Origin rules to unsafe requests
// authenticated by a cookie.
func (s *Server) csrf(c *gin.Context) {
	p := principal(c)
	if safeMethod(c.Request.Method) || p == nil || (p.Method != "cookie" && p.Method != "session") {
		c.Next()
		return
	}
	if err := s.checkCSRF(c, p.SessionID()); err != nil {
		s.writeError(c, err)
		return
	}
	c.Next()
}

func principal(c *gin.Context) *auth.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(*auth.Principal)
	return pr
}

// bearerAuth accepts an access JWT in "Authorization: Bearer" or, failing
// that, in the access cookie.
type bearerAuth struct{ s *Server }

func (b bearerAuth) authenticate(c *gin.Context) (*auth.Principal, error) {
	raw, method := "", "bearer"
	if h := c.GetHeader("Authorization"); h != "" {
		cred, ok := SchemeCredential(h, "Bearer")
		if !ok {
			return nil, nil
		}
		c.Set(ctxBearerSent, true)
		raw = cred
		if raw == "" || len(raw) > MaxCredentialLen {
			return nil, auth.Errorf(auth.CodeInvalidToken, "the access token is invalid, expired or revoked")
		}
	} else if v, err := c.Cookie(b.s.cookies.access); err == nil && v != "" {
		raw, method = v, "cookie"
		if len(raw) > MaxCredentialLen {
			return nil, auth.Errorf(auth.CodeInvalidToken, "the access token is invalid, expired or revoked")
		}
	} else {
		return nil, nil
	}
	return b.s.auth.AuthenticateAccess(c.Request.Context(), raw, method)
}

func (bearerAuth) challenge(invalid bool) string {
	if invalid {
		return `Bearer realm="tessera", error="invalid_token"`
	}
	return `Bearer realm="tessera"`
}
