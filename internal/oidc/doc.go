// Package oidc owns the OAuth 2.0 and OpenID Connect rules that need no
// database and no HTTP framework: PKCE (RFC 7636), redirect URI matching
// (RFC 9700 s4.1.3, RFC 8252 s7.3), the parsing and validation of an
// authorization request (RFC 6749 s4.1.1, OpenID Connect Core s3.1.2.1),
// the redirect of an authorization response with iss (RFC 9207), client
// authentication at the token endpoint (RFC 6749 s2.3.1), the parameters of
// RP-initiated logout, and the provider metadata of the code flow.
//
// It works on url.Values, http.Header and a small Client value, so the
// endpoints stay thin: they look the client up, call one function here,
// and act on its typed result or error. An error is a *PageError (shown on
// Tessera's error page, never redirected: the client or redirect URI is not
// trusted) or a *RedirectError (sent to the client's validated redirect URI).
//
// It takes the names of client types, grants and scopes from the store's
// domain constants and nothing else from it: it must never call the store
// or import an HTTP framework, redirect to a URI
// that is not character for character a registered one (loopback ports
// aside), accept PKCE plain, put a response parameter in a fragment, or
// compare a verifier or secret other than in constant time.
package oidc
