package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/store"
)

// E-mail verification modes (TESSERA_EMAIL_VERIFICATION).
const (
	// VerificationOptional mails a verification link at registration;
	// unverified users may log in.
	VerificationOptional = "optional"
	// VerificationMandatory refuses login and refresh (403
	// email_not_verified) until the address is verified, and registration
	// opens no session.
	VerificationMandatory = "mandatory"
	// VerificationNone sends no verification mail at all.
	VerificationNone = "none"
)

// Default lifetimes of e-mail links, when Settings leave them zero.
const (
	defaultEmailVerifyTTL   = 72 * time.Hour
	defaultPasswordResetTTL = time.Hour
)

var (
	errInvalidKey  = Errorf(CodeInvalidKey, "the link is invalid, expired, superseded or already used")
	errNotVerified = Errorf(CodeEmailNotVerified, "confirm your e-mail address first: follow the link sent to it")
)

// Now is the service's clock (tests replace it), for the transport's
// request limits.
func (s *Service) Now() time.Time { return s.now() }

// Pending reports whether l only acknowledges a registration: under
// TESSERA_EMAIL_VERIFICATION=mandatory no session is opened until the
// address is verified, and the answer must not say whether it was new.
func (l *Login) Pending() bool { return l.Session == nil }

// requireVerified refuses an unverified user when verification is
// mandatory. Login and token issue (hence refresh) call it.
func (s *Service) requireVerified(u *store.User) error {
	if s.settings.EmailVerification == VerificationMandatory && u.EmailVerifiedAt == nil {
		return errNotVerified
	}
	return nil
}

// newSecret returns 256 bits from crypto/rand, base64url without padding
// (43 characters): the key or token of an e-mail link.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// maxSecretLen bounds a presented key or token; longer input is refused
// before it is hashed.
const maxSecretLen = 128

// emailKeyDigest is what the database keeps of a verification or
// e-mail-change key: its SHA-256, under a label of its own.
func emailKeyDigest(key string) []byte {
	h := sha256.New()
	h.Write([]byte("tessera email key\x00"))
	h.Write([]byte(key))
	return h.Sum(nil)
}

// resetDigest is what the database keeps of a password-reset token: a
// SHA-256 over the user id, a hash of the user's current password hash,
// and the token. The token therefore only matches while the password is
// the one it was issued for: any password change invalidates it, and it
// cannot be presented with another user's uid.
func resetDigest(u *store.User, token string) []byte {
	pw := sha256.Sum256([]byte(u.PasswordHash))
	h := sha256.New()
	h.Write([]byte("tessera password reset\x00"))
	h.Write(u.ID[:])
	h.Write(pw[:])
	h.Write([]byte(token))
	return h.Sum(nil)
}

// frontendLink builds a link on TESSERA_FRONTEND_URL, never on the
// request's Host, with the query parameters in the order given (name,
// value, name, value, ...).
func (s *Service) frontendLink(path string, query ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(s.settings.FrontendURL, "/") + path)
	sep := "?"
	for i := 0; i+1 < len(query); i += 2 {
		b.WriteString(sep + url.QueryEscape(query[i]) + "=" + url.QueryEscape(query[i+1]))
		sep = "&"
	}
	return b.String()
}

// issueToken stores a new one-time token for u (superseding the older ones
// of its purpose) and returns the secret to mail.
func (s *Service) issueToken(ctx context.Context, u *store.User, purpose, email string, ttl time.Duration) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	digest := emailKeyDigest(secret)
	if purpose == store.PurposeResetPassword {
		digest = resetDigest(u, secret)
	}
	now := s.now().UTC()
	t := &store.OneTimeToken{
		ID: newID(), UserID: u.ID, Purpose: purpose, TokenHash: digest, Email: email,
		ExpiresAt: now.Add(ttl), CreatedAt: now,
	}
	if err := s.store.CreateOneTimeToken(ctx, t); err != nil {
		return "", fmt.Errorf("issue %s token: %w", purpose, err)
	}
	return secret, nil
}

// usableToken loads the token with digest for one of purposes and checks
// it is unused and unexpired; anything else is errInvalidKey.
func (s *Service) usableToken(ctx context.Context, digest []byte, purposes ...string) (*store.OneTimeToken, error) {
	t, err := s.store.GetOneTimeTokenByHash(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errInvalidKey
	}
	if err != nil {
		return nil, fmt.Errorf("load one-time token: %w", err)
	}
	if !contains(purposes, t.Purpose) || t.UsedAt != nil || !s.now().Before(t.ExpiresAt) {
		return nil, errInvalidKey
	}
	return t, nil
}

// spendToken marks t used; of concurrent callers only one gets nil, the
// others (and a token superseded meanwhile) get errInvalidKey.
func (s *Service) spendToken(ctx context.Context, t *store.OneTimeToken) error {
	err := s.store.UseOneTimeToken(ctx, t.ID, s.now().UTC())
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return errInvalidKey
	}
	if err != nil {
		return fmt.Errorf("use one-time token: %w", err)
	}
	return nil
}

// sendLater queues c with the mailer. A message that cannot even be queued
// is logged, never returned: no account flow fails because of mail.
func (s *Service) sendLater(ctx context.Context, kind string, c mail.Composer) {
	if s.mailer == nil {
		return
	}
	if err := mail.Later(context.WithoutCancel(ctx), s.mailer, c); err != nil {
		s.log.WarnContext(ctx, "e-mail not queued", "kind", kind, "err", err)
	}
}

// send renders template name for to and queues it; a failure is logged
// and audited as mail_failed.
func (s *Service) send(ctx context.Context, name, to string, d mail.Data) {
	if s.mailer == nil {
		return
	}
	m, err := mail.Render(name, to, d)
	if err != nil {
		s.log.ErrorContext(ctx, "e-mail not rendered", "kind", name, "err", err)
		return
	}
	if err := s.mailer.Send(context.WithoutCancel(ctx), m); err != nil {
		s.log.WarnContext(ctx, "e-mail not queued", "kind", name, "err", err)
		s.MailFailed(ctx, m, err)
	}
}

// MailFailed records that m could not be delivered (audit event
// mail_failed, tied to the account whose address m was sent to, if any).
// The mail queue calls it for every message it gives up on.
func (s *Service) MailFailed(ctx context.Context, m mail.Message, cause error) {
	var uid uuid.UUID
	if n, err := identifier.NormalizeEmail(m.To); err == nil {
		if u, err := s.store.GetUserByEmail(ctx, n); err == nil {
			uid = u.ID
		}
	}
	s.audit(ctx, "mail_failed", uid, uuid.Nil, Device{}, map[string]string{
		"kind": m.Kind, "error": truncate(cause.Error(), 300),
	})
}

// validFor says how long a link works, in words.
func validFor(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(max(int(d/time.Minute), 1), "minute")
	}
}

// normalizeEmailField checks a required e-mail field and returns it
// normalised, or a validation error on field.
func normalizeEmailField(field, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", Invalid(map[string][]string{field: {"this field is required"}})
	}
	n, err := identifier.NormalizeEmail(raw)
	if err != nil {
		return "", Invalid(map[string][]string{field: {err.Error()}})
	}
	return n, nil
}
