package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/tessera-id/tessera/internal/store"
)

// SessionSecretPrefix starts every session cookie value.
const SessionSecretPrefix = "tss_"

// newSessionSecret returns a session cookie value (256 random bits) and
// the SHA-256 the database keeps instead of it.
func newSessionSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret := SessionSecretPrefix + base64.RawURLEncoding.EncodeToString(b)
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
	sess, err := s.store.GetSessionBySecret(ctx, h[:])
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate session: %w", err)
	}
	now := s.now().UTC()
	if sess.Kind != store.SessionKindCookie || !sess.ActiveAt(now) {
		return nil, errInvalidToken
	}
	u, err := s.activeUser(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if now.Sub(sess.LastUsedAt) >= touchEvery {
		client, err := s.clientTTLs(ctx, sess.ClientID)
		if err != nil {
			return nil, err
		}
		idle := minTime(now.Add(orDefault(client.IdleTTL, s.settings.SessionIdleTTL)), sess.ExpiresAt)
		if err := s.store.TouchSession(ctx, sess.ID, now, idle); err != nil {
			s.log.WarnContext(ctx, "session last-use not recorded", "err", err)
		} else {
			sess.LastUsedAt, sess.IdleExpiresAt = now, idle
		}
	}
	return &Principal{User: u, Session: sess, Method: "session"}, nil
}
