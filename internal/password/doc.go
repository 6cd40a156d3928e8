// Package password owns how Tessera stores and judges passwords: argon2id
// hashing in PHC strings (Hasher), the rehash-on-login signal when the
// parameters are raised, the concurrency limit that keeps a login storm from
// exhausting memory, the dummy hash that makes an unknown user cost as much
// as a known one, and the password policy of SECURITY.md (Policy, IsCommon).
//
// It must never log, return in an error, or keep a password beyond the call
// that received it; never truncate, trim or case-fold a password; never
// compare secrets with anything but crypto/subtle; never hash outside the
// concurrency limit; and never trust a stored hash enough to let its
// parameters allocate memory before they are checked.
//
// Errors callers may test with errors.Is: ErrBusy (no slot before ctx
// ended; answer 503), ErrMalformedHash (a stored hash Verify cannot parse),
// ErrInvalidParams (from Params.Validate).
package password
