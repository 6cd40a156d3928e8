package jwtverify

import (
	"context"
	"crypto"
)

// Key is one public verification key and the single algorithm it may verify.
// Tying the algorithm to the key is what stops algorithm-confusion attacks:
// a token whose "alg" differs from Key.Algorithm is rejected.
type Key struct {
	ID        string           // the JWK "kid"
	Algorithm string           // "ES256", "EdDSA" or "RS256"
	Public    crypto.PublicKey // *ecdsa.PublicKey, ed25519.PublicKey or *rsa.PublicKey
}

// KeySet finds verification keys by key id. The kid is only a map key: an
// implementation must never use it as a path, URL or query.
type KeySet interface {
	// VerificationKey returns the key registered under kid, or an error
	// wrapping ErrUnknownKey.
	VerificationKey(ctx context.Context, kid string) (Key, error)
}
