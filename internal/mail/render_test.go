package mail

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRenderEveryTemplate(t *testing.T) {
	link := "https://app.example.com/reset-password?uid=0195&token=abc_-123"
	d := Data{Email: "ada@example.com", NewEmail: "lovelace@example.com", Link: link, ValidFor: "1 hour"}
	for name := range templates {
		t.Run(name, func(t *testing.T) {
			m, err := Render(name, "ada@example.com", d)
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "ada@example.com" || m.Kind != name || m.Subject == "" || strings.Contains(m.Subject, "\n") {
				t.Fatalf("bad header fields: %+v", m)
			}
			about := d.Email
			if name == TemplateChangeEmail {
				about = d.NewEmail
			}
			if !strings.Contains(m.Text, about) || !strings.Contains(m.HTML, about) {
				t.Fatalf("the address is missing:\n%s\n%s", m.Text, m.HTML)
			}
			if !strings.HasPrefix(m.HTML, "<!doctype html>") || !strings.Contains(m.HTML, "<title>"+m.Subject+"</title>") {
				t.Fatalf("html is not a page with the subject as title:\n%s", m.HTML)
			}
			if strings.Contains(m.Text, link) && !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
				t.Fatalf("the text has the link, the html does not:\n%s", m.HTML)
			}
		})
	}
	for _, name := range []string{TemplateVerifyEmail, TemplateChangeEmail, TemplateResetPassword} {
		if m, _ := Render(name, "x@example.com", d); !strings.Contains(m.Text, link) || !strings.Contains(m.Text, "1 hour") {
			t.Errorf("%s: the text lacks the link or its lifetime:\n%s", name, m.Text)
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	m, err := Render(TemplateAccountExists, "x@example.com", Data{Email: `<script>alert(1)</script>@example.com`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Fatalf("html not escaped:\n%s", m.HTML)
	}
	if _, err := Render("no_such_template", "x@example.com", Data{}); err == nil {
		t.Fatal("an unknown template rendered")
	}
}

func TestConsoleWritesWholeMessage(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := Open(Config{Backend: "console", From: "Tessera <no-reply@example.com>", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Render(TemplateVerifyEmail, "ada@example.com", Data{Email: "ada@example.com", Link: "http://127.0.0.1:3000/verify-email?key=k3y", ValidFor: "3 days"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"level=WARN", "level=INFO", "to=ada@example.com", "no-reply@example.com", m.Subject, "verify-email?key=k3y", "<!doctype html>"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}

func TestOpenRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want string
	}{
		{"unknown backend", Config{Backend: "pigeon", From: "a@example.com"}, "pigeon"},
		{"http url", Config{Backend: "smtp", SMTPURL: "http://mail.example.com", From: "a@example.com"}, "smtp://"},
		{"query", Config{Backend: "smtp", SMTPURL: "smtp://u:hunter2@mail.example.com?insecure=1", From: "a@example.com"}, "nothing more"},
		{"bad port", Config{Backend: "smtp", SMTPURL: "smtp://u:hunter2@mail.example.com:99999", From: "a@example.com"}, "port"},
		{"no host", Config{Backend: "smtp", SMTPURL: "smtp://u:hunter2@:25", From: "a@example.com"}, "host"},
		{"no from", Config{Backend: "smtp", SMTPURL: "smtp://mail.example.com"}, "From"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
	s, err := Open(Config{Backend: "smtp", SMTPURL: "smtps://mail.example.com", From: "a@example.com"})
	if err != nil || s.(*SMTP).port != 465 || !s.(*SMTP).implicit {
		t.Fatalf("smtps default = %+v, %v", s, err)
	}
}
