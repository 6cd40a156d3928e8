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
	client, loc, err := s.logoutTarget(ctx, lr)
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

// CheckLogout validates a logout request as LogoutRP does (the hint, the
// client, the post-logout URI) and ends nothing: a request that will be
// refused must be refused before the person is asked anything.
func (s *Service) CheckLogout(ctx context.Context, lr *oidc.LogoutRequest) error {
	_, _, err := s.logoutTarget(ctx, lr)
	return err
}

// logoutTarget resolves the client a logout request names (by its hint's
// aud, or client_id) and the redirect it asks for, "" for none.
func (s *Service) logoutTarget(ctx context.Context, lr *oidc.LogoutRequest) (*store.Client, string, error) {
	clientID := lr.ClientID
	if lr.IDTokenHint != "" {
		c, err := s.minter.ParseIDTokenHint(ctx, lr.IDTokenHint)
		if err != nil {
			return nil, "", errBadHint
		}
		clientID = c.Audience
	}
	if clientID == "" {
		return nil, "", nil
	}
	client, err := s.OAuthClient(ctx, clientID)
	if err != nil {
		return nil, "", err
	}
	if client == nil {
		return nil, "", &oidc.PageError{Code: oidc.ErrInvalidClient, Description: "the client is unknown"}
	}
	loc, err := lr.Redirect(OIDCClient(client))
	if err != nil {
		return nil, "", err
	}
	return client, loc, nil
}
