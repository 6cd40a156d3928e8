package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters, kept in every PHC string so they can be
// raised later and old hashes upgraded on the next login.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are OWASP's argon2id recommendation: m=19456 KiB, t=2, p=1.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Sanity bounds shared by NewHasher and the PHC parser. They refuse absurd
// values (a corrupted or planted hash must not make Verify allocate
// gigabytes or spin for minutes); they are not a strength floor.
const (
	maxMemory  = 4 << 20 // KiB, i.e. 4 GiB
	maxTime    = 100
	minSaltLen = 8 // RFC 9106 s3.1
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 1024
)

// ErrBusy is returned when ctx ends while waiting for a hashing slot.
var ErrBusy = errors.New("password hashing busy")

// ErrMalformedHash is returned by Verify for a hash it cannot parse.
var ErrMalformedHash = errors.New("malformed password hash")

// ErrInvalidParams is returned by Params.Validate for parameters outside the
// sanity bounds Verify also enforces on stored hashes.
var ErrInvalidParams = errors.New("invalid argon2id parameters")

// Validate reports whether p is usable: Time 1..100, Threads 1..255,
// Memory 8*Threads..4 GiB (in KiB), SaltLen 8..64, KeyLen 16..1024 bytes.
// These are the same bounds Verify applies to stored hashes, so every hash a
// Hasher makes can be verified again. They are sanity limits, not a
// strength floor: DefaultParams is the floor production should use.
func (p Params) Validate() error {
	if err := p.validateCost(); err != nil {
		return err
	}
	if p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen {
		return fmt.Errorf("%w: salt length %d not in %d..%d", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	}
	if p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen {
		return fmt.Errorf("%w: key length %d not in %d..%d", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// validateCost checks m, t and p, the three values a PHC string spells out.
func (p Params) validateCost() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: threads must be at least 1", ErrInvalidParams)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d not in 1..%d", ErrInvalidParams, p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: memory %d KiB not in %d..%d", ErrInvalidParams, p.Memory, 8*uint32(p.Threads), maxMemory)
	}
	return nil
}

// Hasher hashes and verifies passwords with argon2id, at most `concurrency`
// at a time so a login storm cannot exhaust memory: the peak is about
// concurrency × Params.Memory KiB. A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	slots  chan struct{} // semaphore: a send takes a slot, a receive frees it

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher; concurrency < 1 means runtime.NumCPU().
// The zero Params means DefaultParams. NewHasher panics when p fails
// Params.Validate: parameters are configuration, checked once at start-up
// (call Validate first to report the problem instead).
func NewHasher(p Params, concurrency int) *Hasher {
	if p == (Params{}) {
		p = DefaultParams
	}
	if err := p.Validate(); err != nil {
		panic("password: NewHasher: " + err.Error())
	}
	if concurrency < 1 {
		concurrency = runtime.NumCPU()
	}
	return &Hasher{params: p, slots: make(chan struct{}, concurrency)}
}

// Params returns the parameters new hashes are made with; Verify reports
// needsRehash for any hash whose parameters differ from these.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64> (unpadded std base64).
// The salt is SaltLen fresh bytes from crypto/rand. Hash waits for a free
// slot; if ctx ends first it returns an error wrapping ErrBusy and ctx.Err().
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	defer h.release()
	key := argon2.IDKey([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	return encode(h.params, salt, key), nil
}

// Verify checks password against phc in constant time. needsRehash is true
// when phc was made with parameters other than the Hasher's.
//
// needsRehash is only ever reported together with ok: the caller rehashes
// the password it has just proved correct. A phc that is not a strict
// argon2id v=19 PHC string within the sanity bounds of Params.Validate gives
// ErrMalformedHash, refused before any memory is allocated for it. A wrong
// password is ok == false with a nil error.
func (h *Hasher) Verify(ctx context.Context, password, phc string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decode(phc)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	h.release()
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// DummyHash returns a valid PHC string made with the Hasher's Params from a
// random password nobody knows, computed once on first use. Verify a login
// for an unknown user against it so that the answer costs the same time as
// for a known user with a wrong password; it never verifies as ok.
func (h *Hasher) DummyHash() string {
	h.dummyOnce.Do(func() {
		secret := make([]byte, 32)
		salt := make([]byte, h.params.SaltLen)
		// crypto/rand.Read does not fail on supported platforms (Go 1.24+);
		// the errors are ignored because nothing useful could be done.
		_, _ = rand.Read(secret)
		_, _ = rand.Read(salt)
		h.slots <- struct{}{} // blocking: DummyHash has no ctx and cannot fail
		key := argon2.IDKey(secret, salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
		h.release()
		h.dummy = encode(h.params, salt, key)
	})
	return h.dummy
}

// acquire takes a hashing slot, waiting until ctx ends. A free slot is taken
// even when ctx is already done, so behaviour does not depend on select's
// random choice.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }
