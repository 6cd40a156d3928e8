package oidc

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseText checks nonce and login_hint: valid UTF-8 without control
// characters (they end up in an ID token and on a page), within bounds.
func (r *AuthorizationRequest) parseText(q url.Values, _ *Client) (code, desc string) {
	r.Nonce, r.LoginHint = q.Get("nonce"), q.Get("login_hint")
	switch {
	case len(r.Nonce) > MaxNonceLen || !plainText(r.Nonce):
		return ErrInvalidRequest, "nonce must be at most 512 bytes of text"
	case len(r.LoginHint) > MaxLoginHintLen || !plainText(r.LoginHint):
		return ErrInvalidRequest, "login_hint must be at most 512 bytes of text"
	}
	return "", ""
}

// parsePKCE reads code_challenge and code_challenge_method (RFC 7636 s4.3):
// required from a public client, S256 only, and a method without a
// challenge is invalid.
func (r *AuthorizationRequest) parsePKCE(q url.Values, c *Client) (code, desc string) {
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return ErrInvalidRequest, "code_challenge_method without code_challenge"
	case challenge == "" && !c.Confidential():
		return ErrInvalidRequest, "code_challenge (PKCE, S256) is required for public clients"
	case challenge == "":
		return "", ""
	}
	if err := ValidateCodeChallenge(challenge, method); err != nil {
		return ErrInvalidRequest, err.Error()
	}
	r.CodeChallenge = challenge
	return "", ""
}

// validState reports whether s is a valid state: 1*VSCHAR (%x20-7E, RFC
// 6749 appendix A.5) of at most MaxStateLen, or empty.
func validState(s string) bool {
	if len(s) > MaxStateLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// plainText reports whether s is valid UTF-8 without control characters.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) })
}

// withoutEmpty returns q without the values that are empty: RFC 6749 s3.1
// treats a parameter sent without a value as omitted, so max_age= or
// request= must not be refused as a bad max_age or a request object.
func withoutEmpty(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				out[k] = append(out[k], v)
			}
		}
	}
	return out
}

// single returns the one value of q[name]; ok is false when it is
// repeated. An absent parameter is "", true.
func single(q url.Values, name string) (string, bool) {
	switch v := q[name]; len(v) {
	case 0:
		return "", true
	case 1:
		return v[0], true
	default:
		return "", false
	}
}

// Values encodes r as the query of an authorization request that
// ParseAuthorizationRequest turns back into r, for the sign-in pages to
// carry the request through their steps.
func (r *AuthorizationRequest) Values() url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {r.ClientID}, "redirect_uri": {r.RedirectURI}}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("scope", strings.Join(r.Scopes, " "))
	set("state", r.State)
	set("nonce", r.Nonce)
	set("login_hint", r.LoginHint)
	set("prompt", r.Prompt.String())
	if r.MaxAgeSet {
		q.Set("max_age", strconv.FormatInt(int64(r.MaxAge.Seconds()), 10))
	}
	if r.CodeChallenge != "" {
		q.Set("code_challenge", r.CodeChallenge)
		q.Set("code_challenge_method", PKCEMethodS256)
	}
	return q
}

// String is p as a prompt parameter, its values in a fixed order.
func (p Prompt) String() string {
	var v []string
	for _, f := range []struct {
		on   bool
		name string
	}{{p.None, "none"}, {p.Login, "login"}, {p.Consent, "consent"}, {p.Create, "create"}} {
		if f.on {
			v = append(v, f.name)
		}
	}
	return strings.Join(v, " ")
}
