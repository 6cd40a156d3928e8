package token

import (
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tessera-id/tessera/internal/jsonw"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// appendAccessClaims appends c as encoding/json marshals it: the same
// bytes (TestAppendAccessClaims and FuzzAppendAccessClaims compare them),
// written without reflection for the one claims type every access token
// carries. It reports false, having appended nothing, when golang-jwt is
// set to encode times or audiences otherwise than by default; the caller
// then uses encoding/json.
func appendAccessClaims(b []byte, c *jwtverify.Claims) ([]byte, bool) {
	if jwt.TimePrecision != time.Second || !jwt.MarshalSingleStringAsArray {
		return b, false
	}
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string, omitEmpty bool) {
		if v == "" && omitEmpty {
			return
		}
		field(name)
		b = jsonw.AppendString(b, v)
	}
	list := func(name string, v []string) {
		if len(v) == 0 {
			return // omitempty
		}
		field(name)
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.AppendString(b, s)
		}
		b = append(b, ']')
	}
	date := func(name string, d *jwt.NumericDate) {
		if d == nil {
			return // omitempty
		}
		field(name)
		// NumericDate.MarshalJSON at a precision of one second: the
		// whole seconds of the truncated time.
		b = strconv.AppendInt(b, d.Truncate(time.Second).Unix(), 10)
	}
	str("iss", c.Issuer, true)
	str("sub", c.Subject, true)
	list("aud", c.Audience)
	date("exp", c.ExpiresAt)
	date("nbf", c.NotBefore)
	date("iat", c.IssuedAt)
	str("jti", c.ID, true)
	str("client_id", c.ClientID, false)
	str("sid", c.SessionID, false)
	list("roles", c.Roles)
	str("scope", c.Scope, true)
	list("amr", c.AMR)
	return append(b, '}'), true
}
