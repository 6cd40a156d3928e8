package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
)

type codeTokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// codeGrant is the authorization_code grant (RFC 6749 s4.1.3, OpenID
// Connect Core s3.1.3): the client authenticates, the code is redeemed
// once, and the answer carries a refresh token only when the client may
// use the refresh_token grant, an ID token only when openid was granted.
func (s *Server) codeGrant(c *gin.Context, p map[string]string) {
	client, ok := s.tokenClient(c, p)
	if !ok {
		return
	}
	if !auth.OIDCClient(client).AllowsGrant(oidc.GrantAuthorizationCode) {
		s.writeError(c, auth.Errorf(auth.CodeUnauthorizedClient, "this client may not use the authorization_code grant"))
		return
	}
	if p["code"] == "" || p["redirect_uri"] == "" {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "code and redirect_uri are required"))
		return
	}
	g, err := s.auth.ExchangeCode(c.Request.Context(), auth.CodeExchange{
		Client: client, Code: p["code"], RedirectURI: p["redirect_uri"], CodeVerifier: p["code_verifier"],
		Device: s.device(c, deviceFields{ClientID: client.ID}),
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	resp := codeTokenResponse{AccessToken: g.AccessToken, TokenType: "Bearer", IDToken: g.IDToken,
		ExpiresIn: secondsUntil(g.AccessExpiresAt, s.auth.Now()), Scope: strings.Join(g.Scope, " ")}
	if auth.OIDCClient(client).AllowsGrant(oidc.GrantRefreshToken) {
		resp.RefreshToken = g.RefreshToken
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.JSON(http.StatusOK, resp)
}

// clientCredentialsGrant is RFC 6749 s4.4 for confidential clients: an
// access token with no user, no refresh token and no ID token. Any scope
// asked for is ignored (the scopes Tessera knows are about a user), so the
// answer's scope is empty.
func (s *Server) clientCredentialsGrant(c *gin.Context, p map[string]string) {
	client, ok := s.tokenClient(c, p)
	if !ok {
		return
	}
	st, err := s.auth.ClientCredentials(c.Request.Context(), client, s.device(c, deviceFields{ClientID: client.ID}))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.JSON(http.StatusOK, codeTokenResponse{AccessToken: st.AccessToken, TokenType: "Bearer",
		ExpiresIn: secondsUntil(st.ExpiresAt, s.auth.Now())})
}

// tokenClient authenticates the client of a token request (RFC 6749
// s2.3.1). A failure is answered here: invalid_request for a malformed
// request, invalid_client otherwise, 401 with a Basic challenge when the
// client used the Authorization header (s5.2).
func (s *Server) tokenClient(c *gin.Context, p map[string]string) (*store.Client, bool) {
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	cr, err := oidc.ParseClientAuth(c.Request.Header, form)
	var client *store.Client
	if err == nil {
		client, err = s.auth.TokenClient(c.Request.Context(), cr)
	}
	if err == nil {
		return client, true
	}
	var pe *oidc.PageError
	if errors.As(err, &pe) && pe.Code != oidc.ErrInvalidClient {
		s.writeError(c, auth.Errorf(auth.CodeInvalidRequest, "%s", pe.Description))
		return nil, false
	}
	if errors.As(err, &pe) || auth.ErrorCode(err) == auth.CodeInvalidClient {
		// Any Authorization header counts as trying it (s5.2), not only a
		// well-formed Basic one: "Bearer x" or a bare "Basic" is 401 too.
		if c.GetHeader("Authorization") != "" {
			c.Header("WWW-Authenticate", `Basic realm="tessera", charset="UTF-8"`)
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: auth.CodeInvalidClient, Description: "client authentication failed"})
			return nil, false
		}
		s.writeError(c, auth.Errorf(auth.CodeInvalidClient, "client authentication failed"))
		return nil, false
	}
	s.writeError(c, err)
	return nil, false
}

type userinfoResponse struct {
	Sub               string `json:"sub"`
	Email             string `json:"email,omitempty"`
	EmailVerified     *bool  `json:"email_verified,omitempty"`
	GivenName         string `json:"given_name,omitempty"`
	FamilyName        string `json:"family_name,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
}

// oauthUserinfo is OpenID Connect Core s5.3: the Bearer access token's
// user, with email and email_verified when its scope has email, and the
// profile claims the ID token carries (given_name, family_name,
// preferred_username, those set) when it has profile. Any
// problem with the token is 401 with error="invalid_token" (RFC 6750 s3);
// a request with no Authorization header at all gets the bare challenge
// (RFC 6750 s3.1: no error code when no credentials were sent).
func (s *Server) oauthUserinfo(c *gin.Context) {
	fail := func() {
		if c.GetHeader("Authorization") == "" {
			c.Header("WWW-Authenticate", `Bearer realm="tessera"`)
		} else {
			c.Header("WWW-Authenticate", `Bearer realm="tessera", error="invalid_token"`)
		}
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody{Error: auth.CodeInvalidToken,
			Description: "the access token is missing, invalid, expired or revoked"})
	}
	raw, ok := SchemeCredential(c.GetHeader("Authorization"), "Bearer")
	if !ok || raw == "" || len(raw) > MaxCredentialLen {
		fail()
		return
	}
	pr, err := s.auth.AuthenticateAccess(c.Request.Context(), raw, "bearer")
	if auth.ErrorCode(err) == auth.CodeInvalidToken || auth.ErrorCode(err) == auth.CodeNotAuthenticated || (err == nil && pr.Claims == nil) {
		fail()
		return
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	resp := userinfoResponse{Sub: pr.User.ID.String()}
	scopes := strings.Fields(pr.Claims.Scope)
	if slices.Contains(scopes, oidc.ScopeEmail) {
		verified := pr.User.EmailVerifiedAt != nil
		resp.Email, resp.EmailVerified = pr.User.Email, &verified
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		resp.GivenName, resp.FamilyName, resp.PreferredUsername = pr.User.FirstName, pr.User.LastName, pr.User.UsernameOrEmpty()
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, resp)
}
