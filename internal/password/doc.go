// Package password owns how Tessera stores and judges passwords: argon2id
// hashing in PHC strings (Hasher), the rehash-on-login signal when the
// parameters are raised, the concurrency limit that keeps a login storm from
// exhausting memory, the dummy hash that makes an unknown user cost as much
// as a known one, the password policy of SECURITY.md (Policy, IsCommon), and
// the verification of hashes other systems wrote, Django's first
// (VerifyForeign, IsForeign), so imported accounts keep their passwords
// until their first login replaces the hash with argon2id.
//
// It must never log, return in an error, or keep a password beyond the call
// that received it; never truncate, trim or case-fold a password; never
// compare secrets with anything but crypto/subtle; never hash outside the
// concurrency limit; and never trust a stored hash enough to let its
// parameters allocate memory before they are checked.
//
// Errors callers may test with errors.Is: ErrBusy (no slot before ctx
// ended; answer 503), ErrMalformedHash (a stored hash Verify or
// VerifyForeign cannot parse, or whose costs are beyond bounds),
// ErrInvalidParams (from Params.Validate), and from VerifyForeign
// ErrLegacyHash (md5, sha1, unsalted or crypt: the account must reset its
// password), ErrUnusable (Django's "!" password) and ErrUnknownFormat.
package password
