package token

import (
	"encoding/base64"
	"hash"

	"github.com/google/uuid"
)

// csrfLabel separates the CSRF derivation from the refresh MAC under the
// same secret: a refresh MAC's input starts with a session id, never with
// this text.
const csrfLabel = "tessera csrf\x00"

// CSRF returns the double-submit value of session sid:
// base64url(HMAC-SHA256(refresh secret, "tessera csrf\x00" | sid)). It is
// bound to the session, so a csrf cookie planted by a sibling subdomain for
// another session does not pass, and it is re-derived rather than stored.
// Compare it with hmac.Equal, never ==.
func (r *Refresher) CSRF(sid uuid.UUID) string {
	h := r.macs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(csrfLabel))
	h.Write(sid[:])
	var sum [macSize]byte
	mac := h.Sum(sum[:0])
	r.macs.Put(h)
	return base64.RawURLEncoding.EncodeToString(mac)
}
