package keys

import (
	"context"
	"crypto"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Options configures a Ring.
type Options struct {
	// Algorithm of keys this ring creates: "ES256" (default), "EdDSA" or "RS256".
	Algorithm string
	// PublishDelay is how long a new key is published in the JWKS before it
	// signs (at least the JWKS cache lifetime). The first key signs at once.
	PublishDelay time.Duration
	// RetireAfter is how long a key stays published after it stopped signing
	// (access TTL + leeway + JWKS cache lifetime).
	RetireAfter time.Duration
	// CacheMaxAge is the Cache-Control max-age announced with the JWKS.
	CacheMaxAge time.Duration
	// Now replaces time.Now, for tests.
	Now func() time.Time
}

// SigningKey is the private half of the active key.
type SigningKey struct {
	ID        string            // RFC 7638 thumbprint, the JWS "kid"
	Algorithm string            // JWS "alg"
	Private   crypto.PrivateKey // *ecdsa.PrivateKey, ed25519.PrivateKey or *rsa.PrivateKey
}

// JWKS is the rendered public key set with its validators.
type JWKS struct {
	Body   []byte        // {"keys":[...]} with public parameters only
	ETag   string        // strong ETag of Body, quoted
	MaxAge time.Duration // for Cache-Control: public, max-age=...
}

// Ring holds the keys of a keys dir. It is safe for concurrent use.
type Ring struct{}

var _ jwtverify.KeySet = (*Ring)(nil)

// Open loads every key in dir, creating dir (0700), a first signing key and
// the refresh secret (files 0600) when they are missing.
func Open(dir string, opts Options) (*Ring, error) { panic("unimplemented") }

// SigningKey returns the key that signs now.
func (r *Ring) SigningKey() (*SigningKey, error) { panic("unimplemented") }

// VerificationKey returns the published key named kid.
func (r *Ring) VerificationKey(ctx context.Context, kid string) (jwtverify.Key, error) {
	panic("unimplemented")
}

// JWKS returns the published public keys.
func (r *Ring) JWKS() JWKS { panic("unimplemented") }

// RefreshSecret returns the HMAC secret refresh tokens are derived with.
func (r *Ring) RefreshSecret() []byte { panic("unimplemented") }
