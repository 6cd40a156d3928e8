package bench

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample", []time.Duration{7}, 99, 7},
		{"median of ten", ten, 50, 5},
		{"p90 of ten", ten, 90, 9},
		{"p99 of ten is the max", ten, 99, 10},
		{"p100 is the max", ten, 100, 10},
		{"tiny p is the min", ten, 0.1, 1},
		{"zero p", ten, 0, 0},
		{"p99 of a hundred", hundred(), 99, 99},
		{"p99.9 of a hundred", hundred(), 99.9, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func hundred() []time.Duration {
	s := make([]time.Duration, 100)
	for i := range s {
		s[i] = time.Duration(i + 1)
	}
	return s
}

func TestSummarize(t *testing.T) {
	samples := []time.Duration{4 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	var r Result
	summarize(&r, samples, 2*time.Second)
	if r.Requests != 4 || r.PerSecond != 2 || r.P50 != 2 || r.Max != 4 || r.Mean != 2.5 || r.Seconds != 2 {
		t.Errorf("summarize = %+v", r)
	}
}

// TestDrive checks the load loop's bookkeeping, not its speed: every
// client runs, failures are counted and sampled once per message.
func TestDrive(t *testing.T) {
	calls := make([]int, 4)
	load := Load{Clients: 4, Duration: 100 * time.Millisecond}
	newOp := func(i int) Op {
		return func(context.Context) error {
			calls[i]++
			switch i {
			case 2:
				return errors.New("boom")
			case 3:
				return &statusError{Status: 503, RetryAfter: time.Second}
			}
			time.Sleep(time.Millisecond)
			return nil
		}
	}
	tally := Drive(context.Background(), load, newOp)
	tally.Add(Drive(context.Background(), load, newOp))
	for i, n := range calls {
		if n < 2 {
			t.Errorf("client %d ran %d times", i, n)
		}
	}
	r := tally.Result("x")
	if r.Requests == 0 || r.Errors == 0 || len(r.ErrorSamples) != 1 || r.ErrorSamples[0] != "boom" {
		t.Errorf("Drive = %+v", r)
	}
	if r.Shed != 2 || r.Clients != 4 || r.Seconds < 0.2 {
		t.Errorf("shed %d (want one per drive), clients %d, seconds %v", r.Shed, r.Clients, r.Seconds)
	}
}

// TestDriveEdges checks that the window's edges are announced once each,
// in order and no earlier than the load says, and not at all when the
// drive is cancelled before its window opens.
func TestDriveEdges(t *testing.T) {
	var edges []time.Time
	load := Load{Clients: 2, Warmup: 30 * time.Millisecond, Duration: 50 * time.Millisecond,
		Edge: func() { edges = append(edges, time.Now()) }}
	sleep := func(int) Op {
		return func(context.Context) error { time.Sleep(time.Millisecond); return nil }
	}
	start := time.Now()
	tally := Drive(context.Background(), load, sleep)
	if len(edges) != 2 {
		t.Fatalf("Edge called %d times, want 2", len(edges))
	}
	// Each edge waits for its moment, and may be late: the second is due
	// Duration after the first was due, not after it came.
	if edges[0].Before(start.Add(load.Warmup)) || edges[1].Before(start.Add(load.Warmup+load.Duration)) {
		t.Errorf("edges at %v and %v after the start; want from %v, then from %v", edges[0].Sub(start), edges[1].Sub(start),
			load.Warmup, load.Warmup+load.Duration)
	}
	if len(tally.Samples) == 0 {
		t.Error("no operation counted in the window")
	}

	edges = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Drive(ctx, load, sleep)
	if len(edges) != 0 {
		t.Errorf("Edge called %d times on a cancelled drive, want 0", len(edges))
	}
}

func TestRefreshTokenOf(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"as Tessera writes it", `{"token_type":"Bearer","access_token":"a.b.c","expires_in":300,"refresh_token":"tsr1.AbC-_9.xyz","user":{"first_name":"\"refresh_token\":\"nope"}}`, "tsr1.AbC-_9.xyz"},
		{"spaced, decoded in full", `{"refresh_token" : "r.1"}`, "r.1"},
		{"escaped, decoded in full", `{"refresh_token":"r\u002e2"}`, "r.2"},
		{"only in a string value", `{"note":"\"refresh_token\":\"x\"","refresh_token":"r.3"}`, "r.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := refreshTokenOf([]byte(tt.body))
			if err != nil || got != tt.want {
				t.Errorf("refreshTokenOf = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"access_token":"a"}`, `{"refresh_token":""}`, `not json`, ``} {
		if got, err := refreshTokenOf([]byte(bad)); err == nil {
			t.Errorf("refreshTokenOf(%q) = %q, want an error", bad, got)
		}
	}
}
