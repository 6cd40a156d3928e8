package token

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// IDTokenType is the JOSE "typ" header of an ID token. It is never at+jwt,
// so jwtverify, which accepts only at+jwt, refuses an ID token presented
// as an access token (RFC 9068 s2.1, RFC 8725 s3.11).
const IDTokenType = "JWT"

// DefaultIDTTL is the lifetime of an ID token whose ID.TTL is zero. A
// relying party reads the ID token once, at the token endpoint; it may
// still send an expired one back as a logout hint.
const DefaultIDTTL = 15 * time.Minute

// ErrInvalidID is returned by MintID for an ID that would make an ID token
// missing a claim OpenID Connect Core s2 requires or Tessera promises.
var ErrInvalidID = errors.New("invalid ID token request")

// ScopeEmail is the OpenID scope that adds email and email_verified to the
// ID token (OpenID Connect Core s5.4).
const ScopeEmail = "email"

// ScopeProfile is the OpenID scope that adds the profile claims Tessera
// knows (given_name, family_name, preferred_username) when they are set
// (OpenID Connect Core s5.4).
const ScopeProfile = "profile"

// ID describes one ID token to mint (OpenID Connect Core s2).
type ID struct {
	Subject   string    // user id
	ClientID  string    // the relying party: the aud of the token
	SessionID string    // sid: the session the code flow created
	AuthTime  time.Time // when the user last signed in (auth_time)
	Nonce     string    // the authorization request's nonce; omitted when empty
	AMR       []string  // how the user signed in (RFC 8176), such as "pwd"
	// AccessToken is the access token issued with this ID token: its hash
	// is the at_hash claim (OpenID Connect Core s3.1.3.6).
	AccessToken string
	// Scopes are the granted scopes: "email" adds Email and EmailVerified.
	Scopes        []string
	Email         string
	EmailVerified bool
	// GivenName, FamilyName and PreferredUsername go with the "profile"
	// scope; each is left out when empty.
	GivenName         string
	FamilyName        string
	PreferredUsername string
	TTL               time.Duration
}

func (id *ID) validate() error {
	switch {
	case id.Subject == "":
		return fmt.Errorf("mint id: %w: no subject", ErrInvalidID)
	case id.ClientID == "":
		return fmt.Errorf("mint id: %w: no client id", ErrInvalidID)
	case id.SessionID == "":
		return fmt.Errorf("mint id: %w: no session id", ErrInvalidID)
	case id.AuthTime.IsZero():
		return fmt.Errorf("mint id: %w: no auth time", ErrInvalidID)
	case len(id.AMR) == 0:
		return fmt.Errorf("mint id: %w: no authentication method", ErrInvalidID)
	case id.AccessToken == "":
		return fmt.Errorf("mint id: %w: no access token for at_hash", ErrInvalidID)
	case id.TTL < 0:
		return fmt.Errorf("mint id: %w: negative TTL", ErrInvalidID)
	case slices.Contains(id.Scopes, ScopeEmail) && id.Email == "":
		return fmt.Errorf("mint id: %w: email scope without an address", ErrInvalidID)
	}
	return nil
}

// IDClaims are the claims of a Tessera ID token. aud is the one client id,
// a JSON string (OpenID Connect Core s2 allows a string or an array).
type IDClaims struct {
	Issuer          string           `json:"iss"`
	Subject         string           `json:"sub"`
	Audience        string           `json:"aud"`
	ExpiresAt       *jwt.NumericDate `json:"exp"`
	IssuedAt        *jwt.NumericDate `json:"iat"`
	AuthTime        *jwt.NumericDate `json:"auth_time"`
	Nonce           string           `json:"nonce,omitempty"`
	SessionID       string           `json:"sid"`
	AMR             []string         `json:"amr"`
	AccessTokenHash string           `json:"at_hash"`
	Email           string           `json:"email,omitempty"`
	EmailVerified   *bool            `json:"email_verified,omitempty"`
	GivenName       string           `json:"given_name,omitempty"`
	FamilyName      string           `json:"family_name,omitempty"`
	// PreferredUsername is the username; never an identifier to key on.
	PreferredUsername string `json:"preferred_username,omitempty"`
}

// MintID signs an ID token (OpenID Connect Core s2, s3.1.3.6) with the
// ring's active key: header {alg, kid, typ: JWT}, claims iss, sub, aud (the
// client id), exp, iat, auth_time, nonce (when given), sid, amr, at_hash,
// email and email_verified when the email scope is granted, given_name,
// family_name and preferred_username (those set) with profile (s5.4). An
// ES256 signature is low-s, like an access token's.
func (m *Minter) MintID(id ID) (raw string, claims *IDClaims, err error) {
	if err := id.validate(); err != nil {
		return "", nil, err
	}
	if id.TTL == 0 {
		id.TTL = DefaultIDTTL
	}
	key, err := m.ring.SigningKey()
	if err != nil {
		return "", nil, fmt.Errorf("mint id: %w", err)
	}
	atHash, err := AccessTokenHash(key.Algorithm, id.AccessToken)
	if err != nil {
		return "", nil, fmt.Errorf("mint id: %w", err)
	}
	now := m.now().Truncate(time.Second)
	claims = &IDClaims{
		Issuer:          m.issuer,
		Subject:         id.Subject,
		Audience:        id.ClientID,
		ExpiresAt:       jwt.NewNumericDate(now.Add(id.TTL)),
		IssuedAt:        jwt.NewNumericDate(now),
		AuthTime:        jwt.NewNumericDate(id.AuthTime.Truncate(time.Second)),
		Nonce:           id.Nonce,
		SessionID:       id.SessionID,
		AMR:             id.AMR,
		AccessTokenHash: atHash,
	}
	if slices.Contains(id.Scopes, ScopeEmail) {
		verified := id.EmailVerified
		claims.Email, claims.EmailVerified = id.Email, &verified
	}
	if slices.Contains(id.Scopes, ScopeProfile) {
		claims.GivenName, claims.FamilyName = id.GivenName, id.FamilyName
		claims.PreferredUsername = id.PreferredUsername
	}
	raw, err = m.sign(key, IDTokenType, &m.idHeader, claims)
	if err != nil {
		return "", nil, fmt.Errorf("mint id: %w", err)
	}
	return raw, claims, nil
}

// AccessTokenHash is the at_hash of accessToken for an ID token signed with
// alg (OpenID Connect Core s3.1.3.6): base64url of the left half of the
// hash of its ASCII octets, the hash being the one of alg's JWS algorithm:
// SHA-256 for ES256 and RS256. EdDSA names no hash of its own and no
// published text settles it; for Ed25519 Tessera uses SHA-512, the hash
// inside Ed25519 (RFC 8032 s5.1), which is the OpenID Connect working
// group's answer (openid/connect issue 1125) and what coreos/go-oidc and
// zitadel/oidc compute. A relying party whose library knows no hash for
// EdDSA cannot check at_hash: such a deployment should sign with ES256.
func AccessTokenHash(alg, accessToken string) (string, error) {
	var h hash.Hash
	switch alg {
	case jwtverify.ES256, jwtverify.RS256:
		h = sha256.New()
	case jwtverify.EdDSA:
		h = sha512.New()
	default:
		return "", fmt.Errorf("at_hash: no hash for %q", alg)
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}
