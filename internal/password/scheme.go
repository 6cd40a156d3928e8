package password

import (
	"fmt"
	"strings"
)

// Scheme names of Scheme and (*Hasher).Classify.
const (
	SchemeCurrent      = "argon2id"            // Tessera's own, current parameters
	SchemeOldParams    = "argon2id_old_params" // Tessera's own layout, other parameters
	SchemeUnusable     = "unusable"            // Django's "!" prefix
	SchemeUnknown      = "unknown"             // nothing VerifyForeign knows
	schemeUnsaltedMD5  = "unsalted_md5"
	schemeUnsaltedSHA1 = "unsalted_sha1"
)

// Scheme names the hasher that wrote a foreign hash from its layout alone,
// without computing or fully parsing anything, so that an import of a
// million rows can sort them cheaply: "pbkdf2_sha256", "pbkdf2_sha1",
// "argon2" (Django's argon2 prefix), "argon2i" (plain PHC), "bcrypt_sha256",
// "bcrypt" (Django's or plain $2?$), "scrypt", "md5", "sha1",
// "unsalted_md5", "unsalted_sha1" or "crypt". The error, when not nil, is
// the one VerifyForeign would give for the layout: ErrUnusable,
// ErrUnknownFormat, or ErrLegacyHash (for a legacy scheme when allowLegacy
// is false, and for crypt always). A hash Scheme names may still fail
// VerifyForeign's full syntax and cost checks at login.
func Scheme(encoded string, allowLegacy bool) (string, error) {
	if strings.HasPrefix(encoded, "!") {
		return SchemeUnusable, ErrUnusable
	}
	if len(encoded) > maxForeignLen {
		return SchemeUnknown, fmt.Errorf("%w: too long", ErrUnknownFormat)
	}
	algo, rest, found := strings.Cut(encoded, "$")
	var name string
	legacy := false
	switch {
	case !found && isHex(encoded, 32):
		name, legacy = schemeUnsaltedMD5, true
	case algo == "pbkdf2_sha256" || algo == "pbkdf2_sha1" || algo == "bcrypt_sha256" ||
		algo == "scrypt":
		name = algo
	case algo == "argon2" && (strings.HasPrefix(rest, "argon2id$") || strings.HasPrefix(rest, "argon2i$")):
		name = algo
	case algo == "" && strings.HasPrefix(rest, "argon2id$"):
		name = "argon2id"
	case algo == "" && strings.HasPrefix(rest, "argon2i$"):
		name = "argon2i"
	case algo == "bcrypt" || (algo == "" && isBcryptPrefix(encoded)):
		name = "bcrypt"
	case (algo == "md5" || algo == "sha1") && strings.HasPrefix(rest, "$"):
		name, legacy = "unsalted_"+algo, true
	case algo == "md5" || algo == "sha1":
		name, legacy = algo, true
	case algo == "crypt":
		return algo, fmt.Errorf("%w: crypt is not supported", ErrLegacyHash)
	default:
		return SchemeUnknown, ErrUnknownFormat
	}
	if legacy && !allowLegacy {
		return name, fmt.Errorf("%w: %s", ErrLegacyHash, name)
	}
	return name, nil
}

// IsLegacyScheme reports whether a name Scheme gives is one of the weak
// digests refused unless legacy hashes are allowed.
func IsLegacyScheme(name string) bool {
	switch name {
	case "md5", "sha1", schemeUnsaltedMD5, schemeUnsaltedSHA1, "crypt":
		return true
	}
	return false
}

// Classify names the scheme of any stored hash for statistics: SchemeCurrent
// for Tessera's argon2id with h's parameters, SchemeOldParams for Tessera's
// layout with other parameters (rehashed on the next login), SchemeUnusable,
// SchemeUnknown, or the foreign scheme Scheme names (legacy ones included).
func (h *Hasher) Classify(encoded string) string {
	if !IsForeign(encoded) {
		p, _, _, err := decode(encoded)
		switch {
		case err != nil:
			return SchemeUnknown
		case p == h.params:
			return SchemeCurrent
		default:
			return SchemeOldParams
		}
	}
	name, _ := Scheme(encoded, true)
	return name
}
