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

// TestCompatNeedsItsAuthenticator: the compatible routes' login answers a
// classic key (token mode) or JWTs (jwt mode); with the matching
// authenticator left out of TESSERA_AUTHENTICATION that is a start-up
// error naming both settings, and with it listed, or the routes off, no
// error.
func TestCompatNeedsItsAuthenticator(t *testing.T) {
	for _, tt := range []struct {
		mode, authn, want string
	}{
		{"token", "bearer,session", `TESSERA_COMPAT_TOKEN=token: its logins answer token credentials, which TESSERA_AUTHENTICATION must then list`},
		{"jwt", "token,session", `TESSERA_COMPAT_TOKEN=jwt: its logins answer bearer credentials, which TESSERA_AUTHENTICATION must then list`},
		{"token", "token", ""},
		{"jwt", "bearer", ""},
	} {
		_, err := load(t, map[string]string{"TESSERA_COMPAT": "dj-rest-auth", "TESSERA_COMPAT_TOKEN": tt.mode, "TESSERA_AUTHENTICATION": tt.authn})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("mode %s with %s: error %v, want %q", tt.mode, tt.authn, err, tt.want)
		}
	}
	if _, err := load(t, map[string]string{"TESSERA_AUTHENTICATION": "bearer"}); err != nil {
		t.Errorf("routes off, bearer only: %v", err)
	}
}

// TestLinkBasesEndWithTheirPath: the issuer and the front-end URL are the
// bases links are built on by adding a path, so a bare "?" or "#" after
// them (which would leave every link's path in a query or a fragment), a
// query, a fragment or credentials are refused, naming the variable.
func TestLinkBasesEndWithTheirPath(t *testing.T) {
	for _, name := range []string{"TESSERA_FRONTEND_URL", "TESSERA_ISSUER"} {
		for _, v := range []string{"https://app.example.com/?", "https://app.example.com/#", "https://app.example.com/?a=b",
			"https://app.example.com/#x", "https://u:p@app.example.com"} {
			if _, err := load(t, map[string]string{name: v}); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: error %v, want one naming the variable", name, v, err)
			}
		}
	}
	if _, err := load(t, map[string]string{"TESSERA_FRONTEND_URL": "https://app.example.com/app/"}); err != nil {
		t.Errorf("a front-end URL with a path: %v", err)
	}
}
