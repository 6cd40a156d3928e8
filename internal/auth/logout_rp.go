package auth

import (
	"context"
	"fmt"

	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
)

// errBadHint answers an id_token_hint that is not an ID token of Tessera.
var errBadHint = &oidc.PageError{Code: oidc.ErrInvalidRequest, Description: "id_token_hint is not an ID token of this provider"}

// LogoutRP is RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0):
// the id_token_hint must be an ID token Tessera signed (expired or not);
// its aud, or else client_id, names the client whose registered
// post-logout URIs the redirect must match exactly. It ends the browser
// sign-in of ssoCookie and, when that client has logout_ends_sessions,
// every session born from it. It returns where to send the browser, ""
// for the signed-out page; a bad request is an *oidc.PageError and ends
// nothing.
func (s *Service) LogoutRP(ctx context.Context, lr *oidc.LogoutRequest, ssoCookie string, dev Device) (string, error) {
	client, loc, _, err := s.logoutTarget(ctx, lr)
	if err != nil {
		return "", err
	}
	sso, _, err := s.ssoSession(ctx, ssoCookie)
	if err != nil {
		return "", err
	}
	if sso != nil && client != nil && client.LogoutEndsSessions {
		n, err := s.store.RevokeSSOSessions(ctx, sso.ID, s.now().UTC(), "rp_logout")
		if err != nil {
			return "", fmt.Errorf("rp logout: %w", err)
		}
		s.audit(ctx, "logout", sso.UserID, sso.ID, dev, map[string]string{"scope": "rp_logout", "client_id": client.ID, "sessions": fmt.Sprint(n)})
	}
	if err := s.SignOutBrowser(ctx, ssoCookie, dev); err != nil {
		return "", err
	}
	return loc, nil
}

// LogoutAsks validates a logout request as LogoutRP does and ends nothing:
// a request that will be refused must be refused before the person is
// asked anything. It reports whether the browser of ssoCookie must be
// asked first: it has a live sign-in that the request does not show was
// meant for it, having no id_token_hint (any site could send it) or a hint
// issued to another user (RP-Initiated Logout 1.0 s2 lets the OP ask).
func (s *Service) LogoutAsks(ctx context.Context, lr *oidc.LogoutRequest, ssoCookie string) (bool, error) {
	_, _, subject, err := s.logoutTarget(ctx, lr)
	if err != nil || ssoCookie == "" {
		return false, err
	}
	b, err := s.BrowserSession(ctx, ssoCookie)
	if err != nil || b == nil {
		return false, err
	}
	return subject != b.User.ID.String(), nil
}

// logoutTarget resolves the client a logout request names (by its hint's
// aud, or client_id), the redirect it asks for ("" for none) and the
// hint's subject ("" without a hint).
func (s *Service) logoutTarget(ctx context.Context, lr *oidc.LogoutRequest) (*store.Client, string, string, error) {
	clientID, subject := lr.ClientID, ""
	if lr.IDTokenHint != "" {
		c, err := s.minter.ParseIDTokenHint(ctx, lr.IDTokenHint)
		if err != nil {
			return nil, "", "", errBadHint
		}
		clientID, subject = c.Audience, c.Subject
	}
	if clientID == "" {
		return nil, "", subject, nil
	}
	client, err := s.OAuthClient(ctx, clientID)
	if err != nil {
		return nil, "", "", err
	}
	if client == nil {
		return nil, "", "", &oidc.PageError{Code: oidc.ErrInvalidClient, Description: "the client is unknown"}
	}
	loc, err := lr.Redirect(OIDCClient(client))
	if err != nil {
		return nil, "", "", err
	}
	return client, loc, subject, nil
}
