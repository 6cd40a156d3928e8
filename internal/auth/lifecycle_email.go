package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/store"
)

// emailChange is a checked request to move an account to another address.
type emailChange struct {
	raw, normalized string
	oldEmail        string
	// sameMailbox: only the spelling changes (case, compatibility forms),
	// which needs neither the password nor a verification.
	sameMailbox bool
}

// prepareEmailChange checks a change of u's address to raw: the current
// password must be right and the new address free (409 email_taken).
func (s *Service) prepareEmailChange(ctx context.Context, u *store.User, raw, currentPassword string, dev Device) (*emailChange, error) {
	n, err := normalizeEmailField("email", raw)
	if err != nil {
		return nil, err
	}
	c := &emailChange{raw: strings.TrimSpace(raw), normalized: n, oldEmail: u.Email}
	if n == u.EmailNormalized {
		c.sameMailbox = true
		return c, nil
	}
	if err := s.checkCurrentPassword(ctx, u, currentPassword, dev); err != nil {
		return nil, err
	}
	switch _, err := s.store.GetUserByEmail(ctx, n); {
	case err == nil:
		return nil, errEmailTaken
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("change e-mail: %w", err)
	}
	return c, nil
}

var errEmailTaken = &Error{Code: CodeEmailTaken, Message: "an account with this e-mail exists",
	Fields: map[string][]string{"email": {"is taken"}}}

// applyNow writes the change into u when it takes effect at once: a mere
// respelling, or any change when verification is "none" (the address is
// then unverified).
func (c *emailChange) applyNow(u *store.User, verification string) bool {
	if !c.sameMailbox && verification != VerificationNone {
		return false
	}
	if !c.sameMailbox {
		u.EmailVerifiedAt = nil
	}
	u.Email, u.EmailNormalized = c.raw, c.normalized
	return true
}

// emailChangeRequested follows a stored account update: it tells the old
// address, and, unless the change already took effect, mails a key to the
// new address; the change happens when that key is used (VerifyEmail).
func (s *Service) emailChangeRequested(ctx context.Context, u *store.User, c *emailChange, applied bool, dev Device) error {
	if c.sameMailbox {
		return nil
	}
	notice := mail.Data{Email: c.oldEmail, NewEmail: c.raw}
	if applied {
		// Links mailed to the old address (reset, verification) stop
		// working, as when a change key is used (applyEmailChange).
		if _, err := s.store.DeleteOneTimeTokens(ctx, u.ID, ""); err != nil {
			return fmt.Errorf("change e-mail: %w", err)
		}
		s.audit(ctx, "email_changed", u.ID, uuid.Nil, dev, map[string]string{"old": c.oldEmail, "new": c.raw})
		s.send(ctx, mail.TemplateEmailChangeNotice, c.oldEmail, notice)
		return nil
	}
	ttl := orDefault(s.settings.EmailVerifyTTL, defaultEmailVerifyTTL)
	key, err := s.issueToken(ctx, u, store.PurposeChangeEmail, c.raw, ttl)
	if err != nil {
		return err
	}
	s.audit(ctx, "email_change_requested", u.ID, uuid.Nil, dev, map[string]string{"new": c.raw})
	s.send(ctx, mail.TemplateChangeEmail, c.raw, mail.Data{
		Email: c.oldEmail, NewEmail: c.raw, ValidFor: validFor(ttl),
		Link: s.frontendLink("/verify-email", "key", key),
	})
	s.send(ctx, mail.TemplateEmailChangeNotice, c.oldEmail, notice)
	return nil
}

// applyEmailChange moves u to the address raw, proven by a change key.
// Keys mailed to the old address (verification, reset) stop working.
func (s *Service) applyEmailChange(ctx context.Context, u *store.User, raw string, dev Device) error {
	n, err := identifier.NormalizeEmail(raw)
	if err != nil {
		return errInvalidKey
	}
	old, now := u.Email, s.now().UTC()
	u.Email, u.EmailNormalized, u.EmailVerifiedAt, u.UpdatedAt = raw, n, &now, now
	if err := s.store.UpdateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return errEmailTaken
		}
		return fmt.Errorf("change e-mail: %w", err)
	}
	if _, err := s.store.DeleteOneTimeTokens(ctx, u.ID, ""); err != nil {
		return fmt.Errorf("change e-mail: %w", err)
	}
	s.audit(ctx, "email_changed", u.ID, uuid.Nil, dev, map[string]string{"old": old, "new": raw})
	s.audit(ctx, "email_verified", u.ID, uuid.Nil, dev, nil)
	return nil
}

// checkCurrentPassword is the re-authentication of account changes. It is
// a full CheckPassword, so a stolen access token cannot be used to guess
// the password faster than a login could (same brute-force limits, 429,
// same audit); a missing or wrong current_password is a validation error
// on that field.
func (s *Service) checkCurrentPassword(ctx context.Context, u *store.User, pw string, dev Device) error {
	return s.checkPasswordField(ctx, u, pw, "current_password", dev)
}

// checkPasswordField checks that pw, sent in field, is u's password, with
// the brute-force limits of a login; a wrong one is a validation error on
// field.
func (s *Service) checkPasswordField(ctx context.Context, u *store.User, pw, field string, dev Device) error {
	if pw == "" {
		return Invalid(map[string][]string{field: {"this field is required"}})
	}
	if _, err := s.CheckPassword(ctx, u.Email, "", pw, dev); err != nil {
		if ErrorCode(err) == CodeInvalidCredentials {
			return Invalid(map[string][]string{field: {"is incorrect"}})
		}
		return err
	}
	return nil
}
