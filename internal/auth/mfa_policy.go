package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// AdminMFA policies.
const (
	AdminMFARequired = "required"
	AdminMFAOptional = "optional"
)

// StepUpMaxAge is how recent a second factor must be for an action that
// asks for a step-up.
const StepUpMaxAge = 5 * time.Minute

// MFAVerifyInput completes a pending login: Token is the mfa_token, and
// exactly one of Code (TOTP) and RecoveryCode is the proof.
type MFAVerifyInput struct {
	Token        string
	Code         string
	RecoveryCode string
	// Delivery must be the login's own ("" means it).
	Delivery string
	Device   Device
}

// VerifyMFA completes a pending API login with a TOTP or recovery code
// (see CompleteMFA for the rules).
func (s *Service) VerifyMFA(ctx context.Context, in MFAVerifyInput) (*Login, error) {
	v, err := s.codeVerifier(in)
	if err != nil {
		return nil, err
	}
	return s.CompleteMFA(ctx, in.Token, in.Delivery, in.Device, v)
}

// VerifyBrowserMFA completes a pending sign-in of the hosted pages with a
// TOTP or recovery code.
func (s *Service) VerifyBrowserMFA(ctx context.Context, in MFAVerifyInput) (*BrowserSignIn, error) {
	v, err := s.codeVerifier(in)
	if err != nil {
		return nil, err
	}
	return s.CompleteBrowserMFA(ctx, in.Token, in.Device, v)
}

// StepUp proves a second factor on the caller's session now (a TOTP or
// recovery code), which satisfies RequireStepUp for StepUpMaxAge.
// Credentials without a session (classic token, Basic) cannot step up.
func (s *Service) StepUp(ctx context.Context, p *Principal, code, recoveryCode string, dev Device) error {
	if p.Session == nil {
		return Errorf(CodePermissionDenied, "these credentials have no session to step up; sign in with a session")
	}
	v, err := s.codeVerifier(MFAVerifyInput{Token: "-", Code: code, RecoveryCode: recoveryCode, Device: dev})
	if err != nil {
		return err
	}
	added, err := s.checkFactor(ctx, p.User, dev, v)
	if err != nil {
		return err
	}
	if err := s.markSessionMFA(ctx, p, added); err != nil {
		return err
	}
	s.audit(ctx, "mfa_step_up", p.User.ID, p.SessionID(), dev, nil)
	return nil
}

