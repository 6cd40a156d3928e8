package token_test

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

const issuer = "https://id.example.com"

var t0 = time.Date(2026, 11, 28, 13, 16, 50, 750_000_000, time.UTC)

func newRing(tb testing.TB, alg string, now func() time.Time) *keys.Ring {
	tb.Helper()
	r, err := keys.Open(tb.TempDir(), keys.Options{Algorithm: alg, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func access() token.Access {
	return token.Access{
		Subject:   "7d0f3bb4-5b8e-4a4b-9a55-0c4b8f0e6a11",
		ClientID:  "default",
		SessionID: "0f9a8d3e-1c2b-4e5f-8a7b-6c5d4e3f2a1b",
		Audience:  []string{"api://orders"},
		Roles:     []string{"admin"},
		TTL:       15 * time.Minute,
	}
}

func segment(tb testing.TB, raw string, i int) map[string]any {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[i])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestMintVerifies(t *testing.T) {
	now := func() time.Time { return t0 }
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			ring := newRing(t, alg, now)
			raw, minted, err := token.NewMinter(ring, issuer, now).Mint(access())
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			v, err := jwtverify.NewVerifier(ring, jwtverify.WithIssuer(issuer),
				jwtverify.WithAudience("api://orders"), jwtverify.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(context.Background(), raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Subject != minted.Subject || got.ID != minted.ID || got.SessionID != minted.SessionID ||
				got.ClientID != minted.ClientID || !got.HasRole("admin") {
				t.Errorf("verified %+v, minted %+v", got, minted)
			}
			sk, _ := ring.SigningKey()
			h := segment(t, raw, 0)
			if len(h) != 3 || h["alg"] != alg || h["kid"] != sk.ID || h["typ"] != "at+jwt" {
				t.Errorf("header = %v", h)
			}
		})
	}
}

func TestMintClaims(t *testing.T) {
	now := func() time.Time { return t0 }
	m := token.NewMinter(newRing(t, "EdDSA", now), issuer, now)
	a := access()
	a.Audience = []string{"api://orders"}
	a.Roles = nil
	a.TTL = 0
	raw, c, err := m.Mint(a)
	if err != nil {
		t.Fatal(err)
	}
	sec := t0.Truncate(time.Second)
	if !c.IssuedAt.Equal(sec) || !c.NotBefore.Equal(sec) || !c.ExpiresAt.Equal(sec.Add(token.DefaultAccessTTL)) {
		t.Errorf("iat %v nbf %v exp %v", c.IssuedAt, c.NotBefore, c.ExpiresAt)
	}
	p := segment(t, raw, 1)
	if aud, ok := p["aud"].([]any); !ok || len(aud) != 1 || aud[0] != "api://orders" {
		t.Errorf("aud = %#v, want a one-element list", p["aud"])
	}
	if _, ok := p["roles"]; ok {
		t.Error("roles present for a user without roles")
	}
	for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "sid"} {
		if _, ok := p[claim]; !ok {
			t.Errorf("claim %s missing", claim)
		}
	}
	if p["iat"] != float64(sec.Unix()) {
		t.Errorf("iat = %v, want whole seconds %d", p["iat"], sec.Unix())
	}
}

func TestMintUniqueJTI(t *testing.T) {
	m := token.NewMinter(newRing(t, "ES256", nil), issuer, nil)
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_, c, err := m.Mint(access())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[c.ID] || len(c.ID) < 22 {
					t.Errorf("jti %q repeated or short", c.ID)
				}
				seen[c.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestMintFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	clock := t0
	now := func() time.Time { return clock }
	ring, err := keys.Open(dir, keys.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	m := token.NewMinter(ring, issuer, now)
	raw1, _, _ := m.Mint(access())
	clock = clock.Add(time.Hour)
	next, err := keys.Generate(dir, "RS256", clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Reload(); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(keys.DefaultPublishDelay)
	raw2, _, err := m.Mint(access())
	if err != nil {
		t.Fatal(err)
	}
	if h := segment(t, raw2, 0); h["kid"] != next.ID || h["alg"] != "RS256" {
		t.Errorf("after rotation header = %v, want kid %s", h, next.ID)
	}
	if segment(t, raw1, 0)["kid"] == next.ID {
		t.Error("first token already signed by the next key")
	}
}

func TestMintRefusesIncompleteAccess(t *testing.T) {
	m := token.NewMinter(newRing(t, "ES256", nil), issuer, nil)
	tests := []struct {
		name   string
		change func(*token.Access)
	}{
		{"no subject", func(a *token.Access) { a.Subject = "" }},
		{"no client", func(a *token.Access) { a.ClientID = "" }},
		{"no session", func(a *token.Access) { a.SessionID = "" }},
		{"no audience", func(a *token.Access) { a.Audience = nil }},
		{"negative TTL", func(a *token.Access) { a.TTL = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := access()
			tt.change(&a)
			if _, _, err := m.Mint(a); !errors.Is(err, token.ErrInvalidAccess) {
				t.Errorf("Mint = %v, want ErrInvalidAccess", err)
			}
		})
	}
}

func BenchmarkMint(b *testing.B) {
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			m := token.NewMinter(newRing(b, alg, nil), issuer, nil)
			a := access()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := m.Mint(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMintedTokenHasOneSpelling: of the 16 spellings of a minted token that
// differ only in the unused bits of its last character, the verifier
// accepts the one Mint wrote; and every ES256 signature is low-s, so its
// (r, n−s) twin is the one refused.
func TestMintedTokenHasOneSpelling(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	now := func() time.Time { return t0 }
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			ring := newRing(t, alg, now)
			m := token.NewMinter(ring, issuer, now)
			v, err := jwtverify.NewVerifier(ring, jwtverify.WithIssuer(issuer),
				jwtverify.WithAudience("api://orders"), jwtverify.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := m.Mint(access())
			if err != nil {
				t.Fatal(err)
			}
			last := strings.IndexByte(alphabet, raw[len(raw)-1])
			for bits := range 16 {
				twin := raw[:len(raw)-1] + string(alphabet[last&^0xf|bits])
				_, err := v.Verify(context.Background(), twin)
				if twin == raw && err != nil {
					t.Fatalf("the minted token is refused: %v", err)
				}
				if twin != raw && !errors.Is(err, jwtverify.ErrMalformed) {
					t.Errorf("spelling %d: Verify = %v, want ErrMalformed", bits, err)
				}
			}
			if alg != jwtverify.ES256 {
				return
			}
			// Half of plain ECDSA signatures are high-s: 200 low-s in a
			// row happen by chance with probability 2^-200.
			half := new(big.Int).Rsh(elliptic.P256().Params().N, 1)
			for i := range 200 {
				raw, _, err := m.Mint(access())
				if err != nil {
					t.Fatal(err)
				}
				sig, err := base64.RawURLEncoding.DecodeString(raw[strings.LastIndexByte(raw, '.')+1:])
				if err != nil || len(sig) != 64 {
					t.Fatalf("signature: %v", err)
				}
				s := new(big.Int).SetBytes(sig[32:])
				if s.Cmp(half) > 0 {
					t.Fatalf("token %d is signed with a high s", i)
				}
				if _, err := v.Verify(context.Background(), raw); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				s.Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
				twin := raw[:strings.LastIndexByte(raw, '.')+1] + base64.RawURLEncoding.EncodeToString(sig)
				if _, err := v.Verify(context.Background(), twin); !errors.Is(err, jwtverify.ErrMalformed) {
					t.Fatalf("high-s twin of token %d: Verify = %v, want ErrMalformed", i, err)
				}
			}
		})
	}
}
