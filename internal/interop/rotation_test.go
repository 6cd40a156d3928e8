package interop_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/internal/server"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// TestRotationEndToEnd drives one key rotation of a real Tessera with its
// fake clock, watched by two resource servers: "pinned" cached the old
// JWKS for an hour (as a verifier that ignores max-age would), "fresh"
// honours the JWKS's max-age (the default).
//
//	T0        K1 signs; tokA is issued
//	T0+1m     `keys rotate`: K2 is published (next), K1 still signs
//	T0+6m     K2 signs (K1 retiring); tokB carries a kid pinned never saw
//	T0+15m30s tokA expires (exp + leeway)
//	retire    K1 retires (its PublishedUntil: the longest access TTL +
//	          leeway + JWKS cache lifetime after K2 began signing): it is
//	          withdrawn from the JWKS and its signatures fail
func TestRotationEndToEnd(t *testing.T) {
	ts := startTessera(t, "ES256")
	t0 := ts.Clock.Now()
	register(t, ts, "ada@example.com")
	a := login(t, ts, "ada@example.com", "laptop")
	k1, _ := kidOf(t, a.token())

	counting := newCountingClient()
	pinned := fromIssuer(t, ts, jwtverify.WithHTTPClient(&counting.Client),
		jwtverify.WithKeySetOptions(jwtverify.WithCacheBounds(time.Hour, time.Hour)))
	fresh := fromIssuer(t, ts)
	for _, v := range []*jwtverify.Verifier{pinned, fresh} {
		mustVerify(t, v, a.token(), "before the rotation")
	}

	// Rotate: what `tessera keys rotate` does, then the periodic reload.
	ts.Clock.Advance(time.Minute)
	k2info, err := keys.Generate(ts.Config.KeysDir, "ES256", ts.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Keys.Reload(); err != nil {
		t.Fatal(err)
	}
	k2 := k2info.ID
	wantStates(t, ts, map[string]keys.State{k1: keys.StateActive, k2: keys.StateNext})
	during := login(t, ts, "ada@example.com", "tablet")
	if kid, _ := kidOf(t, during.token()); kid != k1 {
		t.Fatalf("during the publish delay tokens are signed by %s, want the old key %s", kid, k1)
	}
	for _, v := range []*jwtverify.Verifier{pinned, fresh} {
		mustVerify(t, v, a.token(), "during the rotation")
		mustVerify(t, v, during.token(), "a token issued during the rotation")
	}

	// K2 signs, after the publish delay (a JWKS cache lifetime and a
	// keys-dir reload). pinned still holds the T0 JWKS: tokB's kid is
	// unknown to it, and that first miss fetches the new set, once.
	ts.Clock.Advance(server.KeyOptions(ts.Config, ts.Clock.Now).PublishDelay)
	wantStates(t, ts, map[string]keys.State{k1: keys.StateRetiring, k2: keys.StateActive})
	b := login(t, ts, "ada@example.com", "phone")
	if kid, _ := kidOf(t, b.token()); kid != k2 {
		t.Fatalf("after the publish delay tokens are signed by %s, want the new key %s", kid, k2)
	}
	before := counting.jwks.Load()
	for _, v := range []*jwtverify.Verifier{pinned, fresh} {
		mustVerify(t, v, b.token(), "a token of the new key")
		mustVerify(t, v, a.token(), "an old token after the rotation")
		mustVerify(t, v, during.token(), "a token issued during the rotation, after it")
	}
	if got := counting.jwks.Load() - before; got != 1 {
		t.Fatalf("the pinned verifier fetched the JWKS %d times for the new kid, want 1", got)
	}

	// Old tokens live until they expire, and not a leeway longer.
	advanceTo(ts, t0.Add(15*time.Minute+29*time.Second))
	mustVerify(t, fresh, a.token(), "an old token just before exp + leeway")
	advanceTo(ts, t0.Add(15*time.Minute+30*time.Second))
	mustFail(t, fresh, a.token(), jwtverify.ErrExpired, "an old token at exp + leeway")

	// K1 retires. A token it signs now (a leaked key, a stale replica)
	// fails: Tessera withdrew it and the verifier's cache has expired.
	advanceTo(ts, keyInfo(t, ts, k1).PublishedUntil)
	wantStates(t, ts, map[string]keys.State{k1: keys.StateRetired, k2: keys.StateActive})
	forged := signWithKeyFile(t, ts, k1, b.token())
	mustFail(t, fresh, forged, jwtverify.ErrUnknownKey, "a retired key's token")
	mustVerify(t, fresh, login(t, ts, "ada@example.com", "desktop").token(), "a new token after the old key retired")
	ts.NewClient(t).Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+forged).WantError(t, 401, "invalid_token")
	// pinned drops K1 as soon as its (pinned) cache lifetime ends.
	ts.Clock.Advance(time.Hour)
	forged = signWithKeyFile(t, ts, k1, b.token())
	mustFail(t, pinned, forged, jwtverify.ErrUnknownKey, "a retired key's token, pinned verifier")
}

func keyInfo(t *testing.T, ts *servertest.TestServer, kid string) keys.KeyInfo {
	t.Helper()
	for _, k := range ts.Keys.Keys() {
		if k.ID == kid {
			return k
		}
	}
	t.Fatalf("no key %s", kid)
	return keys.KeyInfo{}
}

func wantStates(t *testing.T, ts *servertest.TestServer, want map[string]keys.State) {
	t.Helper()
	for _, k := range ts.Keys.Keys() {
		if w, ok := want[k.ID]; ok && k.State != w {
			t.Fatalf("key %s is %s, want %s", k.ID, k.State, w)
		}
	}
}

// signWithKeyFile re-signs template's claims, with fresh times, with the
// private key kid from Tessera's keys dir.
func signWithKeyFile(t *testing.T, ts *servertest.TestServer, kid, template string) string {
	t.Helper()
	data, err := os.ReadFile(keyInfo(t, ts, kid).File)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(template, claims); err != nil {
		t.Fatal(err)
	}
	now := ts.Clock.Now()
	claims["iat"], claims["nbf"], claims["exp"] = now.Unix(), now.Unix(), now.Add(15*time.Minute).Unix()
	tok := jwt.NewWithClaims(jwtverify.SigningMethodES256, claims)
	tok.Header["kid"], tok.Header["typ"] = kid, jwtverify.TokenType
	raw, err := tok.SignedString(priv.(crypto.Signer))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// advanceTo moves ts's clock forward to at.
func advanceTo(ts *servertest.TestServer, at time.Time) { ts.Clock.Advance(at.Sub(ts.Clock.Now())) }
