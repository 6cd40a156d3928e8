package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Message is one e-mail. Kind names what it is for ("reset_password",
// "verify_email", ...) in logs and audit events; it never holds a secret.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	Kind    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Composer builds a message just before it is sent; a nil message means
// there is nothing to send. Deferring the composition lets a use case
// answer before it has even looked the recipient up, so the answer cannot
// depend on whether the recipient exists.
type Composer func(ctx context.Context) (*Message, error)

// Deferrer is a Sender that can also run a Composer later, off the
// caller's path. Queue is one.
type Deferrer interface {
	Sender
	SendLater(ctx context.Context, c Composer) error
}

// Later hands c to s when s is a Deferrer. Otherwise it composes and sends
// at once, which is only right for senders that never block (an Outbox).
func Later(ctx context.Context, s Sender, c Composer) error {
	if d, ok := s.(Deferrer); ok {
		return d.SendLater(ctx, c)
	}
	m, err := c(ctx)
	if err != nil || m == nil {
		return err
	}
	return s.Send(ctx, *m)
}

// Config chooses and configures a backend.
type Config struct {
	// Backend is "console" or "smtp".
	Backend string
	// SMTPURL is smtp://[user:pass@]host[:port] (STARTTLS when the server
	// offers it, port 587 by default) or smtps://... (implicit TLS, port
	// 465 by default).
	SMTPURL string
	// From is the From address of every message.
	From   string
	Logger *slog.Logger
}

// Open returns the backend c names. The console backend is for
// development only: its log lines carry every link it "sends".
func Open(c Config) (Sender, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch c.Backend {
	case "", "console":
		return NewConsole(c.Logger, c.From), nil
	case "smtp":
		s, err := NewSMTP(c.SMTPURL, c.From)
		if err != nil {
			return nil, fmt.Errorf("smtp backend: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown e-mail backend %q: want console or smtp", c.Backend)
}

// permanentError marks a failure that retrying cannot fix (a 5xx answer,
// a malformed address).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
