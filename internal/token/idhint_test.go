package token_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/token"
)

// TestParseIDTokenHint: an ID token of this issuer and ring is a hint even
// when expired; an access token, a token of another ring or issuer, a
// tampered one or junk is not.
func TestParseIDTokenHint(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			now := func() time.Time { return t0 }
			ring := newRing(t, alg, now)
			m := token.NewMinter(ring, issuer, now)
			idt, _, err := m.MintID(idFor("at"))
			if err != nil {
				t.Fatal(err)
			}
			later := token.NewMinter(ring, issuer, func() time.Time { return t0.Add(48 * time.Hour) })
			c, err := later.ParseIDTokenHint(t.Context(), idt)
			if err != nil || c.Audience != "grafana" || c.SessionID == "" {
				t.Fatalf("expired hint: %+v, %v; want accepted", c, err)
			}
			at, _, err := m.Mint(access())
			if err != nil {
				t.Fatal(err)
			}
			other, _, err := token.NewMinter(newRing(t, alg, now), issuer, now).MintID(idFor("at"))
			if err != nil {
				t.Fatal(err)
			}
			otherIss, _, err := token.NewMinter(ring, "https://evil.example", now).MintID(idFor("at"))
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range []struct{ name, raw string }{
				{"access token", at},
				{"another ring", other},
				{"another issuer", otherIss},
				{"tampered", idt[:len(idt)-4] + "AAAA"},
				{"junk", "not.a.token"},
				{"empty", ""},
			} {
				if _, err := m.ParseIDTokenHint(t.Context(), tt.raw); !errors.Is(err, token.ErrBadIDTokenHint) {
					t.Errorf("%s: %v, want ErrBadIDTokenHint", tt.name, err)
				}
			}
		})
	}
}
