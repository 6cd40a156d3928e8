package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/store"
)

// errBadPasskey is every refusal of a passkey sign-in: unknown, used or
// expired ceremony, unknown credential, failed verification, a cloned
// authenticator. The reason goes to the audit trail, never to the caller.
var errBadPasskey = Errorf(CodeInvalidCredentials, "unable to sign in with this passkey")

// PasskeyChallenge is a begun passkey sign-in: the request options for
// the browser (PublicKey, what parseRequestOptionsFromJSON takes) and the
// id its answer must come back with.
type PasskeyChallenge struct {
	PublicKey   json.RawMessage
	ChallengeID string
}

// passkeyChallenge is the begun ceremony c as the browser gets it.
func passkeyChallenge(c *mfa.Ceremony) (*PasskeyChallenge, error) {
	var o struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(c.Options, &o); err != nil {
		return nil, fmt.Errorf("passkey options: %w", err)
	}
	return &PasskeyChallenge{PublicKey: o.PublicKey, ChallengeID: c.Challenge}, nil
}

// BeginPasskeyLogin starts a passkey sign-in. Without an e-mail the
// browser offers the discoverable credentials it holds for Tessera. With
// one, the options list that account's passkeys; an unknown address, or
// an account without passkeys, gets one made-up credential id derived
// from the address and the server secret, so the answer has the same
// shape and says nothing of the account. Every sign-in without a password
// requires user verification.
func (s *Service) BeginPasskeyLogin(ctx context.Context, email string) (*PasskeyChallenge, error) {
	w, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	var (
		acct   *mfa.Account
		userID *uuid.UUID
	)
	if email != "" {
		n, err := identifier.NormalizeEmail(email)
		if err != nil {
			return nil, Invalid(map[string][]string{"email": {err.Error()}})
		}
		a, id, err := s.loginAccount(ctx, n)
		if err != nil {
			return nil, err
		}
		acct, userID = &a, id
	}
	c, err := w.BeginLogin(acct, true)
	if err != nil {
		return nil, err
	}
	if err := s.saveChallenge(ctx, c, store.ChallengeLogin, userID); err != nil {
		return nil, err
	}
	return passkeyChallenge(c)
}

// loginAccount is the account a sign-in naming email is for: the user's,
// when the user is active and has passkeys, or a decoy whose ceremony can
// never finish (its user handle is no user's id).
func (s *Service) loginAccount(ctx context.Context, email string) (mfa.Account, *uuid.UUID, error) {
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return mfa.Account{}, nil, fmt.Errorf("begin passkey login: %w", err)
	}
	if u != nil && u.IsActive {
		a, err := s.account(ctx, u)
		if err != nil || len(a.Passkeys) > 0 {
			return a, &u.ID, err
		}
	}
	mac := hmac.New(sha256.New, s.secret)
	mac.Write([]byte("tessera passkey decoy\x00" + email))
	sum := mac.Sum(nil)
	return mfa.Account{Handle: sum[:16], Passkeys: []store.Passkey{{CredentialID: sum, Transports: []string{"internal", "hybrid"}}}}, nil, nil
}

// PasskeyLoginInput is the browser's answer to a passkey sign-in.
type PasskeyLoginInput struct {
	ChallengeID string
	Credential  []byte
	Delivery    string
	Device      Device
}

// PasskeyLogin signs in with a passkey and opens a session for the device,
// answering like Login (same clients, deliveries and session). amr says
// hwk or swk, user and mfa: a user-verified passkey is two factors, so the
// second-factor policies count it.
func (s *Service) PasskeyLogin(ctx context.Context, in PasskeyLoginInput) (*Login, error) {
	client, err := s.client(ctx, in.Device.ClientID, in.Delivery)
	if err != nil {
		return nil, err
	}
	u, amr, err := s.checkPasskey(ctx, in.ChallengeID, in.Credential, in.Device)
	if err != nil {
		return nil, err
	}
	return s.startSession(ctx, u, client, in.Delivery, in.Device, amr)
}

// SignInBrowserPasskey signs the browser in on the hosted pages with a
// passkey, as PasskeyLogin checks it.
func (s *Service) SignInBrowserPasskey(ctx context.Context, challengeID string, credential []byte, dev Device) (*BrowserSignIn, error) {
	u, amr, err := s.checkPasskey(ctx, challengeID, credential, dev)
	if err != nil {
		return nil, err
	}
	return s.startBrowserSignIn(ctx, u, amr, dev)
}

// checkPasskey is the one place a passkey sign-in is verified: the
// ceremony taken once and unexpired, the credential known (and the
// account's, when the ceremony named one), the assertion verified with
// user verification, the signature counter past the stored one (a clone
// is refused and audited), the user active and, when mandatory, verified.
// It returns the user and the sign-in's amr.
func (s *Service) checkPasskey(ctx context.Context, challengeID string, credential []byte, dev Device) (*store.User, []string, error) {
	u, amr, outcome, err := s.verifyPasskey(ctx, challengeID, credential, dev)
	s.observer.Login(outcome)
	return u, amr, err
}

