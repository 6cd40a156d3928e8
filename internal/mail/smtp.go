package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tessera-id/tessera/internal/config"
)

var _ Sender = (*SMTP)(nil)

// SMTP sends through an SMTP server with wneessen/go-mail, one connection
// per message (the Queue in front bounds how many run at once).
//
// smtp:// upgrades with STARTTLS whenever the server offers it; smtps://
// speaks TLS from the first byte. Credentials are only sent over TLS
// (with credentials, STARTTLS is required except to localhost), so a
// server that offers no STARTTLS gets mail without authentication or none
// at all.
type SMTP struct {
	host     string
	port     int
	implicit bool // smtps://
	user     string
	pass     string
	from     string
	// tlsConfig replaces the system roots (tests trust their own sink).
	tlsConfig *tls.Config
	timeout   time.Duration
}

// NewSMTP parses rawURL: smtp://[user:pass@]host[:port] (default port 587)
// or smtps://[user:pass@]host[:port] (default port 465). Query parameters
// are refused: there are none. Errors never quote the password.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("TESSERA_SMTP_URL is not a URL")
	}
	s := &SMTP{host: u.Hostname(), from: from, timeout: 15 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("TESSERA_SMTP_URL %s: want smtp:// or smtps://", config.RedactURL(rawURL))
	}
	if s.host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("TESSERA_SMTP_URL %s: want scheme://[user:pass@]host[:port] and nothing more", config.RedactURL(rawURL))
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("TESSERA_SMTP_URL %s: bad port", config.RedactURL(rawURL))
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if from == "" {
		return nil, errors.New("a From address is required")
	}
	return s, nil
}

// Send delivers m. A 5xx answer or an address the server refuses is
// marked Permanent; anything else may be retried.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return Permanent(fmt.Errorf("from address: %w", err))
	}
	// m.To must be one bare address: with a display name or a comment
	// the envelope would go to the address inside, whatever the rest says.
	if a, err := netmail.ParseAddress(m.To); err != nil || a.Name != "" || a.Address != m.To {
		return Permanent(errors.New("to address: want one bare address"))
	}
	if err := msg.To(m.To); err != nil {
		return Permanent(fmt.Errorf("to address: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := gomail.NewClient(s.host, s.options()...)
	if err != nil {
		return Permanent(fmt.Errorf("smtp client: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		// The server took the message; only RSET or QUIT failed after.
		// Sending it again would deliver it twice.
		if msg.IsDelivered() {
			return nil
		}
		// Only a 5xx answer is permanent: go-mail also calls a dropped
		// connection or a timeout mid-transaction "not temporary".
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() <= 599 {
			return Permanent(fmt.Errorf("smtp send: %w", err))
		}
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

func (s *SMTP) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.timeout)}
	switch {
	case s.implicit:
		opts = append(opts, gomail.WithSSL())
	case s.user != "" && !isLocalhost(s.host):
		// Without TLS go-mail would still authenticate with CRAM-MD5 or
		// NTLM, whose answers can be cracked offline: credentials go over
		// TLS only, so a server without STARTTLS gets no mail.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	tc := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if s.tlsConfig != nil {
		tc = s.tlsConfig
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	return opts
}

// isLocalhost reports the names go-mail sends plain-text credentials to
// without TLS.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
