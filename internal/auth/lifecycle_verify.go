package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/store"
)

// registered runs after a new account is stored: it mails the
// verification link (unless verification is "none") and, when verification
// is mandatory, returns the pending answer that replaces the login.
func (s *Service) registered(ctx context.Context, u *store.User, dev Device) *Login {
	if s.settings.EmailVerification != VerificationNone {
		s.sendVerification(ctx, u.ID, dev)
	}
	if s.settings.EmailVerification == VerificationMandatory {
		return &Login{}
	}
	return nil
}

// hidesTakenEmails reports whether registration must not reveal that an
// e-mail is taken: only when it opens no session (mandatory verification).
func (s *Service) hidesTakenEmails() bool {
	return s.settings.EmailVerification == VerificationMandatory
}

// registeredExisting answers a registration whose e-mail is taken exactly
// like a new one (when hidesTakenEmails), and tells the owner by mail.
func (s *Service) registeredExisting(ctx context.Context, email string, dev Device) *Login {
	s.sendLater(ctx, mail.TemplateAccountExists, func(ctx context.Context) (*mail.Message, error) {
		u, err := s.store.GetUserByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("account exists notice: %w", err)
		}
		s.audit(ctx, "register_existing_email", u.ID, uuid.Nil, dev, nil)
		m, err := mail.Render(mail.TemplateAccountExists, u.Email, mail.Data{Email: u.Email})
		return &m, err
	})
	return &Login{}
}

// sendVerification queues the verification mail of user id. The key is
// made by the mail worker, which also re-reads the user, so an account that
// was verified or disabled meanwhile gets nothing.
func (s *Service) sendVerification(ctx context.Context, id uuid.UUID, dev Device) {
	s.sendLater(ctx, mail.TemplateVerifyEmail, func(ctx context.Context) (*mail.Message, error) {
		u, err := s.store.GetUser(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("verification mail: %w", err)
		}
		return s.verificationMail(ctx, u, dev)
	})
}

// verificationMail issues a verification key for u's current address and
// renders its mail; nil when u needs none.
func (s *Service) verificationMail(ctx context.Context, u *store.User, dev Device) (*mail.Message, error) {
	if !u.IsActive || u.EmailVerifiedAt != nil {
		return nil, nil
	}
	ttl := orDefault(s.settings.EmailVerifyTTL, defaultEmailVerifyTTL)
	key, err := s.issueToken(ctx, u, store.PurposeVerifyEmail, u.Email, ttl)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, "verification_sent", u.ID, uuid.Nil, dev, nil)
	m, err := mail.Render(mail.TemplateVerifyEmail, u.Email, mail.Data{
		Email: u.Email, Link: s.frontendLink("/verify-email", "key", key), ValidFor: validFor(ttl),
	})
	return &m, err
}

// ResendVerification queues a new verification mail for the account with
// this e-mail if it exists, is active and is not verified yet. The answer
// is the same whatever the account: the look-up happens later, in the mail
// worker. Only a malformed address is refused.
func (s *Service) ResendVerification(ctx context.Context, email string, dev Device) error {
	n, err := normalizeEmailField("email", email)
	if err != nil {
		return err
	}
	if s.settings.EmailVerification == VerificationNone {
		return nil
	}
	s.sendLater(ctx, mail.TemplateVerifyEmail, func(ctx context.Context) (*mail.Message, error) {
		u, err := s.store.GetUserByEmail(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("resend verification: %w", err)
		}
		return s.verificationMail(ctx, u, dev)
	})
	return nil
}

// VerifyEmail spends a key from a verification or e-mail-change mail. A
// verification key marks the address it was sent to verified (if it is
// still the account's address); an e-mail-change key moves the account to
// the new address, verified. Unknown, expired, used and superseded keys
// are all 400 invalid_key.
func (s *Service) VerifyEmail(ctx context.Context, key string, dev Device) error {
	if key == "" {
		return Invalid(map[string][]string{"key": {"this field is required"}})
	}
	if len(key) > maxSecretLen {
		return errInvalidKey
	}
	t, err := s.usableToken(ctx, emailKeyDigest(key), store.PurposeVerifyEmail, store.PurposeChangeEmail)
	if err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsActive) {
		return errInvalidKey
	}
	if err != nil {
		return fmt.Errorf("verify e-mail: %w", err)
	}
	if t.Purpose == store.PurposeVerifyEmail {
		if n, err := identifier.NormalizeEmail(t.Email); err != nil || n != u.EmailNormalized {
			return errInvalidKey // the account has moved to another address since
		}
	}
	if err := s.spendToken(ctx, t); err != nil {
		return err
	}
	if t.Purpose == store.PurposeChangeEmail {
		return s.applyEmailChange(ctx, u, t.Email, dev)
	}
	return s.markVerified(ctx, u, dev)
}

func (s *Service) markVerified(ctx context.Context, u *store.User, dev Device) error {
	if u.EmailVerifiedAt == nil {
		now := s.now().UTC()
		u.EmailVerifiedAt, u.UpdatedAt = &now, now
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return fmt.Errorf("verify e-mail: %w", err)
		}
	}
	s.audit(ctx, "email_verified", u.ID, uuid.Nil, dev, nil)
	return nil
}
