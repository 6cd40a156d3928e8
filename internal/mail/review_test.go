package mail

import (
	"context"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted is an SMTP server for failure cases the sink does not play: it
// advertises the extensions it is given, hangs up unanswered on one verb,
// answers any AUTH with a challenge and then a refusal, and records every
// verb it hears.
type scripted struct {
	addr     string
	ext      []string // EHLO lines after the server's name
	hangUpOn string   // verb answered by closing the connection

	mu    sync.Mutex
	verbs []string
	data  int // messages accepted
}

// startScripted listens on host:0.
func startScripted(t *testing.T, s *scripted, host string) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *scripted) heard(verb string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.verbs {
		if v == verb {
			return true
		}
	}
	return false
}

func (s *scripted) accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

func (s *scripted) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 scripted ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		s.verbs = append(s.verbs, verb)
		s.mu.Unlock()
		if verb == s.hangUpOn {
			return
		}
		switch verb {
		case "EHLO", "HELO":
			lines := append([]string{"scripted"}, s.ext...)
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				_ = tp.PrintfLine("250%s%s", sep, l)
			}
		case "AUTH":
			_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte("<1.1@scripted>")))
			_, _ = tp.ReadLine()
			_ = tp.PrintfLine("535 5.7.8 refused")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			if _, err := tp.ReadDotBytes(); err != nil {
				return
			}
			s.mu.Lock()
			s.data++
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}

// TestSMTPDroppedConnectionIsTemporary: a connection lost in the middle of
// a transaction is no answer from the server, let alone a 5xx, so the
// queue must try the message again.
func TestSMTPDroppedConnectionIsTemporary(t *testing.T) {
	for _, verb := range []string{"NOOP", "MAIL", "RCPT", "DATA"} {
		t.Run(verb, func(t *testing.T) {
			sk := startScripted(t, &scripted{ext: []string{"8BITMIME"}, hangUpOn: verb}, "127.0.0.1")
			s, err := NewSMTP("smtp://"+sk.addr, "no-reply@example.com")
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), testMessage(t))
			if err == nil || IsPermanent(err) {
				t.Fatalf("server hung up on %s: %v (permanent %v), want a temporary error", verb, err, IsPermanent(err))
			}
		})
	}
}

// TestSMTPAcceptedMessageIsNotResent: once the server answered 250 to the
// message, a failure afterwards (RSET, QUIT) must not make the queue send
// it again, nor report it as not delivered.
func TestSMTPAcceptedMessageIsNotResent(t *testing.T) {
	for _, verb := range []string{"RSET", "QUIT"} {
		t.Run(verb, func(t *testing.T) {
			sk := startScripted(t, &scripted{ext: []string{"8BITMIME"}, hangUpOn: verb}, "127.0.0.1")
			s, err := NewSMTP("smtp://"+sk.addr, "no-reply@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), testMessage(t)); err != nil || sk.accepted() != 1 {
				t.Fatalf("server accepted %d messages, then hung up on %s; Send: %v, want nil", sk.accepted(), verb, err)
			}
		})
	}
}

// TestSMTPNoAuthOnPlainText: credentials go only over TLS (or to
// localhost). A server elsewhere that offers no STARTTLS, as one behind a
// STARTTLS-stripping attacker, must not be sent an AUTH exchange, not
// even a challenge-response one (CRAM-MD5 gives away the user name and a
// response that can be cracked offline).
func TestSMTPNoAuthOnPlainText(t *testing.T) {
	// 127.0.0.2 is loopback but not one of the names treated as localhost.
	sk := startScripted(t, &scripted{ext: []string{"AUTH CRAM-MD5", "8BITMIME"}}, "127.0.0.2")
	s, err := NewSMTP("smtp://mailer:s3cret@"+sk.addr, "no-reply@example.com")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), testMessage(t))
	if sk.heard("AUTH") {
		t.Fatalf("AUTH sent on a connection without TLS (send: %v)", err)
	}
	if err == nil || sk.accepted() != 0 {
		t.Fatalf("send: %v, %d accepted; want no mail without TLS when credentials are set", err, sk.accepted())
	}
}

// TestSMTPRecipientIsBareAddress: Message.To is one address. A display
// name or a comment would show one address in the To header while the
// envelope goes to another, so such a value is refused, not delivered.
func TestSMTPRecipientIsBareAddress(t *testing.T) {
	for _, to := range []string{
		`"ada@example.com" <eve@evil.example>`,
		`eve@evil.example (ada@example.com)`,
	} {
		t.Run(to, func(t *testing.T) {
			sk := startSink(t, &sink{}, false)
			s, err := NewSMTP("smtp://"+sk.addr, "no-reply@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m := testMessage(t)
			m.To = to
			err = s.Send(context.Background(), m)
			if got := sk.messages(); len(got) != 0 {
				t.Fatalf("delivered to %s", got[0].To)
			}
			if !IsPermanent(err) {
				t.Fatalf("send: %v, want a permanent error", err)
			}
		})
	}
}
