// Package mail sends Tessera's e-mails through a backend: console (the
// whole message written to the log, like Django's console backend), SMTP
// (wneessen/go-mail), or an in-memory Outbox for tests. A Queue in front of
// the backend keeps sending off the request path: a bounded buffer, a few
// workers, retries with backoff, and a failure hook.
//
// It owns the message templates (embedded text/template and html/template
// pairs) and how a message travels. It must never decide what a message
// says about an account or whom to send it to: the use cases in package
// auth choose the template, fill it and name the recipient. Delivery
// failures are reported to the caller's hook, never to the person who asked
// for the e-mail.
package mail
