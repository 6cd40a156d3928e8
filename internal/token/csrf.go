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
func (r *Refresher) CSRF(sid uuid.UUID) string { return r.labelled(csrfLabel, sid[:]) }

// labelled is base64url(HMAC-SHA256(refresh secret, label | data)): each
// derivation has its own label, so no value of one passes for another.
func (r *Refresher) labelled(label string, data []byte) string {
	h := r.macs.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(label))
	h.Write(data)
	var sum [macSize]byte
	mac := h.Sum(sum[:0])
	r.macs.Put(h)
	return base64.RawURLEncoding.EncodeToString(mac)
}

// formLabel separates the hosted pages' form tokens from the session CSRF
// values and refresh MACs under the same secret.
const formLabel = "tessera form\x00"

// FormToken returns the CSRF token of the hosted pages' forms for a
// browser whose pre-session cookie holds cookie:
// base64url(HMAC-SHA256(refresh secret, "tessera form\x00" | cookie)).
// A login-CSRF attacker can neither read the victim's cookie nor set a
// __Host- cookie from another site, so cannot make a token that matches.
// Compare it with hmac.Equal, never ==.
func (r *Refresher) FormToken(cookie string) string { return r.labelled(formLabel, []byte(cookie)) }

// signedInFormLabel separates the form tokens of signed-in pages from the
// pre-session form tokens, session CSRF values and refresh MACs under the
// same secret.
const signedInFormLabel = "tessera signed-in form\x00"

// SignedInFormToken returns the CSRF token of the forms on the pages of a
// signed-in browser (the account page, the console) whose browser sign-in
// is session sid:
// base64url(HMAC-SHA256(refresh secret, "tessera signed-in form\x00" | sid)).
// It is bound to that sign-in, so a token seen by one person, or left over
// from a sign-in that has ended, never passes for another. Compare it with
// hmac.Equal, never ==.
func (r *Refresher) SignedInFormToken(sid uuid.UUID) string {
	return r.labelled(signedInFormLabel, sid[:])
}
