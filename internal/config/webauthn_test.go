package config

import (
	"slices"
	"strings"
	"testing"
)

func TestWebAuthnDefaults(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantID     string
		wantOrigin []string
	}{
		{"issuer on an IP: passkeys off", nil, "", nil},
		{"issuer on a domain", map[string]string{"TESSERA_ISSUER": "https://Auth.Example.com"}, "auth.example.com", []string{"https://Auth.Example.com"}},
		{"issuer with a port", map[string]string{"TESSERA_ISSUER": "http://localhost:8080"}, "localhost", []string{"http://localhost:8080"}},
		{"rp id set, origins derived", map[string]string{"TESSERA_ISSUER": "https://auth.example.com", "TESSERA_WEBAUTHN_RP_ID": "example.com"},
			"example.com", []string{"https://auth.example.com"}},
		{"both set", map[string]string{"TESSERA_ISSUER": "https://auth.example.com", "TESSERA_WEBAUTHN_RP_ID": "example.com",
			"TESSERA_WEBAUTHN_ORIGINS": "https://example.com/, https://app.example.com"}, "example.com", []string{"https://example.com", "https://app.example.com"}},
		{"rp id on an IP issuer", map[string]string{"TESSERA_WEBAUTHN_RP_ID": "localhost", "TESSERA_WEBAUTHN_ORIGINS": "http://localhost:8080"},
			"localhost", []string{"http://localhost:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			id, origins := c.WebAuthn()
			if id != tt.wantID || !slices.Equal(origins, tt.wantOrigin) {
				t.Errorf("WebAuthn() = %q %q, want %q %q", id, origins, tt.wantID, tt.wantOrigin)
			}
		})
	}
}

// TestWebAuthnRefused: every bad value is its own error naming the
// variable and the value.
func TestWebAuthnRefused(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"ip as rp id", map[string]string{"TESSERA_WEBAUTHN_RP_ID": "127.0.0.1"}, []string{"TESSERA_WEBAUTHN_RP_ID=127.0.0.1"}},
		{"scheme in rp id", map[string]string{"TESSERA_WEBAUTHN_RP_ID": "https://example.com"}, []string{"TESSERA_WEBAUTHN_RP_ID=https://example.com"}},
		{"port in rp id", map[string]string{"TESSERA_WEBAUTHN_RP_ID": "example.com:443"}, []string{"TESSERA_WEBAUTHN_RP_ID=example.com:443"}},
		{"upper case rp id", map[string]string{"TESSERA_WEBAUTHN_RP_ID": "Example.com"}, []string{"TESSERA_WEBAUTHN_RP_ID=Example.com"}},
		{"origins without an rp id", map[string]string{"TESSERA_WEBAUTHN_ORIGINS": "https://example.com"}, []string{"TESSERA_WEBAUTHN_ORIGINS=https://example.com"}},
		{"each bad origin", map[string]string{"TESSERA_ISSUER": "https://auth.example.com", "TESSERA_WEBAUTHN_RP_ID": "example.com",
			"TESSERA_WEBAUTHN_ORIGINS": "https://evil.test,http://example.com,https://example.com/path,https://notexample.com,https://ok.example.com"},
			[]string{"TESSERA_WEBAUTHN_ORIGINS=https://evil.test", "TESSERA_WEBAUTHN_ORIGINS=http://example.com",
				"TESSERA_WEBAUTHN_ORIGINS=https://example.com/path", "TESSERA_WEBAUTHN_ORIGINS=https://notexample.com"}},
		{"issuer outside the rp id", map[string]string{"TESSERA_ISSUER": "https://auth.example.com", "TESSERA_WEBAUTHN_RP_ID": "other.com"},
			[]string{"TESSERA_WEBAUTHN_ORIGINS=https://auth.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("accepted")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w+":") {
					t.Errorf("no error for %s in:\n%v", w, err)
				}
			}
		})
	}
}
