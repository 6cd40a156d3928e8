package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/store"
)

// mfaKeys are the keys second factors derive from the server secret: the
// TOTP sealing key and the recovery codes' HMAC key. sealer is nil when
// the secret is too short to derive from (then enrolment fails, loudly).
type mfaKeys struct {
	sealer      *mfa.Sealer
	recoveryKey []byte
}

func newMFAKeys(secret []byte) mfaKeys {
	sealer, _ := mfa.NewSealer(secret) // nil for a short secret: enrolment reports it
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("tessera recovery code key"))
	return mfaKeys{sealer: sealer, recoveryKey: m.Sum(nil)}
}

// TOTPEnrolment is a pending authenticator-app secret, shown once: the
// secret for manual entry, the otpauth URI and the QR code carrying it.
type TOTPEnrolment struct {
	Secret string
	URI    string
	QRSVG  string
}

// EnrollTOTP starts adding an authenticator app for the caller, who must
// re-enter the password. A pending secret is replaced; an active one is a
// conflict (remove it first). Nothing changes at sign-in until
// ConfirmTOTP.
func (s *Service) EnrollTOTP(ctx context.Context, p *Principal, password string, dev Device) (*TOTPEnrolment, error) {
	if err := s.checkPasswordField(ctx, p.User, password, "password", dev); err != nil {
		return nil, err
	}
	if s.mfa.sealer == nil {
		return nil, errors.New("enrol totp: no server secret to seal with")
	}
	e, err := mfa.NewTOTP(s.settings.MFAIssuer, p.User.Email)
	if err != nil {
		return nil, err
	}
	qr, err := mfa.QRSVG(e.URI)
	if err != nil {
		return nil, fmt.Errorf("enrol totp: %w", err)
	}
	t := &store.TOTP{UserID: p.User.ID, SecretEnc: s.mfa.sealer.Seal(e.Secret, p.User.ID[:]), CreatedAt: s.now().UTC()}
	if err := s.store.SaveTOTP(ctx, t); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, Errorf(CodeConflict, "an authenticator app is already enrolled; remove it first")
		}
		return nil, fmt.Errorf("enrol totp: %w", err)
	}
	s.audit(ctx, "mfa_totp_enrolment_started", p.User.ID, p.SessionID(), dev, nil)
	return &TOTPEnrolment{Secret: e.Secret, URI: e.URI, QRSVG: qr}, nil
}

