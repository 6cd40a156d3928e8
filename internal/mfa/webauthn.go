// Passkeys: WebAuthn ceremonies on go-webauthn. This side verifies what a
// browser sends and says what it found; storing, auditing and deciding
// who may sign in belong to internal/auth.

package mfa

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/tessera-id/tessera/internal/store"
)

// WebAuthnConfig is the relying party: its id (a registrable domain, such
// as the issuer's host), the display name shown by authenticators, and the
// exact origins whose ceremonies are accepted.
type WebAuthnConfig struct {
	RPID    string
	RPName  string
	Origins []string
	// Timeout is how long a browser may take to answer a ceremony; the
	// server's challenge lives as long.
	Timeout time.Duration
}

// WebAuthn runs registration and sign-in ceremonies for one relying party.
// It is safe for concurrent use.
type WebAuthn struct {
	lib     *webauthn.WebAuthn
	timeout time.Duration
}

// NewWebAuthn checks c and returns the relying party.
func NewWebAuthn(c WebAuthnConfig) (*WebAuthn, error) {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Minute
	}
	lib, err := webauthn.New(&webauthn.Config{
		RPID: c.RPID, RPDisplayName: c.RPName, RPOrigins: c.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: c.Timeout, TimeoutUVD: c.Timeout},
			Registration: webauthn.TimeoutConfig{Timeout: c.Timeout, TimeoutUVD: c.Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webauthn: %w", err)
	}
	return &WebAuthn{lib: lib, timeout: c.Timeout}, nil
}

// Timeout is how long a ceremony may take.
func (w *WebAuthn) Timeout() time.Duration { return w.timeout }

// Account is the user a ceremony is for. Handle is the WebAuthn user
// handle (Tessera uses the user id's 16 bytes), never shown to anyone.
type Account struct {
	Handle      []byte
	Name        string
	DisplayName string
	Passkeys    []store.Passkey
}

// ErrInvalid wraps every refusal of what a browser sent: a malformed
// credential, a wrong origin, relying party, challenge or signature, a
// missing user verification. The wrapped text is for logs only.
var ErrInvalid = errors.New("webauthn: the credential does not verify")

// Ceremony is a begun ceremony: Options for the browser (the
// {"publicKey": ...} object that PublicKeyCredential.parseCreationOptionsFromJSON
// or parseRequestOptionsFromJSON takes the inner value of), the challenge
// value, and the state the server keeps until the answer comes.
type Ceremony struct {
	Options   json.RawMessage
	Challenge string
	// Session is the ceremony's state, JSON; store it under ChallengeHash.
	Session []byte
}

// ChallengeHash is the key a ceremony's state is stored under: the
// SHA-256 of the challenge value as the browser echoes it (base64url).
func ChallengeHash(challenge string) []byte {
	h := sha256.Sum256([]byte(challenge))
	return h[:]
}

// BeginRegistration starts adding a passkey to a: a discoverable
// credential (so it can sign in without a name), user verification
// preferred, no attestation asked for, and a's passkeys excluded so one
// authenticator is not registered twice.
func (w *WebAuthn) BeginRegistration(a Account) (*Ceremony, error) {
	creation, session, err := w.lib.BeginRegistration(user{a},
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		}),
		webauthn.WithExclusions(descriptors(a.Passkeys)))
	if err != nil {
		return nil, fmt.Errorf("begin registration: %w", err)
	}
	return w.ceremony(creation, session)
}

// BeginLogin starts a sign-in. With an account it lists that account's
// passkeys; without one the browser offers its discoverable credentials
// for this relying party. requireUV asks the authenticator to verify the
// person (PIN, biometrics), which a sign-in without a password needs.
func (w *WebAuthn) BeginLogin(a *Account, requireUV bool) (*Ceremony, error) {
	uv := protocol.VerificationPreferred
	if requireUV {
		uv = protocol.VerificationRequired
	}
	var (
		assertion *protocol.CredentialAssertion
		session   *webauthn.SessionData
		err       error
	)
	if a == nil {
		assertion, session, err = w.lib.BeginDiscoverableLogin(webauthn.WithUserVerification(uv))
	} else {
		assertion, session, err = w.lib.BeginLogin(user{*a}, webauthn.WithUserVerification(uv))
	}
	if err != nil {
		return nil, fmt.Errorf("begin login: %w", err)
	}
	return w.ceremony(assertion, session)
}

// ceremony packs a begun ceremony. The library's own expiry is cleared:
// the stored challenge's expiry, on Tessera's clock, is the one that counts.
func (w *WebAuthn) ceremony(options any, session *webauthn.SessionData) (*Ceremony, error) {
	session.Expires = time.Time{}
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, fmt.Errorf("encode options: %w", err)
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return &Ceremony{Options: opts, Challenge: session.Challenge, Session: state}, nil
}

func descriptors(list []store.Passkey) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(list))
	for _, p := range list {
		d := protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: p.CredentialID}
		for _, t := range p.Transports {
			d.Transport = append(d.Transport, protocol.AuthenticatorTransport(t))
		}
		out = append(out, d)
	}
	return out
}

func decodeSession(state []byte) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	if err := json.Unmarshal(state, &s); err != nil {
		return s, fmt.Errorf("decode webauthn session: %w", err)
	}
	return s, nil
}

// invalid wraps a refusal of the library in ErrInvalid, keeping its
// details for the logs.
func invalid(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s: %s %s", ErrInvalid, pe.Type, pe.Details, pe.DevInfo)
	}
	return fmt.Errorf("%w: %v", ErrInvalid, err)
}
