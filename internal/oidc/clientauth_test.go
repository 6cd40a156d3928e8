package oidc_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/oidc"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// TestParseClientAuth: the three methods, the form-urlencoding inside
// Basic (RFC 6749 s2.3.1), and every ambiguous or malformed request.
func TestParseClientAuth(t *testing.T) {
	tests := []struct {
		name  string
		authz []string
		form  url.Values
		want  *oidc.ClientCredentials
		code  string
	}{
		{"basic", []string{basic("grafana", "s3cret")}, url.Values{},
			&oidc.ClientCredentials{ID: "grafana", Secret: "s3cret", Method: "client_secret_basic"}, ""},
		{"basic, form-urlencoded parts", []string{basic("my%3Aapp", "a+b%2Bc%3A%25")}, url.Values{},
			&oidc.ClientCredentials{ID: "my:app", Secret: "a b+c:%", Method: "client_secret_basic"}, ""},
		{"basic, colon in the secret", []string{basic("grafana", "a:b")}, url.Values{},
			&oidc.ClientCredentials{ID: "grafana", Secret: "a:b", Method: "client_secret_basic"}, ""},
		{"basic, lower-case scheme", []string{"basic " + base64.StdEncoding.EncodeToString([]byte("grafana:s"))}, url.Values{},
			&oidc.ClientCredentials{ID: "grafana", Secret: "s", Method: "client_secret_basic"}, ""},
		{"basic with the same client_id in the body", []string{basic("grafana", "s")}, url.Values{"client_id": {"grafana"}},
			&oidc.ClientCredentials{ID: "grafana", Secret: "s", Method: "client_secret_basic"}, ""},
		{"post", nil, url.Values{"client_id": {"grafana"}, "client_secret": {"s3cret"}},
			&oidc.ClientCredentials{ID: "grafana", Secret: "s3cret", Method: "client_secret_post"}, ""},
		{"none", nil, url.Values{"client_id": {"spa"}},
			&oidc.ClientCredentials{ID: "spa", Method: "none"}, ""},
		{"basic and post", []string{basic("grafana", "s")}, url.Values{"client_secret": {"s"}}, nil, "invalid_request"},
		{"basic and post, other id", []string{basic("grafana", "s")}, url.Values{"client_id": {"x"}, "client_secret": {"t"}}, nil, "invalid_request"},
		{"two client ids", []string{basic("grafana", "s")}, url.Values{"client_id": {"spa"}}, nil, "invalid_request"},
		{"basic and an empty body client_id", []string{basic("grafana", "s")}, url.Values{"client_id": {""}}, nil, "invalid_request"},
		{"two Authorization headers", []string{basic("grafana", "s"), basic("grafana", "s")}, url.Values{}, nil, "invalid_request"},
		{"repeated client_id", nil, url.Values{"client_id": {"spa", "spa"}}, nil, "invalid_request"},
		{"repeated client_secret", nil, url.Values{"client_id": {"g"}, "client_secret": {"a", "b"}}, nil, "invalid_request"},
		{"nothing", nil, url.Values{}, nil, "invalid_client"},
		{"secret without client_id", nil, url.Values{"client_secret": {"s"}}, nil, "invalid_client"},
		{"empty client_secret", nil, url.Values{"client_id": {"g"}, "client_secret": {""}}, nil, "invalid_client"},
		{"basic, empty secret", []string{basic("grafana", "")}, url.Values{}, nil, "invalid_client"},
		{"basic, empty id", []string{basic("", "s")}, url.Values{}, nil, "invalid_client"},
		{"basic, no colon", []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("grafana"))}, url.Values{}, nil, "invalid_client"},
		{"basic, bad base64", []string{"Basic !!!"}, url.Values{}, nil, "invalid_client"},
		{"basic, base64 without padding", []string{"Basic " + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("g:s1")), "=")}, url.Values{}, nil, "invalid_client"},
		{"basic, base64 stray bits", []string{"Basic ZzpzMR=="}, url.Values{}, nil, "invalid_client"},
		{"basic, bad percent-encoding", []string{basic("g%zz", "s")}, url.Values{}, nil, "invalid_client"},
		{"basic, not UTF-8", []string{basic("g\xff", "s")}, url.Values{}, nil, "invalid_client"},
		{"basic, 2 KiB", []string{basic(strings.Repeat("g", 2048), "s")}, url.Values{}, nil, "invalid_client"},
		{"bearer", []string{"Bearer abc"}, url.Values{"client_id": {"spa"}}, nil, "invalid_client"},
		{"empty Authorization", []string{""}, url.Values{"client_id": {"spa"}}, nil, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.authz {
				h.Add("Authorization", v)
			}
			got, err := oidc.ParseClientAuth(h, tt.form)
			if tt.code == "" {
				if err != nil || *got != *tt.want {
					t.Fatalf("ParseClientAuth = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			var pe *oidc.PageError
			if !errors.As(err, &pe) || pe.Code != tt.code || got != nil {
				t.Fatalf("ParseClientAuth = %+v, %v; want %s", got, err, tt.code)
			}
		})
	}
}

// TestCheckClientSecret: SHA-256 compared in constant time; another
// secret, a prefix or an empty hash never match.
func TestCheckClientSecret(t *testing.T) {
	stored := oidc.HashClientSecret("tsc_correct horse")
	tests := []struct {
		name, secret string
		hash         []byte
		want         bool
	}{
		{"right", "tsc_correct horse", stored, true},
		{"wrong", "tsc_correct horsf", stored, false},
		{"prefix", "tsc_correct", stored, false},
		{"empty", "", stored, false},
		{"no stored hash", "tsc_correct horse", nil, false},
		{"truncated hash", "tsc_correct horse", stored[:16], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oidc.CheckClientSecret(tt.secret, tt.hash); got != tt.want {
				t.Errorf("CheckClientSecret = %v, want %v", got, tt.want)
			}
		})
	}
	if len(stored) != 32 {
		t.Errorf("hash is %d bytes, want SHA-256's 32", len(stored))
	}
}
