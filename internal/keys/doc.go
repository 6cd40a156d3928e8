// Package keys owns the signing-key ring: the keys dir (one PKCS#8 PEM per
// key, named after its UTC creation time, plus the refresh secret), the
// rotation schedule every replica derives from file names and the clock
// alone (next, active, retiring, retired), key ids (RFC 7638 thumbprints)
// and the rendered JWKS.
//
// Rules it keeps: a key is published for PublishDelay (at least one JWKS
// cache lifetime) before it signs, except the very first; it stays published
// for RetireAfter (access TTL + leeway + cache lifetime) after it stops;
// the JWKS carries public parameters only; files are written 0600 and
// atomically, and never replaced.
//
// It must never delete or rewrite a key file, write to the dir when nothing
// is missing (replicas may mount it read-only), hold a lock on the signing
// path, or hand out a private key except through SigningKey.
package keys
