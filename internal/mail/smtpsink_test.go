package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink is a small SMTP server for tests, on 127.0.0.1:0. It speaks just
// enough of RFC 5321 for a real client: EHLO, STARTTLS (RFC 3207), AUTH
// PLAIN (RFC 4616), MAIL, RCPT, DATA, RSET, NOOP, QUIT, and it records
// every message it accepts.
type sink struct {
	addr     string
	tls      *tls.Config
	offerTLS bool   // advertise STARTTLS
	user     string // AUTH PLAIN credentials; "" offers no AUTH
	pass     string
	// rejectRcpt, when set, is the reply to every RCPT TO.
	rejectRcpt string

	mu   sync.Mutex
	mail []received
}

// received is one accepted message.
type received struct {
	From, To string
	Data     string
	TLS      bool
	AuthUser string
}

// startSink listens on 127.0.0.1:0, with implicit TLS when implicit.
func startSink(t *testing.T, s *sink, implicit bool) *sink {
	t.Helper()
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.tls)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
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
			go s.serve(c, implicit)
		}
	}()
	return s
}

func (s *sink) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mail...)
}

// session is one connection's state.
type session struct {
	tp       *textproto.Conn
	conn     net.Conn
	tls      bool
	authUser string
	cur      received
}

func (s *sink) serve(c net.Conn, implicit bool) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	ss := &session{tp: textproto.NewConn(c), conn: c, tls: implicit}
	_ = ss.tp.PrintfLine("220 sink ESMTP ready")
	for {
		line, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !s.handle(ss, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// handle answers one command; false ends the connection.
func (s *sink) handle(ss *session, verb, arg string) bool {
	reply := func(format string, args ...any) { _ = ss.tp.PrintfLine(format, args...) }
	switch verb {
	case "EHLO", "HELO":
		lines := []string{"sink"}
		if s.offerTLS && !ss.tls {
			lines = append(lines, "STARTTLS")
		}
		if s.user != "" {
			lines = append(lines, "AUTH PLAIN")
		}
		lines = append(lines, "8BITMIME")
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			reply("250%s%s", sep, l)
		}
	case "STARTTLS":
		reply("220 go ahead")
		tc := tls.Server(ss.conn, s.tls)
		if err := tc.Handshake(); err != nil {
			return false
		}
		ss.conn, ss.tp, ss.tls = tc, textproto.NewConn(tc), true
	case "AUTH":
		s.auth(ss, arg, reply)
	case "MAIL":
		ss.cur = received{From: arg, TLS: ss.tls, AuthUser: ss.authUser}
		reply("250 ok")
	case "RCPT":
		if s.rejectRcpt != "" {
			reply("%s", s.rejectRcpt)
			return true
		}
		ss.cur.To = arg
		reply("250 ok")
	case "DATA":
		reply("354 end with <CRLF>.<CRLF>")
		data, err := ss.tp.ReadDotBytes()
		if err != nil {
			return false
		}
		ss.cur.Data = string(data)
		s.mu.Lock()
		s.mail = append(s.mail, ss.cur)
		s.mu.Unlock()
		reply("250 queued")
	case "RSET", "NOOP":
		reply("250 ok")
	case "QUIT":
		reply("221 bye")
		return false
	default:
		reply("502 not implemented")
	}
	return true
}

func (s *sink) auth(ss *session, arg string, reply func(string, ...any)) {
	mech, resp, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") || s.user == "" {
		reply("504 unrecognized authentication type")
		return
	}
	if resp == "" {
		reply("334 ")
		resp, _ = ss.tp.ReadLine()
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
		reply("535 authentication failed")
		return
	}
	ss.authUser = parts[1]
	reply("235 authenticated")
}

// selfSigned returns a server certificate for 127.0.0.1 and a client
// configuration that trusts it (and nothing else).
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client
}
