package identifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths in bytes of the normalised form (RFC 5321 s4.5.3.1, RFC 3696
// errata), except labels, which are counted in code points because the
// DNS limit of 63 applies to the A-label this package does not compute.
const (
	maxEmailBytes  = 254
	maxLocalBytes  = 64
	maxDomainBytes = 253
	maxLabelRunes  = 63
)

const (
	reasonEmail      = "must be a valid e-mail address"
	reasonEmailLong  = "must be at most 254 characters"
	reasonLocalLong  = "must have at most 64 characters before the @"
	localPartSpecial = `"(),:;<>[\]`
)

// checkEmail checks the shape of a normalised address. It is a sanity check
// for a uniqueness key, not RFC 5322 parsing: quoted local parts, comments
// and address literals are refused, internationalised addresses accepted.
func checkEmail(s string) error {
	if len(s) > maxEmailBytes {
		return invalid(reasonEmailLong)
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return invalid(reasonEmail)
	}
	if len(local) > maxLocalBytes {
		return invalid(reasonLocalLong)
	}
	for _, r := range local {
		if unicode.IsSpace(r) || !unicode.IsGraphic(r) || strings.ContainsRune(localPartSpecial, r) {
			return invalid(reasonEmail)
		}
	}
	if !validDomain(domain) {
		return invalid(reasonEmail)
	}
	return nil
}

// validDomain accepts two or more dot-separated labels of letters, digits
// and hyphens (not first or last in a label) plus combining marks after a
// letter, digit or mark, for internationalised names; the last label must not be
// all digits, so IPv4 addresses are refused.
func validDomain(d string) bool {
	if d == "" || len(d) > maxDomainBytes {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return strings.ContainsFunc(tld, func(r rune) bool { return !unicode.IsDigit(r) })
}

func validLabel(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > maxLabelRunes {
		return false
	}
	if strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
		return false
	}
	prev := rune(-1)
	for _, r := range l {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-':
		case isMark(r) && canCarryMark(prev):
		default:
			return false
		}
		prev = r
	}
	return true
}
