package jwtverify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// switchKeySet serves its keys until emptied.
type switchKeySet struct {
	keys  *jwtverify.StaticKeySet
	empty atomic.Bool
}

func (s *switchKeySet) VerificationKey(ctx context.Context, kid string) (jwtverify.Key, error) {
	if s.empty.Load() {
		return jwtverify.Key{}, jwtverify.ErrUnknownKey
	}
	return s.keys.VerificationKey(ctx, kid)
}

// TestHeaderCache: Verify keeps a decoded header only once a token bearing
// it has verified, keeps at most MaxCachedHeaders, and a kept header
// spares no check: a bad signature and a withdrawn key are still refused.
func TestHeaderCache(t *testing.T) {
	ctx := context.Background()
	ks := &switchKeySet{keys: testKeySet(t)}
	v, err := jwtverify.NewVerifier(ks, jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	es := testSigners(t)["ES256"]

	// Signed by another key under the same kid: refused, not cached.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	forged := sign(t, &signer{alg: "ES256", method: es.method, private: other, key: es.key}, validHeader(es), validClaims())
	if _, err := v.Verify(ctx, forged); !errors.Is(err, jwtverify.ErrSignature) {
		t.Fatalf("forged: %v, want ErrSignature", err)
	}
	if n := jwtverify.HeaderCacheLen(v); n != 0 {
		t.Fatalf("a header of a refused token was kept (%d)", n)
	}

	good := sign(t, es, validHeader(es), validClaims())
	for range 2 {
		if _, err := v.Verify(ctx, good); err != nil {
			t.Fatal(err)
		}
	}
	if n := jwtverify.HeaderCacheLen(v); n != 1 {
		t.Fatalf("kept %d headers, want 1", n)
	}
	// The same header now comes from the cache: the forged token is still
	// refused, and so is a good one's payload under another's signature.
	if _, err := v.Verify(ctx, forged); !errors.Is(err, jwtverify.ErrSignature) {
		t.Fatalf("forged, header cached: %v, want ErrSignature", err)
	}
	c := validClaims()
	c["roles"] = []string{"root"}
	root := sign(t, es, validHeader(es), c)
	spliced := root[:strings.LastIndexByte(root, '.')] + good[strings.LastIndexByte(good, '.'):]
	if _, err := v.Verify(ctx, spliced); !errors.Is(err, jwtverify.ErrSignature) {
		t.Fatalf("spliced, header cached: %v, want ErrSignature", err)
	}

	// More distinct headers than the bound: every one verifies, the cache
	// stops growing.
	for i := range jwtverify.MaxCachedHeaders + 8 {
		h := validHeader(es)
		h["n"] = i
		if _, err := v.Verify(ctx, sign(t, es, h, validClaims())); err != nil {
			t.Fatalf("header %d: %v", i, err)
		}
	}
	if n := jwtverify.HeaderCacheLen(v); n != jwtverify.MaxCachedHeaders {
		t.Fatalf("kept %d headers, want the bound %d", n, jwtverify.MaxCachedHeaders)
	}

	// A key withdrawn from the KeySet: its cached header does not keep
	// its tokens alive.
	ks.empty.Store(true)
	if _, err := v.Verify(ctx, good); !errors.Is(err, jwtverify.ErrUnknownKey) {
		t.Fatalf("withdrawn key: %v, want ErrUnknownKey", err)
	}
}
