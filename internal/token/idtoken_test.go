package token_test

import (
	"context"
	"crypto"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/token"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

func idFor(accessToken string) token.ID {
	return token.ID{
		Subject:       "7d0f3bb4-5b8e-4a4b-9a55-0c4b8f0e6a11",
		ClientID:      "grafana",
		SessionID:     "0f9a8d3e-1c2b-4e5f-8a7b-6c5d4e3f2a1b",
		AuthTime:      t0.Add(-time.Hour),
		Nonce:         "n-0S6_WzA2Mj",
		AMR:           []string{"pwd"},
		AccessToken:   accessToken,
		Scopes:        []string{"openid", "email"},
		Email:         "ada@example.com",
		EmailVerified: true,
	}
}

// goOIDCVerifier is coreos/go-oidc's verifier over the ring's signing key,
// for client id grafana, on the test clock.
func goOIDCVerifier(tb testing.TB, ring *keys.Ring, alg string, now func() time.Time) *oidc.IDTokenVerifier {
	tb.Helper()
	sk, err := ring.SigningKey()
	if err != nil {
		tb.Fatal(err)
	}
	pub := sk.Private.(crypto.Signer).Public()
	ks := &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{pub}}
	return oidc.NewVerifier(issuer, ks, &oidc.Config{ClientID: "grafana", SupportedSigningAlgs: []string{alg}, Now: now})
}

// TestIDTokenVerifiesWithGoOIDC: coreos/go-oidc accepts Tessera's ID tokens
// on each signing algorithm (signature, iss, aud, exp), reads the nonce,
// and checks at_hash against the access token issued with it; another
// access token fails the at_hash check.
func TestIDTokenVerifiesWithGoOIDC(t *testing.T) {
	now := func() time.Time { return t0 }
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			ring := newRing(t, alg, now)
			m := token.NewMinter(ring, issuer, now)
			at, _, err := m.Mint(access())
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := m.MintID(idFor(at))
			if err != nil {
				t.Fatalf("MintID: %v", err)
			}
			idt, err := goOIDCVerifier(t, ring, alg, now).Verify(context.Background(), raw)
			if err != nil {
				t.Fatalf("go-oidc Verify: %v", err)
			}
			if idt.Nonce != "n-0S6_WzA2Mj" || idt.Subject != idFor(at).Subject || idt.AccessTokenHash == "" {
				t.Errorf("go-oidc reads nonce %q sub %q at_hash %q", idt.Nonce, idt.Subject, idt.AccessTokenHash)
			}
			if err := idt.VerifyAccessToken(at); err != nil {
				t.Errorf("VerifyAccessToken: %v", err)
			}
			other, _, err := m.Mint(access())
			if err != nil {
				t.Fatal(err)
			}
			if h := segment(t, other, 0); h["typ"] != "at+jwt" {
				t.Errorf("access token minted after an ID token has typ %v", h["typ"])
			}
			if err := idt.VerifyAccessToken(other); err == nil {
				t.Error("at_hash matches an access token it was not minted with")
			}
			var c struct {
				Email         string   `json:"email"`
				EmailVerified bool     `json:"email_verified"`
				SID           string   `json:"sid"`
				AMR           []string `json:"amr"`
				AuthTime      int64    `json:"auth_time"`
			}
			if err := idt.Claims(&c); err != nil || c.Email != "ada@example.com" || !c.EmailVerified ||
				c.SID != idFor(at).SessionID || len(c.AMR) != 1 || c.AuthTime != t0.Add(-time.Hour).Unix() {
				t.Errorf("claims %+v (%v)", c, err)
			}
		})
	}
}

