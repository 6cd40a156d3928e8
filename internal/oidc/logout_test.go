package oidc_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

// TestLogoutRedirect: parsing and the redirect after an RP-initiated
// logout: only a registered post-logout URI, matched exactly, gets the
// browser back, with its state; every refusal is a page error.
func TestLogoutRedirect(t *testing.T) {
	tests := []struct {
		name   string
		q      url.Values
		client *oidc.Client
		want   string
		code   string // the PageError expected, "" for none
	}{
		{"hint and registered URI", url.Values{"id_token_hint": {"eyJ.x.y"}, "post_logout_redirect_uri": {"https://app.example.com/bye"}, "state": {"s1"}},
			spa(), "https://app.example.com/bye?state=s1", ""},
		{"client_id and URI, no state", url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://app.example.com/bye"}},
			spa(), "https://app.example.com/bye", ""},
		{"no URI: stay at Tessera", url.Values{"id_token_hint": {"eyJ.x.y"}, "state": {"s1"}}, spa(), "", ""},
		{"nothing at all", url.Values{}, spa(), "", ""},
		{"URI with a trailing slash", url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://app.example.com/bye/"}}, spa(), "", "invalid_request"},
		{"URI of the login redirect", url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://app.example.com/cb"}}, spa(), "", "invalid_request"},
		{"URI elsewhere", url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://evil.example/"}}, spa(), "", "invalid_request"},
		{"URI without hint or client_id", url.Values{"post_logout_redirect_uri": {"https://app.example.com/bye"}}, spa(), "", "invalid_request"},
		{"client_id not the hint's client", url.Values{"id_token_hint": {"eyJ.x.y"}, "client_id": {"grafana"}, "post_logout_redirect_uri": {"https://app.example.com/bye"}}, spa(), "", "invalid_request"},
		{"unknown client", url.Values{"client_id": {"nobody"}, "post_logout_redirect_uri": {"https://app.example.com/bye"}}, nil, "", "invalid_client"},
		{"repeated URI", url.Values{"client_id": {"spa"}, "post_logout_redirect_uri": {"https://app.example.com/bye", "https://evil.example/"}}, spa(), "", "invalid_request"},
		{"repeated state", url.Values{"client_id": {"spa"}, "state": {"a", "b"}}, spa(), "", "invalid_request"},
		{"state with a newline", url.Values{"client_id": {"spa"}, "state": {"a\nb"}}, spa(), "", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := redirectAfterLogout(tt.q, tt.client)
			var pe *oidc.PageError
			switch {
			case tt.code == "" && (err != nil || got != tt.want):
				t.Fatalf("redirect %q, %v; want %q", got, err, tt.want)
			case tt.code != "" && (!errors.As(err, &pe) || pe.Code != tt.code || got != ""):
				t.Fatalf("redirect %q, %v; want page error %s", got, err, tt.code)
			}
		})
	}
}

func redirectAfterLogout(q url.Values, c *oidc.Client) (string, error) {
	r, err := oidc.ParseLogoutRequest(q)
	if err != nil {
		return "", err
	}
	return r.Redirect(c)
}
