package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

// PKCEMethodS256 is the only code_challenge_method Tessera accepts: plain
// sends the verifier itself through the browser (RFC 9700 s2.1.1).
const PKCEMethodS256 = "S256"

// pkceToken reports whether s is a code_verifier or code_challenge: 43 to
// 128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 7636 s4.1,
// s4.2).
func pkceToken(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// ValidateCodeChallenge checks a code_challenge and its method (RFC 7636
// s4.3): method must be S256; an absent method means plain (s4.3) and is
// refused like plain. An S256 challenge is base64url of a SHA-256, 43
// characters, so any other length is refused too.
func ValidateCodeChallenge(challenge, method string) error {
	switch {
	case method != PKCEMethodS256:
		return errors.New("code_challenge_method must be S256")
	case !pkceToken(challenge) || len(challenge) != 43:
		return errors.New("code_challenge must be 43 characters of base64url (S256)")
	}
	return nil
}

// ValidCodeVerifier reports whether v is a well-formed code_verifier (RFC
// 7636 s4.1).
func ValidCodeVerifier(v string) bool { return pkceToken(v) }

// VerifyPKCE reports whether verifier is well formed and its S256 transform,
// BASE64URL(SHA256(ASCII(verifier))), equals challenge (RFC 7636 s4.6). The
// comparison is in constant time.
func VerifyPKCE(verifier, challenge string) bool {
	if !pkceToken(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
