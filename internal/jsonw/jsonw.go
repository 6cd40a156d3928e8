// Package jsonw appends JSON values without reflection, byte for byte as
// encoding/json writes them, for the few answers and tokens written on
// every request. Anything it cannot write exactly it hands back to
// encoding/json (AppendString) or reports (AppendTime), so a caller never
// sends different bytes than encoding/json would.
package jsonw

import (
	"encoding/json"
	"time"
)

// AppendString appends s quoted as encoding/json quotes it. A string of
// printable ASCII with nothing to escape (ids, client ids, scopes, most
// e-mail addresses) is appended as it is; any other goes through
// encoding/json, so that HTML characters, control characters, invalid
// UTF-8 and U+2028/U+2029 come out exactly as it writes them.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s)
			if err != nil { // a string always marshals
				panic(err)
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AppendTime appends t as time.Time's MarshalJSON writes it (RFC 3339
// with nanoseconds, quoted), or reports false, having appended nothing,
// for a time MarshalJSON refuses (a year outside 0..9999, a zone offset
// of 24 hours or more).
func AppendTime(b []byte, t time.Time) ([]byte, bool) {
	n := len(b)
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	// The checks of Time.MarshalJSON (appendStrictRFC3339).
	s := b[n+1:]
	switch {
	case len(s) < 5 || s[4] != '-': // a year of exactly four digits
		return b[:n], false
	case s[len(s)-1] != 'Z':
		c := s[len(s)-len("Z07:00")]
		h := s[len(s)-len("07:00"):]
		if '0' <= c && c <= '9' || 10*(h[0]-'0')+(h[1]-'0') >= 24 {
			return b[:n], false
		}
	}
	return append(b, '"'), true
}
