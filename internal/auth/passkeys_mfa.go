package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tessera-id/tessera/internal/store"
)

// MethodWebAuthn is the second-factor method of a passkey: an account
// with passkeys offers it in an mfa_required answer.
const MethodWebAuthn = "webauthn"

// BeginPasskeyFactor starts the passkey ceremony that completes the
// pending login of mfaToken: the options list the account's passkeys and
// prefer user verification (the password was the first factor). It
// spends none of the token's attempts; finishing does. A token that is
// used, expired or out of attempts begins nothing.
func (s *Service) BeginPasskeyFactor(ctx context.Context, mfaToken string) (*PasskeyChallenge, error) {
	w, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(mfaToken, MFATokenPrefix) || len(mfaToken) > 100 {
		return nil, errInvalidMFAToken
	}
	ch, err := s.store.GetMFAChallenge(ctx, hashKey(mfaToken))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (ch.UsedAt != nil || !s.now().Before(ch.ExpiresAt) ||
		ch.Attempts >= MFAMaxAttempts)) {
		return nil, errInvalidMFAToken
	}
	if err != nil {
		return nil, fmt.Errorf("begin passkey factor: %w", err)
	}
	u, err := s.activeUser(ctx, ch.UserID)
	if err != nil {
		return nil, errInvalidMFAToken
	}
	a, err := s.account(ctx, u)
	if err != nil {
		return nil, err
	}
	if len(a.Passkeys) == 0 {
		return nil, Invalid(map[string][]string{"mfa_token": {"this account has no passkey; use another method"}})
	}
	c, err := w.BeginLogin(&a, false)
	if err != nil {
		return nil, err
	}
	if err := s.saveChallenge(ctx, c, store.ChallengeFactor, &u.ID); err != nil {
		return nil, err
	}
	return passkeyChallenge(c)
}

// PasskeyVerifier is the MFAVerifier of a passkey's answer to the
// ceremony challengeID: it must be one of the pending login's user's
// passkeys, and it adds hwk or swk (and user when verified) to amr. Any
// refusal is invalid_mfa_code, counted like a wrong code.
func (s *Service) PasskeyVerifier(challengeID string, credential []byte, dev Device) MFAVerifier {
	return func(ctx context.Context, u *store.User) ([]string, error) {
		pk, _, v, _, err := s.assertPasskey(ctx, challengeID, credential, store.ChallengeFactor, u.ID, dev)
		if errors.Is(err, errBadPasskey) {
			return nil, errWrongMFACode
		}
		if err != nil {
			return nil, err
		}
		return passkeyAMR(pk, v), nil
	}
}

// PasskeyFactorInput completes a pending login with a passkey.
type PasskeyFactorInput struct {
	Token       string
	ChallengeID string
	Credential  []byte
	// Delivery must be the login's own ("" means it).
	Delivery string
	Device   Device
}

// VerifyMFAPasskey completes a pending API login with a passkey (see
// CompleteMFA for the rules).
func (s *Service) VerifyMFAPasskey(ctx context.Context, in PasskeyFactorInput) (*Login, error) {
	if in.Token == "" {
		return nil, Invalid(map[string][]string{"mfa_token": {"this field is required"}})
	}
	return s.CompleteMFA(ctx, in.Token, in.Delivery, in.Device, s.PasskeyVerifier(in.ChallengeID, in.Credential, in.Device))
}
