// Package jwtverify verifies Tessera access tokens offline, for resource
// servers. It owns the Claims type that Tessera mints, so issuer and
// verifiers cannot drift apart, the KeySet contract, and the JWKS parser a
// remote key set builds on.
//
// Its rules (SECURITY.md, "Tokens"): a fixed allow-list of asymmetric
// algorithms (ES256, EdDSA, RS256), each key verifying only its own
// algorithm; never "none" nor HMAC; typ must be at+jwt; iss exact; aud must
// contain ours; exp, iat, sub, jti, client_id and sid required; nbf and iat
// not in the future beyond the leeway (at most 60 s); the kid is only a map
// key; input over MaxTokenSize is refused before it is decoded.
//
// It must never import Tessera's internal packages or Gin, never fetch
// anything a token names (jku, x5u, jwk headers), and never run without an
// issuer and an audience to check.
package jwtverify
