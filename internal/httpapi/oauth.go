package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
)

// oauthRoutes serves the OAuth 2.0 endpoints (RFC 6749 refresh grant, RFC
// 7009 revocation, RFC 7662 introspection) and the revocation feed.
func (s *Server) oauthRoutes(e *gin.Engine) {
	e.GET("/.well-known/oauth-authorization-server", s.discovery)
	e.POST("/oauth/token", s.oauthToken)
	e.GET("/oauth/userinfo", s.oauthUserinfo)
	e.POST("/oauth/userinfo", s.oauthUserinfo)
	e.POST("/oauth/revoke", s.oauthRevoke)
	e.POST("/oauth/introspect", s.oauthIntrospect)
	e.GET("/v1/revocations", s.revocations)
}

// oauthParams reads an OAuth request's parameters from a form body (RFC
// 6749's encoding) or, for JSON clients, a JSON object of strings. A
// parameter sent without a value is left out, as if omitted (RFC 6749
// s3.1): client_secret= from a public client is no secret.
func oauthParams(c *gin.Context) (map[string]string, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		params := map[string]string{}
		if err := bind(c, &params); err != nil {
			return nil, err
		}
		for k, v := range params {
			if v == "" {
				delete(params, k)
			}
		}
		return params, nil
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	if err := c.Request.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return nil, &auth.Error{Code: codePayloadTooLarge, Message: fmt.Sprintf("the body must be at most %d bytes", MaxBodyBytes)}
		}
		return nil, auth.Errorf(auth.CodeInvalidRequest, "the form body cannot be parsed")
	}
	params := map[string]string{}
	for k, v := range c.Request.PostForm {
		if len(v) > 1 {
			// RFC 6749 s3.1: parameters must not be repeated.
			return nil, auth.Errorf(auth.CodeInvalidRequest, "parameter %q is repeated", k)
		}
		if v[0] != "" {
			params[k] = v[0]
		}
	}
	return params, nil
}

// oauthToken is RFC 6749's token endpoint: the authorization_code grant
// of the OpenID code flow, the refresh_token grant and, for confidential
// clients, client_credentials. The password grant
// is not offered (RFC 9700 s2.4).
func (s *Server) oauthToken(c *gin.Context) {
	p, err := oauthParams(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	switch p["grant_type"] {
	case "refresh_token":
		s.refreshGrant(c, p)
	case "authorization_code":
		s.codeGrant(c, p)
	case "client_credentials":
		s.clientCredentialsGrant(c, p)
	case "":
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "grant_type is required"))
	default:
		s.writeError(c, auth.Errorf(auth.CodeUnsupportedGrantType, "only grant_type=authorization_code, refresh_token and client_credentials are supported"))
	}
}

// refreshGrant is RFC 6749 s6. A client that identifies itself is checked
// (a confidential one must prove its secret); the token stays bound to
// its client either way. A session of the code flow (one with granted
// scopes) is answered as the code exchange is, with its scope and
// nothing of the user: an app allowed openid alone must not read the
// e-mail out of a refresh. Tessera's own sign-ins keep the login answer.
func (s *Server) refreshGrant(c *gin.Context, p map[string]string) {
	if p["refresh_token"] == "" {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "refresh_token is required"))
		return
	}
	dev := s.device(c, deviceFields{ClientID: p["client_id"]})
	if c.GetHeader("Authorization") != "" || p["client_secret"] != "" {
		client, ok := s.tokenClient(c, p)
		if !ok {
			return
		}
		dev.ClientID, dev.ClientAuthenticated = client.ID, client.Type == store.ClientConfidential
	}
	l, err := s.auth.Refresh(c.Request.Context(), p["refresh_token"], dev)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if len(l.Session.Scope) > 0 {
		c.Header("Cache-Control", "no-store")
		c.Header("Pragma", "no-cache")
		c.JSON(http.StatusOK, codeTokenResponse{AccessToken: l.AccessToken, TokenType: "Bearer", RefreshToken: l.RefreshToken,
			ExpiresIn: secondsUntil(l.AccessExpiresAt, s.auth.Now()), Scope: strings.Join(l.Session.Scope, " ")})
		return
	}
	s.writeLogin(c, http.StatusOK, l, auth.DeliveryBody)
}

