package interop_test

import (
	"context"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

// TestGoOIDCInterop: coreos/go-oidc, given only Tessera's issuer URL,
// accepts Tessera's access tokens on each signing algorithm. go-oidc
// treats them as ID tokens: it checks the signature against the JWKS it
// discovers, iss, aud (ClientID) and exp, and that the algorithm is one
// the discovery document lists.
func TestGoOIDCInterop(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			ts := startTessera(t, alg)
			register(t, ts, "ada@example.com")
			d := login(t, ts, "ada@example.com", "laptop")

			ctx := context.Background()
			provider, err := oidc.NewProvider(ctx, ts.URL)
			if err != nil {
				t.Fatalf("NewProvider: %v", err)
			}
			v := provider.Verifier(&oidc.Config{
				ClientID: audience(ts), SupportedSigningAlgs: []string{alg}, Now: ts.Clock.Now,
			})
			tok, err := v.Verify(ctx, d.token())
			if err != nil {
				t.Fatalf("go-oidc Verify: %v", err)
			}
			var claims struct {
				SID      string `json:"sid"`
				ClientID string `json:"client_id"`
			}
			if err := tok.Claims(&claims); err != nil || claims.SID != d.sessionID() || tok.Issuer != ts.URL {
				t.Fatalf("go-oidc sees iss %q, claims %+v (%v)", tok.Issuer, claims, err)
			}

			// Sanity: the other algorithms are refused, so the check above
			// is not vacuous.
			other := provider.Verifier(&oidc.Config{ClientID: audience(ts), SupportedSigningAlgs: []string{"PS256"}, Now: ts.Clock.Now})
			if _, err := other.Verify(ctx, d.token()); err == nil {
				t.Fatal("go-oidc accepted a token whose algorithm it was not allowed")
			}
		})
	}
}
