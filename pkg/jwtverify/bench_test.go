package jwtverify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerify measures the whole check of one access token; compare
// each result with BenchmarkRawSignature for the same algorithm to see what
// parsing and claim checks add to the signature itself.
func BenchmarkVerify(b *testing.B) {
	v := newTestVerifier(b)
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		s := testSigners(b)[alg]
		raw := sign(b, s, validHeader(s), validClaims())
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRawSignature is the floor: golang-jwt's signature check over the
// same signing input, with nothing decoded.
func BenchmarkRawSignature(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		s := testSigners(b)[alg]
		raw := sign(b, s, validHeader(s), validClaims())
		dot := strings.LastIndexByte(raw, '.')
		input := raw[:dot]
		sig, err := jwt.NewParser().DecodeSegment(raw[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.method.Verify(input, sig, s.key.Public); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
