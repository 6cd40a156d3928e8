package password

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The PHC string format (github.com/P-H-C/phc-string-format) for argon2id, as
// the reference implementation, libsodium and passlib write it. Written here
// because x/crypto/argon2 provides only the raw KDF and no PHC codec.
const phcPrefix = "$argon2id$v=19$"

// maxPHCLen is the longest string decode can accept, checked first so that a
// huge input is refused without being scanned.
const maxPHCLen = len(phcPrefix) + len("m=4194304,t=100,p=255") + len("$$") +
	(maxSaltLen*8+5)/6 + (maxKeyLen*8+5)/6

// b64 is unpadded standard base64 that also refuses non-zero trailing bits,
// so one salt or key has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

func init() {
	// phcPrefix spells the version out; keep it honest if x/crypto moves on.
	if argon2.Version != 0x13 {
		panic("password: argon2.Version is not 19")
	}
}

// encode writes the PHC string for key derived with p and salt.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("%sm=%d,t=%d,p=%d$%s$%s", phcPrefix,
		p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses phc strictly: exactly "$argon2id$v=19$m=M,t=T,p=P$salt$key"
// with canonical decimals, canonical unpadded base64 and every value within
// the bounds of Params.Validate. Every bound is checked before the salt or
// key is decoded, so nothing is allocated for a refused string.
func decode(phc string) (p Params, salt, key []byte, err error) {
	if len(phc) > maxPHCLen {
		return Params{}, nil, nil, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	rest, ok := strings.CutPrefix(phc, phcPrefix)
	if !ok {
		return Params{}, nil, nil, fmt.Errorf("%w: not an argon2id v=19 PHC string", ErrMalformedHash)
	}
	costs, rest, ok1 := strings.Cut(rest, "$")
	saltB64, keyB64, ok2 := strings.Cut(rest, "$")
	if !ok1 || !ok2 {
		return Params{}, nil, nil, fmt.Errorf("%w: wrong number of fields", ErrMalformedHash)
	}
	if p, err = parseCosts(costs); err != nil {
		return Params{}, nil, nil, err
	}
	if err = checkB64(saltB64, minSaltLen, maxSaltLen); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	if err = checkB64(keyB64, minKeyLen, maxKeyLen); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: hash: %w", ErrMalformedHash, err)
	}
	if salt, err = b64.DecodeString(saltB64); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	if key, err = b64.DecodeString(keyB64); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: hash: %w", ErrMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// parseCosts parses "m=M,t=T,p=P" in exactly that order.
func parseCosts(s string) (Params, error) {
	var p Params
	var ok bool
	var m, t, par string
	if m, ok = strings.CutPrefix(s, "m="); ok {
		m, s, ok = strings.Cut(m, ",t=")
	}
	if ok {
		t, par, ok = strings.Cut(s, ",p=")
	}
	if !ok {
		return Params{}, fmt.Errorf("%w: parameters are not m=,t=,p=", ErrMalformedHash)
	}
	mv, okm := parseDecimal(m, maxMemory)
	tv, okt := parseDecimal(t, maxTime)
	pv, okp := parseDecimal(par, 255)
	if !okm || !okt || !okp {
		return Params{}, fmt.Errorf("%w: parameter out of range", ErrMalformedHash)
	}
	p.Memory, p.Time, p.Threads = mv, tv, uint8(pv)
	if err := p.validateCost(); err != nil {
		return Params{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, nil
}

// parseDecimal accepts only canonical decimals (ASCII digits, no sign, no
// leading zero) not above limit.
func parseDecimal(s string, limit uint32) (uint32, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v > uint64(limit) {
		return 0, false
	}
	return uint32(v), true
}

// checkB64 refuses, without decoding, a string that is not made of the
// standard base64 alphabet (the decoder itself skips CR and LF) or whose
// decoded length is outside lo..hi bytes.
func checkB64(s string, lo, hi int) error {
	if len(s)%4 == 1 {
		return fmt.Errorf("impossible base64 length %d", len(s))
	}
	if n := b64.DecodedLen(len(s)); n < lo || n > hi {
		return fmt.Errorf("length %d not in %d..%d bytes", n, lo, hi)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return fmt.Errorf("character %q is not unpadded standard base64", c)
		}
	}
	return nil
}
