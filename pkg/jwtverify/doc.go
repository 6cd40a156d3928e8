// Package jwtverify verifies Tessera access tokens offline, for resource
// servers. Its API follows coreos/go-oidc's:
//
//	v, err := jwtverify.FromIssuer(ctx, "https://id.example.com",
//		jwtverify.WithAudience("api://orders"),
//		jwtverify.WithRevocationWatcher())
//	...
//	claims, err := v.Verify(ctx, rawAccessToken)
//
// It owns: the Claims type that Tessera mints, so issuer and verifiers
// cannot drift apart; the Verifier and its checks; the KeySet contract with
// a StaticKeySet and a RemoteKeySet (a cached, rate-limited JWKS client,
// built on ParseJWKS); FromIssuer (discovery); and the RevocationWatcher
// that follows Tessera's revocation feed so Verify can reject the tokens
// of a revoked device (ErrRevoked) before they expire.
//
// Its rules (SECURITY.md, "Tokens"): a fixed allow-list of asymmetric
// algorithms (ES256, EdDSA, RS256), each key verifying only its own
// algorithm; never "none" nor HMAC; typ must be at+jwt; iss exact; aud must
// contain ours; exp, iat, sub, jti, client_id and sid required; nbf and iat
// not in the future beyond the leeway (at most 60 s); the kid is only a map
// key; input over MaxTokenSize is refused before it is decoded; a token
// has one accepted spelling (SECURITY.md, "Requests and tokens, strictly"):
// strict base64url, header and payload valid UTF-8, exp, nbf and iat JSON
// numbers, ES256 signatures low-s (SigningMethodES256 signs so), every
// other spelling refused as ErrMalformed. Over the network: at most one
// JWKS fetch per refetch interval whatever the traffic; a failed fetch or
// poll keeps the last good keys or revocations; every response is
// size-bounded; the discovery issuer must equal the URL asked for, byte
// for byte; nothing is ever logged (LastError reports).
// Clocks and HTTP clients are injectable (WithClock, WithHTTPClient).
//
// Verify reads a token with golang-jwt's signing methods and claims
// Validator, in the order its parser checks a token, but not through the
// parser: it keeps the header of a token whose signature verified (at most
// 64), so the next token under that header skips its decoding, and reads
// the claims Tessera mints in one pass, with encoding/json for any others.
// Both decode exactly as golang-jwt does (FuzzClaimDecoders, FuzzVerify).
//
// It must never import Tessera's internal packages or Gin (the Gin
// middleware is the separate package ginjwt), never fetch anything a token
// names (jku, x5u, x5c, jwk headers), and never run without an issuer and
// an audience to check.
package jwtverify
