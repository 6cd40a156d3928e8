package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// RefreshPrefix starts every refresh token, so leaked ones are recognisable.
const RefreshPrefix = "tsr_"

// ErrMalformedRefresh is returned for input that is not a refresh token.
var ErrMalformedRefresh = errors.New("malformed refresh token")

// NonceSize is the size of a session's refresh nonce.
const NonceSize = 32

const (
	macSize    = sha256.Size
	rawSize    = 16 + 8 + macSize // session id | generation | MAC
	encodedLen = (rawSize*8 + 5) / 6
	// RefreshLength is the length of every refresh token.
	RefreshLength = len(RefreshPrefix) + encodedLen
)

// strict refuses non-zero padding bits, so no two strings decode to the
// same token.
var strict = base64.RawURLEncoding.Strict()

// Refresh is a decoded refresh token.
type Refresh struct {
	SessionID  uuid.UUID
	Generation int64
	MAC        []byte
}

// Refresher derives and checks refresh tokens with the refresh secret. It
// is safe for concurrent use.
type Refresher struct {
	macs sync.Pool // of keyed HMAC-SHA256 states, reset before each use
}

// NewRefresher returns a Refresher for secret, which should be the 32
// random bytes keys.Ring.RefreshSecret returns. It panics on an empty
// secret: MACs under an empty key would be forgeable.
func NewRefresher(secret []byte) *Refresher {
	if len(secret) == 0 {
		panic("token: empty refresh secret")
	}
	key := append([]byte(nil), secret...)
	r := &Refresher{}
	r.macs.New = func() any { return hmac.New(sha256.New, key) }
	return r
}

// NewNonce returns NonceSize bytes from crypto/rand.
func NewNonce() ([]byte, error) {
	n := make([]byte, NonceSize)
	if _, err := rand.Read(n); err != nil {
		return nil, err
	}
	return n, nil
}

// mac appends HMAC(secret, head | nonce) to dst.
func (r *Refresher) mac(dst, head, nonce []byte) []byte {
	h := r.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(head)
	h.Write(nonce)
	dst = h.Sum(dst)
	r.macs.Put(h)
	return dst
}

// Parse decodes raw without checking its MAC. Anything but a well-formed
// token is ErrMalformedRefresh: a length other than RefreshLength (so input
// of any size costs nothing to refuse), a wrong prefix, bad or
// non-canonical base64, a negative generation.
func Parse(raw string) (Refresh, error) {
	if len(raw) != RefreshLength || !strings.HasPrefix(raw, RefreshPrefix) {
		return Refresh{}, ErrMalformedRefresh
	}
	var b [rawSize]byte
	n, err := strict.Decode(b[:], []byte(raw[len(RefreshPrefix):]))
	if err != nil || n != rawSize {
		return Refresh{}, ErrMalformedRefresh
	}
	gen := int64(binary.BigEndian.Uint64(b[16:24]))
	if gen < 0 {
		return Refresh{}, ErrMalformedRefresh
	}
	t := Refresh{Generation: gen, MAC: append([]byte(nil), b[24:]...)}
	copy(t.SessionID[:], b[:16])
	return t, nil
}

// Check reports, in constant time, whether t's MAC is the one derived from
// the session's nonce.
func (r *Refresher) Check(t Refresh, nonce []byte) bool {
	var head [24]byte
	copy(head[:16], t.SessionID[:])
	binary.BigEndian.PutUint64(head[16:], uint64(t.Generation))
	var sum [macSize]byte
	want := r.mac(sum[:0], head[:], nonce)
	return hmac.Equal(t.MAC, want)
}

// MaxChainWalk bounds how many generations Reaches walks forward: a token
// older than that cannot be told from a forgery and is only refused.
const MaxChainWalk = 1 << 16

// First is the token of session sid at generation gen derived from the
// session's nonce: "tsr_" + base64url(sid | gen | HMAC-SHA256(secret,
// sid | gen | nonce)) once encoded. A session begins with it at its first
// generation; a session from before refresh digests is at such a token
// whatever its generation. gen must not be negative; Parse refuses such
// tokens.
func (r *Refresher) First(sid uuid.UUID, gen int64, nonce []byte) Refresh {
	var head [24]byte
	copy(head[:16], sid[:])
	binary.BigEndian.PutUint64(head[16:], uint64(gen))
	return Refresh{SessionID: sid, Generation: gen, MAC: r.mac(make([]byte, 0, macSize), head[:], nonce)}
}

// Next is the token of the generation after t, chained from t's MAC:
// HMAC-SHA256(secret, sid | g+1 | MAC of g). Only a holder of the
// presented token and the secret can derive it, so a session needs to
// store no more than the digest of its current token (see Digest) to
// check and rotate in one conditional write, and the grace case can
// re-derive the current token from the previous one.
func (r *Refresher) Next(t Refresh) Refresh {
	var head [24]byte
	copy(head[:16], t.SessionID[:])
	binary.BigEndian.PutUint64(head[16:], uint64(t.Generation+1))
	return Refresh{SessionID: t.SessionID, Generation: t.Generation + 1, MAC: r.mac(make([]byte, 0, macSize), head[:], t.MAC)}
}

// Reaches reports, in constant time at the end, whether walking the chain
// forward from t to generation gen gives a token whose Digest is digest.
// It refuses a walk longer than MaxChainWalk, so its cost is bounded
// whatever generation a caller presents.
func (r *Refresher) Reaches(t Refresh, gen int64, digest []byte) bool {
	if gen < t.Generation || gen-t.Generation > MaxChainWalk || len(digest) != sha256.Size {
		return false
	}
	for t.Generation < gen {
		t = r.Next(t)
	}
	return hmac.Equal(t.Digest(), digest)
}

// Digest is SHA-256 of t's MAC: what a session stores to recognise its
// current token without holding it.
func (t Refresh) Digest() []byte {
	d := sha256.Sum256(t.MAC)
	return d[:]
}

// String encodes t as "tsr_" + base64url(sid | gen | MAC).
func (t Refresh) String() string {
	var raw [rawSize]byte
	copy(raw[:16], t.SessionID[:])
	binary.BigEndian.PutUint64(raw[16:24], uint64(t.Generation))
	copy(raw[24:], t.MAC)
	var out [RefreshLength]byte
	copy(out[:], RefreshPrefix)
	base64.RawURLEncoding.Encode(out[len(RefreshPrefix):], raw[:])
	return string(out[:])
}
