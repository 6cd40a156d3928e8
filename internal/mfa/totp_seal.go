package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrUnsealable is returned by Open for a sealed value that was not sealed
// by this key for this owner, or was altered.
var ErrUnsealable = errors.New("sealed secret cannot be opened")

// sealInfo separates this key from every other key derived from the server
// secret.
const sealInfo = "tessera totp secret sealing v1"

// Sealer encrypts TOTP secrets at rest with AES-256-GCM under a key derived
// by HKDF-SHA256 from the server secret, so a database dump alone yields
// no secret. The owner's id is the additional data: a sealed secret copied
// to another user's row does not open.
type Sealer struct{ aead cipher.AEAD }

// NewSealer derives the sealing key from serverSecret.
func NewSealer(serverSecret []byte) (*Sealer, error) {
	if len(serverSecret) < 16 {
		return nil, errors.New("new sealer: server secret too short")
	}
	key, err := hkdf.Key(sha256.New, serverSecret, nil, sealInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new sealer: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts secret for owner: a random nonce followed by the
// ciphertext and tag.
func (s *Sealer) Seal(secret string, owner []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	return s.aead.Seal(nonce, nonce, []byte(secret), owner)
}

// Open decrypts what Seal made for owner.
func (s *Sealer) Open(sealed, owner []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", ErrUnsealable
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], owner)
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}
