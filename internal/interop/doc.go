// Package interop holds end-to-end tests of Tessera's tokens as resource
// servers see them: pkg/jwtverify (remote key set, revocation watcher,
// ginjwt) against a real Tessera started by servertest, key rotation driven
// by a fake clock, and other libraries (golang-jwt and coreos/go-oidc)
// verifying the same tokens.
//
// It exists because pkg/ must never import internal/: tests needing both a
// real server and the public library live here. It has no code of its own
// and must never be imported.
package interop
