package jwtverify_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// exampleToken plays Tessera: it signs an access token with priv.
func exampleToken(priv ed25519.PrivateKey, now time.Time, aud string) string {
	claims := &jwtverify.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://id.example.com",
			Subject:   "user-42",
			Audience:  jwt.ClaimStrings{aud},
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ID:        "c2d4b0e8",
		},
		ClientID:  "web",
		SessionID: "session-7",
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
