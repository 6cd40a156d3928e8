// Package webauthntest is a software authenticator for tests: it answers
// WebAuthn options the way a browser with a platform authenticator does
// (credential.toJSON() of create() and get()), signing with ES256 keys it
// holds, so ceremonies can be tested end to end without a browser.
//
// It is written by hand because go-webauthn ships no authenticator; it
// implements only what Tessera's ceremonies use ("none" attestation,
// ES256, discoverable credentials) and must never be used outside tests.
package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Authenticator holds credentials and answers ceremonies for Origin. UV
// sets the user-verified flag of its answers; BackupEligible marks the
// credentials it creates as synced ones.
type Authenticator struct {
	Origin         string
	UV             bool
	BackupEligible bool

	mu    sync.Mutex
	creds []*Credential
}

// Credential is one key the authenticator holds.
type Credential struct {
	ID     []byte
	RPID   string
	Handle []byte
	Key    *ecdsa.PrivateKey
	Count  uint32
}

// New returns an authenticator that claims to run in a page of origin,
// verifying its user.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin, UV: true} }

var b64 = base64.RawURLEncoding

type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

// Create answers {"publicKey": creation options} with a new credential,
// as credential.toJSON() gives it.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("creation options: %w", err)
	}
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &Credential{ID: make([]byte, 32), RPID: o.PublicKey.RP.ID, Handle: handle, Key: key, Count: 1}
	_, _ = rand.Read(c.ID)
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, XCoord: pad32(key.X), YCoord: pad32(key.Y),
	})
	if err != nil {
		return nil, err
	}
	auth := a.authData(c, 0x40) // AT: attested credential data follows
	auth = append(auth, make([]byte, 16)...)
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(c.ID)))
	auth = append(append(auth, c.ID...), cose...)
	att, err := webauthncbor.Marshal(struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}{"none", map[string]any{}, auth})
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.creds = append(a.creds, c)
	a.mu.Unlock()
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att), "transports": []string{"internal"},
		},
	})
}

// Get answers {"publicKey": request options} with an assertion of the
// first credential it holds for the relying party that the options allow
// (any of them when they list none), incrementing its counter.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("request options: %w", err)
	}
	allowed := map[string]bool{}
	for _, c := range o.PublicKey.AllowCredentials {
		allowed[c.ID] = true
	}
	a.mu.Lock()
	var c *Credential
	for _, k := range a.creds {
		if k.RPID == o.PublicKey.RPID && (len(allowed) == 0 || allowed[b64.EncodeToString(k.ID)]) {
			c = k
			break
		}
	}
	if c != nil {
		c.Count++
	}
	a.mu.Unlock()
	if c == nil {
		return nil, errors.New("no credential for these options")
	}
	return a.Assert(c, o.PublicKey.Challenge)
}

// Assert signs challenge with c at its current counter.
func (a *Authenticator) Assert(c *Credential, challenge string) ([]byte, error) {
	auth := a.authData(c, 0)
	client := a.clientData("webauthn.get", challenge)
	sum := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, auth...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(client), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(c.Handle),
		},
	})
}

// Credentials lists the credentials the authenticator holds.
func (a *Authenticator) Credentials() []*Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*Credential(nil), a.creds...)
}

// authData is rpIdHash | flags | counter, with UP always, UV and BE as
// configured, plus extra flags.
func (a *Authenticator) authData(c *Credential, extra byte) []byte {
	rp := sha256.Sum256([]byte(c.RPID))
	flags := byte(0x01) | extra
	if a.UV {
		flags |= 0x04
	}
	if a.BackupEligible {
		flags |= 0x08 | 0x10
	}
	out := append([]byte{}, rp[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, c.Count)
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

func pad32(n *big.Int) []byte {
	b := make([]byte, 32)
	return n.FillBytes(b)
}
