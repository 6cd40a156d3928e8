package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/store"
)

// The second-factor methods a pending login may offer (the "methods" of
// an mfa_required answer).
const (
	MethodTOTP         = "totp"
	MethodRecoveryCode = "recovery_code"
)

// RFC 8176 method names recorded in amr besides AMRPassword.
const (
	AMROTP = "otp" // a TOTP or recovery code
	AMRMFA = "mfa" // more than one factor was used
)

// MFATokenPrefix starts every mfa_token, so a leaked one is recognisable.
const MFATokenPrefix = "tsm_"

// MFATokenTTL is how long a pending login waits for its second factor.
const MFATokenTTL = 5 * time.Minute

// MFAMaxAttempts is how many proofs one mfa_token may be tried with; the
// next attempt finds it spent (the account's brute-force limits apply on
// top, across tokens).
const MFAMaxAttempts = 5

// deliveryBrowser binds a pending login to a browser sign-in on the hosted
// pages rather than to an API delivery mode.
const deliveryBrowser = "sso"

var (
	errInvalidMFAToken = Errorf(CodeInvalidMFAToken, "the mfa_token is invalid, expired, used or was issued for another device")
	errWrongMFACode    = Errorf(CodeInvalidMFACode, "the code is not valid")
	errMFARequired     = Errorf(CodeMFARequired, "a second factor is required to finish signing in")
)

// MFARequired is the answer to a correct password when a second factor is
// due: the mfa_token that completes the login, the methods it accepts and
// when it expires. Login and SignInBrowser return it as an error (find it
// with errors.As); it unwraps to an *Error with CodeMFARequired, so a
// caller that does not look for it still answers a plain 403 and opens no
// session.
type MFARequired struct {
	Token     string
	Methods   []string
	ExpiresAt time.Time
}

func (e *MFARequired) Error() string { return errMFARequired.Message }

// Unwrap makes errors.As(err, **Error) find CodeMFARequired.
func (e *MFARequired) Unwrap() error { return errMFARequired }

// MFAVerifier checks one proof of a second factor by user u and returns
// the RFC 8176 methods it adds to the sign-in (["otp"], ["hwk"], ...). A
// wrong proof must return an error whose code is CodeInvalidMFACode: it is
// counted as a failed login. Other errors are returned as they are. The
// verifier must spend what it checks (a TOTP step, a recovery code, a
// signature counter) so that a proof works once.
type MFAVerifier func(ctx context.Context, u *store.User) (amr []string, err error)

// BeginMFA records a pending login of u, who has proven amr so far (such
// as ["pwd"]), for client c, delivery and device dev, and returns the
// *MFARequired that tells the caller how to finish it. The token is bound
// to that attempt: it works once, for MFATokenTTL, for at most
// MFAMaxAttempts proofs, and only from the same client, device name and
// user agent asking for the same delivery. methods are the factors u has.
func (s *Service) BeginMFA(ctx context.Context, u *store.User, c *store.Client, delivery string, amr, methods []string, dev Device) (*MFARequired, error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (Go 1.24+)
	tok := MFATokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now().UTC()
	ch := &store.MFAChallenge{
		ID: newID(), TokenHash: hashKey(tok), UserID: u.ID, ClientID: c.ID, Delivery: delivery,
		DeviceName: label(dev.Name, maxDeviceName), UserAgent: label(dev.UserAgent, maxUserAgent), IP: dev.IP,
		AMR: amr, CreatedAt: now, ExpiresAt: now.Add(MFATokenTTL),
	}
	if err := s.store.CreateMFAChallenge(ctx, ch); err != nil {
		return nil, fmt.Errorf("begin mfa: %w", err)
	}
	s.audit(ctx, "mfa_challenged", u.ID, uuid.Nil, dev, map[string]string{
		"client_id": c.ID, "methods": strings.Join(methods, " "),
	})
	return &MFARequired{Token: tok, Methods: methods, ExpiresAt: ch.ExpiresAt}, nil
}

