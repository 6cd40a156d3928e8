package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tessera-id/tessera/internal/oidc"
	"github.com/tessera-id/tessera/internal/store"
)

// CodeTTL is how long an authorization code can be exchanged: RFC 6749
// s4.1.2 recommends at most ten minutes; the redirect and the exchange
// take seconds.
const CodeTTL = 60 * time.Second

// maxCodeLen bounds a presented code; an issued one is 43 characters.
const maxCodeLen = 100

// OAuthClient returns client id with its OAuth settings, or nil (and no
// error) when no client has that id, so the authorize endpoint can show
// its error page instead of redirecting.
func (s *Service) OAuthClient(ctx context.Context, id string) (*store.Client, error) {
	if !validClientID(id) {
		return nil, nil
	}
	c, err := s.getClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oauth client: %w", err)
	}
	return c, nil
}

// OIDCClient is what the rules of internal/oidc need to know of c; nil
// for nil.
func OIDCClient(c *store.Client) *oidc.Client {
	if c == nil {
		return nil
	}
	return &oidc.Client{
		ID: c.ID, Type: oidc.ClientType(c.Type), RedirectURIs: c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes, GrantTypes: c.GrantTypes,
	}
}

// NeedsConsent reports whether the browser's user must approve the scopes
// of req for client c first: never for a first-party client; for a
// third-party one unless a remembered consent covers every requested scope
// and the request did not ask for the consent page (prompt=consent).
func (s *Service) NeedsConsent(ctx context.Context, c *store.Client, b *BrowserSignIn, req *oidc.AuthorizationRequest) (bool, error) {
	if c.FirstParty {
		return false, nil
	}
	if req.Prompt.Consent {
		return true, nil
	}
	got, err := s.store.GetConsent(ctx, b.User.ID, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("consent: %w", err)
	}
	for _, sc := range req.Scopes {
		if !slices.Contains(got.Scopes, sc) {
			return true, nil
		}
	}
	return false, nil
}

// GrantConsent remembers that the browser's user approved the scopes of
// req for client c, adding them to any earlier consent.
func (s *Service) GrantConsent(ctx context.Context, c *store.Client, b *BrowserSignIn, req *oidc.AuthorizationRequest) error {
	scopes := slices.Clone(req.Scopes)
	if old, err := s.store.GetConsent(ctx, b.User.ID, c.ID); err == nil {
		scopes = dedupe(append(old.Scopes, scopes...))
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("grant consent: %w", err)
	}
	if err := s.store.UpsertConsent(ctx, &store.Consent{UserID: b.User.ID, ClientID: c.ID, Scopes: scopes, GrantedAt: s.now().UTC()}); err != nil {
		return fmt.Errorf("grant consent: %w", err)
	}
	s.audit(ctx, "consent_granted", b.User.ID, b.Session.ID, Device{}, map[string]string{"client_id": c.ID})
	return nil
}

// IssueCode stores a new authorization code for the browser sign-in b and
// the valid request req of client c, and returns it: 256 random bits,
// base64url; only its SHA-256 is stored, with everything the token
// endpoint checks (client, redirect URI, PKCE challenge) and puts in the
// ID token (nonce, scopes, auth_time, amr, the sign-in). It works once,
// for CodeTTL. A client that requires a second factor gets no code for a
// sign-in without one (mfa_enrollment_required).
func (s *Service) IssueCode(ctx context.Context, c *store.Client, b *BrowserSignIn, req *oidc.AuthorizationRequest) (string, error) {
	if c.RequireMFA && !HasMFA(b.Session.AMR) {
		return "", Errorf(CodeMFAEnrollRequired, "this application requires a second factor; add one to your account first")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("issue code: %w", err)
	}
	code := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now().UTC()
	authTime := now
	if b.Session.AuthTime != nil {
		authTime = *b.Session.AuthTime
	}
	ac := &store.AuthorizationCode{
		CodeHash: codeHash(code), ClientID: c.ID, UserID: b.User.ID, RedirectURI: req.RedirectURI,
		CodeChallenge: req.CodeChallenge, Nonce: req.Nonce, Scope: req.Scopes,
		AuthTime: authTime, SSOSessionID: &b.Session.ID, AMR: b.Session.AMR,
		CreatedAt: now, ExpiresAt: now.Add(CodeTTL),
	}
	if req.CodeChallenge != "" {
		ac.CodeChallengeMethod = oidc.PKCEMethodS256
	}
	if err := s.store.CreateAuthorizationCode(ctx, ac); err != nil {
		return "", fmt.Errorf("issue code: %w", err)
	}
	return code, nil
}

// codeHash is the stored form of an authorization code.
func codeHash(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}
