package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ErrQueueFull is returned when the queue's buffer is full: the message is
// dropped rather than making the caller wait.
var ErrQueueFull = errors.New("mail queue is full")

// ErrQueueClosed is returned by a Queue after Close.
var ErrQueueClosed = errors.New("mail queue is closed")

// QueueOptions tune a Queue; zero values take the defaults.
type QueueOptions struct {
	Size     int           // buffered jobs (256)
	Workers  int           // concurrent sends (2)
	Attempts int           // sends per message before giving up (3)
	Backoff  time.Duration // wait before the first retry, doubled after each (2s)
	Timeout  time.Duration // bound of one attempt (30s)
	// ComposeDelay is how long after SendLater a Composer may start (25ms):
	// by then the answer to the request that queued it has left, so its
	// work, which may depend on whether an account exists, does not compete
	// with that answer for the CPU.
	ComposeDelay time.Duration
	Logger       *slog.Logger
	// OnFailure is called, from a worker, for each message given up on.
	OnFailure func(ctx context.Context, m Message, err error)
}

var _ Deferrer = (*Queue)(nil)

// Queue sends through a backend off the caller's path: Send and SendLater
// only buffer the job and never block. Workers compose, send and retry;
// a message that still fails is logged and passed to OnFailure. It is safe
// for concurrent use.
type Queue struct {
	backend Sender
	o       QueueOptions
	jobs    chan job
	ctx     context.Context // cancelled when Close gives up waiting
	cancel  context.CancelFunc
	workers sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	pending int           // accepted and not finished
	idle    chan struct{} // closed when pending drops to 0
}

type job struct {
	msg       Message
	compose   Composer
	notBefore time.Time // for compose
}

// NewQueue starts a Queue over backend. Close stops it.
func NewQueue(backend Sender, o QueueOptions) *Queue {
	o.Size = defaultInt(o.Size, 256)
	o.Workers = defaultInt(o.Workers, 2)
	o.Attempts = defaultInt(o.Attempts, 3)
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.ComposeDelay <= 0 {
		o.ComposeDelay = 25 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{backend: backend, o: o, jobs: make(chan job, o.Size), ctx: ctx, cancel: cancel}
	for range o.Workers {
		q.workers.Add(1)
		go q.work()
	}
	return q
}

func defaultInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Send queues m.
func (q *Queue) Send(_ context.Context, m Message) error { return q.put(job{msg: m}) }

// SendLater queues c: a worker composes the message and sends it.
func (q *Queue) SendLater(_ context.Context, c Composer) error {
	return q.put(job{compose: c, notBefore: time.Now().Add(q.o.ComposeDelay)})
}

func (q *Queue) put(j job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrQueueClosed
	}
	select {
	case q.jobs <- j:
	default:
		return ErrQueueFull
	}
	if q.pending == 0 {
		q.idle = make(chan struct{})
	}
	q.pending++
	return nil
}

func (q *Queue) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending--
	if q.pending == 0 {
		close(q.idle)
	}
}

// Flush waits until every job accepted so far has been sent or given up
// on, or ctx ends.
func (q *Queue) Flush(ctx context.Context) error {
	q.mu.Lock()
	if q.pending == 0 {
		q.mu.Unlock()
		return nil
	}
	idle := q.idle
	q.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting jobs and lets the workers finish the buffered ones
// until ctx ends; then it cancels what is left (those jobs are given up on)
// and returns once every worker has stopped.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.jobs)
	}
	q.mu.Unlock()
	stopped := make(chan struct{})
	go func() { q.workers.Wait(); close(stopped) }()
	var err error
	select {
	case <-stopped:
	case <-ctx.Done():
		err = ctx.Err()
		q.cancel()
		<-stopped
	}
	q.cancel()
	return err
}

func (q *Queue) work() {
	defer q.workers.Done()
	for j := range q.jobs {
		q.run(j)
		q.done()
	}
}

// run composes the job's message if needed and delivers it. A panic in
// the composer or the backend is logged as the job's failure: one bad
// message must not take the server, and every mail queued behind it, down.
func (q *Queue) run(j job) {
	defer func() {
		if v := recover(); v != nil {
			q.o.Logger.Error("e-mail job panicked", "kind", j.msg.Kind, "panic", fmt.Sprint(v))
		}
	}()
	m := j.msg
	if j.compose != nil {
		select {
		case <-time.After(time.Until(j.notBefore)):
		case <-q.ctx.Done():
		}
		cm, err := j.compose(q.ctx)
		if err != nil {
			q.o.Logger.Error("e-mail not composed", "err", err)
			return
		}
		if cm == nil {
			return
		}
		m = *cm
	}
	if err := q.deliver(m); err != nil {
		q.o.Logger.Error("e-mail not sent", "kind", m.Kind, "to", m.To, "err", err)
		if q.o.OnFailure != nil {
			// The hook records the failure even when Close gave up waiting.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(q.ctx), 5*time.Second)
			q.o.OnFailure(ctx, m, err)
			cancel()
		}
	}
}

// deliver tries m up to Attempts times, waiting Backoff, 2×Backoff, ...
// between attempts; a permanent error or a cancelled queue stops it early.
func (q *Queue) deliver(m Message) error {
	wait := q.o.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(q.ctx, q.o.Timeout)
		err = q.backend.Send(ctx, m)
		cancel()
		if err == nil || IsPermanent(err) || attempt >= q.o.Attempts {
			return err
		}
		q.o.Logger.Warn("e-mail send failed, will retry", "kind", m.Kind, "attempt", attempt, "err", err)
		select {
		case <-time.After(wait):
			wait *= 2
		case <-q.ctx.Done():
			return errors.Join(err, q.ctx.Err())
		}
	}
}
