package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/store"
)

// testLoginThrottle: failures count inside a window, a window that is over
// restarts, concurrent failures are never lost, clearing forgets.
func testLoginThrottle(t *testing.T, s store.Store) {
	ctx := t.Context()
	window := 15 * time.Minute
	record := func(key string, at time.Time) store.LoginThrottle {
		t.Helper()
		th, err := s.RecordLoginFailure(ctx, key, at, at.Add(-window))
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	for i := 1; i <= 3; i++ {
		if th := record("account:a@example.com", t0.Add(time.Duration(i)*time.Minute)); th.Failures != i || !th.WindowStart.Equal(t0.Add(time.Minute)) {
			t.Fatalf("failure %d: %+v", i, th)
		}
	}
	got, err := s.LoginThrottles(ctx, []string{"account:a@example.com", "ip:192.0.2.1"}, t0.Add(4*time.Minute-window))
	if err != nil || len(got) != 1 || got[0].Failures != 3 {
		t.Fatalf("open window: %+v, %v", got, err)
	}
	later := t0.Add(time.Minute + window)
	if got, _ := s.LoginThrottles(ctx, []string{"account:a@example.com"}, later.Add(-window)); len(got) != 0 {
		t.Fatalf("a window that is over must not count: %+v", got)
	}
	if th := record("account:a@example.com", later); th.Failures != 1 || !th.WindowStart.Equal(later) {
		t.Fatalf("new window: %+v", th)
	}

	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RecordLoginFailure(ctx, "ip:198.51.100.7", t0, t0.Add(-window)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := s.LoginThrottles(ctx, []string{"ip:198.51.100.7"}, t0.Add(-window)); len(got) != 1 || got[0].Failures != 50 {
		t.Fatalf("50 concurrent failures counted as %+v", got)
	}
	if err := s.ClearLoginFailures(ctx, "ip:198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoginThrottles(ctx, []string{"ip:198.51.100.7"}, t0.Add(-window)); len(got) != 0 {
		t.Fatalf("cleared key still counts: %+v", got)
	}
	if err := s.ClearLoginFailures(ctx, "never-seen"); err != nil {
		t.Fatalf("clearing an unknown key: %v", err)
	}
}
