package mfa_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tessera-id/tessera/internal/mfa"
)

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestVerifyTOTPWindow: the current step and one either side are accepted
// (and say which step matched); two steps away, a wrong code, and input
// of the wrong shape are refused.
func TestVerifyTOTPWindow(t *testing.T) {
	e, err := mfa.NewTOTP("Tessera", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2031, 5, 6, 7, 8, 15, 0, time.UTC)
	cur := mfa.Step(now)
	tests := []struct {
		name     string
		code     string
		wantStep int64
	}{
		{"current step", codeAt(t, e.Secret, now), cur},
		{"one step behind", codeAt(t, e.Secret, now.Add(-30*time.Second)), cur - 1},
		{"one step ahead", codeAt(t, e.Secret, now.Add(30*time.Second)), cur + 1},
		{"two steps behind", codeAt(t, e.Secret, now.Add(-60*time.Second)), 0},
		{"two steps ahead", codeAt(t, e.Secret, now.Add(60*time.Second)), 0},
		{"too short", "12345", 0},
		{"too long", "1234567", 0},
		{"letters", "abcdef", 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := mfa.VerifyTOTP(e.Secret, tt.code, now)
			if tt.wantStep == 0 {
				// A far code may by chance equal one in the window (1 in
				// 10^6 per step): compare against what the window holds.
				if err == nil && !inWindow(t, e.Secret, tt.code, now) {
					t.Fatalf("accepted %q at step %d", tt.code, step)
				}
				if err != nil && !errors.Is(err, mfa.ErrWrongCode) {
					t.Fatalf("error %v, want ErrWrongCode", err)
				}
				return
			}
			if err != nil || step != tt.wantStep {
				t.Fatalf("VerifyTOTP = %d, %v; want step %d", step, err, tt.wantStep)
			}
		})
	}
}

func inWindow(t *testing.T, secret, code string, now time.Time) bool {
	for d := -1; d <= 1; d++ {
		if codeAt(t, secret, now.Add(time.Duration(d)*30*time.Second)) == code {
			return true
		}
	}
	return false
}

// TestNewTOTPURI: the otpauth URI names the issuer and the account and
// carries the secret with the parameters authenticator apps assume.
func TestNewTOTPURI(t *testing.T) {
	e, err := mfa.NewTOTP("Acme ID", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	k, err := otp.NewKeyFromURL(e.URI)
	if err != nil {
		t.Fatal(err)
	}
	if k.Type() != "totp" || k.Issuer() != "Acme ID" || k.AccountName() != "ada@example.com" ||
		k.Secret() != e.Secret || k.Period() != 30 || k.Digits() != otp.DigitsSix {
		t.Fatalf("key from URI = %s", k)
	}
	if len(e.Secret) != 32 { // 20 bytes in base32
		t.Fatalf("secret %q: want 160 bits", e.Secret)
	}
}

// TestSealer: a sealed secret opens for its owner only, holds no trace of
// the secret, differs each time, and a changed byte or another server
// secret does not open it.
func TestSealer(t *testing.T) {
	s, err := mfa.NewSealer([]byte("server secret of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	owner, other := []byte("user-1"), []byte("user-2")
	sealed := s.Seal("JBSWY3DPEHPK3PXP", owner)
	if strings.Contains(string(sealed), "JBSWY3DPEHPK3PXP") {
		t.Fatal("sealed value holds the secret")
	}
	if again := s.Seal("JBSWY3DPEHPK3PXP", owner); string(again) == string(sealed) {
		t.Fatal("two seals of one secret are equal: nonce reused")
	}
	if got, err := s.Open(sealed, owner); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	s2, _ := mfa.NewSealer([]byte("another server secret, 32 bytes!!"))
	for name, try := range map[string]func() (string, error){
		"another owner":         func() (string, error) { return s.Open(sealed, other) },
		"tampered":              func() (string, error) { return s.Open(tampered, owner) },
		"another server secret": func() (string, error) { return s2.Open(sealed, owner) },
		"truncated":             func() (string, error) { return s.Open(sealed[:10], owner) },
	} {
		if _, err := try(); !errors.Is(err, mfa.ErrUnsealable) {
			t.Errorf("%s: got %v, want ErrUnsealable", name, err)
		}
	}
	if _, err := mfa.NewSealer([]byte("short")); err == nil {
		t.Error("a short server secret was accepted")
	}
}
