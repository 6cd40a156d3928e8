package password

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// stdB64 is padded standard base64 as Python's base64.b64encode writes it,
// refusing non-zero trailing bits.
var stdB64 = base64.StdEncoding.Strict()

// parsePBKDF2 parses Django's "<iterations>$<salt>$<base64 key>", the key
// being exactly one digest long as Django writes it.
func parsePBKDF2(algo, rest string) (foreignCheck, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 || parts[1] == "" {
		return nil, fmt.Errorf("%w: %s: wrong number of fields", ErrMalformedHash, algo)
	}
	iter, ok := parseDecimal(parts[0], maxPBKDF2Iter)
	if !ok || iter < 1 {
		return nil, fmt.Errorf("%w: %s: iterations not in 1..%d", ErrMalformedHash, algo, maxPBKDF2Iter)
	}
	h, size := sha256.New, sha256.Size
	if algo == "pbkdf2_sha1" {
		h, size = sha1.New, sha1.Size
	}
	want, err := stdB64.DecodeString(parts[2])
	if err != nil || len(want) != size {
		return nil, fmt.Errorf("%w: %s: hash is not %d bytes of base64", ErrMalformedHash, algo, size)
	}
	return func(password string) (bool, error) {
		got, err := pbkdf2.Key(h, password, []byte(parts[1]), int(iter), size)
		if err != nil {
			return false, fmt.Errorf("%s: %w", algo, err)
		}
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	}, nil
}

