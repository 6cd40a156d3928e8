package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOriginCache: one load on first use, none while fresh, one (by one
// caller) when stale, and a failed load keeps the last good origins.
func TestOriginCache(t *testing.T) {
	var (
		loads atomic.Int32
		fail  atomic.Bool
		list  atomic.Value
	)
	list.Store([]string{"https://a.example"})
	oc := &originCache{log: slog.New(slog.NewTextHandler(io.Discard, nil)), load: func(context.Context) ([]string, error) {
		loads.Add(1)
		time.Sleep(5 * time.Millisecond)
		if fail.Load() {
			return nil, errors.New("database down")
		}
		return list.Load().([]string), nil
	}}
	ctx := t.Context()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if !oc.allowed(ctx, "https://a.example") {
				t.Error("first use: a listed origin refused")
			}
		})
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("20 concurrent first uses made %d loads, want 1", n)
	}
	if oc.allowed(ctx, "https://b.example") || loads.Load() != 1 {
		t.Fatalf("fresh copy: unlisted origin allowed or reloaded (%d loads)", loads.Load())
	}

	list.Store([]string{"https://b.example"})
	age(oc)
	for range 20 {
		wg.Go(func() { oc.allowed(ctx, "https://b.example") })
	}
	wg.Wait()
	if n := loads.Load(); n != 2 {
		t.Fatalf("stale copy: %d loads, want 2", n)
	}
	if !oc.allowed(ctx, "https://b.example") || oc.allowed(ctx, "https://a.example") {
		t.Fatal("reloaded copy does not follow the clients")
	}

	fail.Store(true)
	age(oc)
	if !oc.allowed(ctx, "https://b.example") {
		t.Fatal("a failed load dropped the last good origins")
	}
	oc.allowed(ctx, "https://b.example")
	if n := loads.Load(); n != 3 {
		t.Fatalf("after a failed load: %d loads, want 3 (no retry before the TTL)", n)
	}

	fail.Store(false)
	list.Store([]string{"https://c.example"})
	oc.reload(ctx)
	if !oc.allowed(ctx, "https://c.example") {
		t.Fatal("reload did not apply at once")
	}
}

// age makes the cache's copy stale.
func age(oc *originCache) {
	cur := oc.set.Load()
	oc.set.Store(&originSet{origins: cur.origins, loadedAt: cur.loadedAt.Add(-2 * clientOriginsTTL)})
}

// BenchmarkOriginCache is the per-request cost of the client-origin check
// once loaded: what a cross-origin request pays.
func BenchmarkOriginCache(b *testing.B) {
	origins := make([]string, 200)
	for i := range origins {
		origins[i] = "https://app" + string(rune('a'+i%26)) + ".example"
	}
	oc := &originCache{log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		load: func(context.Context) ([]string, error) { return origins, nil }}
	ctx := context.Background()
	oc.allowed(ctx, "https://warm.example")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			oc.allowed(ctx, "https://evil.example")
		}
	})
}