// TestIDTokenIsNotAnAccessToken: an ID token carries typ JWT, never at+jwt,
// so jwtverify refuses it as an access token even with its own audience
// and the same key (RFC 9068 s2.1).
func TestIDTokenIsNotAnAccessToken(t *testing.T) {
	now := func() time.Time { return t0 }
	for _, alg := range keys.Algorithms {
		t.Run(alg, func(t *testing.T) {
			ring := newRing(t, alg, now)
			raw, _, err := token.NewMinter(ring, issuer, now).MintID(idFor("at"))
			if err != nil {
				t.Fatal(err)
			}
			if h := segment(t, raw, 0); h["typ"] != "JWT" || h["alg"] != alg {
				t.Errorf("header = %v", h)
			}
			v, err := jwtverify.NewVerifier(ring, jwtverify.WithIssuer(issuer),
				jwtverify.WithAudience("grafana"), jwtverify.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(context.Background(), raw); !errors.Is(err, jwtverify.ErrType) {
				t.Fatalf("jwtverify.Verify(ID token) = %v, want ErrType", err)
			}
		})
	}
}

// TestIDTokenClaims: the claim set, per granted scope and nonce.
func TestIDTokenClaims(t *testing.T) {
	now := func() time.Time { return t0 }
	m := token.NewMinter(newRing(t, jwtverify.ES256, now), issuer, now)
	always := []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "sid", "amr", "at_hash"}
	tests := []struct {
		name    string
		edit    func(*token.ID)
		present []string
		absent  []string
	}{
		{"email scope and nonce", func(*token.ID) {}, []string{"nonce", "email", "email_verified"}, nil},
		{"no email scope", func(id *token.ID) { id.Scopes = []string{"openid"} }, []string{"nonce"}, []string{"email", "email_verified"}},
		{"no nonce", func(id *token.ID) { id.Nonce = "" }, []string{"email", "email_verified"}, []string{"nonce"}},
		{"unverified address", func(id *token.ID) { id.EmailVerified = false }, []string{"nonce", "email", "email_verified"}, nil},
		{"profile scope", func(id *token.ID) {
			id.Scopes = []string{"openid", "profile"}
			id.GivenName, id.FamilyName, id.PreferredUsername = "Ada", "Lovelace", "ada"
		}, []string{"nonce", "given_name", "family_name", "preferred_username"}, []string{"email"}},
		{"profile scope, names unknown", func(id *token.ID) { id.Scopes = []string{"openid", "profile"} },
			[]string{"nonce"}, []string{"given_name", "family_name", "preferred_username"}},
		{"names without the profile scope", func(id *token.ID) { id.GivenName, id.FamilyName = "Ada", "Lovelace" },
			[]string{"nonce", "email", "email_verified"}, []string{"given_name", "family_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := idFor("access")
			tt.edit(&id)
			raw, c, err := m.MintID(id)
			if err != nil {
				t.Fatal(err)
			}
			p := segment(t, raw, 1)
			for _, k := range append(always, tt.present...) {
				if _, ok := p[k]; !ok {
					t.Errorf("claim %s missing", k)
				}
			}
			for _, k := range tt.absent {
				if _, ok := p[k]; ok {
					t.Errorf("claim %s present", k)
				}
			}
			if len(p) != len(always)+len(tt.present) {
				t.Errorf("claims %v: unexpected extra claims", p)
			}
			if p["aud"] != "grafana" || p["iss"] != issuer {
				t.Errorf("aud %v iss %v", p["aud"], p["iss"])
			}
			sec := t0.Truncate(time.Second)
			if !c.IssuedAt.Equal(sec) || !c.ExpiresAt.Equal(sec.Add(token.DefaultIDTTL)) {
				t.Errorf("iat %v exp %v", c.IssuedAt, c.ExpiresAt)
			}
			if v, ok := p["given_name"]; ok && (v != id.GivenName || p["family_name"] != id.FamilyName) {
				t.Errorf("given_name %v family_name %v", v, p["family_name"])
			}
			if v, ok := p["email_verified"]; ok && v != id.EmailVerified {
				t.Errorf("email_verified = %v, want %v", v, id.EmailVerified)
			}
		})
	}
}

// TestAccessTokenHash: the left half of SHA-256 (ES256, RS256) or SHA-512
// (EdDSA over Ed25519) of the token's octets, base64url. The expected
// values were computed outside Go: printf %s TOKEN | openssl dgst -sha256
// -binary | head -c 16 | base64 (and -sha512, head -c 32), in base64url.
func TestAccessTokenHash(t *testing.T) {
	tests := []struct {
		alg, token, want string
	}{
		{jwtverify.ES256, "jHkWEdUXMU1BwAsC4vtUsZwnNQ9bq1SaVd6cr0ZoxQw", "4f_1sETtVl_48Yo9pImDEA"},
		{jwtverify.RS256, "jHkWEdUXMU1BwAsC4vtUsZwnNQ9bq1SaVd6cr0ZoxQw", "4f_1sETtVl_48Yo9pImDEA"},
		{jwtverify.EdDSA, "jHkWEdUXMU1BwAsC4vtUsZwnNQ9bq1SaVd6cr0ZoxQw", "7cU2FY5rvsZzhQQe3cB8Wwvxv1BL0ZfDpuAoaZpJLes"},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			got, err := token.AccessTokenHash(tt.alg, tt.token)
			if err != nil || got != tt.want {
				t.Errorf("AccessTokenHash = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := token.AccessTokenHash("HS256", "x"); err == nil {
		t.Error("HS256 has an at_hash")
	}
}

// TestMintIDRefusesIncompleteID: every claim Tessera promises must be
// there; an ID missing one is refused, naming it.
func TestMintIDRefusesIncompleteID(t *testing.T) {
	now := func() time.Time { return t0 }
	m := token.NewMinter(newRing(t, jwtverify.EdDSA, now), issuer, now)
	tests := []struct {
		name string
		edit func(*token.ID)
		want string
	}{
		{"no subject", func(id *token.ID) { id.Subject = "" }, "no subject"},
		{"no client", func(id *token.ID) { id.ClientID = "" }, "no client id"},
		{"no session", func(id *token.ID) { id.SessionID = "" }, "no session id"},
		{"no auth time", func(id *token.ID) { id.AuthTime = time.Time{} }, "no auth time"},
		{"no amr", func(id *token.ID) { id.AMR = nil }, "no authentication method"},
		{"no access token", func(id *token.ID) { id.AccessToken = "" }, "no access token"},
		{"negative TTL", func(id *token.ID) { id.TTL = -time.Second }, "negative TTL"},
		{"email scope, no address", func(id *token.ID) { id.Email = "" }, "email scope without an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := idFor("access")
			tt.edit(&id)
			raw, _, err := m.MintID(id)
			if !errors.Is(err, token.ErrInvalidID) || !strings.Contains(err.Error(), tt.want) || raw != "" {
				t.Fatalf("MintID = %q, %v; want ErrInvalidID (%s)", raw, err, tt.want)
			}
		})
	}
}
