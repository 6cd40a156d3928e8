package jwtverify

import (
	"bytes"
	"crypto/elliptic"
	"math/big"

	"github.com/golang-jwt/jwt/v5"
)

// A token has exactly one accepted spelling (SECURITY.md, "Requests and
// tokens, strictly"), so that a resource server keying a deny list or a
// replay cache by the token string cannot be bypassed with a twin of a
// token it has seen. This file and parse.go hold the checks that refuse
// every other spelling, all with errors wrapping ErrMalformed:
//
//   - only base64url characters and dots (the decoder would skip \r and \n);
//   - no non-zero unused bits in a segment's last character (strict
//     decoding, in parse.go);
//   - header and payload valid UTF-8 (encoding/json would turn bad bytes
//     into U+FFFD, so two payloads would read as one);
//   - exp, nbf and iat JSON numbers, never strings holding a number;
//   - ES256 signatures low-s: s ≤ (n−1)/2, since (r, n−s) verifies as
//     well as (r, s).

// jwsByte marks the bytes a compact JWS may hold.
var jwsByte = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_." {
		t[c] = true
	}
	return t
}()

// segmentBufSize covers the header and payload of the tokens Tessera
// mints; a longer segment is decoded into the heap.
const segmentBufSize = 1 << 10

// payload is what Verify decodes a token's claims into: Claims, with the
// three dates shadowed by strictly numeric ones and the audience by one
// decoded in a single pass (claims_decode.go). It is the jwt.Claims the
// Validator checks; claims hands them over to Claims.
type payload struct {
	Claims
	Audience  audience     `json:"aud,omitempty"`
	ExpiresAt *numericDate `json:"exp,omitempty"`
	NotBefore *numericDate `json:"nbf,omitempty"`
	IssuedAt  *numericDate `json:"iat,omitempty"`
}

func (p *payload) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings(p.Audience), nil
}

func (p *payload) GetExpirationTime() (*jwt.NumericDate, error) {
	return (*jwt.NumericDate)(p.ExpiresAt), nil
}

func (p *payload) GetNotBefore() (*jwt.NumericDate, error) {
	return (*jwt.NumericDate)(p.NotBefore), nil
}

func (p *payload) GetIssuedAt() (*jwt.NumericDate, error) {
	return (*jwt.NumericDate)(p.IssuedAt), nil
}

// claims returns the decoded Claims, dates and audience included.
func (p *payload) claims() *Claims {
	p.Claims.Audience = jwt.ClaimStrings(p.Audience)
	p.Claims.ExpiresAt = (*jwt.NumericDate)(p.ExpiresAt)
	p.Claims.NotBefore = (*jwt.NumericDate)(p.NotBefore)
	p.Claims.IssuedAt = (*jwt.NumericDate)(p.IssuedAt)
	return &p.Claims
}

var (
	// p256Order is n, the order of the P-256 group.
	p256Order = elliptic.P256().Params().N
	// p256HalfOrder is (n−1)/2, big-endian on 32 bytes: the largest low s.
	p256HalfOrder = new(big.Int).Rsh(p256Order, 1).FillBytes(make([]byte, 32))
)

// highS reports whether sig, an ES256 signature r‖s, has s > (n−1)/2.
func highS(sig []byte) bool {
	return len(sig) == 64 && bytes.Compare(sig[32:], p256HalfOrder) > 0
}

// SigningMethodES256 is golang-jwt's ES256 whose Sign returns every
// signature in its low-s form (s ≤ (n−1)/2, replacing s by n−s when
// needed), the only form Verify accepts. Tessera signs with it; an issuer
// or a test that signs tokens for this package's Verifier should use it in
// place of jwt.SigningMethodES256, which gives a high s half of the time.
// It is not registered with golang-jwt: jwt.GetSigningMethod("ES256") is
// unchanged.
var SigningMethodES256 jwt.SigningMethod = lowSES256{jwt.SigningMethodES256}

type lowSES256 struct{ *jwt.SigningMethodECDSA }

func (m lowSES256) Sign(signingString string, key any) ([]byte, error) {
	sig, err := m.SigningMethodECDSA.Sign(signingString, key)
	if err != nil {
		return nil, err
	}
	if highS(sig) {
		s := new(big.Int).SetBytes(sig[32:])
		s.Sub(p256Order, s).FillBytes(sig[32:])
	}
	return sig, nil
}
