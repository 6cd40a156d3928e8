package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// SessionSecretPrefix starts every session cookie value.
const SessionSecretPrefix = "tss_"

// newCookieSecret returns a cookie value for a session kept by the
// browser (prefix and 256 random bits) and the SHA-256 the database keeps
// instead of it.
func newCookieSecret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret := prefix + base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(secret))
	return secret, h[:], nil
}

// AuthenticateSessionCookie finds the active cookie session whose secret
// is value, like Django's session middleware, and slides its idle expiry
// (written at most once a minute).
func (s *Service) AuthenticateSessionCookie(ctx context.Context, value string) (*Principal, error) {
	if !strings.HasPrefix(value, SessionSecretPrefix) || len(value) > 100 {
		return nil, errInvalidToken
	}
	h := sha256.Sum256([]byte(value))
	sess, u, err := s.store.GetSessionAndUserBySecret(ctx, h[:])
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	now := s.now().UTC()
	if sess.Kind != store.SessionKindCookie || !sess.ActiveAt(now) || !u.IsActive {
		return nil, errInvalidToken
	}
	if err := s.slideIdle(ctx, sess, now); err != nil {
		return nil, err
	}
	return &Principal{User: u, Session: sess.Auth(), Method: "session"}, nil
}

// slideIdle moves the idle expiry of a session the browser keeps (a
// cookie session or the browser sign-in) on use, writing at most once a
// minute. A failed write is logged, not returned: the use itself was good.
func (s *Service) slideIdle(ctx context.Context, sess *store.Session, now time.Time) error {
	if now.Sub(sess.LastUsedAt) < touchEvery {
		return nil
	}
	client, err := s.clientTTLs(ctx, sess.ClientID)
	if err != nil {
		return err
	}
	idle := minTime(now.Add(orDefault(client.IdleTTL, s.settings.SessionIdleTTL)), sess.ExpiresAt)
	if err := s.store.TouchSession(ctx, sess.ID, now, idle); err != nil {
		s.log.WarnContext(ctx, "session last-use not recorded", "kind", sess.Kind, "err", err)
		return nil
	}
	sess.LastUsedAt, sess.IdleExpiresAt = now, idle
	return nil
}
