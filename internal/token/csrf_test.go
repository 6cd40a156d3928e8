package token_test

import (
	"bytes"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/token"
)

// TestCSRFVectors pins the derivation: the values were computed outside Go
// (HMAC-SHA256 under 32 bytes of 0x5e), so csrf cookies issued before a
// change keep passing after it.
func TestCSRFVectors(t *testing.T) {
	r := token.NewRefresher(secret)
	tests := []struct {
		name string
		sid  uuid.UUID
		want string
	}{
		{"nil id", uuid.Nil, "RBpyny3NPaT7J6XAGUIaDA539-zNkFErQV0zYsnuhKE"},
		{"v4 id", uuid.MustParse("6f1d4c1e-7f0e-4a53-9d56-2b8f3c1e0a77"), "2bJYtp__0kVKEQZCt5OEbLTMRlOZirSHSKBdMtA_Ln8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.CSRF(tt.sid); got != tt.want {
				t.Errorf("CSRF(%s) = %q, want %q", tt.sid, got, tt.want)
			}
		})
	}
}

// TestCSRFIsBound: the value depends on the session and the secret, and
// deriving it does not disturb the refresh MACs that share the secret.
func TestCSRFIsBound(t *testing.T) {
	r := token.NewRefresher(secret)
	other := token.NewRefresher(bytes.Repeat([]byte{0x17}, 32))
	a, b := uuid.New(), uuid.New()
	if r.CSRF(a) == r.CSRF(b) {
		t.Error("two sessions share a CSRF value")
	}
	if r.CSRF(a) == other.CSRF(a) {
		t.Error("two secrets give one CSRF value")
	}
	n := nonce(t)
	raw := r.First(a, 3, n).String()
	_ = r.CSRF(a)
	parsed, err := token.Parse(raw)
	if err != nil || !r.Check(parsed, n) || r.First(a, 3, n).String() != raw {
		t.Fatalf("refresh MAC changed after a CSRF derivation: %v", err)
	}
}

// TestFormTokenVectors pins the form token derivation (computed outside Go,
// HMAC-SHA256 under 32 bytes of 0x5e) and keeps it apart from the session
// CSRF values.
func TestFormTokenVectors(t *testing.T) {
	r := token.NewRefresher(secret)
	tests := []struct {
		name, cookie, want string
	}{
		{"empty cookie", "", "jPMgynQtqNiC-1P_FrnjbE1LBrG21x1eFonTybDTUtI"},
		{"a cookie", "AbCdEf0123456789", "1hos40UxcymxdW1FiGymxlN3nbxGyfK8Vm85LqTq7x0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.FormToken(tt.cookie); got != tt.want {
				t.Errorf("FormToken(%q) = %q, want %q", tt.cookie, got, tt.want)
			}
		})
	}
	if r.FormToken("") == r.CSRF(uuid.Nil) {
		t.Error("a form token equals a session CSRF value")
	}
}

// TestSignedInFormTokenVectors pins the signed-in form token derivation
// (computed outside Go, HMAC-SHA256 under 32 bytes of 0x5e) and keeps it
// apart from the session CSRF values of the same session id.
func TestSignedInFormTokenVectors(t *testing.T) {
	r := token.NewRefresher(secret)
	tests := []struct {
		name string
		sid  uuid.UUID
		want string
	}{
		{"nil id", uuid.Nil, "HmPYTSAC6uX-C28VCew2b-UCmyL5_lQS-9iQUxWYiWU"},
		{"v4 id", uuid.MustParse("6f1d4c1e-7f0e-4a53-9d56-2b8f3c1e0a77"), "CeRB2ySu5O8A7TUZZ9V94b5EPsVNwrNj-OI3sx4BWeM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.SignedInFormToken(tt.sid); got != tt.want {
				t.Errorf("SignedInFormToken(%s) = %q, want %q", tt.sid, got, tt.want)
			}
			if r.SignedInFormToken(tt.sid) == r.CSRF(tt.sid) {
				t.Error("a signed-in form token equals the session's CSRF value")
			}
		})
	}
}
