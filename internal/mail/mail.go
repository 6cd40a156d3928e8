// Package mail sends Tessera's e-mails through a backend: console (the
// whole message written to the log, like Django's console backend), SMTP,
// or an in-memory outbox for tests.
//
// It must never decide what a message says about an account: templates
// are filled by the caller's use case, and delivery failures are reported
// to the caller, never to the person who asked for the e-mail.
package mail

import "context"

// Message is one e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
