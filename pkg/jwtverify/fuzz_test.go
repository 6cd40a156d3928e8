package jwtverify_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// verifyErrors are the sentinels every refusal must wrap.
var verifyErrors = []error{
	jwtverify.ErrMalformed, jwtverify.ErrTooLarge, jwtverify.ErrUnknownKey, jwtverify.ErrAlgorithm,
	jwtverify.ErrSignature, jwtverify.ErrType, jwtverify.ErrExpired, jwtverify.ErrNotYetValid,
	jwtverify.ErrInvalidIssuer, jwtverify.ErrInvalidAudience, jwtverify.ErrMissingClaim, jwtverify.ErrRevoked,
}

// FuzzVerify: Verify never panics, every refusal wraps one of the
// package's sentinels, and anything it accepts carries exactly the claims
// of a token the test signed: no mutation forges a different one.
func FuzzVerify(f *testing.F) {
	v := newTestVerifier(f)
	valid := map[string]bool{}
	for _, s := range testSigners(f) {
		raw := sign(f, s, validHeader(s), validClaims())
		valid[raw] = true
		f.Add(raw)
	}
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(strings.Repeat("A", jwtverify.MaxTokenSize+1))
	want, err := v.Verify(context.Background(), sign(f, testSigners(f)["ES256"], validHeader(testSigners(f)["ES256"]), validClaims()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := v.Verify(context.Background(), raw)
		if err != nil {
			for _, s := range verifyErrors {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("Verify(%q) = %v, which wraps no sentinel", raw, err)
		}
		if !reflect.DeepEqual(claims.RegisteredClaims, want.RegisteredClaims) || claims.SessionID != want.SessionID ||
			claims.ClientID != want.ClientID || !reflect.DeepEqual(claims.Roles, want.Roles) {
			t.Fatalf("Verify accepted %q with claims %+v", raw, claims)
		}
	})
}
