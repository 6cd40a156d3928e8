package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"
)

// RecoveryCodeCount is how many recovery codes a user is given at once.
const RecoveryCodeCount = 10

// recoveryAlphabet has no 0/o, 1/l/i: codes are read off paper.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// recoveryLen is the number of characters of a code (two groups of five):
// about 49 bits each, plenty for a code that works once and whose guesses
// count toward the brute-force limits.
const recoveryLen = 10

// NewRecoveryCodes returns RecoveryCodeCount fresh codes such as
// "k7m2x-9qfpa".
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, recoveryLen)
		for j := range b {
			b[j] = recoveryAlphabet[randIndex(len(recoveryAlphabet))]
		}
		codes[i] = string(b[:5]) + "-" + string(b[5:])
	}
	return codes
}

// randIndex returns a uniform index below n (< 256) by rejection sampling.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// NormalizeRecoveryCode folds what a person typed to the stored spelling:
// case, spaces and dashes do not matter. It returns "" for input that
// cannot be a code.
func NormalizeRecoveryCode(typed string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case r < 0x80 && strings.ContainsRune(recoveryAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
		if b.Len() > recoveryLen {
			return ""
		}
	}
	if b.Len() != recoveryLen {
		return ""
	}
	return b.String()
}

// HashRecoveryCode is the stored form of a normalised code: an HMAC under
// key (derived from the server secret by the caller), so that a database
// dump alone does not let anyone test guesses offline.
func HashRecoveryCode(key []byte, normalized string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tessera recovery code\x00"))
	m.Write([]byte(normalized))
	return m.Sum(nil)
}
