// Package web serves Tessera's hosted pages: sign in, sign up, forgotten
// and reset password, e-mail verification, the signed-in page and the
// error page. Templates, the stylesheet and the English messages are
// embedded and parsed once at start; each view is a typed struct.
//
// Pages follow the API's one-way flow: a handler binds the form, calls one
// use case of internal/auth and renders the answer, so the brute-force
// limits, verification modes and password rules are exactly the API's. A
// page never holds a rule of its own, never changes state on GET, never
// accepts a POST without its form token, and never redirects anywhere but
// to a path on Tessera itself.
//
// It must never import internal/httpapi: the router mounts it through a
// hook, and it reads what it needs (the request id) from the response
// headers the router's middleware has set.
package web
