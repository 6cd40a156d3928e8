// Package auth holds Tessera's use cases: register, log in, refresh, log out,
// list and revoke devices, read and update the current user. Each method
// takes ctx first, checks its input, applies the rules of SECURITY.md and
// returns domain values or an *Error with a stable code.
//
// It must never import Gin or touch HTTP: transport belongs to httpapi. It
// never writes SQL: persistence goes through store.Store.
package auth