// ConfirmTOTP activates the caller's pending authenticator app with a
// current code from it and returns ten new recovery codes, shown this once
// (only their HMACs are kept). The code is spent, the calling session is
// marked as having proven a second factor, and the change is audited and
// mailed.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string, dev Device) ([]string, error) {
	t, err := s.store.GetTOTP(ctx, p.User.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.ConfirmedAt != nil) {
		return nil, Errorf(CodeConflict, "no authenticator app is waiting for confirmation; start with POST /v1/auth/mfa/totp")
	}
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	var step int64
	_, err = s.checkFactor(ctx, p.User, dev, func(ctx context.Context, u *store.User) ([]string, error) {
		step, err = s.matchTOTP(t, code)
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	codes, rows := s.newRecoveryCodes(p.User.ID)
	now := s.now().UTC()
	if err := s.store.ConfirmTOTP(ctx, p.User.ID, t.SecretEnc, now, step, rows); err != nil {
		if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
			return nil, Errorf(CodeConflict, "the authenticator app changed meanwhile; start again")
		}
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	if err := s.markSessionMFA(ctx, p, []string{AMROTP}); err != nil {
		return nil, err
	}
	s.mfaChanged(ctx, p.User, "mfa_totp_enabled", Actor{Device: dev}, p.SessionID(),
		"An authenticator app was added as a second factor, and new recovery codes were made.")
	return codes, nil
}

// RemoveTOTP removes the caller's authenticator app; it needs the password
// and a current code from the app. Without another factor the recovery
// codes go too, and sign-in asks for the password alone again.
func (s *Service) RemoveTOTP(ctx context.Context, p *Principal, password, code string, dev Device) error {
	if err := s.checkPasswordField(ctx, p.User, password, "password", dev); err != nil {
		return err
	}
	if _, err := s.checkFactor(ctx, p.User, dev, s.TOTPVerifier(code)); err != nil {
		return err
	}
	if err := s.store.DeleteTOTP(ctx, p.User.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("remove totp: %w", err)
	}
	if err := s.dropOrphanRecoveryCodes(ctx, p.User.ID); err != nil {
		return err
	}
	s.mfaChanged(ctx, p.User, "mfa_totp_removed", Actor{Device: dev}, p.SessionID(),
		"The authenticator app was removed from the account's second factors.")
	return nil
}

// RegenerateRecoveryCodes replaces the caller's recovery codes after a
// fresh proof of a second factor (a current TOTP code) and returns the new
// ones, shown this once.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p *Principal, code string, dev Device) ([]string, error) {
	methods, err := s.MFAMethods(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	if len(methods) == 0 {
		return nil, Errorf(CodeConflict, "recovery codes need a second factor; enrol one first")
	}
	if _, err := s.checkFactor(ctx, p.User, dev, s.TOTPVerifier(code)); err != nil {
		return nil, err
	}
	codes, rows := s.newRecoveryCodes(p.User.ID)
	if err := s.store.ReplaceRecoveryCodes(ctx, p.User.ID, rows); err != nil {
		return nil, fmt.Errorf("regenerate recovery codes: %w", err)
	}
	s.mfaChanged(ctx, p.User, "mfa_recovery_codes_regenerated", Actor{Device: dev}, p.SessionID(),
		"New recovery codes were made; the old ones no longer work.")
	return codes, nil
}

// MFAStatus is what an account has of second factors.
type MFAStatus struct {
	Methods []string
	// TOTP: "none", "pending" (enrolled, not confirmed) or "active".
	TOTP                   string
	TOTPSince              *time.Time
	RecoveryCodesRemaining int
}

// MFAStatusOf returns user id's second factors.
func (s *Service) MFAStatusOf(ctx context.Context, id uuid.UUID) (*MFAStatus, error) {
	st := &MFAStatus{TOTP: "none"}
	t, err := s.store.GetTOTP(ctx, id)
	switch {
	case err == nil && t.ConfirmedAt != nil:
		st.TOTP, st.TOTPSince = "active", t.ConfirmedAt
	case err == nil:
		st.TOTP = "pending"
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("mfa status: %w", err)
	}
	if st.Methods, err = s.MFAMethods(ctx, id); err != nil {
		return nil, err
	}
	if st.RecoveryCodesRemaining, err = s.store.CountRecoveryCodes(ctx, id); err != nil {
		return nil, fmt.Errorf("mfa status: %w", err)
	}
	return st, nil
}

// TOTPVerifier checks code against u's active authenticator app and
// spends its time step: a code works once, within one step either side of
// now.
func (s *Service) TOTPVerifier(code string) MFAVerifier {
	return func(ctx context.Context, u *store.User) ([]string, error) {
		t, err := s.store.GetTOTP(ctx, u.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.ConfirmedAt == nil) {
			return nil, errWrongMFACode
		}
		if err != nil {
			return nil, fmt.Errorf("verify totp: %w", err)
		}
		step, err := s.matchTOTP(t, code)
		if err != nil {
			return nil, err
		}
		if err := s.store.UseTOTPStep(ctx, u.ID, step); err != nil {
			if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
				return nil, errWrongMFACode // replayed, or a later code was used already
			}
			return nil, fmt.Errorf("verify totp: %w", err)
		}
		return []string{AMROTP}, nil
	}
}

