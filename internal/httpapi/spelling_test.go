package httpapi_test

import (
	"crypto/elliptic"
	"encoding/base64"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// TestAccessTokenHasOneSpelling sends Tessera's own bearer check the other
// spellings of a token it minted: the 15 twins whose last character differs
// only in unused bits, the (r, n−s) twin of its signature, and tokens
// signed with Tessera's key whose header or payload is not UTF-8 or whose
// dates are strings. Each is 401 invalid_token; the token itself, and the
// same header and payload re-signed, are accepted.
func TestAccessTokenHasOneSpelling(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	good := register(t, c, "spelling@example.com").Str("access_token")
	sk, err := ts.Keys.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	parts := strings.Split(good, ".")
	header, err1 := enc.DecodeString(parts[0])
	payload, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(sig) != 64 {
		t.Fatalf("minted token %q: %v %v %v", good, err1, err2, err3)
	}
	signRaw := func(h, p string) string {
		input := enc.EncodeToString([]byte(h)) + "." + enc.EncodeToString([]byte(p))
		sig, err := jwtverify.SigningMethodES256.Sign(input, sk.Private)
		if err != nil {
			t.Fatal(err)
		}
		return input + "." + enc.EncodeToString(sig)
	}
	quoted := func(claim string) string {
		re := regexp.MustCompile(`"` + claim + `":(\d+)`)
		if !re.Match(payload) {
			t.Fatalf("no numeric %s in %s", claim, payload)
		}
		return signRaw(string(header), re.ReplaceAllString(string(payload), `"`+claim+`":"$1"`))
	}

	c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+good).Want(t, 200)
	c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+signRaw(string(header), string(payload))).Want(t, 200)

	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		t.Fatal("Tessera minted a high-s signature")
	}
	s.Sub(n, s).FillBytes(sig[32:])
	tests := []struct{ name, token string }{
		{"high-s twin", parts[0] + "." + parts[1] + "." + enc.EncodeToString(sig)},
		{"header not UTF-8", signRaw(strings.Replace(string(header), `}`, `,"x":"`+"\xff"+`"}`, 1), string(payload))},
		{"payload not UTF-8", signRaw(string(header), strings.Replace(string(payload), `{`, `{"name":"`+"\xc3\x28"+`",`, 1))},
		{"exp as a string", quoted("exp")},
		{"nbf as a string", quoted("nbf")},
		{"iat as a string", quoted("iat")},
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, good[len(good)-1])
	for bits := range 16 {
		if twin := good[:len(good)-1] + string(alphabet[last&^0xf|bits]); twin != good {
			tests = append(tests, struct{ name, token string }{"padding bits " + string(alphabet[bits]), twin})
		}
	}
	if len(tests) != 6+15 {
		t.Fatalf("%d cases, want 21: the minted token's unused bits are not zero", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+tt.token).WantError(t, 401, "invalid_token")
		})
	}
}
