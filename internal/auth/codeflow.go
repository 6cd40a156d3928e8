package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// CodeExchange is an authorization_code grant of an authenticated client.
type CodeExchange struct {
	Client       *store.Client
	Code         string
	RedirectURI  string
	CodeVerifier string
	Device       Device
}

// CodeGrant is the answer of a code exchange: the session's first pair,
// the ID token when openid was granted, and the granted scopes.
type CodeGrant struct {
	*Login
	IDToken string
	Scope   []string
}

// errBadCode answers every refused code alike (RFC 6749 s5.2).
var errBadCode = Errorf(CodeInvalidGrant, "the authorization code is invalid, expired, used, or was issued to another client or redirect URI")

// ExchangeCode redeems an authorization code (RFC 6749 s4.1.3): it works
// once, before it expires, for the client it was issued to, with the
// exact redirect_uri of the request and the PKCE verifier of its challenge
// (a verifier without a challenge is refused too, RFC 9700 s2.1.1). A
// code presented a second time revokes the session the first exchange
// created (s4.1.2). The new session is an ordinary jwt session of the
// client, remembering the granted scopes and the browser sign-in it came
// from.
func (s *Service) ExchangeCode(ctx context.Context, in CodeExchange) (*CodeGrant, error) {
	if in.Code == "" || len(in.Code) > maxCodeLen {
		return nil, errBadCode
	}
	hash := codeHash(in.Code)
	now := s.now().UTC()
	ac, err := s.store.UseAuthorizationCode(ctx, hash, now)
	switch {
	case errors.Is(err, store.ErrCodeReused):
		s.revokeCodeSession(ctx, ac, in.Device)
		return nil, errBadCode
	case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
		return nil, errBadCode
	case err != nil:
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	if ac.ClientID != in.Client.ID || ac.RedirectURI != in.RedirectURI {
		return nil, errBadCode
	}
	if ac.CodeChallenge != "" && !oidc.VerifyPKCE(in.CodeVerifier, ac.CodeChallenge) ||
		ac.CodeChallenge == "" && in.CodeVerifier != "" {
		return nil, errBadCode
	}
	u, err := s.activeUser(ctx, ac.UserID)
	if ErrorCode(err) == CodeInvalidToken {
		return nil, errBadCode
	}
	if err != nil {
		return nil, err
	}
	sess, err := s.codeSession(ctx, ac, in.Client, in.Device)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetCodeSession(ctx, hash, sess.ID); err != nil {
		// Replayed meanwhile: what this exchange made must not live.
		if rerr := s.store.RevokeSession(ctx, sess.ID, now, "code_reuse"); rerr != nil {
			return nil, fmt.Errorf("exchange code: %w", rerr)
		}
		if errors.Is(err, store.ErrStale) {
			return nil, errBadCode
		}
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	l, err := s.issueCurrent(u, sess, in.Client)
	if err != nil {
		return nil, err
	}
	g := &CodeGrant{Login: l, Scope: ac.Scope}
	if slices.Contains(ac.Scope, oidc.ScopeOpenID) {
		if g.IDToken, err = s.idToken(u, sess, ac, l); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// codeSession opens the jwt session of a code exchange.
func (s *Service) codeSession(ctx context.Context, ac *store.AuthorizationCode, c *store.Client, dev Device) (*store.Session, error) {
	nonce, err := token.NewNonce()
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	now := s.now().UTC()
	authTime := ac.AuthTime
	sess := &store.Session{
		ID: newID(), UserID: ac.UserID, ClientID: c.ID, Kind: store.SessionKindJWT,
		DeviceName: label(dev.Name, maxDeviceName), UserAgent: label(dev.UserAgent, maxUserAgent), IP: dev.IP,
		CreatedAt: now, LastUsedAt: now, RotatedAt: now,
		IdleExpiresAt: now.Add(orDefault(c.IdleTTL, s.settings.SessionIdleTTL)),
		ExpiresAt:     now.Add(orDefault(c.MaxTTL, s.settings.SessionMaxTTL)),
		Generation:    1, Nonce: nonce, AuthTime: &authTime, AMR: ac.AMR, MFAAt: mfaTime(ac.AMR, authTime),
		Scope: ac.Scope, SSOSessionID: ac.SSOSessionID,
	}
	sess.RefreshDigest = s.firstDigest(sess)
	if err := s.openSession(ctx, sess, dev, "authorization_code"); err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	return sess, nil
}

// idToken mints the ID token of a code exchange (OpenID Connect Core
// s3.1.3.3), valid as long as its access token.
func (s *Service) idToken(u *store.User, sess *store.Session, ac *store.AuthorizationCode, l *Login) (string, error) {
	raw, _, err := s.minter.MintID(token.ID{
		Subject: u.ID.String(), ClientID: sess.ClientID, SessionID: sess.ID.String(),
		AuthTime: ac.AuthTime, Nonce: ac.Nonce, AMR: ac.AMR, AccessToken: l.AccessToken,
		Scopes: ac.Scope, Email: u.Email, EmailVerified: u.EmailVerifiedAt != nil,
		GivenName: u.FirstName, FamilyName: u.LastName, PreferredUsername: u.UsernameOrEmpty(),
		TTL: l.AccessExpiresAt.Sub(s.now()),
	})
	if err != nil {
		return "", fmt.Errorf("mint id token: %w", err)
	}
	return raw, nil
}

// revokeCodeSession revokes the session a replayed code's first exchange
// created (RFC 6749 s4.1.2), and audits the replay.
func (s *Service) revokeCodeSession(ctx context.Context, ac *store.AuthorizationCode, dev Device) {
	sid := uuid.Nil
	if ac != nil && ac.SessionID != nil {
		sid = *ac.SessionID
		if err := s.store.RevokeSession(ctx, sid, s.now().UTC(), "code_reuse"); err != nil {
			s.log.ErrorContext(ctx, "session of a replayed code not revoked", "err", err)
		}
	}
	uid := uuid.Nil
	if ac != nil {
		uid = ac.UserID
	}
	s.audit(ctx, "code_reuse", uid, sid, dev, map[string]string{"client_id": ac.ClientID})
}

// TokenClient authenticates the client of a token request (RFC 6749
// s2.3.1): a public client by its client_id alone, a confidential one by
// its secret (client_secret_basic or client_secret_post). Every failure
// is the same invalid_client.
func (s *Service) TokenClient(ctx context.Context, cr *oidc.ClientCredentials) (*store.Client, error) {
	if cr.Method != oidc.AuthNone {
		return s.VerifyClientSecret(ctx, cr.ID, cr.Secret)
	}
	c, err := s.OAuthClient(ctx, cr.ID)
	if err != nil {
		return nil, err
	}
	if c == nil || c.Type == store.ClientConfidential {
		return nil, errBadClientSecret
	}
	return c, nil
}
