// Package identifier owns the normalised forms of e-mail addresses and
// usernames that Tessera uses as uniqueness and look-up keys, so that
// "Admin", "ＡＤＭＩＮ" and "admin" collide, and the refusal of identifiers
// that hide characters (zero-width, format, control).
//
// It must never be applied to passwords (package password keeps them byte
// for byte), never replace what the user typed for display or for sending
// mail (the store keeps both forms), never consult the store or tell whether
// an identifier is taken, and never put the refused input into an error:
// every error's text is a fixed sentence fit to show the user, and wraps
// ErrInvalid.
package identifier
