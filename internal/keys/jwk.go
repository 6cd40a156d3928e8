package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// publicJWK is a key's JWKS member. It has fields for public parameters
// only, so no private value can leak into the JWKS by mistake.
type publicJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// publicParams returns the RFC 7518 public members of pub.
func publicParams(pub crypto.PublicKey) (publicJWK, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		p, err := k.Bytes() // 0x04 | X | Y, each 32 bytes for P-256
		if err != nil {
			return publicJWK{}, err
		}
		size := (len(p) - 1) / 2
		return publicJWK{Kty: "EC", Crv: k.Curve.Params().Name, X: b64(p[1 : 1+size]), Y: b64(p[1+size:])}, nil
	case ed25519.PublicKey:
		return publicJWK{Kty: "OKP", Crv: "Ed25519", X: b64(k)}, nil
	case *rsa.PublicKey:
		return publicJWK{Kty: "RSA", N: b64(k.N.Bytes()), E: b64(big.NewInt(int64(k.E)).Bytes())}, nil
	}
	return publicJWK{}, fmt.Errorf("key type %T not supported", pub)
}

// thumbprint is the RFC 7638 JWK thumbprint of pub: base64url(SHA-256) of
// the required members in lexicographic order, without whitespace. It is
// the kid, so every replica names a key the same way.
func thumbprint(pub crypto.PublicKey) (string, error) {
	p, err := publicParams(pub)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	// Written out by hand because RFC 7638 fixes member order and
	// encoding/json orders struct fields by declaration; base64url values
	// need no escaping.
	var canonical string
	switch p.Kty {
	case "EC":
		canonical = `{"crv":"` + p.Crv + `","kty":"EC","x":"` + p.X + `","y":"` + p.Y + `"}`
	case "OKP":
		canonical = `{"crv":"` + p.Crv + `","kty":"OKP","x":"` + p.X + `"}`
	default:
		canonical = `{"e":"` + p.E + `","kty":"RSA","n":"` + p.N + `"}`
	}
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// jwkMember renders pub as a JWKS member with kid, use "sig" and alg.
func jwkMember(pub crypto.PublicKey, kid, alg string) ([]byte, error) {
	p, err := publicParams(pub)
	if err != nil {
		return nil, err
	}
	p.Kid, p.Use, p.Alg = kid, "sig", alg
	return json.Marshal(p)
}
