package auth

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// TestAccessCache: a remembered token is answered without the verifier
// until it expires; after that, or for any other text, the verifier
// decides (here one with no keys, which refuses everything); the cache
// stays bounded.
func TestAccessCache(t *testing.T) {
	refuseAll, err := jwtverify.NewVerifier(jwtverify.NewStaticKeySet(), jwtverify.WithIssuer("https://id.example"), jwtverify.WithAudience("api"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var c accessCache
	claims := &jwtverify.Claims{SessionID: "s1"}
	claims.ExpiresAt = jwt.NewNumericDate(t0.Add(time.Minute))
	c.put(sha256.Sum256([]byte("remembered")), verifiedAccess{claims: claims, until: claims.ExpiresAt.Time})
	tests := []struct {
		name   string
		raw    string
		now    time.Time
		wantOK bool
	}{
		{"remembered, alive", "remembered", t0, true},
		{"remembered, one instant before expiry", "remembered", t0.Add(time.Minute - time.Nanosecond), true},
		{"remembered, at expiry", "remembered", t0.Add(time.Minute), false},
		{"another text", "remembered ", t0, false},
		{"unknown", "never seen", t0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.verify(t.Context(), refuseAll, tc.raw, tc.now)
			if tc.wantOK && (err != nil || got != claims) {
				t.Fatalf("verify = %v, %v; want the remembered claims", got, err)
			}
			if !tc.wantOK && err == nil {
				t.Fatalf("verify = %v; want the verifier's refusal", got)
			}
		})
	}
	for i := range 3 * accessCacheSize {
		c.put(sha256.Sum256(fmt.Appendf(nil, "token %d", i)), verifiedAccess{claims: claims, until: claims.ExpiresAt.Time})
	}
	if n := len(c.cur) + len(c.prev); n > 2*accessCacheSize {
		t.Errorf("cache holds %d tokens, want at most %d", n, 2*accessCacheSize)
	}
	if _, err := c.verify(t.Context(), refuseAll, "remembered", t0); err == nil {
		t.Error("the oldest token survived two generations")
	}
}
