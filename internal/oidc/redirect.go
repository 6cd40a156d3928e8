package oidc

import (
	"slices"
	"strings"
)

// loopbackPrefixes are the loopback redirect URIs whose port may differ
// (RFC 8252 s7.3): IP literals over http only. "localhost" is not among
// them: RFC 8252 s8.3 says not to use it (a name can resolve elsewhere),
// so a localhost URI must match exactly like any other.
var loopbackPrefixes = []string{"http://127.0.0.1", "http://[::1]"}

// MatchRedirectURI reports whether requested is one of registered, compared
// character for character: no normalisation of case, trailing slash,
// percent-encoding, query or default port (RFC 9700 s4.1.3, RFC 6749
// s3.1.2.2). The one exception is a loopback IP redirect (RFC 8252 s7.3):
// when both are http://127.0.0.1 or http://[::1] URIs, the port of
// requested may differ from (or be absent in) the registered one, and the
// rest must still be equal. A URI with a fragment never matches (RFC 6749
// s3.1.2).
func MatchRedirectURI(registered []string, requested string) bool {
	if requested == "" || strings.Contains(requested, "#") {
		return false
	}
	if slices.Contains(registered, requested) {
		return true
	}
	want, ok := withoutLoopbackPort(requested)
	if !ok {
		return false
	}
	for _, r := range registered {
		if got, ok := withoutLoopbackPort(r); ok && got == want {
			return true
		}
	}
	return false
}

// withoutLoopbackPort returns uri without its port when it is a loopback
// IP URI whose authority is exactly the IP literal and an optional
// port of 1 to 65535 without leading zeros; ok is false for anything else,
// such as http://127.0.0.1.example.com or http://127.0.0.1@example.com.
func withoutLoopbackPort(uri string) (string, bool) {
	for _, p := range loopbackPrefixes {
		rest, found := strings.CutPrefix(uri, p)
		if !found {
			continue
		}
		if port, ok := strings.CutPrefix(rest, ":"); ok {
			n := 0
			for n < len(port) && n < 6 && '0' <= port[n] && port[n] <= '9' {
				n++
			}
			if n == 0 || n > 5 || port[0] == '0' || (n == 5 && port[:5] > "65535") {
				return "", false
			}
			rest = port[n:]
		}
		if rest != "" && rest[0] != '/' && rest[0] != '?' {
			return "", false
		}
		return p + rest, true
	}
	return "", false
}
