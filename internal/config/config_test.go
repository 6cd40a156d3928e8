package config

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	c := Default()
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := c.ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if c.AccessTTL != 15*time.Minute || c.DatabaseURL != "sqlite:data/tessera.db" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if got := c.Audiences(); len(got) != 1 || got[0] != c.Issuer {
		t.Fatalf("default audience = %v, want the issuer", got)
	}
}

func TestBrandSettings(t *testing.T) {
	c, err := load(t, map[string]string{"TESSERA_BRAND_NAME": "Acme", "TESSERA_BRAND_LOGO_URL": "https://cdn.acme.example/logo.svg"}, "--brand-color", "#0a0")
	if err != nil {
		t.Fatal(err)
	}
	if c.BrandName != "Acme" || c.BrandLogoURL != "https://cdn.acme.example/logo.svg" || c.BrandColor != "#0a0" {
		t.Errorf("brand settings: %q %q %q", c.BrandName, c.BrandLogoURL, c.BrandColor)
	}
	if d := Default(); d.BrandName != "Tessera" || d.BrandLogoURL != "" {
		t.Errorf("default brand: %q %q", d.BrandName, d.BrandLogoURL)
	}
}

func TestPrecedence(t *testing.T) {
	env := map[string]string{"TESSERA_ACCESS_TTL": "5m", "TESSERA_ADDR": "127.0.0.1:9000", "TESSERA_CORS_ORIGINS": "https://a.example, https://b.example"}
	c, err := load(t, env, "--addr", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessTTL != 5*time.Minute {
		t.Errorf("env not applied: %v", c.AccessTTL)
	}
	if c.Addr != "127.0.0.1:9100" {
		t.Errorf("flag must win over env, got %q", c.Addr)
	}
	if len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://b.example" {
		t.Errorf("list env = %q", c.CORSOrigins)
	}
}

