package jwtverify_test

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// p256N is the order of the P-256 group.
var p256N = elliptic.P256().Params().N

// signRaw signs the given header and payload bytes as they are, so a test
// can sign what json.Marshal would never write (invalid UTF-8, a date as a
// string): only the check under test can then refuse the token.
func signRaw(tb testing.TB, s *signer, header, payload string) string {
	tb.Helper()
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := s.method.Sign(input, s.private)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// headerJSON and payloadJSON are the JSON of validHeader and validClaims.
func headerJSON(tb testing.TB, s *signer) string {
	tb.Helper()
	b, err := json.Marshal(validHeader(s))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func payloadJSON(tb testing.TB) string {
	tb.Helper()
	b, err := json.Marshal(validClaims())
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// paddingTwins returns the 16 spellings of raw that differ only in the
// unused low bits of the signature's last character. The canonical one
// (those bits zero) is among them.
func paddingTwins(raw string) []string {
	last := strings.IndexByte(b64url, raw[len(raw)-1])
	out := make([]string, 0, 16)
	for bits := range 16 {
		out = append(out, raw[:len(raw)-1]+string(b64url[last&^0xf|bits]))
	}
	return out
}

// highSTwin returns raw, an ES256 token, with its signature (r, s) replaced
// by (r, n−s): a valid signature of the same input, spelled differently.
func highSTwin(tb testing.TB, raw string) string {
	tb.Helper()
	dot := strings.LastIndexByte(raw, '.')
	sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
	if err != nil || len(sig) != 64 {
		tb.Fatalf("not an ES256 signature: %v", err)
	}
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(p256N, s).FillBytes(sig[32:])
	return raw[:dot+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// isLowS reports whether the ES256 signature of raw has s ≤ (n−1)/2.
func isLowS(tb testing.TB, raw string) bool {
	tb.Helper()
	sig, err := base64.RawURLEncoding.DecodeString(raw[strings.LastIndexByte(raw, '.')+1:])
	if err != nil || len(sig) != 64 {
		tb.Fatalf("not an ES256 signature: %v", err)
	}
	half := new(big.Int).Rsh(p256N, 1)
	return new(big.Int).SetBytes(sig[32:]).Cmp(half) <= 0
}

func TestVerifyAcceptsOnlyCanonicalPadding(t *testing.T) {
	v := newTestVerifier(t)
	for alg, s := range testSigners(t) {
		t.Run(alg, func(t *testing.T) {
			raw := sign(t, s, validHeader(s), validClaims())
			accepted := 0
			for _, twin := range paddingTwins(raw) {
				_, err := v.Verify(context.Background(), twin)
				switch {
				case twin == raw && err != nil:
					t.Fatalf("the canonical token is refused: %v", err)
				case twin == raw:
					accepted++
				case !errors.Is(err, jwtverify.ErrMalformed):
					t.Errorf("twin %q: Verify = %v, want ErrMalformed", twin[len(twin)-4:], err)
				}
			}
			if accepted != 1 {
				t.Fatalf("%d of 16 spellings accepted, want exactly the canonical one", accepted)
			}
		})
	}
}

func TestVerifyRefusesOtherSpellings(t *testing.T) {
	es := testSigners(t)["ES256"]
	good := sign(t, es, validHeader(es), validClaims())
	payload := payloadJSON(t)
	dot := strings.LastIndexByte(good, '.')
	exp := strconv.FormatInt(testNow.Add(15*time.Minute).Unix(), 10)
	now := strconv.FormatInt(testNow.Unix(), 10)
	tests := []struct {
		name string
		raw  string
	}{
		{"high-s twin", highSTwin(t, good)},
		{"newline in the signature", good[:dot+10] + "\n" + good[dot+10:]},
		{"carriage return in the signature", good[:dot+20] + "\r\n" + good[dot+20:]},
		{"padding character", good + "="},
		{"invalid UTF-8 in the header", signRaw(t, es, `{"alg":"ES256","kid":"kid-ES256","typ":"at+jwt","x":"`+"\xff\xfe"+`"}`, payload)},
		{"invalid UTF-8 in a claim", signRaw(t, es, headerJSON(t, es), strings.Replace(payload, `"client_id":"default"`, `"client_id":"def`+"\xc3\x28"+`ault"`, 1))},
		{"invalid UTF-8 in a claim name", signRaw(t, es, headerJSON(t, es), strings.Replace(payload, `{`, `{"`+"\xed\xa0\x80"+`":1,`, 1))},
		{"exp as a string", signRaw(t, es, headerJSON(t, es), strings.Replace(payload, `"exp":`+exp, `"exp":"`+exp+`"`, 1))},
		{"nbf as a string", signRaw(t, es, headerJSON(t, es), strings.Replace(payload, `"nbf":`+now, `"nbf":"`+now+`"`, 1))},
		{"iat as a string", signRaw(t, es, headerJSON(t, es), strings.Replace(payload, `"iat":`+now, `"iat":"`+now+`"`, 1))},
	}
	v := newTestVerifier(t)
	if _, err := v.Verify(context.Background(), signRaw(t, es, headerJSON(t, es), payload)); err != nil {
		t.Fatalf("the control token built by signRaw is refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.raw == good {
				t.Fatal("the variant is the valid token itself")
			}
			c, err := v.Verify(context.Background(), tt.raw)
			if !errors.Is(err, jwtverify.ErrMalformed) || c != nil {
				t.Fatalf("Verify = %+v, %v; want ErrMalformed", c, err)
			}
		})
	}
}

func TestSigningMethodES256IsLowS(t *testing.T) {
	s := testSigners(t)["ES256"]
	v := newTestVerifier(t)
	// With a random nonce, half of plain ECDSA signatures are high-s: 200
	// low-s in a row happen by chance with probability 2^-200.
	for i := range 200 {
		c := validClaims()
		c["jti"] = strconv.Itoa(i)
		raw := sign(t, s, validHeader(s), c)
		if !isLowS(t, raw) {
			t.Fatalf("signature %d is high-s", i)
		}
		if _, err := v.Verify(context.Background(), raw); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if jwtverify.SigningMethodES256.Alg() != "ES256" {
		t.Fatalf("Alg() = %q", jwtverify.SigningMethodES256.Alg())
	}
	if _, err := jwtverify.SigningMethodES256.Sign("x", testSigners(t)["EdDSA"].private); !errors.Is(err, jwt.ErrInvalidKeyType) {
		t.Fatalf("Sign with an Ed25519 key = %v, want ErrInvalidKeyType", err)
	}
}
