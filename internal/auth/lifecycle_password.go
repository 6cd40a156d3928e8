package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/store"
)

// ResetConfirmInput is the second step of a password reset: the uid and
// token from the mailed link and the new password.
type ResetConfirmInput struct {
	UID         string
	Token       string
	NewPassword string
	Device      Device
}

// ChangePasswordInput is a password change by a logged-in user.
type ChangePasswordInput struct {
	CurrentPassword string
	NewPassword     string
	Device          Device
}

// RequestPasswordReset queues a reset mail for the account with this
// e-mail. It does the same work whether the account exists or not (check
// the address, queue one job) and returns before anything depends on the
// account: the look-up, the token and the mail happen in the mail worker.
// Only a malformed address is refused.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, dev Device) error {
	n, err := normalizeEmailField("email", email)
	if err != nil {
		return err
	}
	s.sendLater(ctx, mail.TemplateResetPassword, func(ctx context.Context) (*mail.Message, error) {
		return s.resetMail(ctx, n, dev)
	})
	return nil
}

// resetMail issues a reset token for the active account with address n and
// renders its mail; nil, after an audit event, when there is none.
func (s *Service) resetMail(ctx context.Context, n string, dev Device) (*mail.Message, error) {
	u, err := s.store.GetUserByEmail(ctx, n)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("password reset: %w", err)
	}
	if u == nil || !u.IsActive {
		s.audit(ctx, "password_reset_requested", uuid.Nil, uuid.Nil, dev, map[string]string{"account": "none"})
		return nil, nil
	}
	ttl := orDefault(s.settings.PasswordResetTTL, defaultPasswordResetTTL)
	token, err := s.issueToken(ctx, u, store.PurposeResetPassword, "", ttl)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, "password_reset_requested", u.ID, uuid.Nil, dev, nil)
	link := s.frontendLink("/reset-password", "uid", u.ID.String(), "token", token)
	m, err := mail.Render(mail.TemplateResetPassword, u.Email, mail.Data{Email: u.Email, Link: link, ValidFor: validFor(ttl)})
	return &m, err
}

// ConfirmPasswordReset sets a new password with a token from a reset mail.
// The token is single-use, expires, is superseded by a newer one, and only
// matches the user and the password it was issued for. Success ends every
// session of the user and deletes the classic token; it does not log in.
func (s *Service) ConfirmPasswordReset(ctx context.Context, in ResetConfirmInput) error {
	fe := fieldErrors{}
	for field, v := range map[string]string{"uid": in.UID, "token": in.Token, "new_password": in.NewPassword} {
		if v == "" {
			fe.add(field, "this field is required")
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	u, t, err := s.resetToken(ctx, in.UID, in.Token)
	if err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	if err := s.spendToken(ctx, t); err != nil {
		return err
	}
	now := s.now().UTC()
	if u.EmailVerifiedAt == nil {
		u.EmailVerifiedAt = &now // the link reached the address: it is proven
	}
	if err := s.setPassword(ctx, u, hash, uuid.Nil, "password_reset", in.Device, errInvalidKey); err != nil {
		return err
	}
	s.audit(ctx, "password_reset", u.ID, uuid.Nil, in.Device, nil)
	s.send(ctx, mail.TemplatePasswordChanged, u.Email, mail.Data{Email: u.Email})
	return nil
}

// resetToken finds the active user uid and their usable reset token.
func (s *Service) resetToken(ctx context.Context, uid, token string) (*store.User, *store.OneTimeToken, error) {
	id, err := uuid.Parse(uid)
	if err != nil || len(token) > maxSecretLen {
		return nil, nil, errInvalidKey
	}
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, nil, errInvalidKey
	}
	if err != nil {
		return nil, nil, fmt.Errorf("password reset: %w", err)
	}
	t, err := s.usableToken(ctx, resetDigest(u, token), store.PurposeResetPassword)
	if err != nil {
		return nil, nil, err
	}
	if t.UserID != u.ID {
		return nil, nil, errInvalidKey
	}
	return u, t, nil
}

// ChangePassword sets a new password for the caller, who must give the
// current one. It ends the user's other sessions and the classic token;
// the calling session stays logged in.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, in ChangePasswordInput) error {
	if in.NewPassword == "" {
		return Invalid(map[string][]string{"new_password": {"this field is required"}})
	}
	u := *p.User
	if err := s.checkCurrentPassword(ctx, &u, in.CurrentPassword, in.Device); err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	if err := s.setPassword(ctx, &u, hash, p.SessionID(), "password_changed", in.Device, errInvalidToken); err != nil {
		return err
	}
	s.audit(ctx, "password_changed", u.ID, p.SessionID(), in.Device, nil)
	s.send(ctx, mail.TemplatePasswordChanged, u.Email, mail.Data{Email: u.Email})
	return nil
}

// newPasswordHash applies the policy to pw and hashes it.
func (s *Service) newPasswordHash(ctx context.Context, pw string) (string, error) {
	if problems := s.policy.Check(pw); len(problems) > 0 {
		return "", Invalid(map[string][]string{"new_password": problems})
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return "", s.hashError(err)
	}
	return hash, nil
}

// setPassword stores hash as u's password, then ends every session of u
// but keep (uuid.Nil: all of them) and deletes the classic token, any
// outstanding reset token and a pending e-mail change. An account disabled or deleted meanwhile gets
// gone instead.
func (s *Service) setPassword(ctx context.Context, u *store.User, hash string, keep uuid.UUID, reason string, dev Device, gone error) error {
	// u was read before the password hashing; UpdateUser writes every
	// field, so write onto the row as it is now, lest a deactivation (or
	// another change) made meanwhile be undone.
	cur, err := s.store.GetUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !cur.IsActive) {
		return gone
	}
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if cur.EmailVerifiedAt == nil && cur.EmailNormalized == u.EmailNormalized {
		cur.EmailVerifiedAt = u.EmailVerifiedAt // a reset proved this address
	}
	*u = *cur
	now := s.now().UTC()
	u.PasswordHash, u.PasswordChangedAt, u.UpdatedAt = hash, now, now
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if _, err := s.store.RevokeUserSessions(ctx, u.ID, keep, now, reason); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := s.RevokeClassicToken(ctx, u, dev); err != nil && ErrorCode(err) != CodeNotFound {
		return err
	}
	// A pending e-mail change goes too: whoever knew the old password may
	// have asked for it, and its key, mailed to their own address, would
	// take the account back after the owner recovered it.
	for _, purpose := range []string{store.PurposeResetPassword, store.PurposeChangeEmail} {
		if _, err := s.store.DeleteOneTimeTokens(ctx, u.ID, purpose); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
	}
	return s.clearAccountThrottle(ctx, u)
}
