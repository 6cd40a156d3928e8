package jwtverify_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// exampleToken plays Tessera: it signs an access token with priv.
func exampleToken(priv ed25519.PrivateKey, now time.Time, aud string) string {
	return exampleTokenFrom(priv, "https://id.example.com", now, aud, "session-7")
}

// exampleTokenFrom signs an access token of issuer iss for session sid.
func exampleTokenFrom(priv ed25519.PrivateKey, iss string, now time.Time, aud, sid string) string {
	claims := &jwtverify.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    iss,
			Subject:   "user-42",
			Audience:  jwt.ClaimStrings{aud},
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ID:        "c2d4b0e8",
		},
		ClientID:  "web",
		SessionID: sid,
		Roles:     []string{"admin"},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["typ"] = jwtverify.TokenType
	tok.Header["kid"] = "key-1"
	raw, err := tok.SignedString(priv)
	if err != nil {
		panic(err)
	}
	return raw
}

func ExampleNewVerifier() {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	// A resource server would build its key set from Tessera's JWKS.
	keys := jwtverify.NewStaticKeySet(jwtverify.Key{ID: "key-1", Algorithm: "EdDSA", Public: pub})

	v, err := jwtverify.NewVerifier(keys,
		jwtverify.WithIssuer("https://id.example.com"),
		jwtverify.WithAudience("api://orders"),
	)
	if err != nil {
		panic(err)
	}

	claims, err := v.Verify(context.Background(), exampleToken(priv, time.Now(), "api://orders"))
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println(claims.Subject, claims.SessionID, claims.HasRole("admin"))
	// Output: user-42 session-7 true
}

func ExampleVerifier_Verify() {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	keys := jwtverify.NewStaticKeySet(jwtverify.Key{ID: "key-1", Algorithm: "EdDSA", Public: pub})
	v, _ := jwtverify.NewVerifier(keys,
		jwtverify.WithIssuer("https://id.example.com"),
		jwtverify.WithAudience("api://orders"),
	)

	// A token for another API, and a token that expired an hour ago.
	for _, raw := range []string{
		exampleToken(priv, time.Now(), "api://billing"),
		exampleToken(priv, time.Now().Add(-75*time.Minute), "api://orders"),
	} {
		_, err := v.Verify(context.Background(), raw)
		switch {
		case errors.Is(err, jwtverify.ErrInvalidAudience):
			fmt.Println("not for us")
		case errors.Is(err, jwtverify.ErrExpired):
			fmt.Println("expired: ask the client to refresh")
		case err != nil:
			fmt.Println("rejected")
		}
	}
	// Output:
	// not for us
	// expired: ask the client to refresh
}

func ExampleParseJWKS() {
	// The body of Tessera's /.well-known/jwks.json.
	body := []byte(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"key-1","use":"sig","alg":"EdDSA"},
		{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"enc-1","use":"enc"}
	]}`)
	keys, err := jwtverify.ParseJWKS(body)
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Println(k.ID, k.Algorithm)
	}
	// Output: key-1 EdDSA
}

func ExampleNewRemoteKeySet() {
	tessera, priv := startExampleTessera() // serves the JWKS, as Tessera does
	defer tessera.Close()
	ctx := context.Background()

	// One RemoteKeySet per issuer, shared by every request: it fetches the
	// JWKS on first use, keeps it for its Cache-Control max-age, refetches
	// on an unknown kid (at most once per 30 s here) and keeps its last
	// good keys when the issuer cannot be reached.
	keys := jwtverify.NewRemoteKeySet(ctx, tessera.URL+"/.well-known/jwks.json",
		jwtverify.WithRefetchInterval(30*time.Second))
	v, err := jwtverify.NewVerifier(keys,
		jwtverify.WithIssuer(tessera.URL),
		jwtverify.WithAudience("api://orders"),
	)
	if err != nil {
		panic(err)
	}

	claims, err := v.Verify(ctx, exampleTokenFrom(priv, tessera.URL, time.Now(), "api://orders", "session-7"))
	fmt.Println(claims.Subject, err)
	// A health check can report the last fetch's error; the set logs nothing.
	fmt.Println(keys.LastError())
	// Output:
	// user-42 <nil>
	// <nil>
}

func ExampleFromIssuer() {
	tessera, priv := startExampleTessera() // serves discovery, JWKS and the revocation feed
	defer tessera.Close()
	ctx := context.Background()

	// Discovery gives the JWKS and revocation feed URLs; the issuer must be
	// exactly the URL given. The audience is never guessed.
	v, err := jwtverify.FromIssuer(ctx, tessera.URL,
		jwtverify.WithAudience("api://orders"),
		jwtverify.WithRevocationWatcher(),
	)
	if err != nil {
		panic(err)
	}
	defer v.Close() // stops the revocation watcher

	claims, err := v.Verify(ctx, exampleTokenFrom(priv, tessera.URL, time.Now(), "api://orders", "session-7"))
	fmt.Println(claims.Subject, err)
	_, err = v.Verify(ctx, exampleTokenFrom(priv, tessera.URL, time.Now(), "api://orders", "session-lost-phone"))
	fmt.Println(errors.Is(err, jwtverify.ErrRevoked))
	// Output:
	// user-42 <nil>
	// true
}

func ExampleNewRevocationWatcher() {
	tessera, priv := startExampleTessera() // serves the JWKS and the revocation feed
	defer tessera.Close()
	ctx := context.Background()

	w := jwtverify.NewRevocationWatcher(ctx, tessera.URL+"/v1/revocations")
	defer w.Close()
	// Polling runs in the background; wait for the first answer before
	// serving, so no revoked session slips in at start-up.
	if err := w.Poll(ctx); err != nil {
		panic(err)
	}

	keys := jwtverify.NewRemoteKeySet(ctx, tessera.URL+"/.well-known/jwks.json")
	v, _ := jwtverify.NewVerifier(keys,
		jwtverify.WithIssuer(tessera.URL),
		jwtverify.WithAudience("api://orders"),
		jwtverify.WithRevocations(w),
	)
	_, err := v.Verify(ctx, exampleTokenFrom(priv, tessera.URL, time.Now(), "api://orders", "session-lost-phone"))
	fmt.Println(w.Revoked("session-lost-phone"), errors.Is(err, jwtverify.ErrRevoked))
	// Output: true true
}

// startExampleTessera plays Tessera for the examples: discovery, a JWKS
// holding one Ed25519 key, and a revocation feed listing one session.
func startExampleTessera() (*httptest.Server, ed25519.PrivateKey) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q,"revocation_feed_endpoint":%q}`,
			srv.URL, srv.URL+"/.well-known/jwks.json", srv.URL+"/v1/revocations")
	})
	mux.HandleFunc("/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		fmt.Fprintf(w, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":%q,"kid":"key-1","use":"sig","alg":"EdDSA"}]}`,
			base64.RawURLEncoding.EncodeToString(pub))
	})
	mux.HandleFunc("/v1/revocations", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("since") != "" {
			fmt.Fprint(w, `{"revocations":[],"cursor":"c1","poll_interval":30}`)
			return
		}
		now := time.Now().UTC()
		fmt.Fprintf(w, `{"revocations":[{"sid":"session-lost-phone","revoked_at":%q,"expires_at":%q}],"cursor":"c1","poll_interval":30}`,
			now.Format(time.RFC3339Nano), now.Add(16*time.Minute).Format(time.RFC3339Nano))
	})
	return srv, priv
}
