package jwtverify

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
)

// MinRSABits is the smallest RSA modulus a Key may have (RFC 7518 s3.3).
const MinRSABits = 2048

// maxRSABits bounds the cost of one RSA verification an attacker can cause.
const maxRSABits = 8192

// Key is one public verification key and the single algorithm it may verify.
// Tying the algorithm to the key is what stops algorithm-confusion attacks:
// a token whose "alg" differs from Key.Algorithm is rejected.
type Key struct {
	ID        string           // the JWK "kid"
	Algorithm string           // "ES256", "EdDSA" or "RS256"
	Public    crypto.PublicKey // *ecdsa.PublicKey, ed25519.PublicKey or *rsa.PublicKey
}

// check reports whether k.Public is the kind of key k.Algorithm needs, so a
// misconfigured KeySet fails closed instead of verifying with the wrong key.
func (k Key) check() error {
	ok := false
	switch pub := k.Public.(type) {
	case *ecdsa.PublicKey:
		ok = k.Algorithm == ES256 && pub.Curve == elliptic.P256()
	case ed25519.PublicKey:
		ok = k.Algorithm == EdDSA && len(pub) == ed25519.PublicKeySize
	case *rsa.PublicKey:
		bits := pub.N.BitLen()
		ok = k.Algorithm == RS256 && bits >= MinRSABits && bits <= maxRSABits
	}
	if !ok {
		return fmt.Errorf("%w: key %.64q is not a valid %s key", ErrAlgorithm, k.ID, k.Algorithm)
	}
	return nil
}

// KeySet finds verification keys by key id. The kid is only a map key: an
// implementation must never use it as a path, URL or query.
type KeySet interface {
	// VerificationKey returns the key registered under kid, or an error
	// wrapping ErrUnknownKey.
	VerificationKey(ctx context.Context, kid string) (Key, error)
}

// StaticKeySet is a fixed KeySet, for tests and for resource servers that
// embed Tessera's public keys. It never changes after NewStaticKeySet.
type StaticKeySet struct {
	keys map[string]Key
}

var _ KeySet = (*StaticKeySet)(nil)

// NewStaticKeySet returns a KeySet holding keys. When two keys share an ID,
// the last one wins.
func NewStaticKeySet(keys ...Key) *StaticKeySet {
	m := make(map[string]Key, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	return &StaticKeySet{keys: m}
}

// VerificationKey returns the key named kid or ErrUnknownKey. The kid is
// only a map key and never appears in the error, since it is attacker input.
func (s *StaticKeySet) VerificationKey(_ context.Context, kid string) (Key, error) {
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return Key{}, ErrUnknownKey
}
