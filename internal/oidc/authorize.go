package oidc

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds of the free-text parameters of an authorization request: enough
// for any client seen in practice, small enough to carry the request
// through the sign-in pages.
const (
	MaxStateLen     = 2048
	MaxNonceLen     = 512
	MaxLoginHintLen = 512
	// MaxMaxAge is the largest max_age accepted, in seconds (68 years).
	MaxMaxAge = 1<<31 - 1
)

// authorizeParams are the parameters of an authorization request Tessera
// reads. Each may appear at most once (RFC 6749 s3.1); parameters not
// listed are ignored (RFC 6749 s3.1), among them display, ui_locales,
// acr_values, claims and id_token_hint.
var authorizeParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
	"prompt", "max_age", "login_hint", "code_challenge", "code_challenge_method",
	"response_mode", "request", "request_uri", "registration",
}

// AuthorizationRequest is a valid authorization request (RFC 6749 s4.1.1,
// OpenID Connect Core s3.1.2.1).
type AuthorizationRequest struct {
	ClientID    string
	RedirectURI string // one of the client's registered redirect URIs
	// Scopes are the requested scopes Tessera knows, once each, in request
	// order; unknown scopes are dropped (OpenID Connect Core s3.1.2.1).
	Scopes    []string
	State     string
	Nonce     string
	Prompt    Prompt
	MaxAge    time.Duration // meaningful only when MaxAgeSet
	MaxAgeSet bool
	LoginHint string
	// CodeChallenge is the S256 PKCE challenge; empty only for a
	// confidential client that sent none.
	CodeChallenge string
}

// Prompt is the prompt parameter (OpenID Connect Core s3.1.2.1, OpenID
// Connect Prompt Create s4). select_account and unknown values are ignored:
// a browser has one sign-in at Tessera.
type Prompt struct {
	None    bool // never show a page: answer login_required or consent_required
	Login   bool // ask for the password even with a sign-in
	Consent bool // show the consent page even when consent was given
	Create  bool // show the sign-up page first
}

// OpenID reports whether the request is an OpenID Connect one: only then
// does the token endpoint issue an ID token.
func (r *AuthorizationRequest) OpenID() bool { return slices.Contains(r.Scopes, ScopeOpenID) }

// AuthorizationClientID returns the client_id of an authorization request,
// to look the client up. A missing or repeated client_id is a *PageError.
func AuthorizationClientID(q url.Values) (string, error) {
	switch v := withoutEmpty(q)["client_id"]; {
	case len(v) == 0 || v[0] == "":
		return "", pageErr(ErrInvalidRequest, "client_id is required")
	case len(v) > 1:
		return "", pageErr(ErrInvalidRequest, "client_id is repeated")
	default:
		return v[0], nil
	}
}

// ParseAuthorizationRequest validates an authorization request from client
// c, nil when the client_id is unknown. A parameter sent without a value
// counts as omitted (RFC 6749 s3.1). The client and redirect URI are
// checked first: a problem with either is a *PageError, never redirected
// (RFC 6749 s4.1.2.1). Every later problem is a *RedirectError carrying the
// validated redirect URI and the state. PKCE (S256 only) is required for
// public clients and checked when a confidential client sends it (RFC 9700
// s2.1.1).
func ParseAuthorizationRequest(q url.Values, c *Client) (*AuthorizationRequest, error) {
	q = withoutEmpty(q)
	id, err := AuthorizationClientID(q)
	if err != nil {
		return nil, err
	}
	if c == nil || c.ID != id {
		return nil, pageErr(ErrInvalidClient, "the client is unknown")
	}
	redirectURI, ok := single(q, "redirect_uri")
	switch {
	case !ok:
		return nil, pageErr(ErrInvalidRequest, "redirect_uri is repeated")
	case redirectURI == "":
		return nil, pageErr(ErrInvalidRequest, "redirect_uri is required")
	case !MatchRedirectURI(c.RedirectURIs, redirectURI):
		return nil, pageErr(ErrInvalidRequest, "redirect_uri is not registered for this client")
	}
	r := &AuthorizationRequest{ClientID: id, RedirectURI: redirectURI}
	state, ok := single(q, "state")
	if ok && validState(state) {
		r.State = state
	}
	if code, desc := r.parse(q, c); code != "" {
		return nil, &RedirectError{Code: code, Description: desc, RedirectURI: redirectURI, State: r.State}
	}
	return r, nil
}

