package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/store"
)

// RFC 8176 method names of a passkey sign-in: a key held in hardware (a
// device-bound credential), a key that may leave the device (a synced,
// backup-eligible one), and the person verified by the authenticator.
const (
	AMRHardwareKey = "hwk"
	AMRSoftwareKey = "swk"
	AMRUser        = "user"
)

// DefaultPasskeyName names a passkey registered without a name.
const DefaultPasskeyName = "Passkey"

// maxPasskeyName is the longest passkey name, in characters.
const maxPasskeyName = 64

var (
	errPasskeysOff = Errorf(CodeNotFound, "passkeys are not enabled on this server (TESSERA_WEBAUTHN_RP_ID)")
	errNoPasskey   = Errorf(CodeNotFound, "no such passkey")
)

// passkeys returns the relying party, or errPasskeysOff.
func (s *Service) passkeys() (*mfa.WebAuthn, error) {
	if s.webauthn == nil {
		return nil, errPasskeysOff
	}
	return s.webauthn, nil
}

// PasskeysEnabled reports whether passkeys can be used here.
func (s *Service) PasskeysEnabled() bool { return s.webauthn != nil }

// account is u as a WebAuthn account, with its passkeys.
func (s *Service) account(ctx context.Context, u *store.User) (mfa.Account, error) {
	list, err := s.store.ListPasskeys(ctx, u.ID)
	if err != nil {
		return mfa.Account{}, fmt.Errorf("list passkeys: %w", err)
	}
	name := u.UsernameOrEmpty()
	if name == "" {
		name = u.Email
	}
	return mfa.Account{Handle: u.ID[:], Name: name, DisplayName: name, Passkeys: list}, nil
}

// saveChallenge keeps a begun ceremony until it is finished or expires.
func (s *Service) saveChallenge(ctx context.Context, c *mfa.Ceremony, purpose string, userID *uuid.UUID) error {
	now := s.now().UTC()
	err := s.store.CreateWebAuthnChallenge(ctx, &store.WebAuthnChallenge{
		Hash: mfa.ChallengeHash(c.Challenge), Purpose: purpose, UserID: userID, SessionData: c.Session,
		CreatedAt: now, ExpiresAt: now.Add(s.webauthn.Timeout()),
	})
	if err != nil {
		return fmt.Errorf("save webauthn challenge: %w", err)
	}
	return nil
}

// BeginPasskeyRegistration starts adding a passkey to the caller's
// account and returns the creation options for the browser.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, p *Principal) ([]byte, error) {
	w, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	a, err := s.account(ctx, p.User)
	if err != nil {
		return nil, err
	}
	c, err := w.BeginRegistration(a)
	if err != nil {
		return nil, err
	}
	if err := s.saveChallenge(ctx, c, store.ChallengeRegister, &p.User.ID); err != nil {
		return nil, err
	}
	return c.Options, nil
}

// AddPasskeyInput is the browser's answer to a registration: the name
// the user gives the passkey and credential.toJSON().
type AddPasskeyInput struct {
	Name       string
	Credential []byte
	Device     Device
}

// FinishPasskeyRegistration verifies the browser's new credential against
// a registration the caller began (once, before it expired) and stores
// it. The change is audited and mailed to the user.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, p *Principal, in AddPasskeyInput) (*store.Passkey, error) {
	w, err := s.passkeys()
	if err != nil {
		return nil, err
	}
	name, err := passkeyName(in.Name)
	if err != nil {
		return nil, err
	}
	r, err := mfa.ParseRegistration(in.Credential)
	if err != nil {
		return nil, s.badCredential(ctx, "credential is not a WebAuthn registration", err)
	}
	now := s.now().UTC()
	ch, err := s.store.TakeWebAuthnChallenge(ctx, mfa.ChallengeHash(r.Challenge), store.ChallengeRegister, p.User.ID, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Invalid(map[string][]string{"credential": {"answers no registration of yours in progress (unknown, used or expired): begin again"}})
	}
	if err != nil {
		return nil, fmt.Errorf("take webauthn challenge: %w", err)
	}
	a, err := s.account(ctx, p.User)
	if err != nil {
		return nil, err
	}
	pk, err := w.FinishRegistration(a, ch.SessionData, r)
	if err != nil {
		return nil, s.badCredential(ctx, "credential does not verify", err)
	}
	pk.ID, pk.UserID, pk.Name, pk.CreatedAt = newID(), p.User.ID, name, now
	if err := s.store.CreatePasskey(ctx, pk); errors.Is(err, store.ErrConflict) {
		return nil, Errorf(CodeConflict, "this passkey is registered already")
	} else if err != nil {
		return nil, fmt.Errorf("add passkey: %w", err)
	}
	s.audit(ctx, "passkey_added", p.User.ID, p.SessionID(), in.Device,
		map[string]string{"passkey_id": pk.ID.String(), "name": name})
	s.send(ctx, mail.TemplatePasskeyAdded, p.User.Email, mail.Data{Email: p.User.Email, PasskeyName: name})
	return pk, nil
}

