package jwtverify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

func TestVerifyValid(t *testing.T) {
	v := newTestVerifier(t)
	for alg, s := range testSigners(t) {
		t.Run(alg, func(t *testing.T) {
			raw := sign(t, s, validHeader(s), validClaims())
			c, err := v.Verify(context.Background(), raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := validClaims()
			if c.Issuer != testIssuer || c.Subject != want["sub"] || c.ID != want["jti"] ||
				c.ClientID != "default" || c.SessionID != want["sid"] || !c.HasRole("admin") ||
				c.HasRole("root") || !c.ExpiresAt.Equal(testNow.Add(15*time.Minute)) {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

func TestVerifyAcceptsMediaType(t *testing.T) {
	v := newTestVerifier(t)
	s := testSigners(t)["ES256"]
	for _, typ := range []string{"at+jwt", "AT+JWT", "application/at+jwt"} {
		h := validHeader(s)
		h["typ"] = typ
		if _, err := v.Verify(context.Background(), sign(t, s, h, validClaims())); err != nil {
			t.Errorf("typ %q: %v", typ, err)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	signers := testSigners(t)
	es := signers["ES256"]
	der, err := x509.MarshalPKIXPublicKey(es.key.Public)
	if err != nil {
		t.Fatal(err)
	}
	withClaim := func(name string, value any) string {
		c := validClaims()
		if value == nil {
			delete(c, name)
		} else {
			c[name] = value
		}
		return sign(t, es, validHeader(es), c)
	}
	withHeader := func(name string, value any) string {
		h := validHeader(es)
		if value == nil {
			delete(h, name)
		} else {
			h[name] = value
		}
		return sign(t, es, h, validClaims())
	}
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"alg none", unsafeNone(t, es), jwtverify.ErrAlgorithm},
		{"HS256 keyed with the public key", hmacWith(t, der), jwtverify.ErrAlgorithm},
		{"HS256 keyed with the kid", hmacWith(t, []byte(es.key.ID)), jwtverify.ErrAlgorithm},
		{"ES384 not allowed", withHeader("alg", "ES384"), jwtverify.ErrAlgorithm},
		{"alg missing", withHeader("alg", nil), jwtverify.ErrAlgorithm},
		{"ES256 token, RS256 key", sign(t, es, map[string]any{"alg": "ES256", "kid": "kid-RS256", "typ": "at+jwt"}, validClaims()), jwtverify.ErrAlgorithm},
		{"wrong aud", withClaim("aud", []string{"api://other"}), jwtverify.ErrInvalidAudience},
		{"wrong aud string", withClaim("aud", "api://other"), jwtverify.ErrInvalidAudience},
		{"wrong iss", withClaim("iss", "https://evil.example.com"), jwtverify.ErrInvalidIssuer},
		{"iss differs by a slash", withClaim("iss", testIssuer+"/"), jwtverify.ErrInvalidIssuer},
		{"expired beyond leeway", withClaim("exp", testNow.Add(-31*time.Second).Unix()), jwtverify.ErrExpired},
		{"nbf in the future", withClaim("nbf", testNow.Add(31*time.Second).Unix()), jwtverify.ErrNotYetValid},
		{"iat in the future", withClaim("iat", testNow.Add(31*time.Second).Unix()), jwtverify.ErrNotYetValid},
		{"typ missing", withHeader("typ", nil), jwtverify.ErrType},
		{"typ JWT", withHeader("typ", "JWT"), jwtverify.ErrType},
		{"typ refresh", withHeader("typ", "refresh+jwt"), jwtverify.ErrType},
		{"typ not a string", withHeader("typ", 1), jwtverify.ErrType},
		{"crit header", withHeader("crit", []string{"exp"}), jwtverify.ErrMalformed},
		{"tampered payload", tamperPayload(t, sign(t, es, validHeader(es), validClaims())), jwtverify.ErrSignature},
		{"tampered signature", tamperSignature(sign(t, es, validHeader(es), validClaims())), jwtverify.ErrSignature},
		{"kid unknown", withHeader("kid", "nope"), jwtverify.ErrUnknownKey},
		{"kid missing", withHeader("kid", nil), jwtverify.ErrUnknownKey},
		{"kid empty", withHeader("kid", ""), jwtverify.ErrUnknownKey},
		{"kid not a string", withHeader("kid", 42), jwtverify.ErrUnknownKey},
		{"kid 5 KB", withKid(t, es, strings.Repeat("k", 5<<10)), jwtverify.ErrUnknownKey},
		{"kid SQL", withHeader("kid", "' OR 1=1--"), jwtverify.ErrUnknownKey},
		{"kid path", withHeader("kid", "../../etc/passwd"), jwtverify.ErrUnknownKey},
		{"two segments", "eyJhbGciOiJFUzI1NiJ9.e30", jwtverify.ErrMalformed},
		{"four segments", sign(t, es, validHeader(es), validClaims()) + ".x", jwtverify.ErrMalformed},
		{"not base64", "!!!.!!!.!!!", jwtverify.ErrMalformed},
		{"empty", "", jwtverify.ErrMalformed},
		{"exp not a number", withClaim("exp", "tomorrow"), jwtverify.ErrMalformed},
	}
	for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "sid"} {
		tests = append(tests, struct {
			name string
			raw  string
			want error
		}{"missing " + claim, withClaim(claim, nil), jwtverify.ErrMissingClaim})
	}
	v := newTestVerifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.raw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, %v; want %v", c, err, tt.want)
			}
			if c != nil {
				t.Errorf("claims returned with an error: %+v", c)
			}
		})
	}
}

// withKid signs a valid token whose header names kid.
func withKid(t *testing.T, s *signer, kid string) string {
	t.Helper()
	h := validHeader(s)
	h["kid"] = kid
	return sign(t, s, h, validClaims())
}

func TestVerifyHugeKid(t *testing.T) {
	// A 10 KB kid makes the token larger than MaxTokenSize: it is refused
	// before any decoding. Were it to reach a key set, it is a plain miss.
	s := testSigners(t)["ES256"]
	kid := strings.Repeat("k", 10<<10)
	_, err := newTestVerifier(t).Verify(context.Background(), withKid(t, s, kid))
	if !errors.Is(err, jwtverify.ErrTooLarge) {
		t.Fatalf("Verify = %v, want ErrTooLarge", err)
	}
	if _, err := testKeySet(t).VerificationKey(context.Background(), kid); !errors.Is(err, jwtverify.ErrUnknownKey) {
		t.Fatalf("VerificationKey = %v, want ErrUnknownKey", err)
	}
}

func TestVerifyTooLarge(t *testing.T) {
	v := newTestVerifier(t)
	raw := strings.Repeat("A", 1<<20) + ".e30.sig"
	// Refused before any decoding: no allocation at all, so the cost is a
	// length check whatever the size (timing is left to benchmarks).
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(context.Background(), raw); !errors.Is(err, jwtverify.ErrTooLarge) {
			t.Fatalf("Verify = %v, want ErrTooLarge", err)
		}
	})
	if allocs != 0 {
		t.Errorf("refusing a 1 MB token allocated %v times", allocs)
	}
}

