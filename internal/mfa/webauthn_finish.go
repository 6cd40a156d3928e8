package mfa

import (
	"bytes"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/tessera-id/tessera/internal/store"
)

// user makes an Account a webauthn.User.
type user struct{ a Account }

func (u user) WebAuthnID() []byte          { return u.a.Handle }
func (u user) WebAuthnName() string        { return u.a.Name }
func (u user) WebAuthnDisplayName() string { return u.a.DisplayName }

func (u user) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(u.a.Passkeys))
	for _, p := range u.a.Passkeys {
		c := webauthn.Credential{
			ID: p.CredentialID, PublicKey: p.PublicKey, AttestationFormat: p.Attestation,
			Flags: webauthn.CredentialFlags{UserPresent: true, UserVerified: p.UserVerified,
				BackupEligible: p.BackupEligible, BackupState: p.BackupState},
			Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount,
				Attachment: protocol.AuthenticatorAttachment(p.Attachment)},
		}
		for _, t := range p.Transports {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
		out = append(out, c)
	}
	return out
}

// Registration is a credential the browser created, parsed but not yet
// verified: Challenge names the ceremony it answers.
type Registration struct {
	Challenge string
	parsed    *protocol.ParsedCredentialCreationData
}

// ParseRegistration reads the browser's credential.toJSON() of a
// navigator.credentials.create() answer.
func ParseRegistration(credential []byte) (*Registration, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, invalid(err)
	}
	return &Registration{Challenge: parsed.Response.CollectedClientData.Challenge, parsed: parsed}, nil
}

// FinishRegistration verifies r against the ceremony state (challenge,
// origin, relying party, user) and returns the new passkey's credential
// fields; the caller sets its ID, owner, name and creation time.
func (w *WebAuthn) FinishRegistration(a Account, state []byte, r *Registration) (*store.Passkey, error) {
	session, err := decodeSession(state)
	if err != nil {
		return nil, err
	}
	c, err := w.lib.CreateCredential(user{a}, session, r.parsed)
	if err != nil {
		return nil, invalid(err)
	}
	p := &store.Passkey{
		CredentialID: c.ID, PublicKey: c.PublicKey, Attestation: c.AttestationFormat,
		AAGUID: c.Authenticator.AAGUID, SignCount: c.Authenticator.SignCount,
		Attachment: string(c.Authenticator.Attachment), BackupEligible: c.Flags.BackupEligible,
		BackupState: c.Flags.BackupState, UserVerified: c.Flags.UserVerified,
	}
	for _, t := range c.Transport {
		p.Transports = append(p.Transports, string(t))
	}
	return p, nil
}

// Assertion is a sign-in answer, parsed but not yet verified: the
// credential it claims to be made with, the user handle the authenticator
// returned (empty for a non-discoverable credential) and the challenge it
// answers.
type Assertion struct {
	CredentialID []byte
	UserHandle   []byte
	Challenge    string
	parsed       *protocol.ParsedCredentialAssertionData
}

// ParseAssertion reads the browser's credential.toJSON() of a
// navigator.credentials.get() answer.
func ParseAssertion(credential []byte) (*Assertion, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, invalid(err)
	}
	return &Assertion{CredentialID: parsed.RawID, UserHandle: parsed.Response.UserHandle,
		Challenge: parsed.Response.CollectedClientData.Challenge, parsed: parsed}, nil
}

// Verified is what a verified assertion says about its authenticator.
type Verified struct {
	// SignCount is the counter the authenticator sent.
	SignCount uint32
	// Cloned is set when the counter did not grow past the stored one
	// (and is not zero on both sides): the credential's key may have been
	// copied. The assertion must then be refused.
	Cloned       bool
	UserVerified bool
	BackupState  bool
}

// FinishLogin verifies an assertion made with one of a's passkeys against
// the ceremony state: challenge, origin, relying party, signature, user
// verification when the ceremony required it, the user handle when the
// authenticator sent one, and the backup flags against the stored ones. A
// ceremony begun for an account must be finished for the same account.
func (w *WebAuthn) FinishLogin(a Account, state []byte, as *Assertion) (*Verified, error) {
	session, err := decodeSession(state)
	if err != nil {
		return nil, err
	}
	var c *webauthn.Credential
	if len(session.UserID) == 0 {
		c, err = w.lib.ValidateDiscoverableLogin(func(_, handle []byte) (webauthn.User, error) {
			if !bytes.Equal(handle, a.Handle) {
				return nil, fmt.Errorf("user handle of another account")
			}
			return user{a}, nil
		}, session, as.parsed)
	} else {
		c, err = w.lib.ValidateLogin(user{a}, session, as.parsed)
	}
	if err != nil {
		return nil, invalid(err)
	}
	flags := as.parsed.Response.AuthenticatorData.Flags
	return &Verified{
		SignCount: as.parsed.Response.AuthenticatorData.Counter, Cloned: c.Authenticator.CloneWarning,
		UserVerified: flags.HasUserVerified(), BackupState: flags.HasBackupState(),
	}, nil
}