// CompleteMFA finishes the pending API login of token with the proof
// verify checks, for a request from dev asking for delivery ("" means the
// delivery of the login), and opens its session with the methods of both
// steps plus "mfa" in amr. Every call counts one attempt against the
// token; a wrong proof also counts as a failed login toward the account's
// and the address's brute-force limits, and an account over its limit is
// refused (429) even with a right proof. A token that is unknown, used,
// expired, out of attempts or presented by another client, device or
// delivery is invalid_mfa_token.
func (s *Service) CompleteMFA(ctx context.Context, token, delivery string, dev Device, verify MFAVerifier) (*Login, error) {
	ch, u, amr, err := s.completeMFA(ctx, token, delivery, dev, verify)
	if err != nil {
		return nil, err
	}
	if ch.Delivery == deliveryBrowser {
		return nil, errInvalidMFAToken
	}
	client, err := s.client(ctx, ch.ClientID, ch.Delivery)
	if err != nil {
		return nil, err
	}
	l, err := s.startSession(ctx, u, client, ch.Delivery, dev, amr)
	if err != nil {
		return nil, err
	}
	l.Delivery = ch.Delivery
	return l, nil
}

// CompleteBrowserMFA is CompleteMFA for a pending sign-in of the hosted
// pages: it opens the browser sign-in instead of an API session.
func (s *Service) CompleteBrowserMFA(ctx context.Context, token string, dev Device, verify MFAVerifier) (*BrowserSignIn, error) {
	_, u, amr, err := s.completeMFA(ctx, token, deliveryBrowser, dev, verify)
	if err != nil {
		return nil, err
	}
	return s.startBrowserSignIn(ctx, u, amr, dev)
}

// completeMFA checks token's binding, counts the attempt, runs verify
// under the brute-force limits and spends the token; it returns the
// pending login, its user and the sign-in's full amr.
func (s *Service) completeMFA(ctx context.Context, token, delivery string, dev Device, verify MFAVerifier) (*store.MFAChallenge, *store.User, []string, error) {
	if !strings.HasPrefix(token, MFATokenPrefix) || len(token) > 100 {
		return nil, nil, nil, errInvalidMFAToken
	}
	now := s.now().UTC()
	ch, err := s.store.GetMFAChallenge(ctx, hashKey(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, errInvalidMFAToken
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("complete mfa: %w", err)
	}
	if err := s.countMFAAttempt(ctx, ch, now); err != nil {
		return nil, nil, nil, err
	}
	if !mfaBoundTo(ch, delivery, dev) {
		s.audit(ctx, "mfa_failed", ch.UserID, uuid.Nil, dev, map[string]string{"reason": "binding"})
		return nil, nil, nil, errInvalidMFAToken
	}
	u, err := s.activeUser(ctx, ch.UserID)
	if ErrorCode(err) == CodeInvalidToken {
		return nil, nil, nil, errInvalidMFAToken
	}
	if err != nil {
		return nil, nil, nil, err
	}
	added, err := s.checkFactor(ctx, u, dev, verify)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := s.store.UseMFAChallenge(ctx, ch.ID, now); err != nil {
		if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil, errInvalidMFAToken
		}
		return nil, nil, nil, fmt.Errorf("complete mfa: %w", err)
	}
	return ch, u, mergeAMR(ch.AMR, added), nil
}

// countMFAAttempt spends one of the token's attempts; a token that is
// used, expired or out of attempts is invalid.
func (s *Service) countMFAAttempt(ctx context.Context, ch *store.MFAChallenge, now time.Time) error {
	err := s.store.CountMFAAttempt(ctx, ch.ID, MFAMaxAttempts, now)
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return errInvalidMFAToken
	}
	if err != nil {
		return fmt.Errorf("complete mfa: %w", err)
	}
	return nil
}

// mfaBoundTo reports whether a request for delivery ("" for the login's own)
// from dev may complete the pending login: same client, device name, user
// agent and delivery. The address may change (a phone moving between
// networks); it is still counted by the brute-force limits.
func mfaBoundTo(ch *store.MFAChallenge, delivery string, dev Device) bool {
	clientID := dev.ClientID
	if clientID == "" {
		clientID = store.DefaultClientID
	}
	if delivery == "" {
		delivery = ch.Delivery
	}
	return delivery == ch.Delivery && clientID == ch.ClientID &&
		label(dev.Name, maxDeviceName) == ch.DeviceName && label(dev.UserAgent, maxUserAgent) == ch.UserAgent
}

