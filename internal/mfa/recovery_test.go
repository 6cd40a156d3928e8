package mfa_test

import (
	"bytes"
	"testing"

	"github.com/tessera-id/tessera/internal/mfa"
)

// TestRecoveryCodes: ten distinct codes of the documented shape; what a
// person types is folded to the stored spelling, and anything that cannot
// be a code folds to "".
func TestRecoveryCodes(t *testing.T) {
	codes := mfa.NewRecoveryCodes()
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), mfa.RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || mfa.NormalizeRecoveryCode(c) == "" || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	c := codes[0]
	n := mfa.NormalizeRecoveryCode(c)
	for _, typed := range []string{c, " " + c + " ", bytes.NewBufferString(c).String()[:5] + c[6:], upper(c)} {
		if got := mfa.NormalizeRecoveryCode(typed); got != n {
			t.Errorf("Normalize(%q) = %q, want %q", typed, got, n)
		}
	}
	for _, bad := range []string{"", "abc", c + "x", "0oooo-11111", "ｋ" + c[1:], "k7m2x-9qfp\u200ba"} {
		if got := mfa.NormalizeRecoveryCode(bad); got != "" {
			t.Errorf("Normalize(%q) = %q, want \"\"", bad, got)
		}
	}
	k1, k2 := []byte("key one"), []byte("key two")
	if bytes.Equal(mfa.HashRecoveryCode(k1, n), mfa.HashRecoveryCode(k2, n)) {
		t.Error("the hash does not depend on the key")
	}
	if bytes.Contains(mfa.HashRecoveryCode(k1, n), []byte(n)) {
		t.Error("the hash holds the code")
	}
}

func upper(s string) string { return string(bytes.ToUpper([]byte(s))) }