// badCredential answers a credential the relying party refused, logging
// why (the reason is for operators, not for the browser).
func (s *Service) badCredential(ctx context.Context, msg string, err error) error {
	s.log.InfoContext(ctx, "webauthn credential refused", "err", err)
	return Invalid(map[string][]string{"credential": {msg}})
}

// passkeyName checks the name a user gives a passkey: trimmed, at most
// maxPasskeyName characters of printable text; empty gives the default.
func passkeyName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return DefaultPasskeyName, nil
	}
	ok := utf8.ValidString(name) && utf8.RuneCountInString(name) <= maxPasskeyName
	for _, r := range name {
		if !unicode.IsPrint(r) && r != ' ' {
			ok = false
		}
	}
	if !ok {
		return "", Invalid(map[string][]string{"name": {fmt.Sprintf("must be at most %d printable characters", maxPasskeyName)}})
	}
	return name, nil
}

// Passkeys lists the caller's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, p *Principal) ([]store.Passkey, error) {
	list, err := s.store.ListPasskeys(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	return list, nil
}

// RenamePasskey renames one of the caller's passkeys; another user's
// passkey is answered like an unknown one (404). It is audited.
func (s *Service) RenamePasskey(ctx context.Context, p *Principal, id uuid.UUID, raw string, dev Device) (*store.Passkey, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, Invalid(map[string][]string{"name": {"this field is required"}})
	}
	name, err := passkeyName(raw)
	if err != nil {
		return nil, err
	}
	if err := s.store.RenamePasskey(ctx, p.User.ID, id, name); errors.Is(err, store.ErrNotFound) {
		return nil, errNoPasskey
	} else if err != nil {
		return nil, fmt.Errorf("rename passkey: %w", err)
	}
	s.audit(ctx, "passkey_renamed", p.User.ID, p.SessionID(), dev, map[string]string{"passkey_id": id.String(), "name": name})
	list, err := s.Passkeys(ctx, p)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, errNoPasskey // removed meanwhile
}

// RemovePasskey deletes one of the caller's passkeys (another user's is
// answered like an unknown one); it can sign in no more. Without another
// factor the recovery codes go too. The change is audited and mailed to
// the user.
func (s *Service) RemovePasskey(ctx context.Context, p *Principal, id uuid.UUID, dev Device) error {
	list, err := s.Passkeys(ctx, p)
	if err != nil {
		return err
	}
	name := ""
	for _, k := range list {
		if k.ID == id {
			name = k.Name
		}
	}
	if err := s.store.DeletePasskey(ctx, p.User.ID, id); errors.Is(err, store.ErrNotFound) {
		return errNoPasskey
	} else if err != nil {
		return fmt.Errorf("remove passkey: %w", err)
	}
	if err := s.dropOrphanRecoveryCodes(ctx, p.User.ID); err != nil {
		return err
	}
	s.audit(ctx, "passkey_removed", p.User.ID, p.SessionID(), dev, map[string]string{"passkey_id": id.String(), "name": name})
	s.send(ctx, mail.TemplatePasskeyRemoved, p.User.Email, mail.Data{Email: p.User.Email, PasskeyName: name})
	return nil
}
