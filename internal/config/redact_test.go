package config

import (
	"strings"
	"testing"
)

// sentinel is a password that must never be shown.
const sentinel = "hunter2-Sentinel"

// TestConfigurationErrorsHideSecrets sends secret-bearing settings that
// fail validation: the errors name the variable but never the secret.
func TestConfigurationErrorsHideSecrets(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"database URL of another scheme", map[string]string{"TESSERA_DATABASE_URL": "mysql://root:" + sentinel + "@db/x"}, "TESSERA_DATABASE_URL=mysql://root:xxxxx@db/x"},
		{"password in the query", map[string]string{"TESSERA_DATABASE_URL": "mysql://db/x?sslmode=off&password=" + sentinel}, "TESSERA_DATABASE_URL"},
		{"key=value form", map[string]string{"TESSERA_DATABASE_URL": "host=db user=root password=" + sentinel}, "TESSERA_DATABASE_URL"},
		{"opaque form", map[string]string{"TESSERA_DATABASE_URL": "mysql:root:" + sentinel + "@db"}, "TESSERA_DATABASE_URL"},
		{"resource server without id", map[string]string{"TESSERA_RESOURCE_SERVERS": "api:0123456789abcdef," + sentinel + sentinel}, "TESSERA_RESOURCE_SERVERS"},
		{"resource server secret too short", map[string]string{"TESSERA_RESOURCE_SERVERS": "api:" + sentinel[:8]}, "TESSERA_RESOURCE_SERVERS"},
		{"smtp backend with a bad setting beside", map[string]string{"TESSERA_SMTP_URL": "smtp://u:" + sentinel + "@mail", "TESSERA_EMAIL_BACKEND": "pigeon"}, "TESSERA_EMAIL_BACKEND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.env)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), sentinel) || strings.Contains(err.Error(), sentinel[:8]) {
				t.Fatalf("error shows the secret: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"userinfo password", "postgres://tessera:" + sentinel + "@db:5432/tessera?sslmode=require", "postgres://tessera:xxxxx@db:5432/tessera?sslmode=require"},
		{"escaped password", "postgres://u:p%40ss%2F" + sentinel + "@db/x", "postgres://u:xxxxx@db/x"},
		{"secret query values", "postgres://db/x?password=" + sentinel + "&sslpassword=" + sentinel + "&sslmode=verify-full", "postgres://db/x?password=xxxxx&sslmode=verify-full&sslpassword=xxxxx"},
		{"user without password", "smtp://mailer@mail.example:587", "smtp://mailer@mail.example:587"},
		{"fragment", "smtps://mail.example#" + sentinel, "smtps://mail.example"},
		{"sqlite path", "sqlite:data/tessera.db", "sqlite:data/tessera.db"},
		{"sqlite absolute", "sqlite:///srv/tessera.db", "sqlite:///srv/tessera.db"},
		{"not a URL", "host=db password=" + sentinel, "(not a URL: not shown, it may hold a password)"},
		{"unparsable", "postgres://u:" + sentinel + "%zz@db/x", "(not a URL: not shown, it may hold a password)"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Fatalf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRedactorRemovesEverySecret: whatever form a driver's message quotes
// a secret in, the redactor removes it.
func TestRedactorRemovesEverySecret(t *testing.T) {
	c := Default()
	c.DatabaseURL = "postgres://u:" + sentinel + "%2F1@db:bad/x?sslpassword=key-" + sentinel
	c.SMTPURL = "smtp://mailer:smtp-" + sentinel + "@mail.example"
	c.ResourceServers = []string{"api:rs-" + sentinel, "nocolon-" + sentinel}
	text := strings.Join([]string{
		`parse "` + c.DatabaseURL + `": invalid port ":bad" after host`,
		"password " + sentinel + "/1 refused",
		"smtp auth smtp-" + sentinel + " failed",
		"introspect rs-" + sentinel,
		"nocolon-" + sentinel,
		"key-" + sentinel,
	}, "\n")
	got := c.Redactor().Replace(text)
	if strings.Contains(got, sentinel) {
		t.Fatalf("a secret survived:\n%s", got)
	}
	if !strings.Contains(got, `invalid port ":bad"`) {
		t.Fatalf("the rest of the message must stay:\n%s", got)
	}
	unparsable := Config{DatabaseURL: "postgres://u:" + sentinel + "%zz@db/x"}
	if got := unparsable.Redactor().Replace("open " + unparsable.DatabaseURL); strings.Contains(got, sentinel) {
		t.Fatalf("secret of an unparsable URL survived: %s", got)
	}
}
