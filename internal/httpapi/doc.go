// Package httpapi is Tessera's HTTP transport: the Gin router, one file per
// resource, the authenticator chain, cookie delivery and CSRF, and the one
// function that writes every error (writeError).
//
// Handlers do three things: bind and validate the request, call one auth
// method, write the response. They never touch SQL or sign tokens, and they
// never log headers, cookies or bodies.
package httpapi
