package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server"
)

// TestServeAndDrain: once ctx ends the listener closes at once, a request
// already in flight still gets its answer, and ServeAndDrain returns nil;
// when the drain runs out first it says so.
func TestServeAndDrain(t *testing.T) {
	tests := []struct {
		name    string
		drain   time.Duration
		release bool // the in-flight handler is let go once accepting stopped
		wantErr error
	}{
		{"in-flight request finishes", 30 * time.Second, true, nil},
		{"drain runs out", 100 * time.Millisecond, false, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			entered, release := make(chan struct{}), make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				select {
				case <-release:
				case <-r.Context().Done(): // the test is over
				}
				_, _ = io.WriteString(w, "done")
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			served := make(chan error, 1)
			go func() {
				served <- server.ServeAndDrain(ctx, ln, h, tt.drain, slog.New(slog.NewTextHandler(io.Discard, nil)))
			}()
			answered := make(chan *http.Response, 1)
			failed := make(chan error, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String() + "/")
				if err != nil {
					failed <- err
					return
				}
				answered <- resp
			}()
			<-entered
			cancel()
			waitRefused(t, ln.Addr().String())
			if tt.release {
				close(release)
			}
			if err := <-served; !errors.Is(err, tt.wantErr) {
				t.Fatalf("ServeAndDrain = %v, want %v", err, tt.wantErr)
			}
			if !tt.release {
				close(release)
				return
			}
			select {
			case resp := <-answered:
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || string(body) != "done" {
					t.Fatalf("in-flight request: %d %q", resp.StatusCode, body)
				}
			case err := <-failed:
				t.Fatalf("in-flight request failed: %v", err)
			}
		})
	}
}

// waitRefused waits until addr refuses connections: the server stopped
// accepting.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatal("the listener still accepts after ctx ended")
}
