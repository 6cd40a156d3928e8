package jwtverify_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// verifyErrors are the sentinels every refusal must wrap.
var verifyErrors = []error{
	jwtverify.ErrMalformed, jwtverify.ErrTooLarge, jwtverify.ErrUnknownKey, jwtverify.ErrAlgorithm,
	jwtverify.ErrSignature, jwtverify.ErrType, jwtverify.ErrExpired, jwtverify.ErrNotYetValid,
	jwtverify.ErrInvalidIssuer, jwtverify.ErrInvalidAudience, jwtverify.ErrMissingClaim, jwtverify.ErrRevoked,
}

// FuzzVerify: Verify never panics, every refusal wraps one of the
// package's sentinels, and anything it accepts is, byte for byte, a token
// the test signed, with its claims: no mutation forges a different token,
// nor another spelling of one.
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
	// Other spellings of valid tokens, each to be refused.
	es := testSigners(f)["ES256"]
	good := sign(f, es, validHeader(es), validClaims())
	valid[good] = true
	for _, twin := range paddingTwins(good) {
		f.Add(twin)
	}
	f.Add(highSTwin(f, good))
	f.Add(good[:len(good)-8] + "\n" + good[len(good)-8:])
	f.Add(signRaw(f, es, `{"alg":"ES256","kid":"kid-ES256","typ":"at+jwt","x":"`+"\xff"+`"}`, payloadJSON(f)))
	f.Add(signRaw(f, es, headerJSON(f, es), strings.Replace(payloadJSON(f), `{`, `{"x":"`+"\xc3\x28"+`",`, 1)))
	exp := strconv.FormatInt(testNow.Add(15*time.Minute).Unix(), 10)
	f.Add(signRaw(f, es, headerJSON(f, es), strings.Replace(payloadJSON(f), `"exp":`+exp, `"exp":"`+exp+`"`, 1)))
	want, err := v.Verify(context.Background(), good)
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
		if !valid[raw] {
			t.Fatalf("Verify accepted %q, which the test never signed", raw)
		}
		if !reflect.DeepEqual(claims.RegisteredClaims, want.RegisteredClaims) || claims.SessionID != want.SessionID ||
			claims.ClientID != want.ClientID || !reflect.DeepEqual(claims.Roles, want.Roles) {
			t.Fatalf("Verify accepted %q with claims %+v", raw, claims)
		}
	})
}
