package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/token"
)

// SSOSecretPrefix starts every browser sign-in cookie value.
const SSOSecretPrefix = "tsb_"

// AMRPassword is the RFC 8176 method name of a password check.
const AMRPassword = "pwd"

// BrowserSignIn is the browser's sign-in on the hosted pages: its own
// session (kind sso, on the default client), listed among the user's
// devices, revocable and in the revocation feed like any session.
type BrowserSignIn struct {
	User    *store.User
	Session *store.Session
	// Secret is the cookie value; set only when the sign-in was just made.
	Secret string
}

// BrowserSignInInput is a password sign-in on the hosted pages: Email or
// Username names the account.
type BrowserSignInInput struct {
	Email    string
	Username string
	Password string
	Device   Device
}

// SignInBrowser checks credentials exactly as Login does (brute-force
// limits, timing, audit, mandatory verification) and opens a browser
// sign-in recording when and how the person signed in (auth_time, amr).
// An account with a second factor gets an *MFARequired error instead, whose
// token CompleteBrowserMFA takes.
func (s *Service) SignInBrowser(ctx context.Context, in BrowserSignInInput) (*BrowserSignIn, error) {
	u, err := s.signInUser(ctx, in.Email, in.Username, in.Password, in.Device)
	if err != nil {
		return nil, err
	}
	if err := s.secondFactorDue(ctx, u, nil, deliveryBrowser, in.Device); err != nil {
		return nil, err
	}
	return s.startBrowserSignIn(ctx, u, []string{AMRPassword}, in.Device)
}

// RegisterBrowser creates an account from the hosted sign-up page with the
// API's rules (Register) and signs the browser in. Under mandatory
// verification it signs nobody in and answers a pending sign-in (nil
// Session) whether or not the e-mail was taken.
func (s *Service) RegisterBrowser(ctx context.Context, in RegisterInput) (*BrowserSignIn, error) {
	u, pending, err := s.createAccount(ctx, in)
	if err != nil {
		return nil, err
	}
	if pending != nil {
		return &BrowserSignIn{}, nil
	}
	return s.startBrowserSignIn(ctx, u, []string{AMRPassword}, in.Device)
}

// Pending reports whether b only acknowledges a sign-up that opened no
// sign-in (mandatory e-mail verification).
func (b *BrowserSignIn) Pending() bool { return b.Session == nil }

// startBrowserSignIn opens the sso session of u, signed in now by amr.
func (s *Service) startBrowserSignIn(ctx context.Context, u *store.User, amr []string, dev Device) (*BrowserSignIn, error) {
	c, err := s.clientTTLs(ctx, store.DefaultClientID)
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	nonce, err := token.NewNonce()
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	secret, hash, err := newCookieSecret(SSOSecretPrefix)
	if err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	now := s.now().UTC()
	sess := &store.Session{
		ID: newID(), UserID: u.ID, ClientID: store.DefaultClientID, Kind: store.SessionKindSSO,
		DeviceName: label(dev.Name, maxDeviceName), UserAgent: label(dev.UserAgent, maxUserAgent), IP: dev.IP,
		CreatedAt: now, LastUsedAt: now, RotatedAt: now,
		IdleExpiresAt: now.Add(orDefault(c.IdleTTL, s.settings.SessionIdleTTL)),
		ExpiresAt:     now.Add(orDefault(c.MaxTTL, s.settings.SessionMaxTTL)),
		Generation:    1, Nonce: nonce, SecretHash: hash, AuthTime: &now, AMR: amr,
		MFAAt: mfaTime(amr, now),
	}
	if err := s.openSession(ctx, sess, dev, "sso"); err != nil {
		return nil, fmt.Errorf("browser sign-in: %w", err)
	}
	return &BrowserSignIn{User: u, Session: sess, Secret: secret}, nil
}

// BrowserSession returns the browser's current sign-in from its cookie
// value, or nil (and no error) when there is none: no cookie, an unknown,
// revoked or expired one, or a user who is disabled or, under mandatory
// verification, unverified. It slides the idle expiry (written at most once
// a minute). The authorize endpoint and the pages call it; nothing else may
// treat the sso cookie as a credential.
func (s *Service) BrowserSession(ctx context.Context, value string) (*BrowserSignIn, error) {
	sess, u, err := s.ssoSession(ctx, value)
	if sess == nil || err != nil {
		return nil, err
	}
	if !u.IsActive || s.requireVerified(u) != nil {
		return nil, nil
	}
	if err := s.slideIdle(ctx, sess, s.now().UTC()); err != nil {
		return nil, err
	}
	return &BrowserSignIn{User: u, Session: sess}, nil
}

// ssoSession finds the active sso session whose secret is value, with
// its user (active or not: the caller decides); nil when there is none.
func (s *Service) ssoSession(ctx context.Context, value string) (*store.Session, *store.User, error) {
	if !strings.HasPrefix(value, SSOSecretPrefix) || len(value) > 100 {
		return nil, nil, nil
	}
	h := sha256.Sum256([]byte(value))
	sess, u, err := s.store.GetSessionAndUserBySecret(ctx, h[:])
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("browser sign-in: %w", err)
	}
	if sess.Kind != store.SessionKindSSO || !sess.ActiveAt(s.now().UTC()) {
		return nil, nil, nil
	}
	return sess, u, nil
}

// SignOutBrowser ends the browser sign-in whose cookie value is value (a
// missing or ended one is not an error: the browser is signed out either
// way) and audits it like an API logout.
func (s *Service) SignOutBrowser(ctx context.Context, value string, dev Device) error {
	sess, _, err := s.ssoSession(ctx, value)
	if sess == nil || err != nil {
		return err
	}
	if err := s.store.RevokeSession(ctx, sess.ID, s.now().UTC(), "logout"); err != nil {
		return fmt.Errorf("browser sign-out: %w", err)
	}
	s.audit(ctx, "logout", sess.UserID, sess.ID, dev, map[string]string{"scope": ScopeLocal})
	return nil
}

// ClientName returns the display name of client id, or "" when id names
// no client. Pages say which application asked with it, never with text
// from a URL.
func (s *Service) ClientName(ctx context.Context, id string) (string, error) {
	if !validClientID(id) {
		return "", nil
	}
	c, err := s.getClient(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("client name: %w", err)
	}
	return c.Name, nil
}
