package oidc_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

const iss = "https://id.example.com"

// TestSuccessRedirect: code, state and iss (RFC 9207) go in the query,
// after the redirect URI's own parameters, which stay byte for byte; never
// in a fragment.
func TestSuccessRedirect(t *testing.T) {
	tests := []struct {
		name, uri, state, want string
	}{
		{"plain", "https://app.example.com/cb", "xyz", "https://app.example.com/cb?code=c0de&iss=https%3A%2F%2Fid.example.com&state=xyz"},
		{"no state", "https://app.example.com/cb", "", "https://app.example.com/cb?code=c0de&iss=https%3A%2F%2Fid.example.com"},
		{"own query kept as written", "https://app.example.com/cb?b=2&a=%7E+x&flag", "s",
			"https://app.example.com/cb?b=2&a=%7E+x&flag&code=c0de&iss=https%3A%2F%2Fid.example.com&state=s"},
		{"empty query", "https://app.example.com/cb?", "s", "https://app.example.com/cb?code=c0de&iss=https%3A%2F%2Fid.example.com&state=s"},
		{"loopback", "http://127.0.0.1:51234/native", "s", "http://127.0.0.1:51234/native?code=c0de&iss=https%3A%2F%2Fid.example.com&state=s"},
		{"private-use scheme", "com.example.app:/cb", "s", "com.example.app:/cb?code=c0de&iss=https%3A%2F%2Fid.example.com&state=s"},
		{"state with reserved characters", "https://app.example.com/cb", "a&b=c#d", "https://app.example.com/cb?code=c0de&iss=https%3A%2F%2Fid.example.com&state=a%26b%3Dc%23d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := oidc.SuccessRedirect(tt.uri, iss, "c0de", tt.state)
			if err != nil || got != tt.want {
				t.Fatalf("SuccessRedirect = %q, %v; want %q", got, err, tt.want)
			}
			u, _ := url.Parse(got)
			if u.Fragment != "" || u.Query().Get("state") != tt.state || u.Query().Get("iss") != iss {
				t.Errorf("parsed back: %v", u)
			}
		})
	}
}

// TestSuccessRedirectRefuses: a URI the response cannot be added to
// without ambiguity is an error, never a best guess.
func TestSuccessRedirectRefuses(t *testing.T) {
	for _, uri := range []string{
		"https://app.example.com/cb#frag",
		"https://app.example.com/cb?code=old",
		"https://app.example.com/cb?state=x",
		"https://app.example.com/cb?iss=x",
		"https://app.example.com/cb?error=x",
		"/relative/cb",
		"mailto:x@example.com",
		"https://app.example.com/cb?%zz",
		"",
	} {
		t.Run(uri, func(t *testing.T) {
			if got, err := oidc.SuccessRedirect(uri, iss, "c0de", "s"); err == nil {
				t.Errorf("SuccessRedirect = %q, want an error", got)
			}
		})
	}
}

// TestRedirectErrorLocation: error, error_description (only the
// characters RFC 6749 s4.1.2.1 allows), state and iss in the query.
func TestRedirectErrorLocation(t *testing.T) {
	tests := []struct {
		name string
		err  oidc.RedirectError
		want url.Values
	}{
		{"with state", oidc.RedirectError{Code: "access_denied", Description: "the user said no", RedirectURI: "https://app.example.com/cb?t=1", State: "xyz"},
			url.Values{"t": {"1"}, "error": {"access_denied"}, "error_description": {"the user said no"}, "state": {"xyz"}, "iss": {iss}}},
		{"without state", oidc.RedirectError{Code: "login_required", RedirectURI: "https://app.example.com/cb"},
			url.Values{"error": {"login_required"}, "iss": {iss}}},
		{"description filtered", oidc.RedirectError{Code: "invalid_request", Description: "bad \"x\"\\ é\n", RedirectURI: "https://app.example.com/cb"},
			url.Values{"error": {"invalid_request"}, "error_description": {"bad x "}, "iss": {iss}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := tt.err.Location(iss)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(loc)
			if err != nil || u.Fragment != "" || !strings.HasPrefix(loc, tt.err.RedirectURI) {
				t.Fatalf("Location = %q (%v)", loc, err)
			}
			if got := u.Query(); got.Encode() != tt.want.Encode() {
				t.Errorf("query %v, want %v", got, tt.want)
			}
		})
	}
}