// checkFactor runs verify for u under the brute-force limits: an account
// or address over its limit is refused before the proof is looked at, and
// a wrong proof counts as a failed login (audited mfa_failed). The
// account's second-factor failures have a counter of their own, which a
// right password does not clear (whoever guesses codes knows the
// password); a right proof clears it. The account's counter takes each
// proof before it is checked, in one atomic statement, so that proofs
// sent at once cannot all be checked before any of them is counted.
func (s *Service) checkFactor(ctx context.Context, u *store.User, dev Device, verify MFAVerifier) ([]string, error) {
	now := s.now().UTC()
	account, addr := s.throttleKeys(u.EmailNormalized, "", true, dev.IP)
	account = "mfa:" + account
	failures, err := s.admitAttempt(ctx, account, addr, now)
	if err != nil {
		return nil, err
	}
	amr, err := verify(ctx, u)
	if ErrorCode(err) == CodeInvalidMFACode {
		s.audit(ctx, "mfa_failed", u.ID, uuid.Nil, dev, nil)
		if err := s.attemptFailed(ctx, addr, failures, now); err != nil {
			return nil, err
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.ClearLoginFailures(ctx, account); err != nil {
		return nil, fmt.Errorf("clear login throttle: %w", err)
	}
	return amr, nil
}

// mergeAMR is the amr of a sign-in made of the first step's methods and
// the second factor's, with "mfa" added: each name once, in order.
func mergeAMR(first, second []string) []string {
	out := slices.Clone(first)
	for _, m := range append(slices.Clone(second), AMRMFA) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// mfaTime is when a sign-in by amr proved a second factor: now when amr
// has "mfa", else nil.
func mfaTime(amr []string, now time.Time) *time.Time {
	if slices.Contains(amr, AMRMFA) {
		return &now
	}
	return nil
}

// MFAMethods returns the second-factor methods user id can finish a
// sign-in with, in the order pages offer them: "totp" when an
// authenticator app is confirmed, then "recovery_code" when unused codes
// remain and a factor exists. Empty means the account has no second
// factor and a password is enough.
func (s *Service) MFAMethods(ctx context.Context, id uuid.UUID) ([]string, error) {
	f, err := s.store.SecondFactors(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("mfa methods: %w", err)
	}
	var methods []string
	if f.TOTP {
		methods = append(methods, MethodTOTP)
	}
	if f.Passkeys > 0 {
		methods = append(methods, MethodWebAuthn)
	}
	if len(methods) > 0 && f.RecoveryCodes > 0 {
		methods = append(methods, MethodRecoveryCode)
	}
	return methods, nil
}

// secondFactorDue decides what a correct password leads to: an
// *MFARequired (a pending login) when u has a second factor;
// mfa_enrollment_required when client (nil: the hosted pages' own sign-in)
// requires one u lacks; nil when the password is enough.
func (s *Service) secondFactorDue(ctx context.Context, u *store.User, client *store.Client, delivery string, dev Device) error {
	methods, err := s.MFAMethods(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(methods) > 0 {
		if client == nil {
			if client, err = s.clientTTLs(ctx, store.DefaultClientID); err != nil {
				return fmt.Errorf("second factor: %w", err)
			}
		}
		mr, err := s.BeginMFA(ctx, u, client, delivery, []string{AMRPassword}, methods, dev)
		if err != nil {
			return err
		}
		return mr
	}
	if client != nil && client.RequireMFA {
		s.audit(ctx, "login_refused", u.ID, uuid.Nil, dev, map[string]string{"reason": CodeMFAEnrollRequired})
		return Errorf(CodeMFAEnrollRequired,
			"this application requires a second factor: enrol one (POST /v1/auth/mfa/totp) while signed in elsewhere, then sign in again")
	}
	return nil
}

// PendingMFA returns the methods that can complete the pending login of
// token, or nil when token is no pending login (unknown, used, expired or
// out of attempts). The hosted pages use it to offer the right choices
// (a recovery code link, a passkey button).
func (s *Service) PendingMFA(ctx context.Context, token string) ([]string, error) {
	if !strings.HasPrefix(token, MFATokenPrefix) || len(token) > 100 {
		return nil, nil
	}
	ch, err := s.store.GetMFAChallenge(ctx, hashKey(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pending mfa: %w", err)
	}
	if ch.UsedAt != nil || !s.now().Before(ch.ExpiresAt) || ch.Attempts >= MFAMaxAttempts {
		return nil, nil
	}
	return s.MFAMethods(ctx, ch.UserID)
}
