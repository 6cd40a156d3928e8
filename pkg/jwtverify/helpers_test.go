package jwtverify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

const (
	testIssuer   = "https://id.example.com"
	testAudience = "api://orders"
)

// testNow is the fixed clock every test verifier runs on.
var testNow = time.Date(2026, 11, 28, 13, 16, 50, 0, time.UTC)

type signer struct {
	alg     string
	method  jwt.SigningMethod
	private crypto.Signer
	key     jwtverify.Key
}

var (
	signersOnce sync.Once
	signers     map[string]*signer
)

// testSigners returns one signing key per algorithm, generated once per run
// because RSA generation is slow.
func testSigners(tb testing.TB) map[string]*signer {
	tb.Helper()
	signersOnce.Do(func() {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		rs, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		signers = map[string]*signer{
			"ES256": {alg: "ES256", method: jwtverify.SigningMethodES256, private: ec},
			"EdDSA": {alg: "EdDSA", method: jwt.SigningMethodEdDSA, private: ed},
			"RS256": {alg: "RS256", method: jwt.SigningMethodRS256, private: rs},
		}
		for _, s := range signers {
			s.key = jwtverify.Key{ID: "kid-" + s.alg, Algorithm: s.alg, Public: s.private.Public()}
		}
	})
	return signers
}

func testKeySet(tb testing.TB) *jwtverify.StaticKeySet {
	tb.Helper()
	var keys []jwtverify.Key
	for _, s := range testSigners(tb) {
		keys = append(keys, s.key)
	}
	return jwtverify.NewStaticKeySet(keys...)
}

func newTestVerifier(tb testing.TB, opts ...jwtverify.Option) *jwtverify.Verifier {
	tb.Helper()
	base := []jwtverify.Option{
		jwtverify.WithIssuer(testIssuer),
		jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(func() time.Time { return testNow }),
	}
	v, err := jwtverify.NewVerifier(testKeySet(tb), append(base, opts...)...)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// validClaims are the claims of a token that passes every check at testNow.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":       testIssuer,
		"sub":       "7d0f3bb4-5b8e-4a4b-9a55-0c4b8f0e6a11",
		"aud":       []string{testAudience},
		"exp":       testNow.Add(15 * time.Minute).Unix(),
		"iat":       testNow.Unix(),
		"nbf":       testNow.Unix(),
		"jti":       "2b1cW1m4Qm2q7xkYp6H1fA",
		"client_id": "default",
		"sid":       "0f9a8d3e-1c2b-4e5f-8a7b-6c5d4e3f2a1b",
		"roles":     []string{"admin"},
	}
}

// validHeader is the JOSE header of a token s signs.
func validHeader(s *signer) map[string]any {
	return map[string]any{"alg": s.alg, "kid": s.key.ID, "typ": "at+jwt"}
}

// sign signs claims under header with s's key, whatever the header says.
func sign(tb testing.TB, s *signer, header map[string]any, claims jwt.Claims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(s.method, claims)
	tok.Header = header
	raw, err := tok.SignedString(s.private)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return raw
}
