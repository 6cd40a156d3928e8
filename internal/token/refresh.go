package token

import (
	"errors"

	"github.com/google/uuid"
)

// RefreshPrefix starts every refresh token, so leaked ones are recognisable.
const RefreshPrefix = "tsr_"

// ErrMalformedRefresh is returned for input that is not a refresh token.
var ErrMalformedRefresh = errors.New("malformed refresh token")

// NonceSize is the size of a session's refresh nonce.
const NonceSize = 32

// Refresh is a decoded refresh token.
type Refresh struct {
	SessionID  uuid.UUID
	Generation int64
	MAC        []byte
}

// Refresher derives and checks refresh tokens with the refresh secret.
type Refresher struct{}

// NewRefresher returns a Refresher for secret.
func NewRefresher(secret []byte) *Refresher { panic("unimplemented") }

// NewNonce returns NonceSize bytes from crypto/rand.
func NewNonce() ([]byte, error) { panic("unimplemented") }

// Token returns the refresh token of session sid at generation gen:
// "tsr_" + base64url(sid | gen | HMAC-SHA256(secret, sid | gen | nonce)).
func (r *Refresher) Token(sid uuid.UUID, gen int64, nonce []byte) string { panic("unimplemented") }

// Parse decodes raw without checking its MAC.
func Parse(raw string) (Refresh, error) { panic("unimplemented") }

// Check reports, in constant time, whether t's MAC is the one derived from
// the session's nonce.
func (r *Refresher) Check(t Refresh, nonce []byte) bool { panic("unimplemented") }