func (s *Service) verifyPasskey(ctx context.Context, challengeID string, credential []byte, dev Device) (*store.User, []string, string, error) {
	pk, u, v, outcome, err := s.assertPasskey(ctx, challengeID, credential, store.ChallengeLogin, uuid.Nil, dev)
	if err != nil {
		return nil, nil, outcome, err
	}
	if !u.IsActive {
		return nil, nil, LoginFailed, s.passkeyFailed(ctx, u.ID, dev, "inactive", nil)
	}
	if err := s.requireVerified(u); err != nil {
		s.audit(ctx, "login_refused", u.ID, uuid.Nil, dev, map[string]string{"reason": CodeEmailNotVerified, "method": "passkey"})
		return nil, nil, LoginFailed, err
	}
	u, err = s.store.RecordLogin(ctx, store.LoginRecord{ID: u.ID, Now: s.now().UTC(), OldHash: u.PasswordHash})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, LoginFailed, errBadPasskey // deactivated meanwhile
	}
	if err != nil {
		return nil, nil, OutcomeError, fmt.Errorf("record login: %w", err)
	}
	amr := passkeyAMR(pk, v)
	if v.UserVerified {
		// The key (possession) and the person verified by the
		// authenticator (PIN or biometrics) are two factors.
		amr = append(amr, AMRMFA)
	}
	return u, amr, LoginSuccess, nil
}

// assertPasskey verifies an answer to the ceremony challengeID, begun for
// purpose, made by a passkey of user want (uuid.Nil: of anyone, or of the
// user the ceremony was begun for): the ceremony taken once and unexpired,
// the credential known, the assertion verified, its counter past the
// stored one. It returns the passkey, its user, what the authenticator
// said and the outcome for the login metrics.
func (s *Service) assertPasskey(ctx context.Context, challengeID string, credential []byte, purpose string, want uuid.UUID, dev Device) (*store.Passkey, *store.User, *mfa.Verified, string, error) {
	w, err := s.passkeys()
	if err != nil {
		return nil, nil, nil, OutcomeError, err
	}
	if challengeID == "" || len(credential) == 0 {
		fe := fieldErrors{}
		if challengeID == "" {
			fe.add("challenge_id", "this field is required")
		}
		if len(credential) == 0 {
			fe.add("credential", "this field is required")
		}
		return nil, nil, nil, LoginFailed, fe.err()
	}
	now := s.now().UTC()
	ch, err := s.store.TakeWebAuthnChallenge(ctx, mfa.ChallengeHash(challengeID), purpose, want, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, LoginFailed, s.passkeyFailed(ctx, want, dev, "unknown_challenge", nil)
	}
	if err != nil {
		return nil, nil, nil, OutcomeError, fmt.Errorf("take webauthn challenge: %w", err)
	}
	as, err := mfa.ParseAssertion(credential)
	if err != nil {
		return nil, nil, nil, LoginFailed, s.passkeyFailed(ctx, want, dev, "malformed_credential", err)
	}
	pk, err := s.store.GetPasskeyByCredentialID(ctx, as.CredentialID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ch.UserID != nil && *ch.UserID != pk.UserID) {
		return nil, nil, nil, LoginFailed, s.passkeyFailed(ctx, want, dev, "unknown_credential", nil)
	}
	if err != nil {
		return nil, nil, nil, OutcomeError, fmt.Errorf("get passkey: %w", err)
	}
	u, err := s.store.GetUser(ctx, pk.UserID)
	if err != nil {
		return nil, nil, nil, OutcomeError, fmt.Errorf("get passkey user: %w", err)
	}
	a, err := s.account(ctx, u)
	if err != nil {
		return nil, nil, nil, OutcomeError, err
	}
	v, err := w.FinishLogin(a, ch.SessionData, as)
	if err != nil {
		return nil, nil, nil, LoginFailed, s.passkeyFailed(ctx, u.ID, dev, "verification_failed", err)
	}
	if err := s.usePasskey(ctx, pk, v, dev, now); err != nil {
		return nil, nil, nil, LoginFailed, err
	}
	return pk, u, v, LoginSuccess, nil
}

// usePasskey refuses an assertion whose counter did not grow (a cloned
// authenticator, or a second use racing with the same counter), auditing
// it, and otherwise stores the new counter and backup state.
func (s *Service) usePasskey(ctx context.Context, pk *store.Passkey, v *mfa.Verified, dev Device, now time.Time) error {
	clone := map[string]string{"passkey_id": pk.ID.String(), "stored_count": strconv.FormatUint(uint64(pk.SignCount), 10),
		"sent_count": strconv.FormatUint(uint64(v.SignCount), 10)}
	if v.Cloned {
		s.audit(ctx, "passkey_clone_refused", pk.UserID, uuid.Nil, dev, clone)
		return errBadPasskey
	}
	err := s.store.UsePasskey(ctx, pk.ID, pk.SignCount, v.SignCount, v.BackupState, now)
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		s.audit(ctx, "passkey_clone_refused", pk.UserID, uuid.Nil, dev, clone)
		return errBadPasskey
	}
	if err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	return nil
}

// passkeyFailed audits a refused passkey sign-in and returns errBadPasskey.
func (s *Service) passkeyFailed(ctx context.Context, userID uuid.UUID, dev Device, reason string, err error) error {
	if err != nil {
		s.log.InfoContext(ctx, "passkey sign-in refused", "reason", reason, "err", err)
	}
	s.audit(ctx, "login_failed", userID, uuid.Nil, dev, map[string]string{"method": "passkey", "reason": reason})
	return errBadPasskey
}

// passkeyAMR names how a passkey sign-in proved who it is (RFC 8176): hwk
// for a device-bound credential, whose key stays in the authenticator's
// hardware, swk for a backup-eligible (synced) one, whose key can be
// copied between devices; and user when the authenticator verified the
// person.
func passkeyAMR(pk *store.Passkey, v *mfa.Verified) []string {
	amr := []string{AMRHardwareKey}
	if pk.BackupEligible {
		amr[0] = AMRSoftwareKey
	}
	if v.UserVerified {
		amr = append(amr, AMRUser)
	}
	return amr
}
