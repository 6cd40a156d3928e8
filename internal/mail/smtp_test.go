package mail

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// parts decodes a received message into its headers and its text and html
// bodies, as a mail client would.
func parts(t *testing.T, data string) (mail.Header, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, data)
	}
	bodies := map[string]string{}
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(first(h["Content-Type"]))
		if err != nil {
			t.Fatalf("content type: %v", err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		if strings.EqualFold(first(h["Content-Transfer-Encoding"]), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		bodies[mt] = string(b)
	}
	walk(msg.Header, msg.Body)
	return msg.Header, bodies
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func testMessage(t *testing.T) Message {
	t.Helper()
	m, err := Render(TemplateResetPassword, "ada@example.com", Data{
		Email: "ada@example.com", ValidFor: "1 hour",
		Link: "https://app.example.com/reset-password?token=Zm9vYmFy_-x&uid=0195d0c4-7d4a-7b1e-9c1a-1f2e3d4c5b6a",
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSMTPDelivers sends real mail through go-mail to a sink on loopback:
// STARTTLS with AUTH, implicit TLS, and plain text without credentials.
func TestSMTPDelivers(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name     string
		sink     *sink
		implicit bool
		url      func(addr string) string
		wantTLS  bool
		wantUser string
	}{
		{"starttls with auth", &sink{tls: serverTLS, offerTLS: true, user: "mailer", pass: "s3cret pass"}, false,
			func(a string) string { return "smtp://mailer:s3cret%20pass@" + a }, true, "mailer"},
		{"implicit tls", &sink{tls: serverTLS, user: "mailer", pass: "pw"}, true,
			func(a string) string { return "smtps://mailer:pw@" + a }, true, "mailer"},
		{"no starttls offered, no credentials", &sink{}, false,
			func(a string) string { return "smtp://" + a }, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sk := startSink(t, tc.sink, tc.implicit)
			s, err := NewSMTP(tc.url(sk.addr), "Tessera <no-reply@example.com>")
			if err != nil {
				t.Fatal(err)
			}
			s.tlsConfig = clientTLS
			m := testMessage(t)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("send: %v", err)
			}
			got := sk.messages()
			if len(got) != 1 {
				t.Fatalf("sink got %d messages, want 1", len(got))
			}
			r := got[0]
			if r.TLS != tc.wantTLS || r.AuthUser != tc.wantUser || !strings.Contains(r.From, "no-reply@example.com") || !strings.Contains(r.To, "ada@example.com") {
				t.Fatalf("envelope %+v, want tls %v, user %q", r, tc.wantTLS, tc.wantUser)
			}
			h, bodies := parts(t, r.Data)
			if h.Get("Subject") != m.Subject || !strings.Contains(h.Get("To"), "ada@example.com") || !strings.Contains(h.Get("From"), "no-reply@example.com") {
				t.Fatalf("headers %v", h)
			}
			link := "https://app.example.com/reset-password?token=Zm9vYmFy_-x&uid=0195d0c4-7d4a-7b1e-9c1a-1f2e3d4c5b6a"
			if !strings.Contains(bodies["text/plain"], link) {
				t.Fatalf("text body lacks the exact link:\n%s", bodies["text/plain"])
			}
			if !strings.Contains(bodies["text/html"], strings.ReplaceAll(link, "&", "&amp;")) {
				t.Fatalf("html body lacks the link:\n%s", bodies["text/html"])
			}
		})
	}
}

// TestSMTPFailures: refusals are errors, and a 5xx is not worth retrying.
func TestSMTPFailures(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name          string
		sink          *sink
		url           func(addr string) string
		wantPermanent bool
	}{
		{"unknown recipient", &sink{rejectRcpt: "550 5.1.1 no such user"}, func(a string) string { return "smtp://" + a }, true},
		{"mailbox busy", &sink{rejectRcpt: "451 4.3.0 try again later"}, func(a string) string { return "smtp://" + a }, false},
		{"wrong password", &sink{tls: serverTLS, offerTLS: true, user: "mailer", pass: "right"},
			func(a string) string { return "smtp://mailer:wrong@" + a }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sk := startSink(t, tc.sink, false)
			s, err := NewSMTP(tc.url(sk.addr), "no-reply@example.com")
			if err != nil {
				t.Fatal(err)
			}
			s.tlsConfig = clientTLS
			err = s.Send(context.Background(), testMessage(t))
			if err == nil || IsPermanent(err) != tc.wantPermanent {
				t.Fatalf("send: %v (permanent %v), want an error with permanent %v", err, IsPermanent(err), tc.wantPermanent)
			}
			if len(sk.messages()) != 0 {
				t.Fatal("the sink accepted a message")
			}
		})
	}
	s, _ := NewSMTP("smtp://127.0.0.1:1", "no-reply@example.com")
	if err := s.Send(context.Background(), testMessage(t)); err == nil || IsPermanent(err) {
		t.Fatalf("connection refused: %v, want a temporary error", err)
	}
	if err := s.Send(context.Background(), Message{To: "not an address"}); !IsPermanent(err) {
		t.Fatalf("bad recipient: %v, want permanent", err)
	}
}

// TestSMTPURLErrorsHideSecrets: a refused TESSERA_SMTP_URL is named, its
// password and secret query values are not.
func TestSMTPURLErrorsHideSecrets(t *testing.T) {
	const sentinel = "hunter2-Sentinel"
	for _, raw := range []string{
		"smtpx://mailer:" + sentinel + "@mail.example",
		"smtp://mailer:" + sentinel + "@mail.example:99999",
		"smtp://mail.example?password=" + sentinel,
		"smtp://mailer:" + sentinel + "@mail.example/path?token=" + sentinel,
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := NewSMTP(raw, "no-reply@example.com")
			if err == nil || !strings.Contains(err.Error(), "TESSERA_SMTP_URL") || strings.Contains(err.Error(), sentinel) {
				t.Fatalf("error %v: want one naming TESSERA_SMTP_URL without the secret", err)
			}
		})
	}
}
