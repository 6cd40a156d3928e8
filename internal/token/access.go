package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// DefaultAccessTTL is the lifetime of an access token whose Access.TTL is zero.
const DefaultAccessTTL = 15 * time.Minute

// ErrInvalidAccess is returned by Mint for an Access that would make a
// token every verifier rejects (a required claim empty, a negative TTL).
var ErrInvalidAccess = errors.New("invalid access token request")

// Access describes one access token to mint.
type Access struct {
	Subject   string // user id
	ClientID  string
	SessionID string
	Audience  []string
	Roles     []string
	// Scope are the OAuth scopes granted (the code flow); the scope claim,
	// space separated, omitted when empty.
	Scope []string
	// AMR names how the user signed in (RFC 8176: "pwd", "otp", "mfa",
	// ...); the amr claim, omitted when empty.
	AMR []string
	TTL time.Duration
}

func (a *Access) validate() error {
	switch {
	case a.Subject == "":
		return fmt.Errorf("mint: %w: no subject", ErrInvalidAccess)
	case a.ClientID == "":
		return fmt.Errorf("mint: %w: no client id", ErrInvalidAccess)
	case a.SessionID == "":
		return fmt.Errorf("mint: %w: no session id", ErrInvalidAccess)
	case len(a.Audience) == 0:
		return fmt.Errorf("mint: %w: no audience", ErrInvalidAccess)
	case a.TTL < 0:
		return fmt.Errorf("mint: %w: negative TTL", ErrInvalidAccess)
	}
	return nil
}

// Minter signs access tokens with the ring's active key. It asks the ring
// for the signing key on every call, so a rotation takes effect at once.
// It is safe for concurrent use.
type Minter struct {
	ring   *keys.Ring
	issuer string
	now    func() time.Time
	// header and idHeader cache the encoded JOSE headers (access token,
	// ID token) of the last signing key: they change only when the key
	// rotates.
	header   atomic.Pointer[header]
	idHeader atomic.Pointer[header]
}

type header struct {
	kid     string
	encoded string // base64url of {"alg","kid","typ"}, then "."
	method  jwt.SigningMethod
}

// NewMinter returns a Minter issuing as issuer. now may be nil (time.Now).
func NewMinter(ring *keys.Ring, issuer string, now func() time.Time) *Minter {
	if now == nil {
		now = time.Now
	}
	return &Minter{ring: ring, issuer: issuer, now: now}
}

// Mint signs an access token: header {alg, kid, typ: at+jwt}, claims iss,
// sub, aud, exp, iat, nbf, jti (random), client_id, sid, roles, scope, amr. An ES256
// signature is always low-s, the one spelling jwtverify accepts.
func (m *Minter) Mint(a Access) (raw string, claims *jwtverify.Claims, err error) {
	if err := a.validate(); err != nil {
		return "", nil, err
	}
	if a.TTL == 0 {
		a.TTL = DefaultAccessTTL
	}
	now := m.now().Truncate(time.Second)
	claims = &jwtverify.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    m.issuer,
			Subject:   a.Subject,
			Audience:  jwt.ClaimStrings(a.Audience),
			ExpiresAt: jwt.NewNumericDate(now.Add(a.TTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        newJTI(),
		},
		ClientID:  a.ClientID,
		SessionID: a.SessionID,
		Roles:     a.Roles,
		Scope:     strings.Join(a.Scope, " "),
		AMR:       a.AMR,
	}
	key, err := m.ring.SigningKey()
	if err != nil {
		return "", nil, fmt.Errorf("mint: %w", err)
	}
	raw, err = m.sign(key, jwtverify.TokenType, &m.header, claims)
	if err != nil {
		return "", nil, fmt.Errorf("mint: %w", err)
	}
	return raw, claims, nil
}

// sign encodes claims under the header {alg, kid, typ} of key (cached in
// slot) and signs them with key.
func (m *Minter) sign(key *keys.SigningKey, typ string, slot *atomic.Pointer[header], claims any) (string, error) {
	h, err := headerFor(key, typ, slot)
	if err != nil {
		return "", err
	}
	var (
		payload []byte
		written bool
	)
	if c, ok := claims.(*jwtverify.Claims); ok {
		payload, written = appendAccessClaims(make([]byte, 0, 512), c)
	}
	if !written {
		if payload, err = json.Marshal(claims); err != nil {
			return "", err
		}
	}
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(h.encoded)+enc.EncodedLen(len(payload))+1+enc.EncodedLen(512))
	buf = append(buf, h.encoded...)
	buf = enc.AppendEncode(buf, payload)
	sig, err := h.method.Sign(string(buf), key.Private)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// headerFor returns the header of key with typ cached in slot, building it
// when the signing key changed since the last call.
func headerFor(key *keys.SigningKey, typ string, slot *atomic.Pointer[header]) (*header, error) {
	if h := slot.Load(); h != nil && h.kid == key.ID {
		return h, nil
	}
	method := jwt.GetSigningMethod(key.Algorithm)
	if key.Algorithm == jwtverify.ES256 {
		// golang-jwt's ES256 gives a high s half of the time, a second
		// spelling of the token that jwtverify refuses.
		method = jwtverify.SigningMethodES256
	}
	if method == nil {
		return nil, fmt.Errorf("no signing method for %q", key.Algorithm)
	}
	js, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{key.Algorithm, key.ID, typ})
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	h := &header{kid: key.ID, encoded: base64.RawURLEncoding.EncodeToString(js) + ".", method: method}
	slot.Store(h)
	return h, nil
}

// newJTI returns 128 random bits, base64url: unique without coordination.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
