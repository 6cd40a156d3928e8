package jwtverify

import (
	"bytes"
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
// what they would give (FuzzClaimDecoders compares them). decodePlain
// checks the part of JSON it reads itself (what it takes, encoding/json
// takes too); each UnmarshalJSON is given one value encoding/json has
// already checked.

// decodeClaims decodes a payload's JSON claims into a new payload: in one
// pass when every key is one of Claims' own, spelled exactly and once, and
// every value has the plain form Tessera writes (strings without escapes,
// numeric dates, non-empty arrays of such strings); with encoding/json,
// from nothing, otherwise.
func decodeClaims(b []byte) (*payload, error) {
	p := new(payload)
	if p.decodePlain(b) {
		return p, nil
	}
	*p = payload{}
	// A copy, so that b (a buffer on Verify's stack) does not escape.
	if err := json.Unmarshal(bytes.Clone(b), (*payloadFields)(p)); err != nil {
		return nil, err
	}
	return p, nil
}

// payloadFields is payload without its methods, for encoding/json.
type payloadFields payload

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
		bit := uint16(0)
		if r, bit, ok = p.readClaim(string(key), trimSpace(r[1:])); !ok || seen&bit != 0 {
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

// readClaim reads the plain value of claim key at the start of b into p
// and returns what follows it and the claim's bit. Each reader returns
// the rest rather than moving a pointer, so that b never leaves the
// caller's stack.
func (p *payload) readClaim(key string, b []byte) (rest []byte, bit uint16, ok bool) {
	if dst, bit := p.stringClaim(key); dst != nil {
		var s string
		if s, rest, ok = readString(b); ok {
			*dst = s
		}
		return rest, bit, ok
	}
	if dst, bit := p.dateClaim(key); dst != nil {
		var d *numericDate
		if d, rest, ok = readDate(b); ok {
			*dst = d
		}
		return rest, bit, ok
	}
	var list []string
	switch key {
	case "aud":
		if len(b) > 0 && b[0] == '"' {
			var s string
			if s, rest, ok = readString(b); ok {
				p.Audience = audience{s}
			}
		} else if list, rest, ok = readStrings(b); ok {
			p.Audience = list
		}
		return rest, claimAud, ok
	case "roles":
		if list, rest, ok = readStrings(b); ok {
			p.Roles = list
		}
		return rest, claimRoles, ok
	case "amr":
		if list, rest, ok = readStrings(b); ok {
			p.AMR = list
		}
		return rest, claimAMR, ok
	}
	return nil, 0, false
}

// stringClaim is where the string claim key goes, and its bit.
func (p *payload) stringClaim(key string) (*string, uint16) {
	switch key {
	case "iss":
		return &p.Issuer, claimIss
	case "sub":
		return &p.Subject, claimSub
	case "jti":
		return &p.ID, claimJti
	case "client_id":
		return &p.ClientID, claimClientID
	case "sid":
		return &p.SessionID, claimSid
	case "scope":
		return &p.Scope, claimScope
	}
	return nil, 0
}

// dateClaim is where the date claim key goes, and its bit.
func (p *payload) dateClaim(key string) (**numericDate, uint16) {
	switch key {
	case "exp":
		return &p.ExpiresAt, claimExp
	case "nbf":
		return &p.NotBefore, claimNbf
	case "iat":
		return &p.IssuedAt, claimIat
	}
	return nil, 0
}

// readString reads a plain string at the start of b.
func readString(b []byte) (string, []byte, bool) {
	text, rest, ok := plainBytes(b)
	if !ok {
		return "", nil, false
	}
	return string(text), rest, true
}

// readStrings reads a non-empty array of plain strings at the start of b.
func readStrings(b []byte) ([]string, []byte, bool) {
	if len(b) == 0 || b[0] != '[' {
		return nil, nil, false
	}
	b = trimSpace(b[1:])
	var out []string
	for {
		s, rest, ok := readString(b)
		if !ok {
			return nil, nil, false
		}
		out = append(out, s)
		b = trimSpace(rest)
		switch {
		case len(b) > 0 && b[0] == ',':
			b = trimSpace(b[1:])
		case len(b) > 0 && b[0] == ']':
			return out, b[1:], true
		default:
			return nil, nil, false
		}
	}
}

// readDate reads a JSON number at the start of b as
// numericDate.UnmarshalJSON does.
func readDate(b []byte) (*numericDate, []byte, bool) {
	n := numberLen(b)
	if n == 0 {
		return nil, nil, false
	}
	d := new(numericDate)
	if d.UnmarshalJSON(b[:n]) != nil {
		return nil, nil, false
	}
	return d, b[n:], true
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
	// Beyond int64 seconds the conversion below is platform-dependent
	// (amd64 lands in the distant past), so a far-future nbf or iat
	// would pass: refused, though jwt.NumericDate takes it.
	if math.Abs(f) >= 1<<63 {
		return errDateRange
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
	if len(b) > 0 && b[0] == '"' {
		s, rest, ok := readString(b)
		if !ok || len(rest) != 0 {
			return nil, false
		}
		return audience{s}, true
	}
	aud, rest, ok := readStrings(b)
	if !ok || len(rest) != 0 {
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