// codeVerifier picks the verifier of a code-based proof, refusing input
// with neither or both.
func (s *Service) codeVerifier(in MFAVerifyInput) (MFAVerifier, error) {
	fe := fieldErrors{}
	if in.Token == "" {
		fe.add("mfa_token", "this field is required")
	}
	switch {
	case in.Code == "" && in.RecoveryCode == "":
		fe.add("code", "send code or recovery_code")
	case in.Code != "" && in.RecoveryCode != "":
		fe.add("code", "send code or recovery_code, not both")
	case len(in.Code) > 64 || len(in.RecoveryCode) > 64:
		fe.add("code", "is too long")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if in.RecoveryCode != "" {
		return s.RecoveryCodeVerifier(in.RecoveryCode, in.Device), nil
	}
	return s.TOTPVerifier(in.Code), nil
}

// RequireAdminMFA applies TESSERA_ADMIN_MFA to an admin caller: under
// "required" the account must have a second factor (else
// mfa_enrollment_required, naming how to enrol) and the caller's session
// must have proven one, at sign-in or by a step-up (else
// step_up_required). The admin API and the console both call it.
func (s *Service) RequireAdminMFA(ctx context.Context, p *Principal) error {
	if s.settings.AdminMFA != AdminMFARequired {
		return nil
	}
	methods, err := s.MFAMethods(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if len(methods) == 0 {
		return Errorf(CodeMFAEnrollRequired, "administrators must enrol a second factor first: "+
			"POST /v1/auth/mfa/totp with your password, then POST /v1/auth/mfa/totp/confirm with a code from the app")
	}
	if p.Session == nil || p.Session.MFAAt == nil {
		return errStepUp("this session has not proven a second factor")
	}
	return nil
}

// RequireStepUp guards admin-only actions that change or end something:
// a caller with a second factor must have proven it on this session in
// the last StepUpMaxAge (POST /v1/auth/mfa/step-up), else
// step_up_required. A caller with no second factor passes unless
// TESSERA_ADMIN_MFA requires one (RequireAdminMFA refuses them first).
func (s *Service) RequireStepUp(ctx context.Context, p *Principal) error {
	methods, err := s.MFAMethods(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if len(methods) == 0 && s.settings.AdminMFA != AdminMFARequired {
		return nil
	}
	if p.Session == nil || p.Session.MFAAt == nil || s.now().Sub(*p.Session.MFAAt) > StepUpMaxAge {
		return errStepUp("this action needs a second factor proven in the last 5 minutes")
	}
	return nil
}

func errStepUp(why string) error {
	return Errorf(CodeStepUpRequired, "%s: POST /v1/auth/mfa/step-up with a code or recovery_code, then retry", why)
}

// AdminResetMFA removes every second factor of user id (authenticator app,
// recovery codes and passkeys), so they sign in with the password alone and may
// enrol again. It is audited (admin_mfa_reset) and mailed to the user.
func (s *Service) AdminResetMFA(ctx context.Context, a Actor, id uuid.UUID) error {
	u, err := s.store.GetUser(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Errorf(CodeNotFound, "no such user")
	}
	if err != nil {
		return fmt.Errorf("reset mfa: %w", err)
	}
	if err := s.store.DeleteTOTP(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("reset mfa: %w", err)
	}
	if err := s.store.ReplaceRecoveryCodes(ctx, id, nil); err != nil {
		return fmt.Errorf("reset mfa: %w", err)
	}
	// Passkeys are second factors too: a person who lost the device that
	// holds them must be able to sign in with the password alone.
	keys, err := s.store.ListPasskeys(ctx, id)
	if err != nil {
		return fmt.Errorf("reset mfa: %w", err)
	}
	for _, k := range keys {
		if err := s.store.DeletePasskey(ctx, id, k.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("reset mfa: %w", err)
		}
	}
	s.mfaChanged(ctx, u, "admin_mfa_reset", a, uuid.Nil,
		"An administrator removed every second factor of the account; sign-in asks for the password alone until you enrol again.")
	return nil
}

// HasMFA reports whether amr records a second factor.
func HasMFA(amr []string) bool { return slices.Contains(amr, AMRMFA) }

// refusePasswordAlone refuses credentials that are a password and nothing
// more (HTTP Basic, a classic token asked for with a password) for an
// account with a second factor: they cannot carry it. Classic tokens
// already issued keep working.
func (s *Service) refusePasswordAlone(ctx context.Context, u *store.User, dev Device) error {
	methods, err := s.MFAMethods(ctx, u.ID)
	if err != nil || len(methods) == 0 {
		return err
	}
	s.audit(ctx, "login_refused", u.ID, uuid.Nil, dev, map[string]string{"reason": CodeMFARequired})
	return Errorf(CodeMFARequired, "this account has a second factor, which a password alone cannot carry: "+
		"sign in with POST /v1/auth/login and POST /v1/auth/mfa/verify")
}

// ObtainClassicTokenByPassword returns the classic token of the account
// the password opens (see ObtainClassicToken), unless the account has a
// second factor: a password alone must not mint a credential that skips it.
func (s *Service) ObtainClassicTokenByPassword(ctx context.Context, email, username, pw string, dev Device) (*ClassicToken, error) {
	u, err := s.CheckPassword(ctx, email, username, pw, dev)
	if err != nil {
		return nil, err
	}
	if err := s.refusePasswordAlone(ctx, u, dev); err != nil {
		return nil, err
	}
	return s.ObtainClassicToken(ctx, u, dev)
}
