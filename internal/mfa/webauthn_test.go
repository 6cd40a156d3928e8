package mfa_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tessera-id/tessera/internal/mfa"
	"github.com/tessera-id/tessera/internal/mfa/webauthntest"
	"github.com/tessera-id/tessera/internal/store"
)

const origin = "https://auth.example.test"

func newRP(t *testing.T) *mfa.WebAuthn {
	t.Helper()
	w, err := mfa.NewWebAuthn(mfa.WebAuthnConfig{RPID: "example.test", RPName: "Example", Origins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func account(handle byte, passkeys ...store.Passkey) mfa.Account {
	return mfa.Account{Handle: bytes.Repeat([]byte{handle}, 16), Name: "ada@example.test", DisplayName: "Ada", Passkeys: passkeys}
}

// register runs a registration of a with the authenticator and returns
// the stored passkey.
func register(t *testing.T, w *mfa.WebAuthn, a mfa.Account, auth *webauthntest.Authenticator) store.Passkey {
	t.Helper()
	c, err := w.BeginRegistration(a)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.Create(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mfa.ParseRegistration(cred)
	if err != nil {
		t.Fatal(err)
	}
	if r.Challenge != c.Challenge {
		t.Fatalf("registration answers challenge %q, want %q", r.Challenge, c.Challenge)
	}
	p, err := w.FinishRegistration(a, c.Session, r)
	if err != nil {
		t.Fatal(err)
	}
	return *p
}

// login begins a sign-in (for a, or discoverable when a is nil), has the
// authenticator answer, and verifies the answer for owner.
func login(t *testing.T, w *mfa.WebAuthn, a *mfa.Account, owner mfa.Account, auth *webauthntest.Authenticator, uv bool) (*mfa.Verified, error) {
	t.Helper()
	c, err := w.BeginLogin(a, uv)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := auth.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	as, err := mfa.ParseAssertion(cred)
	if err != nil {
		t.Fatal(err)
	}
	return w.FinishLogin(owner, c.Session, as)
}

func TestRegistrationOptions(t *testing.T) {
	w := newRP(t)
	existing := store.Passkey{CredentialID: []byte("old-credential"), Transports: []string{"usb"}}
	c, err := w.BeginRegistration(account(1, existing))
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PublicKey struct {
			RP struct {
				ID, Name string
			}
			User struct {
				ID string
			}
			Challenge              string
			ExcludeCredentials     []struct{ ID string }
			AuthenticatorSelection struct {
				ResidentKey, UserVerification string
			}
			Attestation string
		}
	}
	if err := json.Unmarshal(c.Options, &o); err != nil {
		t.Fatal(err)
	}
	pk := o.PublicKey
	if pk.RP.ID != "example.test" || pk.RP.Name != "Example" || pk.User.ID != "AQEBAQEBAQEBAQEBAQEBAQ" ||
		pk.Challenge != c.Challenge || len(pk.Challenge) < 43 {
		t.Errorf("options: %s", c.Options)
	}
	if len(pk.ExcludeCredentials) != 1 || pk.ExcludeCredentials[0].ID != "b2xkLWNyZWRlbnRpYWw" {
		t.Errorf("exclude: %+v", pk.ExcludeCredentials)
	}
	if pk.AuthenticatorSelection.ResidentKey != "required" || pk.AuthenticatorSelection.UserVerification != "preferred" || pk.Attestation != "none" {
		t.Errorf("selection: %+v, attestation %q", pk.AuthenticatorSelection, pk.Attestation)
	}
}

func TestPasskeyCeremonies(t *testing.T) {
	w := newRP(t)
	auth := webauthntest.New(origin)
	a := account(1)
	p := register(t, w, a, auth)
	if p.SignCount != 1 || !p.UserVerified || p.BackupEligible || p.Attachment != "platform" ||
		len(p.PublicKey) == 0 || p.Attestation != "none" || len(p.Transports) != 1 || p.Transports[0] != "internal" {
		t.Fatalf("registered: %+v", p)
	}
	owner := account(1, p)

	tests := []struct {
		name    string
		forAcct *mfa.Account
		uv      bool
	}{
		{"discoverable, user verified", nil, true},
		{"for the account", &owner, true},
		{"for the account, verification preferred", &owner, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := login(t, w, tt.forAcct, owner, auth, tt.uv)
			if err != nil {
				t.Fatal(err)
			}
			if v.Cloned || !v.UserVerified || v.SignCount <= p.SignCount {
				t.Errorf("verified: %+v", v)
			}
		})
	}
}

func TestPasskeyRefusals(t *testing.T) {
	w := newRP(t)
	auth := webauthntest.New(origin)
	p := register(t, w, account(1), auth)
	owner := account(1, p)

	t.Run("another origin", func(t *testing.T) {
		evil := webauthntest.New("https://evil.test")
		c, _ := w.BeginLogin(nil, true)
		cred := auth.Credentials()[0]
		cred.Count++
		raw, err := evil.Assert(cred, challengeOf(t, c.Options))
		if err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, finish(t, w, owner, c, raw))
	})
	t.Run("no user verification where required", func(t *testing.T) {
		auth.UV = false
		defer func() { auth.UV = true }()
		_, err := login(t, w, nil, owner, auth, true)
		wantInvalid(t, err)
	})
	t.Run("another account's handle", func(t *testing.T) {
		_, err := login(t, w, nil, account(2, p), auth, true)
		wantInvalid(t, err)
	})
	t.Run("another challenge", func(t *testing.T) {
		c, _ := w.BeginLogin(nil, true)
		other, _ := w.BeginLogin(nil, true)
		raw, err := auth.Get(other.Options)
		if err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, finish(t, w, owner, c, raw))
	})
	t.Run("a forged signature", func(t *testing.T) {
		c, _ := w.BeginLogin(nil, true)
		forged := *auth.Credentials()[0] // its id and handle, another key
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		forged.Key, forged.Count = key, 100
		raw, err := auth.Assert(&forged, challengeOf(t, c.Options))
		if err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, finish(t, w, owner, c, raw))
	})
	t.Run("registration for another account", func(t *testing.T) {
		c, err := w.BeginRegistration(account(1))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := auth.Create(c.Options)
		if err != nil {
			t.Fatal(err)
		}
		r, err := mfa.ParseRegistration(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.FinishRegistration(account(2), c.Session, r)
		wantInvalid(t, err)
	})
	for _, bad := range []string{``, `{}`, `{"id":"x","type":"public-key","response":{}}`, `not json`} {
		if _, err := mfa.ParseAssertion([]byte(bad)); !errors.Is(err, mfa.ErrInvalid) {
			t.Errorf("ParseAssertion(%q) = %v, want ErrInvalid", bad, err)
		}
		if _, err := mfa.ParseRegistration([]byte(bad)); !errors.Is(err, mfa.ErrInvalid) {
			t.Errorf("ParseRegistration(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

// TestPasskeyClone: an assertion whose counter does not grow past the
// stored one is verified but flagged, so the caller refuses it.
func TestPasskeyClone(t *testing.T) {
	w := newRP(t)
	auth := webauthntest.New(origin)
	p := register(t, w, account(1), auth)
	p.SignCount = 50 // the real authenticator has been used 50 times
	v, err := login(t, w, nil, account(1, p), auth, true)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Cloned {
		t.Errorf("counter %d after a stored 50: not flagged as cloned", v.SignCount)
	}
}

func challengeOf(t *testing.T, options []byte) string {
	t.Helper()
	var o struct{ PublicKey struct{ Challenge string } }
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	return o.PublicKey.Challenge
}

func finish(t *testing.T, w *mfa.WebAuthn, owner mfa.Account, c *mfa.Ceremony, raw []byte) error {
	t.Helper()
	as, err := mfa.ParseAssertion(raw)
	if err != nil {
		return err
	}
	_, err = w.FinishLogin(owner, c.Session, as)
	return err
}

func wantInvalid(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, mfa.ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}
