package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
)

// loginAfterParam carries through the sign-in pages the time (Unix
// seconds) at which an authorization request demanding a fresh sign-in
// (prompt=login or create, an exceeded max_age) sent the browser to sign
// in: a sign-in at or after it satisfies the request, so the browser does
// not loop back to the sign-in page. A client that sets it itself only
// weakens its own prompt=login; it is honoured for loginAfterWindow.
const loginAfterParam = "tessera_login_after"

// loginAfterWindow is how long a loginAfterParam is honoured.
const loginAfterWindow = 30 * time.Minute

// authorize is the authorization endpoint (RFC 6749 s4.1.1, OpenID Connect
// Core s3.1.2): an unknown client or redirect URI gets the error page,
// never a redirect; every later problem is redirected with error, state and
// iss. A browser without a (fresh enough) sign-in goes to the sign-in page
// and comes back here; a signed-in one gets its code at once, after the
// consent page for a third-party client without a remembered consent.
func (p *Pages) authorize(c *gin.Context) {
	ctx := c.Request.Context()
	q := c.Request.URL.Query()
	id, err := oidc.AuthorizationClientID(q)
	if err != nil {
		p.oauthError(c, err)
		return
	}
	client, err := p.auth.OAuthClient(ctx, id)
	if err != nil {
		p.internal(c, err)
		return
	}
	req, err := oidc.ParseAuthorizationRequest(q, auth.OIDCClient(client))
	if err != nil {
		p.oauthError(c, err)
		return
	}
	b, err := p.auth.BrowserSession(ctx, p.ssoCookie(c))
	if err != nil {
		p.internal(c, err)
		return
	}
	if p.needsSignIn(req, q.Get(loginAfterParam), b) {
		if req.Prompt.None {
			p.redirectError(c, req, oidc.ErrLoginRequired, "the browser is not signed in")
			return
		}
		v := req.Values()
		v.Set(loginAfterParam, strconv.FormatInt(p.auth.Now().Unix(), 10))
		dest := "/signin"
		if req.Prompt.Create {
			dest = "/signup"
		}
		c.Redirect(http.StatusFound, dest+"?return_to="+url.QueryEscape("/oauth/authorize?"+v.Encode()))
		return
	}
	p.grant(c, client, b, req, q.Get(loginAfterParam))
}

// authorizeByPost takes an authorization request sent as a form (OpenID
// Connect Core s3.1.2.1: the endpoint supports POST) and sends the browser
// to the GET with the same parameters. A form posted from the client's
// site carries no SameSite=Lax sign-in cookie, so answering it here would
// take a signed-in browser for a signed-out one; the GET that follows is
// a top-level navigation, which carries it. The GET validates everything.
func (p *Pages) authorizeByPost(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		p.oauthError(c, &oidc.PageError{Code: oidc.ErrInvalidRequest, Description: "the form could not be read"})
		return
	}
	c.Redirect(http.StatusSeeOther, "/oauth/authorize?"+c.Request.PostForm.Encode())
}

// grant answers a signed-in browser: the consent page when client needs
// one, else a code.
func (p *Pages) grant(c *gin.Context, client *store.Client, b *auth.BrowserSignIn, req *oidc.AuthorizationRequest, loginAfter string) {
	ctx := c.Request.Context()
	need, err := p.auth.NeedsConsent(ctx, client, b, req)
	if err != nil {
		p.internal(c, err)
		return
	}
	if need {
		if req.Prompt.None {
			p.redirectError(c, req, oidc.ErrConsentRequired, "the user has not approved this client")
			return
		}
		req.Prompt.Consent = false // approving once is enough
		v := req.Values()
		if loginAfter != "" {
			v.Set(loginAfterParam, loginAfter)
		}
		p.render(c, http.StatusOK, "consent", ConsentView{Page: p.page(c), ClientName: clientName(client),
			Scopes: p.scopeTexts(req.Scopes), ReturnTo: "/oauth/authorize?" + v.Encode()})
		return
	}
	code, err := p.auth.IssueCode(ctx, client, b, req)
	if auth.ErrorCode(err) == auth.CodeMFAEnrollRequired {
		p.redirectError(c, req, "access_denied", "this application requires a second factor, which the account has not set up")
		return
	}
	if err != nil {
		p.internal(c, err)
		return
	}
	loc, err := oidc.SuccessRedirect(req.RedirectURI, p.cfg.Issuer, code, req.State)
	if err != nil {
		p.internal(c, err)
		return
	}
	c.Redirect(http.StatusFound, loc)
}

