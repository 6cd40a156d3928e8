package keys

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Defaults for zero Options fields.
const (
	DefaultAlgorithm    = jwtverify.ES256
	DefaultCacheMaxAge  = 5 * time.Minute
	DefaultPublishDelay = DefaultCacheMaxAge
	// DefaultRetireAfter is access TTL (15 min) + leeway (30 s) + JWKS cache
	// lifetime (5 min): no token a retiring key signed outlives its key.
	DefaultRetireAfter = 15*time.Minute + 30*time.Second + 5*time.Minute
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
	// MustExist makes Open load what is there and write nothing: a missing
	// dir, signing key or refresh secret is an error (ErrNoKeys) instead of
	// being created. Operator commands set it.
	MustExist bool
	// Logger hears a warning when Open creates the refresh secret in a dir
	// that already holds signing keys (nil: slog.Default()).
	Logger *slog.Logger
}

// ErrNoKeys is wrapped by Open with MustExist when the keys dir, a signing
// key or the refresh secret is missing.
var ErrNoKeys = errors.New("no Tessera keys")

// withDefaults fills zero fields and refuses settings that would break the
// rotation rules: a key must be published at least one JWKS cache lifetime
// before it signs.
func (o Options) withDefaults() (Options, error) {
	if o.Algorithm == "" {
		o.Algorithm = DefaultAlgorithm
	}
	if o.CacheMaxAge == 0 {
		o.CacheMaxAge = DefaultCacheMaxAge
	}
	if o.PublishDelay == 0 {
		o.PublishDelay = DefaultPublishDelay
	}
	if o.RetireAfter == 0 {
		o.RetireAfter = DefaultRetireAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var errs []error
	if err := checkAlgorithm(o.Algorithm); err != nil {
		errs = append(errs, err)
	}
	if o.CacheMaxAge < 0 || o.PublishDelay < 0 || o.RetireAfter < 0 {
		errs = append(errs, errors.New("keys: durations must not be negative"))
	}
	if o.PublishDelay < o.CacheMaxAge {
		errs = append(errs, fmt.Errorf("keys: publish delay %v is shorter than the JWKS cache lifetime %v", o.PublishDelay, o.CacheMaxAge))
	}
	return o, errors.Join(errs...)
}

// SigningKey is the private half of the active key.
type SigningKey struct {
	ID        string            // RFC 7638 thumbprint, the JWS "kid"
	Algorithm string            // JWS "alg"
	Private   crypto.PrivateKey // *ecdsa.PrivateKey, ed25519.PrivateKey or *rsa.PrivateKey
}

// JWKS is the rendered public key set with its validators. Body is shared
// between callers and must not be modified.
type JWKS struct {
	Body   []byte        // {"keys":[...]} with public parameters only
	ETag   string        // strong ETag of Body, quoted
	MaxAge time.Duration // for Cache-Control: public, max-age=...
	// CacheControl is the Cache-Control value for MaxAge, rendered with
	// Body so that serving the set formats nothing.
	CacheControl string
	// CacheControlHeader and ETagHeader are CacheControl and ETag as a
	// header's values, shared like Body, so that a response's header map
	// takes them without an allocation.
	CacheControlHeader, ETagHeader []string
}

// Ring holds the keys of a keys dir. It is safe for concurrent use: readers
// load an immutable snapshot through an atomic pointer and never block;
// Reload swaps in a new one.
type Ring struct {
	dir    string
	opts   Options
	snap   atomic.Pointer[snapshot]
	reload sync.Mutex // one Reload at a time, so an older read never wins
}

var _ jwtverify.KeySet = (*Ring)(nil)

// Open loads every key in dir, creating dir (0700), a first signing key and
// the refresh secret (files 0600) when they are missing. A dir that exists
// is used as it is, whatever its mode, and is only written to when a key or
// the secret is missing, so it may be mounted read-only. With
// opts.MustExist it never writes: what is missing is an error.
func Open(dir string, opts Options) (*Ring, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.MustExist {
		err = mustExist(dir)
	} else {
		err = bootstrap(dir, opts)
	}
	if err != nil {
		return nil, err
	}
	r := &Ring{dir: dir, opts: opts}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload re-reads the keys dir. On error the ring keeps serving the keys it
// had, so a half-edited dir never leaves replicas without keys.
func (r *Ring) Reload() error {
	r.reload.Lock()
	defer r.reload.Unlock()
	s, err := load(r.dir, r.opts)
	if err != nil {
		return err
	}
	r.snap.Store(s)
	return nil
}

// SigningKey returns the key that signs now: the active key, or the oldest
// published one when the clock is before every key's signs-from time. It
// reads the ring's current snapshot without locking; the returned key is
// shared and must not be modified. It cannot fail once Open has succeeded.
func (r *Ring) SigningKey() (*SigningKey, error) {
	e := r.snap.Load().signer(r.opts.Now())
	return e.signing, nil
}

// VerificationKey returns the published key named kid. A retired key or any
// other kid is an error wrapping jwtverify.ErrUnknownKey; kid is only a map
// key and is never echoed.
func (r *Ring) VerificationKey(_ context.Context, kid string) (jwtverify.Key, error) {
	s := r.snap.Load()
	e, ok := s.byKID[kid]
	if !ok || e.stateAt(r.opts.Now()) == StateRetired {
		return jwtverify.Key{}, jwtverify.ErrUnknownKey
	}
	return e.verify, nil
}

// JWKS returns the published public keys. The body is rendered once per
// set of published keys and reused until that set changes.
func (r *Ring) JWKS() JWKS {
	return r.snap.Load().jwks(r.opts.Now(), r.opts.CacheMaxAge)
}

// RefreshSecret returns a copy of the HMAC secret refresh tokens are
// derived with.
func (r *Ring) RefreshSecret() []byte {
	return append([]byte(nil), r.snap.Load().secret...)
}

// Keys describes every key in the dir, retired ones included, oldest first,
// with its state at the ring's current time.
func (r *Ring) Keys() []KeyInfo {
	s := r.snap.Load()
	now := r.opts.Now()
	out := make([]KeyInfo, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.info
		out[i].State = e.stateAt(now)
	}
	return out
}

// Rotate adds a key of alg (the ring's algorithm when "") to the keys
// dir and reloads, returning the new key as the ring now sees it: next,
// published at once and signing after the publish delay, while the key
// that signs now keeps signing until then. It is what `tessera keys
// rotate` and the admin console both do. Two rotations within one second
// collide: the second fails with an error wrapping fs.ErrExist.
func (r *Ring) Rotate(alg string) (KeyInfo, error) {
	if alg == "" {
		alg = r.opts.Algorithm
	}
	k, err := Generate(r.dir, alg, r.opts.Now())
	if err != nil {
		return KeyInfo{}, err
	}
	if err := r.Reload(); err != nil {
		return KeyInfo{}, err
	}
	for _, info := range r.Keys() {
		if info.File == k.File {
			return info, nil
		}
	}
	return k, nil
}
