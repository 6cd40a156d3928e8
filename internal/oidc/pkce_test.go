package oidc_test

import (
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

// RFC 7636 appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

// TestVerifyPKCE: RFC 7636 appendix B's verifier matches its challenge; a
// verifier differing in one character, a malformed one, or the challenge
// itself sent as the verifier (what plain would accept) do not.
func TestVerifyPKCE(t *testing.T) {
	tests := []struct {
		name, verifier, challenge string
		want                      bool
	}{
		{"RFC 7636 appendix B", rfcVerifier, rfcChallenge, true},
		{"one character off", "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", rfcChallenge, false},
		{"challenge as verifier (plain)", rfcChallenge, rfcChallenge, false},
		{"verifier too short", rfcVerifier[:42], rfcChallenge, false},
		{"empty verifier", "", rfcChallenge, false},
		{"empty challenge", rfcVerifier, "", false},
		{"challenge with padding", rfcVerifier, rfcChallenge + "=", false},
		{"verifier with a space", rfcVerifier[:42] + " ", rfcChallenge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oidc.VerifyPKCE(tt.verifier, tt.challenge); got != tt.want {
				t.Errorf("VerifyPKCE = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestValidateCodeChallenge: S256 only, 43 characters of base64url.
func TestValidateCodeChallenge(t *testing.T) {
	tests := []struct {
		name, challenge, method string
		ok                      bool
	}{
		{"S256", rfcChallenge, "S256", true},
		{"plain", rfcChallenge, "plain", false},
		{"no method means plain", rfcChallenge, "", false},
		{"lower-case method", rfcChallenge, "s256", false},
		{"42 characters", rfcChallenge[:42], "S256", false},
		{"44 characters", rfcChallenge + "A", "S256", false},
		{"128 characters (not a SHA-256)", strings.Repeat("a", 128), "S256", false},
		{"standard base64 plus", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", "S256", false},
		{"standard base64 slash", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM", "S256", false},
		{"non-ASCII", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstwé", "S256", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := oidc.ValidateCodeChallenge(tt.challenge, tt.method); (err == nil) != tt.ok {
				t.Errorf("ValidateCodeChallenge = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// TestValidCodeVerifier: 43 to 128 characters of ALPHA / DIGIT / - . _ ~
// (RFC 7636 s4.1).
func TestValidCodeVerifier(t *testing.T) {
	tests := []struct {
		name, verifier string
		want           bool
	}{
		{"RFC 7636 appendix B", rfcVerifier, true},
		{"43 unreserved", strings.Repeat("-._~", 10) + "aZ9", true},
		{"128", strings.Repeat("a", 128), true},
		{"42", strings.Repeat("a", 42), false},
		{"129", strings.Repeat("a", 129), false},
		{"plus", strings.Repeat("a", 42) + "+", false},
		{"slash", strings.Repeat("a", 42) + "/", false},
		{"percent", strings.Repeat("a", 42) + "%", false},
		{"NUL", strings.Repeat("a", 42) + "\x00", false},
		{"UTF-8", strings.Repeat("a", 41) + "é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oidc.ValidCodeVerifier(tt.verifier); got != tt.want {
				t.Errorf("ValidCodeVerifier(%q) = %v, want %v", tt.verifier, got, tt.want)
			}
		})
	}
}
