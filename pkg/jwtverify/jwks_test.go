package jwtverify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicJWK renders s's public key as a JWK map, with extra members merged in.
func publicJWK(tb testing.TB, s *signer, extra map[string]any) map[string]any {
	tb.Helper()
	m := map[string]any{"kid": s.key.ID, "use": "sig", "alg": s.alg}
	switch pub := s.key.Public.(type) {
	case *ecdsa.PublicKey:
		p, err := pub.Bytes()
		if err != nil {
			tb.Fatal(err)
		}
		m["kty"], m["crv"], m["x"], m["y"] = "EC", "P-256", b64(p[1:33]), b64(p[33:])
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", b64(pub)
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func jwksDoc(tb testing.TB, keys ...map[string]any) []byte {
	tb.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParseJWKS(t *testing.T) {
	s := testSigners(t)
	doc := jwksDoc(t,
		publicJWK(t, s["ES256"], map[string]any{"x5u": "https://evil.example.com/cert"}),
		publicJWK(t, s["EdDSA"], map[string]any{"alg": nil, "use": nil}),
		publicJWK(t, s["RS256"], nil),
		publicJWK(t, s["ES256"], map[string]any{"kid": "enc", "use": "enc"}),
		publicJWK(t, s["ES256"], map[string]any{"kid": "p384", "crv": "P-384"}),
		publicJWK(t, s["RS256"], map[string]any{"kid": "pss", "alg": "PS256"}),
		publicJWK(t, s["EdDSA"], map[string]any{"kid": "x25519", "crv": "X25519"}),
		map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
	)
	keys, err := jwtverify.ParseJWKS(doc)
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	if len(keys) != 3 {
		t.Fatalf("got %d keys, want 3: %+v", len(keys), keys)
	}
	ks := jwtverify.NewStaticKeySet(keys...)
	verifier, err := jwtverify.NewVerifier(ks, jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		want := s[k.Algorithm]
		if k.ID != want.key.ID {
			t.Errorf("key %d = %s/%s, want kid %s", i, k.ID, k.Algorithm, want.key.ID)
		}
		if _, err := verifier.Verify(context.Background(), sign(t, want, validHeader(want), validClaims())); err != nil {
			t.Errorf("%s: token does not verify with the parsed key: %v", k.Algorithm, err)
		}
	}
}

func TestParseJWKSErrors(t *testing.T) {
	s := testSigners(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weak := &signer{alg: "RS256", key: jwtverify.Key{ID: "weak", Algorithm: "RS256", Public: small.Public()}}
	es := s["ES256"]
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"not JSON", []byte("{"), "parse jwks"},
		{"no keys member", []byte(`{"kids":[]}`), "no \"keys\""},
		{"missing kid", jwksDoc(t, publicJWK(t, es, map[string]any{"kid": nil})), "no kid"},
		{"duplicate kid", jwksDoc(t, publicJWK(t, es, nil), publicJWK(t, s["EdDSA"], map[string]any{"kid": es.key.ID})), "duplicate kid"},
		{"RSA 1024", jwksDoc(t, publicJWK(t, weak, nil)), "not a valid RS256 key"},
		{"point off the curve", jwksDoc(t, publicJWK(t, es, map[string]any{"y": b64(make([]byte, 32))})), "kid-ES256"},
		{"short coordinate", jwksDoc(t, publicJWK(t, es, map[string]any{"x": b64([]byte{1, 2, 3})})), "coordinate"},
		{"short Ed25519 key", jwksDoc(t, publicJWK(t, s["EdDSA"], map[string]any{"x": b64([]byte{1})})), "coordinate"},
		{"even RSA exponent", jwksDoc(t, publicJWK(t, s["RS256"], map[string]any{"e": "Ag"})), "exponent"},
		{"padded base64", jwksDoc(t, publicJWK(t, s["RS256"], map[string]any{"e": "AQAB=="})), "exponent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := jwtverify.ParseJWKS(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseJWKS = %v, %v; want an error containing %q", keys, err, tt.want)
			}
		})
	}
}
