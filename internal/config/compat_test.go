package config

import (
	"strings"
	"testing"
)

func TestCompatSettings(t *testing.T) {
	d := Default()
	if d.Compat != "" || d.CompatPath != "/dj-rest-auth/" || d.CompatToken != "token" {
		t.Fatalf("compat defaults: %q %q %q", d.Compat, d.CompatPath, d.CompatToken)
	}
	c, err := load(t, map[string]string{"TESSERA_COMPAT": "dj-rest-auth", "TESSERA_COMPAT_TOKEN": "jwt"}, "--compat-path", "/api/auth/")
	if err != nil {
		t.Fatal(err)
	}
	if c.Compat != "dj-rest-auth" || c.CompatPath != "/api/auth/" || c.CompatToken != "jwt" {
		t.Errorf("compat settings: %q %q %q", c.Compat, c.CompatPath, c.CompatToken)
	}
}

// TestCompatBadValues: each bad value is one error naming its variable.
func TestCompatBadValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown product", map[string]string{"TESSERA_COMPAT": "djoser"}, `TESSERA_COMPAT="djoser": want dj-rest-auth or nothing`},
		{"product in capitals", map[string]string{"TESSERA_COMPAT": "DJ-REST-AUTH"}, `TESSERA_COMPAT="DJ-REST-AUTH"`},
		{"path without the last slash", map[string]string{"TESSERA_COMPAT_PATH": "/dj-rest-auth"}, `TESSERA_COMPAT_PATH="/dj-rest-auth"`},
		{"relative path", map[string]string{"TESSERA_COMPAT_PATH": "dj-rest-auth/"}, `TESSERA_COMPAT_PATH="dj-rest-auth/"`},
		{"root path", map[string]string{"TESSERA_COMPAT_PATH": "/"}, `TESSERA_COMPAT_PATH="/"`},
		{"double slash", map[string]string{"TESSERA_COMPAT_PATH": "/api//auth/"}, `TESSERA_COMPAT_PATH="/api//auth/"`},
		{"dot segment", map[string]string{"TESSERA_COMPAT_PATH": "/api/../v1/"}, `TESSERA_COMPAT_PATH="/api/../v1/"`},
		{"wildcard", map[string]string{"TESSERA_COMPAT_PATH": "/api/:x/"}, `TESSERA_COMPAT_PATH="/api/:x/"`},
		{"Tessera's own prefix", map[string]string{"TESSERA_COMPAT_PATH": "/v1/auth/"}, "/v1/ is taken"},
		{"pages' prefix", map[string]string{"TESSERA_COMPAT_PATH": "/oauth/dj/"}, "/oauth/ is taken"},
		{"unknown token mode", map[string]string{"TESSERA_COMPAT_TOKEN": "session"}, `TESSERA_COMPAT_TOKEN="session": want token or jwt`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if n := strings.Count(err.Error(), "TESSERA_"); n != 1 {
				t.Errorf("want one error, got %d: %v", n, err)
			}
		})
	}
}
