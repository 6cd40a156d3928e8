package interop_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

var algorithms = []string{"ES256", "EdDSA", "RS256"}

// TestAlgorithmsInterop: on each signing algorithm, Tessera's access
// tokens pass jwtverify.FromIssuer and golang-jwt given nothing but the
// JWKS (parsed here with the standard library, not with jwtverify, so a
// shared bug cannot hide).
func TestAlgorithmsInterop(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			ts := startTessera(t, alg)
			register(t, ts, "ada@example.com")
			d := login(t, ts, "ada@example.com", "laptop")
			if _, got := kidOf(t, d.token()); got != alg {
				t.Fatalf("token signed with %s, want %s", got, alg)
			}

			c := mustVerify(t, fromIssuer(t, ts), d.token(), "jwtverify.FromIssuer")
			if c.SessionID != d.sessionID() || c.Issuer != ts.URL {
				t.Fatalf("jwtverify claims: %+v", c)
			}

			keys := jwksFromStdlib(t, ts)
			claims := jwt.MapClaims{}
			tok, err := jwt.NewParser(
				jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(ts.URL), jwt.WithAudience(audience(ts)),
				jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(ts.Clock.Now),
			).ParseWithClaims(d.token(), claims, func(tok *jwt.Token) (any, error) {
				kid, _ := tok.Header["kid"].(string)
				if k, ok := keys[kid]; ok {
					return k, nil
				}
				return nil, fmt.Errorf("no key %q in the JWKS", kid)
			})
			if err != nil {
				t.Fatalf("golang-jwt: %v", err)
			}
			if tok.Header["typ"] != jwtverify.TokenType || claims["sid"] != d.sessionID() || claims["client_id"] == nil {
				t.Fatalf("golang-jwt sees header %v, claims %v", tok.Header, claims)
			}
		})
	}
}

// jwksFromStdlib fetches Tessera's JWKS and decodes its keys by kid with
// the standard library only.
func jwksFromStdlib(t *testing.T, ts *servertest.TestServer) map[string]crypto.PublicKey {
	t.Helper()
	r := ts.NewClient(t).Do("GET", "/.well-known/jwks.json", nil).Want(t, http.StatusOK)
	var set struct {
		Keys []struct {
			Kty, Crv, Kid, Use, Alg, X, Y, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(r.Body, &set); err != nil {
		t.Fatal(err)
	}
	b64 := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWKS member is not base64url: %v", err)
		}
		return b
	}
	out := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if k.Use != "sig" || k.Kid == "" || k.Alg == "" {
			t.Fatalf("JWKS member without use=sig, kid or alg: %+v", k)
		}
		switch k.Kty {
		case "EC":
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, b64(k.X)...), b64(k.Y)...))
			if err != nil {
				t.Fatal(err)
			}
			out[k.Kid] = pub
		case "OKP":
			out[k.Kid] = ed25519.PublicKey(b64(k.X))
		case "RSA":
			out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(b64(k.N)), E: int(new(big.Int).SetBytes(b64(k.E)).Int64())}
		default:
			t.Fatalf("unexpected kty %q", k.Kty)
		}
	}
	return out
}