func TestBadValuesAllReportedAtOnce(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"bad duration", map[string]string{"TESSERA_ACCESS_TTL": "soon"}, []string{`TESSERA_ACCESS_TTL="soon"`, "duration"}},
		{"bad bool", map[string]string{"TESSERA_COOKIE_SECURE": "maybe"}, []string{"TESSERA_COOKIE_SECURE", "true or false"}},
		{"several", map[string]string{
			"TESSERA_SIGNING_ALG": "HS256", "TESSERA_COOKIE_SAMESITE": "sometimes",
			"TESSERA_PASSWORD_MIN_LENGTH": "6", "TESSERA_DATABASE_URL": "mysql://x",
		}, []string{"TESSERA_SIGNING_ALG", "HS256", "ES256, EdDSA, RS256", "TESSERA_COOKIE_SAMESITE", "TESSERA_PASSWORD_MIN_LENGTH=6", "TESSERA_DATABASE_URL"}},
		{"wildcard origin", map[string]string{"TESSERA_CORS_ORIGINS": "*"}, []string{"TESSERA_CORS_ORIGINS=*"}},
		{"unknown authenticator", map[string]string{"TESSERA_AUTHENTICATION": "bearer,magic"}, []string{"TESSERA_AUTHENTICATION", "magic"}},
		{"samesite none without secure", map[string]string{"TESSERA_COOKIE_SAMESITE": "none", "TESSERA_COOKIE_SECURE": "false"}, []string{"needs TESSERA_COOKIE_SECURE"}},
		{"issuer with query", map[string]string{"TESSERA_ISSUER": "https://id.example/?x=1"}, []string{"TESSERA_ISSUER"}},
		{"bad proxy", map[string]string{"TESSERA_TRUSTED_PROXIES": "10.0.0.0/99"}, []string{"TESSERA_TRUSTED_PROXIES"}},
		{"empty brand name", map[string]string{"TESSERA_BRAND_NAME": "  "}, []string{`TESSERA_BRAND_NAME="  "`, "1 to 100"}},
		{"plain-http logo", map[string]string{"TESSERA_BRAND_LOGO_URL": "http://cdn.example/logo.png"}, []string{"TESSERA_BRAND_LOGO_URL=http://cdn.example/logo.png", "https"}},
		{"logo that is no URL", map[string]string{"TESSERA_BRAND_LOGO_URL": "logo.png"}, []string{"TESSERA_BRAND_LOGO_URL=logo.png"}},
		{"logo breaking out of the CSP", map[string]string{"TESSERA_BRAND_LOGO_URL": "https://cdn.example/a;script-src *"}, []string{"TESSERA_BRAND_LOGO_URL"}},
		{"colour name", map[string]string{"TESSERA_BRAND_COLOR": "red"}, []string{`TESSERA_BRAND_COLOR="red"`, "#rgb or #rrggbb"}},
		{"negative reauth age", map[string]string{"TESSERA_REAUTH_MAX_AGE": "-1m"}, []string{"TESSERA_REAUTH_MAX_AGE=-1m0s", "0s and 24h"}},
		{"reauth age over a day", map[string]string{"TESSERA_REAUTH_MAX_AGE": "25h"}, []string{"TESSERA_REAUTH_MAX_AGE"}},
		{"colour of four digits", map[string]string{"TESSERA_BRAND_COLOR": "#abcd"}, []string{"TESSERA_BRAND_COLOR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestApplyEnvOnlyForSettings: a command's own flags are never set from
// the environment (TESSERA_ADMIN must not make `users create` create an
// admin).
func TestApplyEnvOnlyForSettings(t *testing.T) {
	c := Default()
	fs := pflag.NewFlagSet("users create", pflag.ContinueOnError)
	admin := fs.Bool("admin", false, "")
	c.Flags(fs)
	env := map[string]string{"TESSERA_ADMIN": "true", "TESSERA_ACCESS_TTL": "1m"}
	if err := c.ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if *admin {
		t.Fatal("TESSERA_ADMIN set the command's own --admin flag")
	}
	if c.AccessTTL != time.Minute {
		t.Fatalf("settings must still come from the environment: %v", c.AccessTTL)
	}
}

// TestSettingsWithoutFlagsComeFromTheEnvironment: a command that shows only
// some settings as flags still reads every other one from the environment,
// and a flag it shows still wins over the environment.
func TestSettingsWithoutFlagsComeFromTheEnvironment(t *testing.T) {
	c := Default()
	fs := pflag.NewFlagSet("migrate up", pflag.ContinueOnError)
	c.Flags(fs, "database-url")
	var shown []string
	fs.VisitAll(func(f *pflag.Flag) { shown = append(shown, f.Name) })
	if len(shown) != 1 || shown[0] != "database-url" {
		t.Fatalf("flags shown: %v, want only database-url", shown)
	}
	if err := fs.Parse([]string{"--database-url", "sqlite:flag.db"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TESSERA_DATABASE_URL": "sqlite:env.db", "TESSERA_KEYS_DIR": "/srv/keys", "TESSERA_ACCESS_TTL": "2m"}
	if err := c.ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:flag.db" || c.KeysDir != "/srv/keys" || c.AccessTTL != 2*time.Minute {
		t.Fatalf("database %q (want the flag's), keys %q, access TTL %v (want the environment's)", c.DatabaseURL, c.KeysDir, c.AccessTTL)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an unknown setting name must panic")
		}
	}()
	c.Flags(pflag.NewFlagSet("x", pflag.ContinueOnError), "no-such-setting")
}

// TestReauthMaxAge: the freshness limit of sensitive page actions defaults
// to five minutes and is read from the environment and the serve flag.
func TestReauthMaxAge(t *testing.T) {
	if d := Default(); d.ReauthMaxAge != 5*time.Minute {
		t.Errorf("default reauth max age %s, want 5m", d.ReauthMaxAge)
	}
	c, err := load(t, map[string]string{"TESSERA_REAUTH_MAX_AGE": "2m"})
	if err != nil || c.ReauthMaxAge != 2*time.Minute {
		t.Errorf("env: %s, %v; want 2m", c.ReauthMaxAge, err)
	}
	c, err = load(t, map[string]string{"TESSERA_REAUTH_MAX_AGE": "2m"}, "--reauth-max-age", "0s")
	if err != nil || c.ReauthMaxAge != 0 {
		t.Errorf("flag: %s, %v; want 0s", c.ReauthMaxAge, err)
	}
}
