package httpapi_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// jwksKeys fetches the JWKS over HTTP and decodes its EC keys by hand, so
// the check does not lean on Tessera's own JWKS parser.
func jwksKeys(t *testing.T, c *servertest.Client) map[string]*ecdsa.PublicKey {
	t.Helper()
	r := c.Do("GET", "/.well-known/jwks.json", nil).Want(t, http.StatusOK)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(r.Body, &set); err != nil {
		t.Fatal(err)
	}
	out := map[string]*ecdsa.PublicKey{}
	for _, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Fatalf("JWKS leaks private member %q", private)
			}
		}
		if k["kty"] != "EC" || k["crv"] != "P-256" || k["use"] != "sig" || k["alg"] != "ES256" {
			t.Fatalf("unexpected JWK %v", k)
		}
		x, _ := base64.RawURLEncoding.DecodeString(k["x"])
		y, _ := base64.RawURLEncoding.DecodeString(k["y"])
		out[k["kid"]] = &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	}
	return out
}

func TestAccessTokenVerifiesWithGolangJWTFromJWKS(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "jwt@example.com")
	keys := jwksKeys(t, c)

	parser := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(ts.Config.Issuer),
		jwt.WithAudience(ts.Config.Issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(ts.Clock.Now))
	claims := jwt.MapClaims{}
	tok, err := parser.ParseWithClaims(reg.Str("access_token"), claims, func(tk *jwt.Token) (any, error) {
		return keys[tk.Header["kid"].(string)], nil
	})
	if err != nil || !tok.Valid {
		t.Fatalf("golang-jwt rejects Tessera's token: %v", err)
	}
	if tok.Header["typ"] != "at+jwt" || tok.Header["alg"] != "ES256" {
		t.Fatalf("header %v", tok.Header)
	}
	for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "sid"} {
		if _, ok := claims[claim]; !ok {
			t.Fatalf("claim %s missing from %v", claim, claims)
		}
	}
	if claims["sid"] != reg.Str("session_id") || claims["client_id"] != "default" {
		t.Fatalf("claims %v", claims)
	}
	exp, _ := claims.GetExpirationTime()
	if d := exp.Sub(ts.Clock.Now()); d != 15*time.Minute {
		t.Fatalf("access TTL %v, want 15m", d)
	}

	disc := c.Do("GET", "/.well-known/openid-configuration", nil).Want(t, 200)
	if disc.Str("issuer") != claims["iss"] || disc.Str("jwks_uri") != ts.URL+"/.well-known/jwks.json" {
		t.Fatalf("discovery %s does not match iss %v", disc.Body, claims["iss"])
	}
}

func TestForgedAccessTokensAreRefused(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	reg := register(t, c, "forge@example.com")
	good := reg.Str("access_token")
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+good).Want(t, 200)

	sk, err := ts.Keys.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	priv := sk.Private.(*ecdsa.PrivateKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	now := ts.Clock.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{
			"iss": ts.Config.Issuer, "sub": reg.JSON()["user"].(map[string]any)["id"], "aud": []string{ts.Config.Issuer},
			"exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "nbf": now.Unix(), "jti": "j1",
			"client_id": "default", "sid": reg.Str("session_id"),
		}
	}
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims, header map[string]any) string {
		tk := jwt.NewWithClaims(method, claims)
		tk.Header["kid"] = sk.ID
		tk.Header["typ"] = "at+jwt"
		for k, v := range header {
			tk.Header[k] = v
		}
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(k string, v any) jwt.MapClaims { m := base(); m[k] = v; return m }
	tampered := func() string {
		parts := strings.Split(good, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		payload = []byte(strings.Replace(string(payload), `"client_id":"default"`, `"client_id":"admin00"`, 1))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	}

	// The control: a token built by this test with the real key passes, so
	// each refusal below is due to its one defect.
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+sign(jwtverify.SigningMethodES256, priv, base(), nil)).Want(t, 200)

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base(), nil)},
		{"HS256 keyed with the public key", sign(jwt.SigningMethodHS256, pubDER, base(), nil)},
		{"wrong audience", sign(jwtverify.SigningMethodES256, priv, with("aud", "https://other.example"), nil)},
		{"wrong issuer", sign(jwtverify.SigningMethodES256, priv, with("iss", "https://evil.example"), nil)},
		{"expired beyond leeway", sign(jwtverify.SigningMethodES256, priv, with("exp", now.Add(-31*time.Second).Unix()), nil)},
		{"no expiry", func() string { m := base(); delete(m, "exp"); return sign(jwtverify.SigningMethodES256, priv, m, nil) }()},
		{"issued in the future", sign(jwtverify.SigningMethodES256, priv, with("iat", now.Add(5*time.Minute).Unix()), nil)},
		{"typ JWT", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"typ": "JWT"})},
		{"typ missing", func() string {
			tk := jwt.NewWithClaims(jwtverify.SigningMethodES256, base())
			tk.Header["kid"] = sk.ID
			delete(tk.Header, "typ")
			s, _ := tk.SignedString(priv)
			return s
		}()},
		{"tampered payload", tampered()},
		{"unknown kid", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"kid": "nope"})},
		{"SQL kid", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"kid": "' OR 1=1--"})},
		{"path kid", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"kid": "../../etc/passwd"})},
		{"10 KB kid", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"kid": strings.Repeat("k", 10<<10)})},
		{"jku header", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"kid": "x", "jku": "http://127.0.0.1:1/jwks"})},
		{"session of another user", sign(jwtverify.SigningMethodES256, priv, with("sub", "00000000-0000-0000-0000-000000000001"), nil)},
		{"1 MB token", strings.Repeat("a", 1_000_000)},
		{"a refresh token", reg.Str("refresh_token")},
		{"an ID-token-like JWT (typ JWT, same key and claims)", sign(jwtverify.SigningMethodES256, priv, base(), map[string]any{"typ": "JWT"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+tt.token).WantError(t, 401, "invalid_token")
			if ch := r.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
				t.Fatalf("challenge %q", ch)
			}
		})
	}
}

func TestJWKSCaching(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	r := c.Do("GET", "/.well-known/jwks.json", nil).Want(t, 200)
	etag := r.Header.Get("ETag")
	if etag == "" || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public, max-age=") {
		t.Fatalf("JWKS validators missing: %v", r.Header)
	}
	c.Do("GET", "/.well-known/jwks.json", nil, "If-None-Match: "+etag).Want(t, http.StatusNotModified)
	c.Do("GET", "/.well-known/jwks.json", nil, `If-None-Match: "other"`).Want(t, http.StatusOK)
}
