// Package token mints Tessera's access and ID tokens and derives and checks
// its refresh tokens and the CSRF value of a cookie session.
//
// Access tokens are JWS signed with the keys ring's active key, header
// {alg, kid, typ: at+jwt}, carrying exactly the jwtverify.Claims type that
// resource servers decode. ID tokens (OpenID Connect Core s2) are signed
// with the same key under header typ JWT, never at+jwt, so that no
// verifier of access tokens accepts one; their at_hash binds them to the
// access token issued with them. Refresh tokens are "tsr_" + base64url(session id
// | generation | MAC), the MAC being HMAC-SHA256 over the session id, the
// generation and the session's nonce under the refresh secret: the database
// keeps the generation and nonce, never the token. The CSRF value is
// HMAC-SHA256 over a fixed label and the session id under the same secret.
//
// It must never store or log a token, compare MACs other than in constant
// time, cache a signing key across calls (keys rotate), or mint a token
// missing a claim the verifier requires.
package token
