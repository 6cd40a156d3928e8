package token

import (
	"time"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// Access describes one access token to mint.
type Access struct {
	Subject   string // user id
	ClientID  string
	SessionID string
	Audience  []string
	Roles     []string
	TTL       time.Duration
}

// Minter signs access tokens with the ring's active key.
type Minter struct{}

// NewMinter returns a Minter issuing as issuer. now may be nil (time.Now).
func NewMinter(ring *keys.Ring, issuer string, now func() time.Time) *Minter {
	panic("unimplemented")
}

// Mint signs an access token: header {alg, kid, typ: at+jwt}, claims iss,
// sub, aud, exp, iat, nbf, jti (random), client_id, sid, roles.
func (m *Minter) Mint(a Access) (raw string, claims *jwtverify.Claims, err error) {
	panic("unimplemented")
}
