package jwtverify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

var benchAlgs = []string{"ES256", "EdDSA", "RS256"}

// BenchmarkVerify measures the whole check of one access token against a
// StaticKeySet; compare each result with BenchmarkRawSignature for the
// same algorithm to see what parsing and claim checks add to the signature.
func BenchmarkVerify(b *testing.B) {
	benchVerify(b, newTestVerifier(b))
}

// BenchmarkVerifyRemoteKeySet is BenchmarkVerify with the keys cached by a
// RemoteKeySet (fetched once from a real HTTP JWKS before the timer runs).
func BenchmarkVerifyRemoteKeySet(b *testing.B) {
	benchVerify(b, newBenchRemoteVerifier(b))
}

// BenchmarkVerifyWithWatcher is BenchmarkVerifyRemoteKeySet with a
// RevocationWatcher that knows 1,000 revoked sessions (not the token's).
func BenchmarkVerifyWithWatcher(b *testing.B) {
	benchVerify(b, newBenchRemoteVerifier(b, jwtverify.WithRevocations(newBenchWatcher(b, 1000))))
}

// BenchmarkVerifyParallel runs ES256 verifications on every CPU, to show
// that cached key lookups and revocation checks take no lock.
func BenchmarkVerifyParallel(b *testing.B) {
	s := testSigners(b)["ES256"]
	raw := sign(b, s, validHeader(s), validClaims())
	for _, tc := range []struct {
		name string
		v    *jwtverify.Verifier
	}{
		{"static", newTestVerifier(b)},
		{"remote", newBenchRemoteVerifier(b)},
		{"remote+watcher", newBenchRemoteVerifier(b, jwtverify.WithRevocations(newBenchWatcher(b, 1000)))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					if _, err := tc.v.Verify(ctx, raw); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerifyOverhead interleaves the raw signature check and Verify
// of the same token in every iteration and reports the ratio of their
// median times (verify/raw) and the difference (overhead-ns). Interleaved,
// and by medians, the figures stay meaningful on a busy machine, where
// separate benchmarks drift apart.
func BenchmarkVerifyOverhead(b *testing.B) {
	verifiers := []struct {
		name string
		v    *jwtverify.Verifier
	}{
		{"static", newTestVerifier(b)},
		{"remote", newBenchRemoteVerifier(b)},
		{"remote+watcher", newBenchRemoteVerifier(b, jwtverify.WithRevocations(newBenchWatcher(b, 1000)))},
	}
	for _, alg := range benchAlgs {
		s := testSigners(b)[alg]
		raw := sign(b, s, validHeader(s), validClaims())
		dot := strings.LastIndexByte(raw, '.')
		sig, err := jwt.NewParser().DecodeSegment(raw[dot+1:])
		if err != nil {
			b.Fatal(err)
		}
		for _, vc := range verifiers {
			b.Run(alg+"/"+vc.name, func(b *testing.B) {
				ctx := context.Background()
				var raws, verifies []time.Duration
				for b.Loop() {
					t0 := time.Now()
					if err := s.method.Verify(raw[:dot], sig, s.key.Public); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if _, err := vc.v.Verify(ctx, raw); err != nil {
						b.Fatal(err)
					}
					verifies = append(verifies, time.Since(t1))
					raws = append(raws, t1.Sub(t0))
				}
				r, v := median(raws), median(verifies)
				b.ReportMetric(float64(v)/float64(r), "verify/raw")
				b.ReportMetric(float64(v-r), "overhead-ns")
			})
		}
	}
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkRawSignature is the floor: golang-jwt's signature check over the
// same signing input, with nothing decoded.
func BenchmarkRawSignature(b *testing.B) {
	for _, alg := range benchAlgs {
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

func benchVerify(b *testing.B, v *jwtverify.Verifier) {
	for _, alg := range benchAlgs {
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

// newBenchRemoteVerifier verifies against a real JWKS server holding the
// three test keys, with the cache already filled.
func newBenchRemoteVerifier(b *testing.B, opts ...jwtverify.Option) *jwtverify.Verifier {
	b.Helper()
	s := testSigners(b)
	srv := newJWKSServer(b, s["ES256"], s["EdDSA"], s["RS256"])
	srv.set(func(s *jwksServer) { s.cacheControl = "max-age=3600" })
	ks := jwtverify.NewRemoteKeySet(context.Background(), srv.URL)
	base := []jwtverify.Option{
		jwtverify.WithIssuer(testIssuer), jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(func() time.Time { return testNow }),
	}
	v, err := jwtverify.NewVerifier(ks, append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ks.VerificationKey(context.Background(), s["ES256"].key.ID); err != nil {
		b.Fatal(err)
	}
	return v
}

// newBenchWatcher returns a watcher that has polled a feed of n revoked
// sessions.
func newBenchWatcher(b *testing.B, n int) *jwtverify.RevocationWatcher {
	b.Helper()
	feed := newFeedServer(b)
	for i := range n {
		feed.revoke(fmt.Sprintf("revoked-%d", i), time.Now(), time.Now().Add(time.Hour))
	}
	w := jwtverify.NewRevocationWatcher(context.Background(), feed.URL, jwtverify.WithPollInterval(time.Hour))
	b.Cleanup(func() { w.Close() })
	if err := w.Poll(context.Background()); err != nil {
		b.Fatal(err)
	}
	if !w.Revoked("revoked-0") {
		b.Fatal("the watcher missed the feed")
	}
	return w
}