// parseArgon2 parses a PHC "$argon2id$v=19$m=M,t=T,p=P$salt$key" or its
// argon2i twin, bounded to 1 GiB of memory and t <= 100.
func parseArgon2(phc string) (foreignCheck, error) {
	variant, rest, _ := strings.Cut(strings.TrimPrefix(phc, "$"), "$")
	if variant != "argon2id" && variant != "argon2i" {
		return nil, fmt.Errorf("%w: argon2 variant %q", ErrMalformedHash, variant)
	}
	rest, ok := strings.CutPrefix(rest, "v=19$")
	if !ok {
		return nil, fmt.Errorf("%w: argon2 version is not 19", ErrMalformedHash)
	}
	fields := strings.Split(rest, "$")
	if len(fields) != 3 {
		return nil, fmt.Errorf("%w: argon2: wrong number of fields", ErrMalformedHash)
	}
	p, err := parseCosts(fields[0])
	if err != nil {
		return nil, err
	}
	if p.Memory > maxForeignArgonMem {
		return nil, fmt.Errorf("%w: argon2 memory %d KiB over %d", ErrMalformedHash, p.Memory, maxForeignArgonMem)
	}
	if uint64(p.Memory)*uint64(p.Time) > maxForeignArgonWork {
		return nil, fmt.Errorf("%w: argon2 m*t over %d", ErrMalformedHash, maxForeignArgonWork)
	}
	if err := checkB64(fields[1], minSaltLen, maxSaltLen); err != nil {
		return nil, fmt.Errorf("%w: argon2 salt: %w", ErrMalformedHash, err)
	}
	if err := checkB64(fields[2], minKeyLen, maxKeyLen); err != nil {
		return nil, fmt.Errorf("%w: argon2 hash: %w", ErrMalformedHash, err)
	}
	salt, err1 := b64.DecodeString(fields[1])
	want, err2 := b64.DecodeString(fields[2])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: argon2: bad base64", ErrMalformedHash)
	}
	kdf := argon2.IDKey
	if variant == "argon2i" {
		kdf = argon2.Key
	}
	return func(password string) (bool, error) {
		got := kdf([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	}, nil
}

// isBcryptPrefix reports whether s starts like a $2a$, $2b$ or $2y$ hash.
func isBcryptPrefix(s string) bool {
	return len(s) >= 4 && s[:2] == "$2" && strings.ContainsRune("aby", rune(s[2])) && s[3] == '$'
}

// parseBcrypt parses a modular-crypt bcrypt hash, cost at most 16, its
// salt and hash in bcrypt's base64 alphabet. x/crypto/bcrypt compares in
// constant time.
func parseBcrypt(hashed string) (foreignCheck, error) {
	if !isBcryptPrefix(hashed) || len(hashed) != 60 {
		return nil, fmt.Errorf("%w: not a $2a$, $2b$ or $2y$ bcrypt hash", ErrMalformedHash)
	}
	cost, ok := parseDecimal(strings.TrimPrefix(hashed[4:6], "0"), maxBcryptCost)
	if !ok || hashed[6] != '$' || cost < uint32(bcrypt.MinCost) {
		return nil, fmt.Errorf("%w: bcrypt cost not in %d..%d", ErrMalformedHash, bcrypt.MinCost, maxBcryptCost)
	}
	if strings.Trim(hashed[7:], bcryptAlphabet) != "" {
		return nil, fmt.Errorf("%w: bcrypt: salt or hash not in bcrypt's base64", ErrMalformedHash)
	}
	return func(password string) (bool, error) {
		if len(password) > maxBcryptPassword {
			return false, nil
		}
		err := bcrypt.CompareHashAndPassword([]byte(hashed), []byte(password))
		switch {
		case err == nil:
			return true, nil
		case err == bcrypt.ErrMismatchedHashAndPassword:
			return false, nil
		}
		return false, fmt.Errorf("%w: bcrypt: %w", ErrMalformedHash, err)
	}, nil
}

// bcryptAlphabet is the base64 alphabet of bcrypt's salt and hash.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// hexSHA256 is what Django's bcrypt_sha256 hands to bcrypt.
func hexSHA256(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

// parseScrypt parses Django's "<N>$<salt>$<r>$<p>$<base64 64-byte key>".
func parseScrypt(rest string) (foreignCheck, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 || parts[1] == "" {
		return nil, fmt.Errorf("%w: scrypt: wrong number of fields", ErrMalformedHash)
	}
	n, okN := parseDecimal(parts[0], maxScryptN)
	r, okR := parseDecimal(parts[2], maxScryptRP)
	p, okP := parseDecimal(parts[3], maxScryptRP)
	switch {
	case !okN || n < 2 || n&(n-1) != 0:
		return nil, fmt.Errorf("%w: scrypt N not a power of two in 2..%d", ErrMalformedHash, maxScryptN)
	case !okR || !okP || r < 1 || p < 1 || r*p > maxScryptRP:
		return nil, fmt.Errorf("%w: scrypt r*p not in 1..%d", ErrMalformedHash, maxScryptRP)
	case 128*uint64(n)*uint64(r)*uint64(p) > maxScryptWork:
		return nil, fmt.Errorf("%w: scrypt 128*N*r*p over %d", ErrMalformedHash, maxScryptWork)
	}
	want, err := stdB64.DecodeString(parts[4])
	if err != nil || len(want) != 64 {
		return nil, fmt.Errorf("%w: scrypt: hash is not 64 bytes of base64", ErrMalformedHash)
	}
	return func(password string) (bool, error) {
		got, err := scrypt.Key([]byte(password), []byte(parts[1]), int(n), int(r), int(p), len(want))
		if err != nil {
			return false, fmt.Errorf("%w: scrypt: %w", ErrMalformedHash, err)
		}
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	}, nil
}

func md5Sum() hash.Hash  { return md5.New() }
func sha1Sum() hash.Hash { return sha1.New() }

// parseSaltedHex parses Django's legacy "<salt>$<hex of H(salt+password)>";
// an empty salt is the unsalted form (md5$$<hex>, sha1$$<hex>).
func parseSaltedHex(algo, rest string) (foreignCheck, error) {
	salt, digest, ok := strings.Cut(rest, "$")
	h, size := md5Sum, md5.Size
	if algo == "sha1" {
		h, size = sha1Sum, sha1.Size
	}
	if !ok || !isHex(digest, 2*size) {
		return nil, fmt.Errorf("%w: %s: not <salt>$<hex digest>", ErrMalformedHash, algo)
	}
	check := unsalted(h, digest)
	return func(password string) (bool, error) { return check(salt + password) }, nil
}

// unsalted compares the hex of H(input) with digest.
func unsalted(h func() hash.Hash, digest string) foreignCheck {
	return func(input string) (bool, error) {
		d := h()
		d.Write([]byte(input))
		got := hex.EncodeToString(d.Sum(nil))
		return subtle.ConstantTimeCompare([]byte(got), []byte(digest)) == 1, nil
	}
}

// isHex reports whether s is exactly n lower-case hexadecimal digits, as
// Python's hexdigest writes them.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
