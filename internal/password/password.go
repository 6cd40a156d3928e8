package password

import (
	"context"
	"errors"
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

// ErrBusy is returned when ctx ends while waiting for a hashing slot.
var ErrBusy = errors.New("password hashing busy")

// ErrMalformedHash is returned by Verify for a hash it cannot parse.
var ErrMalformedHash = errors.New("malformed password hash")

// Hasher hashes and verifies passwords with argon2id, at most `concurrency`
// at a time so a login storm cannot exhaust memory.
type Hasher struct{}

// NewHasher returns a Hasher; concurrency < 1 means runtime.NumCPU().
func NewHasher(p Params, concurrency int) *Hasher { panic("unimplemented") }

// Hash returns the PHC string of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64> (unpadded std base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) { panic("unimplemented") }

// Verify checks password against phc in constant time. needsRehash is true
// when phc was made with parameters other than the Hasher's.
func (h *Hasher) Verify(ctx context.Context, password, phc string) (ok, needsRehash bool, err error) {
	panic("unimplemented")
}

// Policy is the password policy of SECURITY.md.
type Policy struct {
	MinLength int // default 12, never below 8
	MaxLength int // 128
}

// Check returns the policy's objections to password (human sentences), or
// nil when it is acceptable.
func (p Policy) Check(password string) []string { panic("unimplemented") }
