package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// ClassicTokenPrefix starts every classic token, so a leaked one is
// recognisable (and secret scanners can find it).
const ClassicTokenPrefix = "tsk_"

// touchEvery bounds how often last-used times are written: a credential
// used a thousand times a minute costs one write, not a thousand.
const touchEvery = time.Minute

// ClassicToken is the user's one classic token.
type ClassicToken struct {
	Key       string
	CreatedAt time.Time
}

// classicKey derives the key of a token row: an HMAC of the user id and
// the row's random nonce under the refresh secret. The database keeps the
// nonce and the key's SHA-256, never the key, yet every request for the
// token can show the same key, as Django REST Framework's obtain_auth_token
// does.
func (s *Service) classicKey(userID uuid.UUID, nonce []byte) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("tessera classic token\x00"))
	m.Write(userID[:])
	m.Write(nonce)
	return ClassicTokenPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// ObtainClassicToken returns the user's classic token, creating it when
// the user has none. The client named by dev must allow delivery "token".
func (s *Service) ObtainClassicToken(ctx context.Context, u *store.User, dev Device) (*ClassicToken, error) {
	if _, err := s.client(ctx, dev.ClientID, DeliveryToken); err != nil {
		return nil, err
	}
	if err := s.requireVerified(u); err != nil {
		return nil, err
	}
	t, err := s.store.GetAuthToken(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		t, err = s.createClassicToken(ctx, u, dev)
	} else if err == nil && len(t.Nonce) == 0 {
		// An imported key is kept as a hash only and cannot be shown: the
		// caller gets a key of Tessera's own in its place.
		t, err = s.replaceImportedToken(ctx, u, dev)
	}
	if err != nil {
		return nil, fmt.Errorf("obtain classic token: %w", err)
	}
	return &ClassicToken{Key: s.classicKey(u.ID, t.Nonce), CreatedAt: t.CreatedAt}, nil
}

func (s *Service) createClassicToken(ctx context.Context, u *store.User, dev Device) (*store.AuthToken, error) {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	key := s.classicKey(u.ID, nonce)
	t := &store.AuthToken{
		UserID: u.ID, KeyHash: hashKey(key), Nonce: nonce,
		Prefix: key[:len(ClassicTokenPrefix)+6], CreatedAt: s.now().UTC(),
	}
	err := s.store.CreateAuthToken(ctx, t)
	if errors.Is(err, store.ErrConflict) {
		// Two first requests raced: both show the winner's token.
		return s.store.GetAuthToken(ctx, u.ID)
	}
	if err != nil {
		return nil, err
	}
	s.audit(ctx, "classic_token_created", u.ID, uuid.Nil, dev, map[string]string{"prefix": t.Prefix})
	return t, nil
}

// RotateClassicToken replaces the user's classic token with a new one.
func (s *Service) RotateClassicToken(ctx context.Context, u *store.User, dev Device) (*ClassicToken, error) {
	if err := s.RevokeClassicToken(ctx, u, dev); err != nil && ErrorCode(err) != CodeNotFound {
		return nil, err
	}
	return s.ObtainClassicToken(ctx, u, dev)
}

// RevokeClassicToken deletes the user's classic token; the next
// ObtainClassicToken makes a new key.
func (s *Service) RevokeClassicToken(ctx context.Context, u *store.User, dev Device) error {
	err := s.store.DeleteAuthToken(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "there is no classic token to revoke")
	}
	if err != nil {
		return fmt.Errorf("revoke classic token: %w", err)
	}
	s.audit(ctx, "classic_token_revoked", u.ID, uuid.Nil, dev, nil)
	return nil
}

// AuthenticateClassicToken finds the active user whose classic token is key:
// a key of Tessera's own (tsk_..., re-derived from its row's nonce) or an
// imported Django REST Framework key (exactly 40 lowercase hex digits,
// matched by hash against a row with no nonce). Either kind only ever
// matches a row of its own kind; any other spelling is refused unread.
func (s *Service) AuthenticateClassicToken(ctx context.Context, key string) (*Principal, error) {
	imported := IsImportedKey(key)
	if !imported && (!strings.HasPrefix(key, ClassicTokenPrefix) || len(key) > 100) {
		return nil, errInvalidToken
	}
	// One round trip for the token and its user.
	t, u, err := s.store.GetAuthTokenAndUser(ctx, hashKey(key))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	if imported != (len(t.Nonce) == 0) {
		return nil, errInvalidToken
	}
	// The lookup was by hash; this constant-time check of the re-derived
	// key guards against a row whose hash was planted without the secret.
	// An imported key has nothing to re-derive: its hash is all there is.
	if !u.IsActive || (!imported && !hmac.Equal([]byte(s.classicKey(t.UserID, t.Nonce)), []byte(key))) {
		return nil, errInvalidToken
	}
	now := s.now().UTC()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchAuthToken(ctx, t.UserID, now); err != nil {
			s.log.WarnContext(ctx, "classic token last-use not recorded", "err", err)
		}
	}
	return &Principal{User: u, Method: "token"}, nil
}

// AuthenticateBasic checks HTTP Basic credentials: the user-id part is an
// e-mail address or a username. Every call is a full password check (one
// argon2id hash), which is why Basic is for scripts and tests, not traffic.
func (s *Service) AuthenticateBasic(ctx context.Context, userID, pw string, dev Device) (*Principal, error) {
	email, username := "", userID
	if strings.Contains(userID, "@") {
		email, username = userID, ""
	}
	u, err := s.CheckPassword(ctx, email, username, pw, dev)
	if err != nil {
		if ErrorCode(err) == CodeInvalidCredentials {
			return nil, Errorf(CodeAuthFailed, "invalid username or password")
		}
		return nil, err
	}
	if err := s.requireVerified(u); err != nil {
		return nil, err
	}
	if err := s.refusePasswordAlone(ctx, u, dev); err != nil {
		return nil, err
	}
	return &Principal{User: u, Method: "basic"}, nil
}
