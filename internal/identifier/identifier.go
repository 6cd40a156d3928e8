package identifier

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ErrInvalid is wrapped by every error NormalizeEmail and NormalizeUsername
// return. The error's own text is a sentence about the value, meant to be
// shown next to the field ("must be a valid e-mail address").
var ErrInvalid = errors.New("invalid identifier")

// invalidError carries the human reason; errors.Is(err, ErrInvalid) holds.
type invalidError struct{ reason string }

func (e *invalidError) Error() string { return e.reason }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalid(reason string) error { return &invalidError{reason: reason} }

const (
	// maxInputBytes bounds the work done before the real length checks:
	// NFKC can expand a code point up to 18 times, so huge input is refused
	// first. It is far above anything a valid identifier can occupy even
	// when typed in decomposed or fullwidth form.
	maxInputBytes = 4096

	maxUsernameRunes = 150 // Django's AbstractUser.username
)

// Reasons shared by both kinds of identifier.
const (
	reasonEmpty     = "must not be empty"
	reasonUTF8      = "must be valid UTF-8 text"
	reasonControl   = "must not contain control characters"
	reasonInvisible = "must not contain invisible characters"
	reasonUnstable  = "must not contain characters that cannot be compared reliably"
	reasonUserLong  = "must be at most 150 characters"
	reasonUserChars = "must contain only letters, digits and the characters . @ + - _"
)

// NormalizeEmail trims, NFKC-normalises and case-folds an e-mail address and
// checks its shape. It returns a human reason when the address is refused.
//
// The rule: white space (unicode.IsSpace) is trimmed from both ends; control
// and invisible characters (format characters such as U+200B..U+200D,
// U+2060 and U+FEFF, other default-ignorable ones such as U+3164, variation
// selectors) are refused anywhere; the rest is NFKC-normalised and fully
// case-folded (so ß and ẞ become ss). The result must have exactly one '@',
// a local part of 1..64 bytes without white space or any of "(),:;<>[\],
// and a domain of at least two dot-separated labels of letters, digits,
// combining marks and inner hyphens (at most 63 characters each, 253 bytes
// in all, top-level label not all digits); at most 254 bytes in all.
// The result is a uniqueness and look-up key: store what the user typed for
// display and sending.
func NormalizeEmail(s string) (string, error) {
	out, err := normalize(s, reasonEmailLong)
	if err != nil {
		return "", err
	}
	if err := checkEmail(out); err != nil {
		return "", err
	}
	return out, nil
}

// NormalizeUsername does the same for usernames.
//
// The rule: trimming, refusal of control and invisible characters, NFKC and
// full case folding as for NormalizeEmail, so "Admin", "ＡＤＭＩＮ" and "admin"
// are all "admin". The result must be 1..150 code points of Unicode letters,
// decimal digits and . @ + - _ (Django's username rule), where a combining
// mark is also accepted right after a letter, digit or mark (Turkish "İ"
// folds to "i" + U+0307, and Indic scripts write vowels as marks).
func NormalizeUsername(s string) (string, error) {
	out, err := normalize(s, reasonUserLong)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(out) > maxUsernameRunes {
		return "", invalid(reasonUserLong)
	}
	prev := rune(-1)
	for _, r := range out {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), strings.ContainsRune(".@+-_", r):
		case isMark(r) && canCarryMark(prev):
		default:
			return "", invalid(reasonUserChars)
		}
		prev = r
	}
	return out, nil
}

// normalize trims s, refuses control and invisible characters, and returns
// its NFKC case fold. It refuses a value whose fold is not a fixed point, so
// normalising a result again always gives the same result.
func normalize(s, reasonTooLong string) (string, error) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" {
		return "", invalid(reasonEmpty)
	}
	if len(s) > maxInputBytes {
		return "", invalid(reasonTooLong)
	}
	if err := checkVisible(s); err != nil {
		return "", err
	}
	out := fold(s)
	if err := checkVisible(out); err != nil {
		return "", err
	}
	if fold(out) != out {
		return "", invalid(reasonUnstable)
	}
	return out, nil
}

// checkVisible refuses invalid UTF-8, control characters and invisible
// characters anywhere in s.
func checkVisible(s string) error {
	if !utf8.ValidString(s) {
		return invalid(reasonUTF8)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return invalid(reasonControl)
		case isInvisible(r):
			return invalid(reasonInvisible)
		}
	}
	return nil
}

// isInvisible reports format characters (Cf: zero-width space and joiners,
// word joiner, BOM, bidi controls, soft hyphen...) and the other
// default-ignorable code points (Hangul fillers, combining grapheme joiner,
// variation selectors), all of which render as nothing.
func isInvisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// isMark reports non-spacing and spacing combining marks (not enclosing
// ones such as U+20DD, which draw a frame around the previous character).
func isMark(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Mc) }

// canCarryMark reports whether a combining mark may follow prev: a letter,
// a digit or another mark, never the start or punctuation.
func canCarryMark(prev rune) bool {
	return unicode.IsLetter(prev) || unicode.IsDigit(prev) || isMark(prev)
}

// fold is NFKC, then full case folding, then NFKC again (folding can undo
// normalisation, e.g. U+0345 becomes ι), with the Cherokee repair below.
func fold(s string) string {
	s = norm.NFKC.String(s)
	// A Caser is stateful: one per call, never shared between goroutines.
	s = cases.Fold().String(s)
	s = strings.Map(foldCherokee, s)
	return norm.NFKC.String(s)
}

// foldCherokee finishes case folding for Cherokee, which folds to upper
// case (CaseFolding.txt: AB70..ABBF -> 13A0..13EF, 13F8..13FD -> 13F0..13F5).
// x/text/cases.Fold swaps the two cases instead (golang/go#46101), so "Ꭰ"
// and "ꭰ" would neither collide nor be stable; this hand-written step is the
// fix until x/text is, and is harmless afterwards.
func foldCherokee(r rune) rune {
	switch {
	case r >= 0xAB70 && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case r >= 0x13F8 && r <= 0x13FD:
		return r - 0x13F8 + 0x13F0
	}
	return r
}
