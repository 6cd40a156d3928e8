package mail

import (
	"context"
	"strings"
	"sync"
)

var _ Sender = (*Outbox)(nil)

// Outbox keeps every message in memory, for tests. It is safe for
// concurrent use.
type Outbox struct {
	mu   sync.Mutex
	msgs []Message
	fail error
}

// NewOutbox returns an empty Outbox.
func NewOutbox() *Outbox { return &Outbox{} }

// Send records m, or returns the error set with FailWith.
func (o *Outbox) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.msgs = append(o.msgs, m)
	return nil
}

// FailWith makes every later Send return err (nil: succeed again).
func (o *Outbox) FailWith(err error) {
	o.mu.Lock()
	o.fail = err
	o.mu.Unlock()
}

// Messages returns a copy of every message, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.msgs...)
}

// To returns the messages to the address to (compared without case),
// oldest first.
func (o *Outbox) To(to string) []Message {
	var out []Message
	for _, m := range o.Messages() {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

// Last returns the newest message to the address to (compared without
// case), and whether there is one.
func (o *Outbox) Last(to string) (Message, bool) {
	list := o.To(to)
	if len(list) == 0 {
		return Message{}, false
	}
	return list[len(list)-1], true
}

// LastOf returns the newest message of the template kind to the address to
// (compared without case), and whether there is one. A queue's workers may
// deliver two messages queued close together in either order, so a test
// that wants one kind of mail asks for that kind rather than the newest.
func (o *Outbox) LastOf(to, kind string) (Message, bool) {
	list := o.To(to)
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Kind == kind {
			return list[i], true
		}
	}
	return Message{}, false
}