func TestVerifyLeeway(t *testing.T) {
	s := testSigners(t)["EdDSA"]
	tests := []struct {
		name   string
		leeway time.Duration
		claim  string
		offset time.Duration
		want   error
	}{
		{"expired within default leeway", -1, "exp", -29 * time.Second, nil},
		{"expired beyond default leeway", -1, "exp", -30 * time.Second, jwtverify.ErrExpired},
		{"expired within 60s leeway", 60 * time.Second, "exp", -59 * time.Second, nil},
		{"expired with zero leeway", 0, "exp", 0, jwtverify.ErrExpired},
		{"nbf within leeway", -1, "nbf", 30 * time.Second, nil},
		{"nbf beyond leeway", -1, "nbf", 31 * time.Second, jwtverify.ErrNotYetValid},
		{"iat within leeway", -1, "iat", 30 * time.Second, nil},
		{"iat beyond leeway", -1, "iat", 31 * time.Second, jwtverify.ErrNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []jwtverify.Option
			if tt.leeway >= 0 {
				opts = append(opts, jwtverify.WithLeeway(tt.leeway))
			}
			c := validClaims()
			c[tt.claim] = testNow.Add(tt.offset).Unix()
			_, err := newTestVerifier(t, opts...).Verify(context.Background(), sign(t, s, validHeader(s), c))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyKeepsJWTErrors(t *testing.T) {
	s := testSigners(t)["ES256"]
	c := validClaims()
	c["exp"] = testNow.Add(-time.Hour).Unix()
	_, err := newTestVerifier(t).Verify(context.Background(), sign(t, s, validHeader(s), c))
	if !errors.Is(err, jwtverify.ErrExpired) || !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("Verify = %v, want both ErrExpired and jwt.ErrTokenExpired", err)
	}
}

func TestVerifyNarrowedAlgorithms(t *testing.T) {
	s := testSigners(t)["RS256"]
	v := newTestVerifier(t, jwtverify.WithAlgorithms("ES256"))
	_, err := v.Verify(context.Background(), sign(t, s, validHeader(s), validClaims()))
	if !errors.Is(err, jwtverify.ErrAlgorithm) {
		t.Fatalf("Verify = %v, want ErrAlgorithm", err)
	}
}

func TestVerifyMismatchedKeyType(t *testing.T) {
	// A KeySet claiming ES256 for an Ed25519 key fails closed.
	s := testSigners(t)["ES256"]
	ed := testSigners(t)["EdDSA"]
	ks := jwtverify.NewStaticKeySet(jwtverify.Key{ID: s.key.ID, Algorithm: "ES256", Public: ed.key.Public})
	v, err := jwtverify.NewVerifier(ks, jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), sign(t, s, validHeader(s), validClaims())); !errors.Is(err, jwtverify.ErrAlgorithm) {
		t.Fatalf("Verify = %v, want ErrAlgorithm", err)
	}
}

func TestNewVerifierConfig(t *testing.T) {
	ks := testKeySet(t)
	iss, aud := jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience)
	tests := []struct {
		name   string
		keys   jwtverify.KeySet
		opts   []jwtverify.Option
		wantOK bool
	}{
		{"defaults", ks, []jwtverify.Option{iss, aud}, true},
		{"no issuer", ks, []jwtverify.Option{aud}, false},
		{"no audience", ks, []jwtverify.Option{iss}, false},
		{"no key set", nil, []jwtverify.Option{iss, aud}, false},
		{"leeway at max", ks, []jwtverify.Option{iss, aud, jwtverify.WithLeeway(jwtverify.MaxLeeway)}, true},
		{"leeway zero", ks, []jwtverify.Option{iss, aud, jwtverify.WithLeeway(0)}, true},
		{"leeway over max", ks, []jwtverify.Option{iss, aud, jwtverify.WithLeeway(61 * time.Second)}, false},
		{"leeway negative", ks, []jwtverify.Option{iss, aud, jwtverify.WithLeeway(-time.Second)}, false},
		{"HS256", ks, []jwtverify.Option{iss, aud, jwtverify.WithAlgorithms("ES256", "HS256")}, false},
		{"none", ks, []jwtverify.Option{iss, aud, jwtverify.WithAlgorithms("none")}, false},
		{"PS256", ks, []jwtverify.Option{iss, aud, jwtverify.WithAlgorithms("PS256")}, false},
		{"no algorithms", ks, []jwtverify.Option{iss, aud, jwtverify.WithAlgorithms()}, false},
		{"one algorithm", ks, []jwtverify.Option{iss, aud, jwtverify.WithAlgorithms("EdDSA")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := jwtverify.NewVerifier(tt.keys, tt.opts...)
			if (err == nil) != tt.wantOK || (v == nil) == tt.wantOK {
				t.Fatalf("NewVerifier = %v, %v; want ok=%v", v, err, tt.wantOK)
			}
		})
	}
}

