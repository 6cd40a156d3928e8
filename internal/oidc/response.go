package oidc

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// responseParams are the parameters Tessera adds to a redirect URI. A
// registered URI whose query already has one would make the response
// ambiguous, so it is refused.
var responseParams = []string{"code", "state", "iss", "error", "error_description"}

// SuccessRedirect is the redirect of a successful authorization response
// (RFC 6749 s4.1.2): code, state when the request had one, and iss (RFC
// 9207 s2), added to the query of redirectURI after its own parameters,
// never in a fragment (RFC 6749 s3.1.2).
func SuccessRedirect(redirectURI, issuer, code, state string) (string, error) {
	q := url.Values{"code": {code}, "iss": {issuer}}
	if state != "" {
		q.Set("state", state)
	}
	return addQuery(redirectURI, q)
}

// Location is the redirect of an error response (RFC 6749 s4.1.2.1):
// error, error_description, state when the request had one, and iss (RFC
// 9207 s2), added to the query of the redirect URI like SuccessRedirect.
// error_description keeps only the characters RFC 6749 allows in it
// (%x20-21 / %x23-5B / %x5D-7E).
func (e *RedirectError) Location(issuer string) (string, error) {
	q := url.Values{"error": {e.Code}, "iss": {issuer}}
	if d := errorDescription(e.Description); d != "" {
		q.Set("error_description", d)
	}
	if e.State != "" {
		q.Set("state", e.State)
	}
	return addQuery(e.RedirectURI, q)
}

func errorDescription(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// addQuery appends q to uri's query, keeping uri byte for byte: its own
// parameters stay, in their order and spelling (RFC 6749 s3.1.2). uri must
// be absolute, without a fragment, and without a parameter q would add.
func addQuery(uri string, q url.Values) (string, error) {
	u, err := url.Parse(uri)
	switch {
	case err != nil:
		return "", fmt.Errorf("redirect uri: %w", err)
	case !u.IsAbs() || u.Host == "" && u.Opaque != "":
		return "", errors.New("redirect uri: not absolute")
	case strings.Contains(uri, "#"):
		return "", errors.New("redirect uri: has a fragment")
	}
	own, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", fmt.Errorf("redirect uri: query: %w", err)
	}
	for _, p := range responseParams {
		if own.Has(p) {
			return "", fmt.Errorf("redirect uri: its query already has %s", p)
		}
	}
	switch {
	case !strings.Contains(uri, "?"):
		return uri + "?" + q.Encode(), nil
	case strings.HasSuffix(uri, "?") || strings.HasSuffix(uri, "&"):
		return uri + q.Encode(), nil
	default:
		return uri + "&" + q.Encode(), nil
	}
}
