package jwtverify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Verify reads a token itself, in the order golang-jwt's
// Parser.ParseWithClaims does and with its building blocks (the signing
// methods' Verify, the claims Validator), rather than through the parser:
// the parser decodes the header into a map on every call and makes two
// passes of encoding/json over the claims, which cost Verify more than
// everything but the signature. Here a header already seen on a token
// whose signature verified is not decoded again, and the claims Tessera
// mints are read in one pass (claims_decode.go). Every refusal wraps the
// golang-jwt error the parser would have returned, and classify turns it
// into ours as before.

// strictB64 is base64url without padding that refuses non-zero unused bits
// in the last character (jwt.WithStrictDecoding).
var strictB64 = base64.RawURLEncoding.Strict()

// header is what Verify reads of a token's JOSE header (RFC 7515 s4),
// decoded into a map as golang-jwt decodes it.
type header struct {
	alg   string // "" when absent or not a string, as typ and kid
	algOK bool   // alg is present and a string
	typ   string
	kid   string
	crit  bool // crit is present, whatever its value
}

// maxCachedHeaders bounds the header cache. Only headers of tokens whose
// signature verified are kept (one per signing key, in practice), so the
// bound is reached only by an issuer with that many keys; past it, headers
// are decoded on every call.
const maxCachedHeaders = 64

// headerCache holds decoded headers by their base64url segment. Decoding
// is deterministic, so a cached segment reads exactly as it would again.
type headerCache struct {
	m sync.Map // string -> *header
	n atomic.Int32
}

func (c *headerCache) get(seg string) *header {
	if h, ok := c.m.Load(seg); ok {
		return h.(*header)
	}
	return nil
}

func (c *headerCache) put(seg string, h *header) {
	if c.n.Load() >= maxCachedHeaders {
		return
	}
	// A copy: seg shares the memory of the whole token.
	if _, loaded := c.m.LoadOrStore(strings.Clone(seg), h); !loaded {
		c.n.Add(1)
	}
}

// token is a token read and checked up to its signature.
type token struct {
	headerSeg string
	header    *header
	cached    bool   // header came from the cache
	signed    string // header.payload, the signing input
	method    jwt.SigningMethod
	signature []byte
	payload   *payload
}

// parse reads raw as golang-jwt's ParseUnverified would and checks its
// algorithm against the allow-list, with this package's spelling rules
// (canonical.go) on top. A refusal is returned already classified.
func (v *Verifier) parse(raw string) (*token, error) {
	for i := 0; i < len(raw); i++ {
		if !jwsByte[raw[i]] {
			return nil, errAlphabet
		}
	}
	hseg, rest, ok1 := strings.Cut(raw, ".")
	pseg, sseg, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(sseg, '.') >= 0 {
		return nil, v.classify(nil, fmt.Errorf("%w: token contains an invalid number of segments", jwt.ErrTokenMalformed))
	}
	t := &token{headerSeg: hseg, signed: raw[:len(hseg)+1+len(pseg)], header: v.headers.get(hseg)}
	t.cached = t.header != nil
	var buf [segmentBufSize]byte
	if !t.cached {
		h, err := decodeHeader(hseg, buf[:])
		if err != nil {
			return nil, v.classify(nil, err)
		}
		t.header = h
	}
	p, err := decodePayload(pseg, buf[:])
	if err != nil {
		return nil, v.classify(nil, err)
	}
	t.payload = p
	if !t.header.algOK {
		return nil, v.classify(nil, fmt.Errorf("%w: signing method (alg) is unspecified", jwt.ErrTokenUnverifiable))
	}
	if t.method = jwt.GetSigningMethod(t.header.alg); t.method == nil {
		return nil, v.classify(nil, fmt.Errorf("%w: signing method (alg) is unavailable", jwt.ErrTokenUnverifiable))
	}
	if t.signature, err = strictB64.DecodeString(sseg); err != nil {
		return nil, v.classify(t.method, fmt.Errorf("%w: could not base64 decode signature: %w", jwt.ErrTokenMalformed, err))
	}
	if !v.allowed(t.header.alg) {
		return nil, v.classify(t.method, fmt.Errorf("%w: signing method %v is invalid", jwt.ErrTokenSignatureInvalid, t.header.alg))
	}
	return t, nil
}

// decodeSegment decodes seg strictly into buf, or into the heap when buf
// is too small, and checks the result is UTF-8 (encoding/json would turn
// other bytes into U+FFFD, so two spellings would read as one).
func decodeSegment(seg string, buf []byte, what string, notUTF8 error) ([]byte, error) {
	n := strictB64.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := strictB64.Decode(buf[:n], []byte(seg))
	if err != nil {
		return nil, fmt.Errorf("%w: could not base64 decode %s: %w", jwt.ErrTokenMalformed, what, err)
	}
	if !utf8.Valid(buf[:n]) {
		return nil, notUTF8
	}
	return buf[:n], nil
}

// decodeHeader decodes a header segment as golang-jwt does, into a map.
func decodeHeader(seg string, buf []byte) (*header, error) {
	b, err := decodeSegment(seg, buf, "header", errHeaderUTF8)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.Clone(b), &m); err != nil {
		return nil, fmt.Errorf("%w: could not JSON decode header: %w", jwt.ErrTokenMalformed, err)
	}
	h := &header{}
	h.alg, h.algOK = m["alg"].(string)
	h.typ, _ = m["typ"].(string)
	h.kid, _ = m["kid"].(string)
	_, h.crit = m["crit"]
	return h, nil
}

// decodePayload decodes the claims segment (decodeClaims).
func decodePayload(seg string, buf []byte) (*payload, error) {
	b, err := decodeSegment(seg, buf, "claims", errPayloadUTF8)
	if err != nil {
		return nil, err
	}
	p, err := decodeClaims(b)
	if err != nil {
		return nil, fmt.Errorf("%w: could not JSON decode claim: %w", jwt.ErrTokenMalformed, err)
	}
	return p, nil
}
