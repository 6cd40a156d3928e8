// Package ginjwt protects Gin routes with Tessera access tokens, verified
// offline by a jwtverify.Verifier. It owns the HTTP side only: reading the
// bearer token (Authorization header, or a cookie when asked), the RFC 6750
// answers (401 with a WWW-Authenticate challenge, 403 insufficient_scope),
// handing the verified claims to handlers (ClaimsFrom), and the CSRF
// double submit for routes that take the token from a cookie (CSRF).
//
// Its rules: a request without a token gets a challenge without error=
// (RFC 6750 s3.1); a token that fails verification gets
// error="invalid_token" and a fixed description that never echoes the
// token, its kid or the underlying error; answers carry Cache-Control:
// no-store; a route guarded by RequireRole without Middleware before it is
// refused, never opened.
//
// It must never verify tokens itself (that is jwtverify's job), import
// Tessera's internal packages, or log credentials.
package ginjwt
