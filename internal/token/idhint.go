package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// maxIDTokenLen bounds an id_token_hint; Tessera's ID tokens are far
// smaller.
const maxIDTokenLen = 8 << 10

// ErrBadIDTokenHint is every refused id_token_hint.
var ErrBadIDTokenHint = errors.New("id_token_hint is not an ID token of this issuer")

// ParseIDTokenHint checks an id_token_hint (OpenID Connect RP-Initiated
// Logout s2): an ID token signed by one of the ring's keys, with the
// algorithm of that key, typ JWT and this issuer. Its expiry is not
// checked: an expired ID token is still a hint (s4).
func (m *Minter) ParseIDTokenHint(ctx context.Context, raw string) (*IDClaims, error) {
	if raw == "" || len(raw) > maxIDTokenLen {
		return nil, ErrBadIDTokenHint
	}
	p := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{"ES256", "EdDSA", "RS256"}))
	mc := jwt.MapClaims{}
	_, err := p.ParseWithClaims(raw, mc, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != "JWT" {
			return nil, ErrBadIDTokenHint
		}
		kid, _ := t.Header["kid"].(string)
		k, err := m.ring.VerificationKey(ctx, kid)
		if err != nil || k.Algorithm != t.Method.Alg() {
			return nil, ErrBadIDTokenHint
		}
		return k.Public, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadIDTokenHint, err)
	}
	b, err := json.Marshal(mc)
	if err != nil {
		return nil, ErrBadIDTokenHint
	}
	var c IDClaims
	if err := json.Unmarshal(b, &c); err != nil || c.Issuer != m.issuer || c.Audience == "" || c.SessionID == "" {
		return nil, ErrBadIDTokenHint
	}
	return &c, nil
}