// needsSignIn reports whether the request needs the browser to sign in
// (again): there is no sign-in, or the request wants a fresh one
// (prompt=login, prompt=create, max_age exceeded) and the sign-in is not
// newer than loginAfter.
func (p *Pages) needsSignIn(req *oidc.AuthorizationRequest, loginAfter string, b *auth.BrowserSignIn) bool {
	if b == nil {
		return true
	}
	now := p.auth.Now()
	var authTime time.Time
	if b.Session.AuthTime != nil {
		authTime = *b.Session.AuthTime
	}
	fresh := req.Prompt.Login || req.Prompt.Create || (req.MaxAgeSet && now.Sub(authTime) > req.MaxAge)
	if !fresh {
		return false
	}
	after, err := strconv.ParseInt(loginAfter, 10, 64)
	if err != nil {
		return true
	}
	t := time.Unix(after, 0)
	if t.After(now) || now.Sub(t) > loginAfterWindow {
		return true
	}
	return authTime.Before(t)
}

// consent takes the answer of the consent page: allow remembers the
// consent and goes back to the authorization request, deny sends the
// client access_denied.
func (p *Pages) consent(c *gin.Context) {
	ctx := c.Request.Context()
	returnTo := safeReturn(c.PostForm("return_to"))
	if !strings.HasPrefix(returnTo, "/oauth/authorize?") || !p.formOK(c) {
		p.render(c, http.StatusForbidden, "oautherror", OAuthErrorView{Page: p.page(c), Code: oidc.ErrInvalidRequest,
			Description: p.msg.text("form.csrf")})
		return
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(returnTo, "/oauth/authorize?"))
	client, err := p.auth.OAuthClient(ctx, q.Get("client_id"))
	if err != nil {
		p.internal(c, err)
		return
	}
	req, err := oidc.ParseAuthorizationRequest(q, auth.OIDCClient(client))
	if err != nil {
		p.oauthError(c, err)
		return
	}
	if c.PostForm("decision") != "allow" {
		p.redirectError(c, req, oidc.ErrAccessDenied, "the user denied the request")
		return
	}
	b, err := p.auth.BrowserSession(ctx, p.ssoCookie(c))
	if err != nil {
		p.internal(c, err)
		return
	}
	if b != nil {
		if err := p.auth.GrantConsent(ctx, client, b, req); err != nil {
			p.internal(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, returnTo)
}

// oauthError shows the error page of a request that must not be
// redirected (*oidc.PageError), or redirects a *oidc.RedirectError.
func (p *Pages) oauthError(c *gin.Context, err error) {
	var re *oidc.RedirectError
	if errors.As(err, &re) {
		p.redirectTo(c, re)
		return
	}
	var pe *oidc.PageError
	if !errors.As(err, &pe) {
		p.internal(c, err)
		return
	}
	p.render(c, http.StatusBadRequest, "oautherror", OAuthErrorView{Page: p.page(c), Code: pe.Code, Description: pe.Description})
}

// redirectError sends the client of the valid request req the error code.
func (p *Pages) redirectError(c *gin.Context, req *oidc.AuthorizationRequest, code, desc string) {
	p.redirectTo(c, &oidc.RedirectError{Code: code, Description: desc, RedirectURI: req.RedirectURI, State: req.State})
}

func (p *Pages) redirectTo(c *gin.Context, re *oidc.RedirectError) {
	loc, err := re.Location(p.cfg.Issuer)
	if err != nil {
		p.internal(c, err)
		return
	}
	c.Redirect(http.StatusFound, loc)
}

// scopeTexts are the consent page's words for scopes.
func (p *Pages) scopeTexts(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		switch s {
		case oidc.ScopeOpenID:
			out = append(out, p.msg.text("consent.scope.openid"))
		case oidc.ScopeProfile:
			out = append(out, p.msg.text("consent.scope.profile"))
		case oidc.ScopeEmail:
			out = append(out, p.msg.text("consent.scope.email"))
		case oidc.ScopeOfflineAccess:
			out = append(out, p.msg.text("consent.scope.offline_access"))
		}
	}
	return out
}

// clientName is what the pages call client c.
func clientName(c *store.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