// parse checks everything after the client and redirect URI, filling r;
// it returns an OAuth error code and description, or "" when r is valid.
func (r *AuthorizationRequest) parse(q url.Values, c *Client) (code, desc string) {
	for _, p := range authorizeParams {
		if len(q[p]) > 1 {
			return ErrInvalidRequest, p + " is repeated"
		}
	}
	if code, desc := unsupported(q); code != "" {
		return code, desc
	}
	if !validState(q.Get("state")) {
		return ErrInvalidRequest, "state must be at most 2048 visible ASCII characters"
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		return ErrInvalidRequest, "response_type is required"
	case rt != "code":
		return ErrUnsupportedResponseType, "only response_type=code is supported"
	}
	if m := q.Get("response_mode"); m != "" && m != "query" {
		return ErrInvalidRequest, "only response_mode=query is supported"
	}
	if !c.AllowsGrant(GrantAuthorizationCode) {
		return ErrUnauthorizedClient, "the client may not use the authorization code grant"
	}
	steps := []func(url.Values, *Client) (string, string){r.parseScope, r.parsePrompt, r.parseMaxAge, r.parseText, r.parsePKCE}
	for _, step := range steps {
		if code, desc := step(q, c); code != "" {
			return code, desc
		}
	}
	return "", ""
}

// unsupported refuses request objects and dynamic registration, which
// Tessera does not offer (OpenID Connect Core s6, s3.1.2.6).
func unsupported(q url.Values) (code, desc string) {
	switch {
	case q.Has("request"):
		return ErrRequestNotSupported, "request objects are not supported"
	case q.Has("request_uri"):
		return ErrRequestURINotSupported, "request_uri is not supported"
	case q.Has("registration"):
		return ErrRegistrationNotSupported, "the registration parameter is not supported"
	}
	return "", ""
}

// parseScope reads the space-separated scope (RFC 6749 s3.3): a token
// outside scope-token's characters is invalid_scope; unknown scopes are
// dropped (OpenID Connect Core s3.1.2.1: "SHOULD be ignored"); a known
// scope the client may not ask for is invalid_scope; duplicates count once.
func (r *AuthorizationRequest) parseScope(q url.Values, c *Client) (code, desc string) {
	for _, s := range strings.Split(q.Get("scope"), " ") {
		switch {
		case s == "" || slices.Contains(r.Scopes, s):
		case !scopeToken(s):
			return ErrInvalidScope, "scope has a character RFC 6749 does not allow"
		case !slices.Contains(SupportedScopes, s):
		case !slices.Contains(c.Scopes, s):
			return ErrInvalidScope, "the client may not ask for scope " + s
		default:
			r.Scopes = append(r.Scopes, s)
		}
	}
	return "", ""
}

// scopeToken reports whether s is an RFC 6749 s3.3 scope-token:
// %x21 / %x23-5B / %x5D-7E.
func scopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// parsePrompt reads prompt: none with any other value, known or not, is
// invalid_request (OpenID Connect Core s3.1.2.1).
func (r *AuthorizationRequest) parsePrompt(q url.Values, _ *Client) (code, desc string) {
	values := strings.Fields(q.Get("prompt"))
	for _, v := range values {
		switch v {
		case "none":
			r.Prompt.None = true
		case "login":
			r.Prompt.Login = true
		case "consent":
			r.Prompt.Consent = true
		case "create":
			r.Prompt.Create = true
		}
	}
	if r.Prompt.None && slices.ContainsFunc(values, func(v string) bool { return v != "none" }) {
		return ErrInvalidRequest, "prompt=none cannot be combined with other values"
	}
	return "", ""
}

// parseMaxAge reads max_age, a non-negative number of seconds in decimal
// digits (OpenID Connect Core s3.1.2.1), at most MaxMaxAge.
func (r *AuthorizationRequest) parseMaxAge(q url.Values, _ *Client) (code, desc string) {
	if !q.Has("max_age") {
		return "", ""
	}
	n, err := strconv.ParseUint(q.Get("max_age"), 10, 31)
	if err != nil {
		return ErrInvalidRequest, "max_age must be a non-negative integer of seconds"
	}
	r.MaxAge, r.MaxAgeSet = time.Duration(n)*time.Second, true
	return "", ""
}
