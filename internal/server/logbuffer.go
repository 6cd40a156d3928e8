package server

import (
	"bufio"
	"errors"
	"io"
	"sync"
	"time"
)

// LogBuffer batches log lines in memory and writes them to the underlying
// writer when its buffer fills, every interval, and on Flush and Close, so
// a request costs a copy into memory rather than a write system call. A
// line is never split or lost by the buffering itself: Close writes what
// is left, so a server that stops (SIGTERM, a returned error) loses
// nothing; only a crash of the process may drop the last interval's lines.
// It is safe for concurrent use.
//
// Written here rather than taken from a library: it is bufio.Writer with a
// lock, a ticker and an idempotent Close.
type LogBuffer struct {
	mu     sync.Mutex
	w      *bufio.Writer
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// What `tessera serve` buffers: a line reaches the log within
// DefaultLogFlushInterval, and at most DefaultLogBufferSize bytes wait.
const (
	DefaultLogBufferSize    = 64 << 10
	DefaultLogFlushInterval = 200 * time.Millisecond
)

// NewLogBuffer buffers up to size bytes for w and flushes them at least
// every interval.
func NewLogBuffer(w io.Writer, size int, interval time.Duration) *LogBuffer {
	b := &LogBuffer{w: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

func (b *LogBuffer) flushEvery(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			_ = b.Flush()
		}
	}
}

// Write copies p into the buffer (writing through when p is larger than
// the buffer). After Close it writes straight to the underlying writer,
// so a late line is still kept.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.w.Write(p)
	if b.closed && err == nil {
		err = b.w.Flush()
	}
	return n, err
}

// Flush writes every buffered byte to the underlying writer.
func (b *LogBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and writes what is left. Closing twice
// is not an error.
func (b *LogBuffer) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
	return errors.Join(b.Flush())
}
