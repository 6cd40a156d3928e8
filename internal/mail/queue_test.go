package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// flaky fails its first n sends with err, then delivers to an Outbox.
type flaky struct {
	Outbox
	n     atomic.Int32
	err   error
	calls atomic.Int32
}

func (f *flaky) Send(ctx context.Context, m Message) error {
	f.calls.Add(1)
	if f.n.Add(-1) >= 0 {
		return f.err
	}
	return f.Outbox.Send(ctx, m)
}

func newTestQueue(t *testing.T, backend Sender, o QueueOptions) *Queue {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quietLogger()
	}
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	q := NewQueue(backend, o)
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	return q
}

func flush(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

func TestQueueRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  int32
		err       error
		wantSent  bool
		wantCalls int32
	}{
		{"first try", 0, nil, true, 1},
		{"one temporary failure", 1, errors.New("451 try later"), true, 2},
		{"always failing", 10, errors.New("connection refused"), false, 3},
		{"permanent failure", 10, Permanent(errors.New("550 no such user")), false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &flaky{err: tc.err}
			f.n.Store(tc.failures)
			var failed []Message
			var mu sync.Mutex
			q := newTestQueue(t, f, QueueOptions{OnFailure: func(_ context.Context, m Message, err error) {
				mu.Lock()
				defer mu.Unlock()
				if !errors.Is(err, tc.err) {
					t.Errorf("OnFailure got %v, want %v", err, tc.err)
				}
				failed = append(failed, m)
			}})
			if err := q.Send(context.Background(), Message{To: "a@example.com", Kind: "test"}); err != nil {
				t.Fatal(err)
			}
			flush(t, q)
			_, sent := f.Last("a@example.com")
			mu.Lock()
			defer mu.Unlock()
			if sent != tc.wantSent || f.calls.Load() != tc.wantCalls || (len(failed) == 1) == tc.wantSent {
				t.Fatalf("sent %v after %d calls, %d failures reported; want sent %v after %d calls",
					sent, f.calls.Load(), len(failed), tc.wantSent, tc.wantCalls)
			}
		})
	}
}

func TestQueueSendLater(t *testing.T) {
	out := NewOutbox()
	var logs bytes.Buffer
	q := newTestQueue(t, out, QueueOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	_ = q.SendLater(ctx, func(context.Context) (*Message, error) { return &Message{To: "b@example.com"}, nil })
	_ = q.SendLater(ctx, func(context.Context) (*Message, error) { return nil, nil })
	_ = q.SendLater(ctx, func(context.Context) (*Message, error) { return nil, errors.New("database down") })
	flush(t, q)
	if got := out.Messages(); len(got) != 1 || got[0].To != "b@example.com" {
		t.Fatalf("outbox = %+v, want the one composed message", got)
	}
	if !strings.Contains(logs.String(), "database down") {
		t.Fatalf("a composer's error is not logged: %s", logs.String())
	}
}

// blocking holds every send until release is closed.
type blocking struct {
	Outbox
	release chan struct{}
}

func (b *blocking) Send(ctx context.Context, m Message) error {
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.Outbox.Send(ctx, m)
}

// TestQueueNeverBlocks: a full buffer refuses at once instead of making the
// caller wait, and Close gives up on what cannot go out in time.
func TestQueueNeverBlocks(t *testing.T) {
	b := &blocking{release: make(chan struct{})}
	q := NewQueue(b, QueueOptions{Size: 2, Workers: 1, Attempts: 1, Logger: quietLogger()})
	ctx := context.Background()
	var full error
	start := time.Now()
	for range 10 {
		if err := q.Send(ctx, Message{To: "c@example.com"}); err != nil {
			full = err
		}
	}
	if !errors.Is(full, ErrQueueFull) || time.Since(start) > time.Second {
		t.Fatalf("sends into a full queue: %v after %v, want ErrQueueFull at once", full, time.Since(start))
	}
	closeCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := q.Close(closeCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("close with stuck sends: %v, want the deadline", err)
	}
	if err := q.Send(ctx, Message{}); !errors.Is(err, ErrQueueClosed) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestQueueCloseDrains(t *testing.T) {
	out := NewOutbox()
	q := NewQueue(out, QueueOptions{Logger: quietLogger()})
	for range 20 {
		_ = q.Send(context.Background(), Message{To: "d@example.com"})
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(out.To("D@example.com")); n != 20 {
		t.Fatalf("%d messages out after Close, want all 20", n)
	}
}

func TestLaterWithoutQueue(t *testing.T) {
	out := NewOutbox()
	err := Later(context.Background(), out, func(context.Context) (*Message, error) { return &Message{To: "e@example.com"}, nil })
	if _, ok := out.Last("e@example.com"); err != nil || !ok {
		t.Fatalf("Later on a plain Sender: %v, sent %v", err, ok)
	}
	out.FailWith(errors.New("boom"))
	if err := out.Send(context.Background(), Message{}); err == nil {
		t.Fatal("FailWith had no effect")
	}
}

// TestQueueComposesAfterDelay: a Composer never starts before
// ComposeDelay has passed since SendLater.
func TestQueueComposesAfterDelay(t *testing.T) {
	q := newTestQueue(t, NewOutbox(), QueueOptions{ComposeDelay: 30 * time.Millisecond})
	var started time.Time
	queued := time.Now()
	_ = q.SendLater(context.Background(), func(context.Context) (*Message, error) {
		started = time.Now()
		return nil, nil
	})
	flush(t, q)
	if d := started.Sub(queued); d < 30*time.Millisecond {
		t.Fatalf("composer started %v after SendLater, want at least 30ms", d)
	}
}

// TestQueueSurvivesPanics: a composer that panics is logged and the
// queue goes on with the next message, on every worker.
func TestQueueSurvivesPanics(t *testing.T) {
	out := NewOutbox()
	var logs bytes.Buffer
	var mu sync.Mutex
	q := newTestQueue(t, out, QueueOptions{Workers: 1, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))})
	ctx := context.Background()
	for range 3 {
		_ = q.SendLater(ctx, func(context.Context) (*Message, error) { panic("composer bug") })
	}
	_ = q.SendLater(ctx, func(context.Context) (*Message, error) { return &Message{To: "after@example.com"}, nil })
	flush(t, q)
	if got := out.Messages(); len(got) != 1 || got[0].To != "after@example.com" {
		t.Fatalf("outbox = %+v, want the message queued after the panics", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "composer bug"); n != 3 {
		t.Fatalf("%d panics logged, want 3: %s", n, logs.String())
	}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