// oauthRevoke is RFC 7009. Without client credentials the token itself is
// the proof (front-ends hold no secret); a request that names its client
// (client_id, Basic or client_secret) is authenticated as at the token
// endpoint and may revoke only that client's tokens (s2.1). Every other
// well-formed request answers 200 with an empty body, whatever the token
// was.
func (s *Server) oauthRevoke(c *gin.Context) {
	p, err := oauthParams(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if p["token"] == "" {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "token is required"))
		return
	}
	dev := s.device(c, deviceFields{})
	if c.GetHeader("Authorization") != "" || p["client_id"] != "" || p["client_secret"] != "" {
		client, ok := s.tokenClient(c, p)
		if !ok {
			return
		}
		dev.ClientID = client.ID
	}
	if len(p["token"]) <= MaxCredentialLen {
		if err := s.auth.RevokeToken(c.Request.Context(), p["token"], dev); err != nil {
			s.writeError(c, err)
			return
		}
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
}

type introspectionResponse struct {
	Active    bool     `json:"active"`
	TokenType string   `json:"token_type,omitempty"`
	Sub       string   `json:"sub,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	SID       string   `json:"sid,omitempty"`
	Iss       string   `json:"iss,omitempty"`
	Aud       []string `json:"aud,omitempty"`
	Iat       int64    `json:"iat,omitempty"`
	Exp       int64    `json:"exp,omitempty"`
}

// oauthIntrospect is RFC 7662 for resource servers that authenticate with
// HTTP Basic as one of TESSERA_RESOURCE_SERVERS. An inactive token answers
// exactly {"active":false}.
func (s *Server) oauthIntrospect(c *gin.Context) {
	if !s.resourceServer(c) {
		c.Header("WWW-Authenticate", `Basic realm="tessera introspection", charset="UTF-8"`)
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: auth.CodeInvalidClient,
			Description: "introspection needs the credentials of a configured resource server"})
		return
	}
	p, err := oauthParams(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if p["token"] == "" {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "token is required"))
		return
	}
	resp := introspectionResponse{}
	if len(p["token"]) <= MaxCredentialLen {
		in, err := s.auth.Introspect(c.Request.Context(), p["token"], s.cfg.Issuer)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if in.Active {
			resp = introspectionResponse{Active: true, TokenType: in.TokenType, Sub: in.Subject, ClientID: in.ClientID,
				SID: in.SessionID, Iss: in.Issuer, Aud: in.Audience, Iat: in.IssuedAt.Unix(), Exp: in.ExpiresAt.Unix()}
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, resp)
}

// resourceServer checks the caller's HTTP Basic credentials against
// TESSERA_RESOURCE_SERVERS in constant time (comparing hashes, so the
// secrets' lengths do not leak either).
func (s *Server) resourceServer(c *gin.Context) bool {
	id, secret, present, err := parseBasic(c.GetHeader("Authorization"))
	if !present || err != nil {
		return false
	}
	got := sha256.Sum256([]byte(id + ":" + secret))
	ok := 0
	for _, rs := range s.cfg.ResourceServers {
		want := sha256.Sum256([]byte(rs))
		ok |= subtle.ConstantTimeCompare(got[:], want[:])
	}
	return ok == 1
}

type revocationEntry struct {
	SID       string    `json:"sid"`
	RevokedAt time.Time `json:"revoked_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// revocations is the feed offline verifiers poll: revoked sessions whose
// access tokens may still be alive. Public and cacheable for half a poll
// interval: session ids are not secrets.
func (s *Server) revocations(c *gin.Context) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		s.writeError(c, auth.Invalid(map[string][]string{"since": {"the query string is malformed"}}))
		return
	}
	feed, err := s.auth.Revocations(c.Request.Context(), q.Get("since"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := make([]revocationEntry, 0, len(feed.Revocations))
	for _, r := range feed.Revocations {
		out = append(out, revocationEntry{SID: r.SessionID.String(), RevokedAt: r.RevokedAt, ExpiresAt: r.ExpiresAt})
	}
	poll := int(s.cfg.RevocationPollInterval / time.Second)
	if poll < 1 {
		poll = 1
	}
	c.Header("Cache-Control", fmt.Sprintf("public, max-age=%d", poll/2))
	c.JSON(http.StatusOK, gin.H{"revocations": out, "cursor": feed.Cursor, "poll_interval": poll})
}
