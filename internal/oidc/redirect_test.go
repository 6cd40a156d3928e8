package oidc_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

// TestMatchRedirectURI: character-for-character matching (RFC 9700
// s4.1.3): every near miss is refused; only a loopback IP's port may
// differ (RFC 8252 s7.3), and localhost is not a loopback IP here.
func TestMatchRedirectURI(t *testing.T) {
	registered := []string{
		"https://app.example.com/cb",
		"https://app.example.com/q?tenant=a",
		"http://127.0.0.1/native",
		"http://127.0.0.1:8400/fixed",
		"http://[::1]:7000/v6",
		"http://localhost:3000/cb",
		"com.example.app:/oauth2redirect",
	}
	tests := []struct {
		name, uri string
		want      bool
	}{
		{"exact", "https://app.example.com/cb", true},
		{"exact with its query", "https://app.example.com/q?tenant=a", true},
		{"private-use scheme", "com.example.app:/oauth2redirect", true},
		{"trailing slash", "https://app.example.com/cb/", false},
		{"no path", "https://app.example.com", false},
		{"upper-case scheme", "HTTPS://app.example.com/cb", false},
		{"upper-case host", "https://APP.example.com/cb", false},
		{"upper-case path", "https://app.example.com/CB", false},
		{"extra query", "https://app.example.com/cb?x=1", false},
		{"empty query", "https://app.example.com/cb?", false},
		{"query changed", "https://app.example.com/q?tenant=b", false},
		{"query added to", "https://app.example.com/q?tenant=a&x=1", false},
		{"fragment", "https://app.example.com/cb#x", false},
		{"empty fragment", "https://app.example.com/cb#", false},
		{"userinfo", "https://user@app.example.com/cb", false},
		{"userinfo host swap", "https://app.example.com@evil.example/cb", false},
		{"explicit default port", "https://app.example.com:443/cb", false},
		{"other port, not loopback", "https://app.example.com:8443/cb", false},
		{"http instead of https", "http://app.example.com/cb", false},
		{"percent-encoded path", "https://app.example.com/%63b", false},
		{"percent-encoded slash", "https://app.example.com%2Fcb", false},
		{"path traversal", "https://app.example.com/cb/../cb", false},
		{"sub-domain", "https://evil.app.example.com/cb", false},
		{"empty", "", false},
		{"loopback, any port", "http://127.0.0.1:51234/native", true},
		{"loopback, no port", "http://127.0.0.1/native", true},
		{"loopback, port differs from registered", "http://127.0.0.1:9999/fixed", true},
		{"loopback, registered port", "http://127.0.0.1:8400/fixed", true},
		{"loopback v6, other port", "http://[::1]:1/v6", true},
		{"loopback v6, no port", "http://[::1]/v6", true},
		{"loopback, other path", "http://127.0.0.1:51234/other", false},
		{"loopback, trailing slash", "http://127.0.0.1:51234/native/", false},
		{"loopback, https", "https://127.0.0.1:51234/native", false},
		{"loopback, port 0", "http://127.0.0.1:0/native", false},
		{"loopback, port over 65535", "http://127.0.0.1:65536/native", false},
		{"loopback, six-digit port", "http://127.0.0.1:123456/native", false},
		{"loopback, leading zero", "http://127.0.0.1:08400/fixed", false},
		{"loopback, empty port", "http://127.0.0.1:/native", false},
		{"loopback, other address", "http://127.0.0.2:5000/native", false},
		{"loopback prefix of a name", "http://127.0.0.1.evil.example/native", false},
		{"loopback as userinfo", "http://127.0.0.1@evil.example/native", false},
		{"loopback port then userinfo", "http://127.0.0.1:80@evil.example/native", false},
		{"loopback, fragment", "http://127.0.0.1:5000/native#x", false},
		{"localhost, exact", "http://localhost:3000/cb", true},
		{"localhost, other port", "http://localhost:3001/cb", false},
		{"localhost for 127.0.0.1", "http://localhost/native", false},
		{"127.0.0.1 for localhost", "http://127.0.0.1:3000/cb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oidc.MatchRedirectURI(registered, tt.uri); got != tt.want {
				t.Errorf("MatchRedirectURI(%q) = %v, want %v", tt.uri, got, tt.want)
			}
		})
	}
}
