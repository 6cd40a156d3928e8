package jwtverify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// jwk holds the members of a JSON Web Key that ParseJWKS reads. Members
// such as x5u, x5c and jku are deliberately absent: they are never used.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// ParseJWKS reads a JWK Set (RFC 7517) into verification keys: EC P-256
// keys verify ES256, OKP Ed25519 keys EdDSA and RSA keys of at least
// MinRSABits RS256. Keys meant for another use than "sig", of another key
// type or curve, or whose "alg" names another algorithm are skipped. A usable
// key without a kid, with bad parameters or with a duplicate kid makes the
// whole set an error: a caller should keep its last good keys rather than
// guess. Certificate URLs (x5u) and chains are never acted on.
func ParseJWKS(data []byte) ([]Key, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("jwtverify: parse jwks: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New("jwtverify: parse jwks: no \"keys\" member")
	}
	keys := make([]Key, 0, len(doc.Keys))
	seen := make(map[string]bool, len(doc.Keys))
	for i, j := range doc.Keys {
		alg := j.algorithm()
		if alg == "" || (j.Use != "" && j.Use != "sig") || (j.Alg != "" && j.Alg != alg) {
			continue
		}
		if j.Kid == "" {
			return nil, fmt.Errorf("jwtverify: parse jwks: key %d (%s) has no kid", i, alg)
		}
		if seen[j.Kid] {
			return nil, fmt.Errorf("jwtverify: parse jwks: duplicate kid %.64q", j.Kid)
		}
		seen[j.Kid] = true
		k := Key{ID: j.Kid, Algorithm: alg}
		var err error
		if k.Public, err = j.public(alg); err == nil {
			err = k.check()
		}
		if err != nil {
			return nil, fmt.Errorf("jwtverify: parse jwks: key %.64q: %w", j.Kid, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// algorithm is the one algorithm this key type and curve may verify, or ""
// when Tessera verifies nothing with it.
func (j *jwk) algorithm() string {
	switch {
	case j.Kty == "EC" && j.Crv == "P-256":
		return ES256
	case j.Kty == "OKP" && j.Crv == "Ed25519":
		return EdDSA
	case j.Kty == "RSA":
		return RS256
	}
	return ""
}

func (j *jwk) public(alg string) (any, error) {
	switch alg {
	case ES256:
		x, errX := decodeFixed(j.X, 32)
		y, errY := decodeFixed(j.Y, 32)
		if err := errors.Join(errX, errY); err != nil {
			return nil, err
		}
		point := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	case EdDSA:
		x, err := decodeFixed(j.X, ed25519.PublicKeySize)
		if err != nil {
			return nil, err
		}
		return ed25519.PublicKey(x), nil
	default:
		return rsaPublic(j.N, j.E)
	}
}

func rsaPublic(n64, e64 string) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(n64)
	if err != nil || len(n) == 0 {
		return nil, errors.New("bad RSA modulus")
	}
	e, err := base64.RawURLEncoding.DecodeString(e64)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("bad RSA exponent")
	}
	exp := new(big.Int).SetBytes(e).Int64()
	if exp < 3 || exp%2 == 0 || exp > 1<<31-1 {
		return nil, errors.New("bad RSA exponent")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp)}, nil
}

func decodeFixed(s string, size int) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != size {
		return nil, fmt.Errorf("coordinate is not %d base64url bytes", size)
	}
	return b, nil
}
