package jwtverify

import "github.com/golang-jwt/jwt/v5"

// TokenType is the JOSE "typ" header every Tessera access token carries
// (RFC 9068 section 2.1). Verify rejects any other value, so a refresh,
// reset or ID token can never pass for an access token.
const TokenType = "at+jwt"

// Claims are the claims of a Tessera access token. Tessera mints exactly this
// type, so issuer and verifier cannot drift apart.
//
// Registered claims: iss, sub (user id), aud, exp, nbf, iat, jti.
type Claims struct {
	jwt.RegisteredClaims
	// ClientID is the front-end application the session belongs to.
	ClientID string `json:"client_id"`
	// SessionID is the device session (sid); revocation is per session.
	SessionID string `json:"sid"`
	// Roles lists the user's roles, such as "admin"; absent when none.
	Roles []string `json:"roles,omitempty"`
	// Scope lists the OAuth scopes granted, space separated (RFC 9068
	// s2.2.3); present only on tokens of the OpenID code flow.
	Scope string `json:"scope,omitempty"`
	// AMR names the methods the user signed in with (RFC 8176), such as
	// ["pwd"] or ["pwd", "otp", "mfa"]; absent when not recorded. A
	// resource server wanting a second factor checks for "mfa".
	AMR []string `json:"amr,omitempty"`
}

// HasRole reports whether role is among c.Roles.
func (c *Claims) HasRole(role string) bool {
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}
