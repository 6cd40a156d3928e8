package jwtverify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// newTestWatcher watches feed on clock, polled once before it is returned;
// the test drives every later poll.
func newTestWatcher(t *testing.T, feed *feedServer, clock *fakeClock, opts ...jwtverify.WatcherOption) *jwtverify.RevocationWatcher {
	t.Helper()
	base := []jwtverify.WatcherOption{jwtverify.WithClock(clock.Now), jwtverify.WithPollInterval(time.Hour)}
	w := drivenWatcher(t, feed.URL, append(base, opts...)...)
	poll(t, w)
	return w
}

// drivenWatcher is a watcher of feedURL whose background loop has already
// ended, so only the test's own Poll calls read the feed. With a live
// loop, its first poll (and its catch-up polls, when a poll returns
// ErrBehind) can run between the test's, moving the cursor or LastError
// under it. The loop is given an ended context: its one poll fails before
// any request, and Close waits for it to return.
func drivenWatcher(t *testing.T, feedURL string, opts ...jwtverify.WatcherOption) *jwtverify.RevocationWatcher {
	t.Helper()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	w := jwtverify.NewRevocationWatcher(ended, feedURL, opts...)
	w.Close()
	return w
}

func poll(t *testing.T, w *jwtverify.RevocationWatcher) {
	t.Helper()
	if err := w.Poll(context.Background()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
}

const (
	sidA = "0f9a8d3e-1c2b-4e5f-8a7b-6c5d4e3f2a1b"
	sidB = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
)

// TestWatcherRevocationReachesVerify: a revocation published by the feed
// makes Verify fail with ErrRevoked after one poll, for that session only.
func TestWatcherRevocationReachesVerify(t *testing.T) {
	feed := newFeedServer(t)
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	v := newTestVerifier(t, jwtverify.WithRevocations(w), jwtverify.WithClock(clock.Now))
	es := testSigners(t)["ES256"]
	tokA, tokB := tokenAt(t, es, clock.Now(), sidA), tokenAt(t, es, clock.Now(), sidB)
	for _, raw := range []string{tokA, tokB} {
		if _, err := v.Verify(context.Background(), raw); err != nil {
			t.Fatalf("before the revocation: %v", err)
		}
	}

	feed.revoke(sidA, clock.Now(), clock.Now().Add(16*time.Minute))
	poll(t, w)
	c, err := v.Verify(context.Background(), tokA)
	if !errors.Is(err, jwtverify.ErrRevoked) || c != nil {
		t.Fatalf("revoked session: Verify = %v, %v; want nil, ErrRevoked", c, err)
	}
	if _, err := v.Verify(context.Background(), tokB); err != nil {
		t.Fatalf("other session: %v", err)
	}
	if !w.Revoked(sidA) || w.Revoked(sidB) || w.Revoked("") {
		t.Fatal("Revoked disagrees with Verify")
	}
}

// TestWatcherForgetsExpired: a sid is kept until its expires_at, then
// forgotten at the next poll.
func TestWatcherForgetsExpired(t *testing.T) {
	feed := newFeedServer(t)
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	feed.revoke(sidA, clock.Now(), clock.Now().Add(2*time.Minute))
	feed.revoke(sidB, clock.Now(), clock.Now().Add(time.Hour))
	poll(t, w)

	clock.Advance(2*time.Minute - time.Second)
	poll(t, w)
	if !w.Revoked(sidA) {
		t.Fatal("forgotten before expires_at")
	}
	clock.Advance(time.Second)
	poll(t, w)
	if w.Revoked(sidA) || !w.Revoked(sidB) {
		t.Fatalf("after A's expires_at: A revoked %v (want false), B %v (want true)", w.Revoked(sidA), w.Revoked(sidB))
	}
	// A restart of the feed lists A again: it stays forgotten.
	feed.set(func(f *feedServer) { f.epoch++ })
	poll(t, w)
	if w.Revoked(sidA) || !w.Revoked(sidB) {
		t.Fatal("an expired revocation came back after a restart")
	}
}

// TestWatcherForgetsExpiredAddedLater: a revocation that expires before
// every one already known, learnt in a later poll, is still forgotten on
// time (the set remembers its earliest expiry, not its first one).
func TestWatcherForgetsExpiredAddedLater(t *testing.T) {
	feed := newFeedServer(t)
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	feed.revoke(sidB, clock.Now(), clock.Now().Add(time.Hour))
	poll(t, w)
	feed.revoke(sidA, clock.Now(), clock.Now().Add(2*time.Minute))
	poll(t, w)
	if !w.Revoked(sidA) || !w.Revoked(sidB) {
		t.Fatal("both revocations should be known")
	}
	clock.Advance(2 * time.Minute)
	poll(t, w)
	if w.Revoked(sidA) || !w.Revoked(sidB) {
		t.Fatalf("after A's expires_at: A revoked %v (want false), B %v (want true)", w.Revoked(sidA), w.Revoked(sidB))
	}
}

// TestWatcherRestartsOnBadCursor: a cursor the feed refuses (400) makes
// the watcher start over without since, in the same poll, missing nothing.
func TestWatcherRestartsOnBadCursor(t *testing.T) {
	feed := newFeedServer(t)
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	feed.revoke(sidA, clock.Now(), clock.Now().Add(time.Hour))
	poll(t, w)

	feed.set(func(f *feedServer) { f.epoch++ }) // every cursor handed out is now unknown
	feed.revoke(sidB, clock.Now(), clock.Now().Add(time.Hour))
	before := len(feed.requests())
	poll(t, w)
	if !w.Revoked(sidA) || !w.Revoked(sidB) {
		t.Fatalf("after the restart: A %v, B %v; want both revoked", w.Revoked(sidA), w.Revoked(sidB))
	}
	got := feed.requests()[before:]
	if len(got) < 2 || !strings.HasPrefix(got[0], "since=1.") || got[1] != "" {
		t.Fatalf("queries %q, want the refused cursor then a restart without since", got)
	}
	poll(t, w)
	if last := feed.requests()[len(feed.requests())-1]; !strings.HasPrefix(last, "since=2.") {
		t.Fatalf("after the restart the watcher asks %q, want the new cursor", last)
	}
}

// TestWatcherKeepsSetOnErrors: a failing feed changes nothing but
// LastError; the first good poll clears it.
func TestWatcherKeepsSetOnErrors(t *testing.T) {
	tests := []struct {
		name string
		fail func(f *feedServer)
	}{
		{"500", func(f *feedServer) { f.status = http.StatusInternalServerError }},
		{"404", func(f *feedServer) { f.status = http.StatusNotFound }},
		{"not JSON", func(f *feedServer) { f.raw = "<html>maintenance</html>" }},
		{"no revocations member", func(f *feedServer) { f.raw = `{"cursor":"x"}` }},
		{"over the size bound", func(f *feedServer) { f.raw = strings.Repeat(" ", jwtverify.MaxFeedSize+1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feed := newFeedServer(t)
			clock := newFakeClock()
			w := newTestWatcher(t, feed, clock)
			feed.revoke(sidA, clock.Now(), clock.Now().Add(time.Hour))
			poll(t, w)

			feed.set(tt.fail)
			feed.revoke(sidB, clock.Now(), clock.Now().Add(time.Hour))
			if err := w.Poll(context.Background()); err == nil {
				t.Fatal("Poll = nil against a broken feed")
			}
			if !w.Revoked(sidA) || w.LastError() == nil {
				t.Fatalf("after a failed poll: A revoked %v, LastError %v", w.Revoked(sidA), w.LastError())
			}

			feed.set(func(f *feedServer) { f.status, f.raw = 0, "" })
			poll(t, w)
			if !w.Revoked(sidA) || !w.Revoked(sidB) || w.LastError() != nil {
				t.Fatalf("after recovery: A %v, B %v, LastError %v", w.Revoked(sidA), w.Revoked(sidB), w.LastError())
			}
		})
	}
}

// TestWatcherFollowsPages: one poll follows the cursor until it stops
// moving, so a burst of revocations larger than a page arrives at once.
func TestWatcherFollowsPages(t *testing.T) {
	feed := newFeedServer(t)
	feed.set(func(f *feedServer) { f.pageSize = 2 })
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	for i := range 7 {
		feed.revoke(fmt.Sprintf("sid-%d", i), clock.Now(), clock.Now().Add(time.Hour))
	}
	poll(t, w)
	for i := range 7 {
		if !w.Revoked(fmt.Sprintf("sid-%d", i)) {
			t.Fatalf("sid-%d missed", i)
		}
	}
}

// TestWatcherIgnoresJunkEntries: entries without a sid, or with an absurd
// one, are skipped; an entry without expires_at is kept (for a day).
func TestWatcherIgnoresJunkEntries(t *testing.T) {
	feed := newFeedServer(t)
	clock := newFakeClock()
	w := newTestWatcher(t, feed, clock)
	feed.revoke("", clock.Now(), clock.Now().Add(time.Hour))
	feed.revoke(strings.Repeat("s", 300), clock.Now(), clock.Now().Add(time.Hour))
	feed.revoke(sidA, clock.Now(), time.Time{})
	poll(t, w)
	if w.Revoked("") || w.Revoked(strings.Repeat("s", 300)) || !w.Revoked(sidA) {
		t.Fatal("junk entries kept, or the entry without expires_at dropped")
	}
}

// TestWatcherPollInterval: the feed's poll_interval is used, bounded; an
// override wins, raised to MinPollOverride.
func TestWatcherPollInterval(t *testing.T) {
	tests := []struct {
		name     string
		announce int
		override time.Duration
		want     time.Duration
	}{
		{"announced", 20, 0, 20 * time.Second},
		{"announced too short", 1, 0, jwtverify.MinPollInterval},
		{"announced too long", 86400, 0, jwtverify.MaxPollInterval},
		{"none announced", 0, 0, jwtverify.DefaultPollInterval},
		{"override", 20, 2 * time.Second, 2 * time.Second},
		{"override too short", 20, time.Millisecond, jwtverify.MinPollOverride},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feed := newFeedServer(t)
			feed.set(func(f *feedServer) { f.poll = tt.announce })
			var opts []jwtverify.WatcherOption
			if tt.override != 0 {
				opts = append(opts, jwtverify.WithPollInterval(tt.override))
			}
			w := jwtverify.NewRevocationWatcher(context.Background(), feed.URL, opts...)
			defer w.Close()
			poll(t, w)
			if got := w.PollInterval(); got != tt.want {
				t.Fatalf("PollInterval = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWatcherBackgroundPolling: the watcher polls on its own, backs off
// while the feed fails, and stops on Close or when its ctx ends.
func TestWatcherBackgroundPolling(t *testing.T) {
	defer jwtverify.SetPollFloor(time.Millisecond)()
	feed := newFeedServer(t)
	clock := newFakeClock()
	feed.revoke(sidA, clock.Now(), clock.Now().Add(time.Hour))
	w := jwtverify.NewRevocationWatcher(context.Background(), feed.URL,
		jwtverify.WithClock(clock.Now), jwtverify.WithPollInterval(5*time.Millisecond))
	waitFor(t, "three background polls", func() bool { return len(feed.requests()) >= 3 })
	if !w.Revoked(sidA) {
		t.Fatal("background polls did not bring the revocation in")
	}
	w.Close()
	w.Close()
	// A request sent just before Close may reach the server just after
	// it (the server logs arrivals, and the cancelled client does not
	// wait for them): let such a straggler land before counting. A loop
	// still running at 5 ms would poll many times in the window after.
	time.Sleep(50 * time.Millisecond)
	n := len(feed.requests())
	time.Sleep(100 * time.Millisecond)
	if got := len(feed.requests()); got != n {
		t.Fatalf("%d polls after Close", got-n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	w2 := jwtverify.NewRevocationWatcher(ctx, feed.URL, jwtverify.WithClock(clock.Now), jwtverify.WithPollInterval(5*time.Millisecond))
	waitFor(t, "a poll", func() bool { return w2.Revoked(sidA) })
	cancel()
	done := make(chan struct{})
	go func() { w2.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not stop when its ctx ended")
	}
}

// TestWatcherBackoff: failures double the wait, within bounds, jittered.
func TestWatcherBackoff(t *testing.T) {
	tests := []struct {
		interval time.Duration
		failures int
		want     time.Duration
	}{
		{30 * time.Second, 1, 30 * time.Second},
		{30 * time.Second, 2, time.Minute},
		{30 * time.Second, 4, 4 * time.Minute},
		{30 * time.Second, 50, 5 * time.Minute},
		{time.Hour, 3, time.Hour},
	}
	for _, tt := range tests {
		for range 20 {
			got := jwtverify.Backoff(tt.interval, tt.failures)
			if lo, hi := tt.want*9/10, tt.want*11/10; got < lo || got > hi {
				t.Fatalf("backoff(%v, %d) = %v, want %v ±10%%", tt.interval, tt.failures, got, tt.want)
			}
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
