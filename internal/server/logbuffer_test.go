package server_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server"
)

// lockedBuffer is the underlying writer; it counts the writes that reach it.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) snapshot() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

// TestLogBufferKeepsEveryLineAtClose: lines logged by many goroutines, none
// flushed by time (the interval is an hour), all reach the underlying
// writer whole at Close, in far fewer writes than lines; a line logged
// after Close is written at once.
func TestLogBufferKeepsEveryLineAtClose(t *testing.T) {
	out := &lockedBuffer{}
	buf := server.NewLogBuffer(out, 4096, time.Hour)
	log := slog.New(slog.NewTextHandler(buf, nil))
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				log.Info("request", "g", g, "i", i)
			}
		})
	}
	wg.Wait()
	if err := buf.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := buf.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	text, writes := out.snapshot()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != goroutines*each {
		t.Fatalf("%d lines reached the writer, want %d", len(lines), goroutines*each)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " msg=request g=") {
			t.Fatalf("a line was split or mixed: %q", l)
		}
		seen[l[strings.Index(l, " g="):]] = true
	}
	for g := range goroutines {
		for i := range each {
			if !seen[fmt.Sprintf(" g=%d i=%d", g, i)] {
				t.Fatalf("line g=%d i=%d is missing", g, i)
			}
		}
	}
	if writes >= len(lines)/10 {
		t.Errorf("%d writes for %d lines: the buffer does not batch", writes, len(lines))
	}
	log.Info("late")
	if text, _ := out.snapshot(); !strings.Contains(text, "msg=late") {
		t.Error("a line logged after Close was not written")
	}
}

// TestLogBufferFlushesOnItsOwn: with no Close, a buffered line reaches the
// writer once the interval has passed (polled, no timing asserted).
func TestLogBufferFlushesOnItsOwn(t *testing.T) {
	out := &lockedBuffer{}
	buf := server.NewLogBuffer(out, 4096, time.Millisecond)
	defer buf.Close()
	if _, err := buf.Write([]byte("one line\n")); err != nil {
		t.Fatal(err)
	}
	for {
		if text, _ := out.snapshot(); text == "one line\n" {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
