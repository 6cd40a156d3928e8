package mail

import (
	"context"
	"log/slog"
	"sync"
)

var _ Sender = (*Console)(nil)

// Console is the development backend: every message is written, whole, to
// the log at info level and sent nowhere, as Django's console backend
// prints to stdout. It never fails. Its first message comes with a warning:
// from then on the log holds working links, reset links included.
type Console struct {
	log    *slog.Logger
	from   string
	warned sync.Once
}

// NewConsole returns a Console writing to log.
func NewConsole(log *slog.Logger, from string) *Console {
	if log == nil {
		log = slog.Default()
	}
	return &Console{log: log, from: from}
}

// Send logs m.
func (c *Console) Send(ctx context.Context, m Message) error {
	c.warned.Do(func() {
		c.log.WarnContext(ctx, "e-mail backend is console: messages, with their links, are written to this log and not sent; use TESSERA_EMAIL_BACKEND=smtp in production")
	})
	c.log.InfoContext(ctx, "e-mail (console backend, not sent)",
		"kind", m.Kind, "from", c.from, "to", m.To, "subject", m.Subject, "text", m.Text, "html", m.HTML)
	return nil
}