// RecoveryCodeVerifier checks code against u's unused recovery codes and
// spends it. The owner is mailed that one was used.
func (s *Service) RecoveryCodeVerifier(code string, dev Device) MFAVerifier {
	return func(ctx context.Context, u *store.User) ([]string, error) {
		n := mfa.NormalizeRecoveryCode(code)
		if n == "" {
			return nil, errWrongMFACode
		}
		err := s.store.UseRecoveryCode(ctx, u.ID, mfa.HashRecoveryCode(s.mfa.recoveryKey, n), s.now().UTC())
		if errors.Is(err, store.ErrNotFound) {
			return nil, errWrongMFACode
		}
		if err != nil {
			return nil, fmt.Errorf("verify recovery code: %w", err)
		}
		left, _ := s.store.CountRecoveryCodes(ctx, u.ID) // only for the message
		s.mfaChanged(ctx, u, "mfa_recovery_code_used", Actor{Device: dev}, uuid.Nil,
			fmt.Sprintf("A recovery code was used to sign in; %d remain.", left))
		return []string{AMROTP}, nil
	}
}

// matchTOTP opens t's secret and returns the step code is valid for now.
func (s *Service) matchTOTP(t *store.TOTP, code string) (int64, error) {
	if s.mfa.sealer == nil {
		return 0, errors.New("verify totp: no server secret to open with")
	}
	secret, err := s.mfa.sealer.Open(t.SecretEnc, t.UserID[:])
	if err != nil {
		return 0, fmt.Errorf("verify totp: %w", err)
	}
	step, err := mfa.VerifyTOTP(secret, strings.TrimSpace(code), s.now())
	if errors.Is(err, mfa.ErrWrongCode) {
		return 0, errWrongMFACode
	}
	return step, err
}

// newRecoveryCodes makes a fresh set: the codes to show and the rows to
// keep (HMACs only).
func (s *Service) newRecoveryCodes(id uuid.UUID) ([]string, []store.RecoveryCode) {
	codes := mfa.NewRecoveryCodes()
	now := s.now().UTC()
	rows := make([]store.RecoveryCode, len(codes))
	for i, c := range codes {
		rows[i] = store.RecoveryCode{UserID: id, CreatedAt: now,
			CodeHash: mfa.HashRecoveryCode(s.mfa.recoveryKey, mfa.NormalizeRecoveryCode(c))}
	}
	return codes, rows
}

// dropOrphanRecoveryCodes deletes the user's recovery codes once no second
// factor is left for them to stand in for.
func (s *Service) dropOrphanRecoveryCodes(ctx context.Context, id uuid.UUID) error {
	methods, err := s.MFAMethods(ctx, id)
	if err != nil || len(methods) > 0 {
		return err
	}
	if err := s.store.ReplaceRecoveryCodes(ctx, id, nil); err != nil {
		return fmt.Errorf("drop recovery codes: %w", err)
	}
	return nil
}

// markSessionMFA records on the caller's session that a second factor was
// just proven (step-up), adding added and "mfa" to its amr. Credentials
// without a session have nothing to mark.
func (s *Service) markSessionMFA(ctx context.Context, p *Principal, added []string) error {
	if p.Session == nil {
		return nil
	}
	now := s.now().UTC()
	amr := mergeAMR(p.Session.AMR, added)
	if err := s.store.MarkSessionMFA(ctx, p.Session.ID, now, amr); err != nil {
		return fmt.Errorf("mark session mfa: %w", err)
	}
	p.Session.MFAAt, p.Session.AMR = &now, amr
	return nil
}

// mfaChanged audits a change of u's second factors by a and mails u what
// happened (change, one sentence).
func (s *Service) mfaChanged(ctx context.Context, u *store.User, event string, a Actor, sessionID uuid.UUID, change string) {
	s.auditAs(ctx, event, a, u.ID, sessionID, nil)
	s.send(ctx, mail.TemplateMFAChanged, u.Email, mail.Data{Email: u.Email, Change: change})
}
