package jwtverify

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Decoding a token's claims with encoding/json's reflection costs more
// than anything in Verify but the signature. The decoders here read the
// claims Tessera mints in one pass over the payload, and hand anything
// else to encoding/json or golang-jwt, so that every payload decodes to
// what they would give (FuzzClaimDecoders compares them). Each is given
// one JSON value that encoding/json has already checked.

// UnmarshalJSON decodes the claims in one pass when every key is one of
// Claims' own, spelled exactly and once, and every value has the plain
// form Tessera writes (strings without escapes, numeric dates, non-empty
// arrays of such strings). Otherwise encoding/json decodes them all again
// over whatever the first pass set, so the result is the same either way.
func (p *payload) UnmarshalJSON(b []byte) error {
	if p.decodePlain(b) {
		return nil
	}
	type fields payload // payload's fields without this method
	return json.Unmarshal(b, (*fields)(p))
}

// The claims decodePlain knows, as bits to spot a repeated key.
const (
	claimIss = 1 << iota
	claimSub
	claimAud
	claimExp
	claimNbf
	claimIat
	claimJti
	claimClientID
	claimSid
	claimRoles
	claimScope
	claimAMR
)

// decodePlain reads b into p and reports true, or reports false as soon
// as b leaves the plain form (p then holds some of b's claims).
func (p *payload) decodePlain(b []byte) bool {
	r := trimSpace(b)
	if len(r) == 0 || r[0] != '{' {
		return false
	}
	r = trimSpace(r[1:])
	if len(r) > 0 && r[0] == '}' {
		return len(trimSpace(r[1:])) == 0
	}
	var seen uint16
	for {
		key, rest, ok := plainBytes(r)
		if !ok {
			return false
		}
		r = trimSpace(rest)
		if len(r) == 0 || r[0] != ':' {
			return false
		}
		r = trimSpace(r[1:])
		var bit uint16
		switch string(key) {
		case "iss":
			bit, ok = claimIss, setString(&p.Issuer, &r)
		case "sub":
			bit, ok = claimSub, setString(&p.Subject, &r)
		case "jti":
			bit, ok = claimJti, setString(&p.ID, &r)
		case "client_id":
			bit, ok = claimClientID, setString(&p.ClientID, &r)
		case "sid":
			bit, ok = claimSid, setString(&p.SessionID, &r)
		case "scope":
			bit, ok = claimScope, setString(&p.Scope, &r)
		case "aud":
			bit = claimAud
			if len(r) > 0 && r[0] == '"' {
				var s string
				if ok = setString(&s, &r); ok {
					p.Audience = audience{s}
				}
			} else {
				p.Audience, ok = stringArray(&r)
			}
		case "roles":
			bit = claimRoles
			p.Roles, ok = stringArray(&r)
		case "amr":
			bit = claimAMR
			p.AMR, ok = stringArray(&r)
		case "exp":
			bit, ok = claimExp, setDate(&p.ExpiresAt, &r)
		case "nbf":
			bit, ok = claimNbf, setDate(&p.NotBefore, &r)
		case "iat":
			bit, ok = claimIat, setDate(&p.IssuedAt, &r)
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		r = trimSpace(r)
		switch {
		case len(r) > 0 && r[0] == ',':
			r = trimSpace(r[1:])
		case len(r) > 0 && r[0] == '}':
			return len(trimSpace(r[1:])) == 0
		default:
			return false
		}
	}
}

// setString reads a plain string from the start of *r into dst and moves
// *r past it.
func setString(dst *string, r *[]byte) bool {
	text, rest, ok := plainBytes(*r)
	if !ok {
		return false
	}
	*dst, *r = string(text), rest
	return true
}

// stringArray reads a non-empty array of plain strings from the start of
// *r and moves *r past it.
func stringArray(r *[]byte) ([]string, bool) {
	b := *r
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	b = trimSpace(b[1:])
	var out []string
	for {
		text, rest, ok := plainBytes(b)
		if !ok {
			return nil, false
		}
		out = append(out, string(text))
		b = trimSpace(rest)
		switch {
		case len(b) > 0 && b[0] == ',':
			b = trimSpace(b[1:])
		case len(b) > 0 && b[0] == ']':
			*r = b[1:]
			return out, true
		default:
			return nil, false
		}
	}
}

// setDate reads a JSON number from the start of *r into *dst as
// numericDate.UnmarshalJSON does, and moves *r past it.
func setDate(dst **numericDate, r *[]byte) bool {
	n := numberLen(*r)
	if n == 0 {
		return false
	}
	d := new(numericDate)
	if d.UnmarshalJSON((*r)[:n]) != nil {
		return false
	}
	*dst, *r = d, (*r)[n:]
	return true
}

// numberLen is the length of the JSON number (RFC 8259 s6) at the start of
// b, or 0 when b does not start with one.
func numberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0
		}
		i = j
	}
	return i
}

// digits returns the index of the first non-digit of b at or after i.
func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// numericDate is a jwt.NumericDate that must be spelled as a JSON number
// (RFC 7519 s2): jwt.NumericDate also takes a string holding a number.
type numericDate jwt.NumericDate

// UnmarshalJSON reads seconds as jwt.NumericDate does: a float64, split
// into whole seconds and nanoseconds, truncated to jwt.TimePrecision.
func (d *numericDate) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return errDateNotNumber
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("%w: %w", errDateRange, err)
	}
	round, frac := math.Modf(f)
	*d = numericDate(*jwt.NewNumericDate(time.Unix(int64(round), int64(frac*1e9))))
	return nil
}

// audience is a jwt.ClaimStrings: one string or an array of strings
// (RFC 7519 s4.1.3). Plain strings are read directly; anything else goes
// to golang-jwt's decoder.
type audience jwt.ClaimStrings

func (a *audience) UnmarshalJSON(b []byte) error {
	if aud, ok := plainStrings(b); ok {
		*a = aud
		return nil
	}
	// golang-jwt's decoder leaves the value as it was for null and sets
	// it otherwise; starting from ours keeps a repeated "aud" the same.
	cs := jwt.ClaimStrings(*a)
	err := cs.UnmarshalJSON(b)
	*a = audience(cs)
	return err
}

// plainStrings reads b when it is a plain string or a non-empty array of
// them, and reports false for anything else (null, an empty array, other
// types, escapes).
func plainStrings(b []byte) (audience, bool) {
	r := b
	if len(r) > 0 && r[0] == '"' {
		var s string
		if !setString(&s, &r) || len(r) != 0 {
			return nil, false
		}
		return audience{s}, true
	}
	aud, ok := stringArray(&r)
	if !ok || len(r) != 0 {
		return nil, false
	}
	return aud, true
}

// plainBytes reads a plain JSON string at the start of b: one without a
// backslash, a control character or invalid UTF-8, whose text is then
// the bytes between its quotes. It returns that text and what follows.
func plainBytes(b []byte) (text, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			if !utf8.Valid(b[1:i]) {
				return nil, nil, false
			}
			return b[1:i], b[i+1:], true
		case c == '\\' || c < 0x20:
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// trimSpace drops the JSON whitespace at the start of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}