func unsafeNone(t *testing.T, s *signer) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims())
	tok.Header = map[string]any{"alg": "none", "kid": s.key.ID, "typ": "at+jwt"}
	raw, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// hmacWith signs an HS256 token naming the ES256 key, keyed with secret:
// the classic algorithm-confusion attack.
func hmacWith(t *testing.T, secret []byte) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims())
	tok.Header = map[string]any{"alg": "HS256", "kid": "kid-ES256", "typ": "at+jwt"}
	raw, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tamperPayload re-encodes the payload with sub changed, keeping the
// original signature.
func tamperPayload(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	c := validClaims()
	c["sub"] = "someone-else"
	forged := jwt.NewWithClaims(jwt.SigningMethodES256, c)
	seg, err := forged.SigningString()
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + strings.Split(seg, ".")[1] + "." + parts[2]
}

func tamperSignature(raw string) string {
	b := []byte(raw)
	i := strings.LastIndexByte(raw, '.') + 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestVerifyIgnoresKeyHeaders(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()

	attacker, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	evil := &signer{alg: "ES256", method: jwtverify.SigningMethodES256, private: attacker}
	evil.key = jwtverify.Key{ID: "attacker", Algorithm: "ES256", Public: attacker.Public()}
	point, err := attacker.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	embedded := map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "attacker",
		"x": base64.RawURLEncoding.EncodeToString(point[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(point[33:]),
	}
	es := testSigners(t)["ES256"]
	v := newTestVerifier(t)
	tests := []struct {
		name string
		s    *signer
		kid  string
		want error
	}{
		{"attacker key named by jku, x5u and jwk", evil, "attacker", jwtverify.ErrUnknownKey},
		{"attacker key under our kid", evil, es.key.ID, jwtverify.ErrSignature},
		{"our key with the headers present", es, es.key.ID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validHeader(tt.s)
			h["kid"] = tt.kid
			h["jku"] = srv.URL + "/jwks.json"
			h["x5u"] = srv.URL + "/cert.pem"
			h["jwk"] = embedded
			_, err := v.Verify(context.Background(), sign(t, tt.s, h, validClaims()))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("verifier fetched a URL from a token header %d times", n)
	}
}
