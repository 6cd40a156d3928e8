package token_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// BenchmarkMintParallel mints on every core at once: the login and refresh
// paths' signing cost when the server is busy.
func BenchmarkMintParallel(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			m := token.NewMinter(newRing(b, alg, nil), issuer, nil)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				a := access()
				for pb.Next() {
					if _, _, err := m.Mint(a); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerifyRing verifies a minted token against the key ring itself,
// as Tessera's own endpoints do (jwtverify's BenchmarkVerify uses a static
// key set, as resource servers do).
func BenchmarkVerifyRing(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			ring := newRing(b, alg, nil)
			raw, _, err := token.NewMinter(ring, issuer, nil).Mint(access())
			if err != nil {
				b.Fatal(err)
			}
			v, err := jwtverify.NewVerifier(ring, jwtverify.WithIssuer(issuer), jwtverify.WithAudience("api://orders"))
			if err != nil {
				b.Fatal(err)
			}
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

// BenchmarkRefreshDeriveParallel is a refresh's token work on every core:
// parse and check the presented token, derive the next one.
func BenchmarkRefreshDeriveParallel(b *testing.B) {
	r := token.NewRefresher(secret)
	sid, n := uuid.New(), nonce(b)
	raw := r.First(sid, 42, n).String()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t, err := token.Parse(raw)
			if err != nil || !r.Check(t, n) {
				b.Error("refused")
				return
			}
			_ = r.First(t.SessionID, t.Generation+1, n).String()
		}
	})
}
