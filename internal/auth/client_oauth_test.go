package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestVerifyClientSecret: only the current secret of a confidential client
// passes; every other attempt is the same invalid_client, and nothing about
// the secret is stored but its hash.
func TestVerifyClientSecret(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	op := auth.Actor{Operator: "test"}
	name, confidential := "Backend", store.ClientConfidential
	c, secret, err := r.svc.AdminCreateClient(t.Context(), op, auth.ClientInput{ID: "backend", Name: &name, Type: &confidential})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, auth.ClientSecretPrefix) || c.SecretHash == nil || strings.Contains(string(c.SecretHash), secret) {
		t.Fatalf("secret %q, hash %x", secret, c.SecretHash)
	}
	pub, none, err := r.svc.AdminCreateClient(t.Context(), op, auth.ClientInput{ID: "spa", Name: &name})
	if err != nil || none != "" || pub.SecretHash != nil {
		t.Fatalf("public client: secret %q, hash %x, %v", none, pub.SecretHash, err)
	}
	if got, err := r.svc.VerifyClientSecret(t.Context(), "backend", secret); err != nil || got.ID != "backend" {
		t.Fatalf("right secret: %v, %v", got, err)
	}
	tests := []struct{ name, id, secret string }{
		{"wrong secret", "backend", auth.ClientSecretPrefix + strings.Repeat("A", 43)},
		{"secret with one byte changed", "backend", secret[:len(secret)-1] + flip(secret[len(secret)-1])},
		{"empty secret", "backend", ""},
		{"oversized secret", "backend", secret + strings.Repeat("A", 200)},
		{"another client's id", "spa", secret},
		{"public client, empty secret", "spa", ""},
		{"unknown client", "nope", secret},
		{"malformed client id", "Bad ID", secret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.svc.VerifyClientSecret(t.Context(), tc.id, tc.secret)
			wantCode(t, err, auth.CodeInvalidClient)
		})
	}
	_, _, err = r.svc.AdminRotateClientSecret(t.Context(), op, "spa")
	wantCode(t, err, auth.CodeInvalidRequest)
	if _, _, err := r.svc.AdminRotateClientSecret(t.Context(), op, "backend"); err != nil {
		t.Fatal(err)
	}
	_, err = r.svc.VerifyClientSecret(t.Context(), "backend", secret)
	wantCode(t, err, auth.CodeInvalidClient)
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

// TestPruneStorageCodes: the storage prune deletes authorization codes once
// they expired longer ago than the replay window, and keeps younger ones.
func TestPruneStorageCodes(t *testing.T) {
	r := startRig(t, sqltest.NewSQLite(t))
	l := r.register(t, "ada@example.com", "")
	now := r.clock.Now()
	for _, expiry := range []time.Duration{-auth.CodeReplayWindow - time.Second, -auth.CodeReplayWindow + time.Second} {
		c := &store.AuthorizationCode{CodeHash: []byte(expiry.String()), ClientID: store.DefaultClientID,
			UserID: l.User.ID, RedirectURI: "https://app.example/cb", AuthTime: now,
			CreatedAt: now.Add(expiry - time.Minute), ExpiresAt: now.Add(expiry)}
		if err := r.db.CreateAuthorizationCode(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	p, err := r.svc.PruneStorage(t.Context())
	if err != nil || p.AuthorizationCodes != 1 || p.Total() < 1 {
		t.Fatalf("PruneStorage = %+v, %v; want 1 authorization code", p, err)
	}
	_, err = r.db.UseAuthorizationCode(t.Context(), []byte((-auth.CodeReplayWindow + time.Second).String()), now)
	if !errors.Is(err, store.ErrStale) {
		t.Fatalf("code inside the replay window: %v, want it kept (and expired)", err)
	}
}
