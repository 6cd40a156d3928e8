package password

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Errors of VerifyForeign, to be told apart with errors.Is. A stored hash
// VerifyForeign recognises but cannot accept (bad syntax, or parameters
// beyond the bounds below) wraps ErrMalformedHash.
var (
	// ErrLegacyHash: md5$, sha1$, unsalted MD5 or SHA-1, or crypt$, refused
	// unless ForeignOptions.AllowLegacy is set (crypt$ always): the account
	// must reset its password.
	ErrLegacyHash = errors.New("legacy password hash refused")
	// ErrUnusable: a Django unusable password ("!" prefix); no password
	// ever matches it.
	ErrUnusable = errors.New("unusable password")
	// ErrUnknownFormat: a string no supported hasher wrote.
	ErrUnknownFormat = errors.New("unknown password hash format")
)

// Bounds on the cost parameters of a foreign hash, checked before any
// computation so that an imported row cannot make one login cost more than
// a few seconds of one core or allocate more than 1 GiB. Django's own
// defaults are far below them.
const (
	maxForeignLen      = 1024       // characters of an encoded hash
	maxPBKDF2Iter      = 10_000_000 // Django 5.1: 870,000 (sha256)
	maxForeignArgonMem = 1 << 20    // KiB, i.e. 1 GiB; Django: 102,400
	// m*t in KiB: 2 GiB of passes, about 6 s on one core (Django: 204,800).
	maxForeignArgonWork = 2 << 20
	maxScryptN          = 1 << 20 // Django: 2^14
	maxScryptWork       = 1 << 30 // 128*N*r*p bytes, about 5 s; Django: 16 MiB
	maxScryptRP         = 64      // r*p; Django: 8
	maxBcryptCost       = 16      // Django: 12
	maxBcryptPassword   = 72      // bytes bcrypt reads; it ignores the rest
)

// ForeignOptions tune VerifyForeign.
type ForeignOptions struct {
	// AllowLegacy accepts md5$, sha1$ and unsalted MD5 and SHA-1 hashes.
	// Off by default: they are fast, unsalted or both, so a leaked row is
	// as good as the password. crypt$ stays refused even so (DES crypt
	// reads 8 characters of the password and x/crypto has no crypt(3)).
	AllowLegacy bool
}

// IsForeign reports whether encoded is not Tessera's own argon2id v=19 PHC
// string, so that after VerifyForeign accepts it the caller must replace it
// with Hasher.Hash of the same password. Tessera's own strings go to
// Hasher.Verify, whose needsRehash covers raised parameters.
func IsForeign(encoded string) bool {
	return !strings.HasPrefix(encoded, phcPrefix)
}

// VerifyForeign checks password against a hash another system wrote:
//
//   - Django: pbkdf2_sha256$, pbkdf2_sha1$, argon2$argon2id$ and
//     argon2$argon2i$ (v=19), bcrypt_sha256$ (bcrypt of the hex SHA-256 of
//     the password), bcrypt$, scrypt$N$... (Django 4's layout:
//     scrypt$<N>$<salt>$<r>$<p>$<base64 64-byte key>).
//   - Generic: $2a$, $2b$ and $2y$ bcrypt; PHC $argon2id$ and $argon2i$ v=19.
//   - Legacy (only with AllowLegacy): md5$<salt>$<hex>, sha1$<salt>$<hex>,
//     unsalted MD5 (32 hex digits, or md5$$<hex>), unsalted SHA-1
//     (sha1$$<hex>). crypt$ is always ErrLegacyHash.
//
// A wrong password is ok == false with a nil error; every comparison of a
// computed hash with the stored one is constant-time. A "!" prefix gives
// ErrUnusable, anything else unrecognised (or over 1,024 characters)
// ErrUnknownFormat, and a recognised hash with bad syntax or a cost beyond
// the bounds above
// (pbkdf2 iterations over 10,000,000; argon2 memory over 1 GiB, t over
// 100 or m*t over 2 GiB; scrypt N over 2^20 or not a power of two, r*p
// over 64, 128*N*r*p over 1 GiB; bcrypt cost over 16) gives
// ErrMalformedHash before anything is computed. Plain bcrypt (bcrypt$ and
// $2?$) refuses a password over 72 bytes as wrong rather than compare its
// first 72 bytes only: Tessera never truncates a password. It never panics.
//
// VerifyForeign holds one of h's hashing slots while it runs; if ctx ends
// before one is free it returns an error wrapping ErrBusy and ctx.Err().
func (h *Hasher) VerifyForeign(ctx context.Context, password, encoded string, opts ForeignOptions) (ok bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, fmt.Errorf("verify foreign password: %w", err)
	}
	defer h.release()
	return verifyForeign(password, encoded, opts)
}

// CheckForeign reports, without computing anything, the error
// VerifyForeign would give for encoded whatever the password:
// ErrUnusable, ErrUnknownFormat, ErrLegacyHash, or ErrMalformedHash for a
// recognised hash with bad syntax or costs beyond the bounds. nil means a
// password can match encoded. An import of a million rows can afford it
// for each, to tell at once which accounts must reset their password.
func CheckForeign(encoded string, opts ForeignOptions) error {
	_, err := parseForeign(encoded, opts)
	return err
}

// verifyForeign is VerifyForeign outside the concurrency limit.
func verifyForeign(password, encoded string, opts ForeignOptions) (ok bool, err error) {
	check, err := parseForeign(encoded, opts)
	if err != nil {
		return false, err
	}
	return check(password)
}

// foreignCheck computes a parsed foreign hash for password and compares.
type foreignCheck func(password string) (bool, error)

// parseForeign checks the syntax and costs of encoded and returns what
// computes it; nothing costly runs before it returns.
func parseForeign(encoded string, opts ForeignOptions) (foreignCheck, error) {
	if strings.HasPrefix(encoded, "!") {
		return nil, ErrUnusable
	}
	if len(encoded) > maxForeignLen {
		return nil, fmt.Errorf("%w: too long", ErrUnknownFormat)
	}
	algo, rest, found := strings.Cut(encoded, "$")
	switch {
	case !found && isHex(encoded, 32):
		return legacy(opts, func() (foreignCheck, error) { return unsalted(md5Sum, encoded), nil })
	case !found:
		return nil, ErrUnknownFormat
	case algo == "pbkdf2_sha256" || algo == "pbkdf2_sha1":
		return parsePBKDF2(algo, rest)
	case algo == "argon2":
		return parseArgon2("$" + rest)
	case algo == "" && (strings.HasPrefix(rest, "argon2id$") || strings.HasPrefix(rest, "argon2i$")):
		return parseArgon2(encoded)
	case algo == "bcrypt_sha256":
		check, err := parseBcrypt(rest)
		if err != nil {
			return nil, err
		}
		return func(password string) (bool, error) { return check(hexSHA256(password)) }, nil
	case algo == "bcrypt":
		return parseBcrypt(rest)
	case algo == "" && isBcryptPrefix(encoded):
		return parseBcrypt(encoded)
	case algo == "scrypt":
		return parseScrypt(rest)
	case algo == "md5" || algo == "sha1":
		return legacy(opts, func() (foreignCheck, error) { return parseSaltedHex(algo, rest) })
	case algo == "crypt":
		return nil, fmt.Errorf("%w: crypt is not supported", ErrLegacyHash)
	}
	return nil, ErrUnknownFormat
}

// legacy runs parse only when opts allow legacy hashes.
func legacy(opts ForeignOptions, parse func() (foreignCheck, error)) (foreignCheck, error) {
	if !opts.AllowLegacy {
		return nil, ErrLegacyHash
	}
	return parse()
}
