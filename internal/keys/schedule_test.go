package keys_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/keys"
	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// ringWith creates keys at the given offsets from t0 and opens the dir on c.
func ringWith(tb testing.TB, c *clock, offsets ...time.Duration) *keys.Ring {
	tb.Helper()
	dir := tb.TempDir()
	for _, off := range offsets {
		if _, err := keys.Generate(dir, "ES256", t0.Add(off)); err != nil {
			tb.Fatal(err)
		}
	}
	return open(tb, dir, keys.Options{Now: c.now, PublishDelay: 5 * time.Minute, RetireAfter: 20 * time.Minute})
}

func TestSchedule(t *testing.T) {
	const (
		N  = keys.StateNext
		A  = keys.StateActive
		R  = keys.StateRetiring
		X  = keys.StateRetired
		ns = time.Nanosecond
	)
	h, m := time.Hour, time.Minute
	tests := []struct {
		name    string
		keys    []time.Duration // creation offsets from t0
		at      time.Duration
		states  []keys.State
		signer  int
		publish []int // indexes in the JWKS
	}{
		{"clock before the first key", []time.Duration{0}, -time.Second, []keys.State{N}, 0, []int{0}},
		{"first key signs at once", []time.Duration{0}, 0, []keys.State{A}, 0, []int{0}},
		{"second key is next", []time.Duration{0, h}, h, []keys.State{A, N}, 0, []int{0, 1}},
		{"just before it signs", []time.Duration{0, h}, h + 5*m - ns, []keys.State{A, N}, 0, []int{0, 1}},
		{"second key signs after the delay", []time.Duration{0, h}, h + 5*m, []keys.State{R, A}, 1, []int{0, 1}},
		{"retiring until retire-after", []time.Duration{0, h}, h + 25*m - ns, []keys.State{R, A}, 1, []int{0, 1}},
		{"then retired", []time.Duration{0, h}, h + 25*m, []keys.State{X, A}, 1, []int{1}},
		{"three keys: third is next", []time.Duration{0, h, 2 * h}, 2 * h, []keys.State{X, A, N}, 1, []int{1, 2}},
		{"three keys: third signs", []time.Duration{0, h, 2 * h}, 2*h + 5*m, []keys.State{X, R, A}, 2, []int{1, 2}},
		{"three keys: second retired", []time.Duration{0, h, 2 * h}, 2*h + 25*m, []keys.State{X, X, A}, 2, []int{2}},
		{"quick rotations: both old keys retiring", []time.Duration{0, h, h + m}, h + 6*m, []keys.State{R, R, A}, 2, []int{0, 1, 2}},
		{"all three before any signs", []time.Duration{0, h, 2 * h}, -h, []keys.State{N, N, N}, 0, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock(t0.Add(tt.at))
			r := ringWith(t, c, tt.keys...)
			infos := r.Keys()
			for i, want := range tt.states {
				if infos[i].State != want {
					t.Errorf("key %d: %s, want %s (%+v)", i, infos[i].State, want, infos[i])
				}
				_, err := r.VerificationKey(context.Background(), infos[i].ID)
				if published := want != keys.StateRetired; published != (err == nil) {
					t.Errorf("key %d (%s): VerificationKey error %v", i, want, err)
				}
				if want == keys.StateRetired && !errors.Is(err, jwtverify.ErrUnknownKey) {
					t.Errorf("retired key %d: %v, want ErrUnknownKey", i, err)
				}
			}
			sk, _ := r.SigningKey()
			if sk.ID != infos[tt.signer].ID {
				t.Errorf("signing with key %s, want key %d", sk.ID, tt.signer)
			}
			body := r.JWKS().Body
			for i, info := range infos {
				in := bytes.Contains(body, []byte(`"`+info.ID+`"`))
				want := false
				for _, p := range tt.publish {
					want = want || p == i
				}
				if in != want {
					t.Errorf("key %d published=%v, want %v", i, in, want)
				}
			}
		})
	}
}

func TestScheduleTimes(t *testing.T) {
	c := newClock(t0)
	r := ringWith(t, c, 0, time.Hour)
	k := r.Keys()
	if !k[0].SignsFrom.Equal(t0) || !k[0].PublishedUntil.Equal(t0.Add(time.Hour+25*time.Minute)) {
		t.Errorf("first key %+v", k[0])
	}
	if !k[1].SignsFrom.Equal(t0.Add(time.Hour+5*time.Minute)) || !k[1].PublishedUntil.IsZero() {
		t.Errorf("second key %+v", k[1])
	}
}

func TestRotateWithReload(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	r := open(t, dir, keys.Options{Now: c.now})
	old, _ := r.SigningKey()
	c.add(time.Hour)
	info, err := keys.Generate(dir, "RS256", c.now())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if sk, _ := r.SigningKey(); sk.ID != old.ID {
		t.Error("new key signs before its publish delay")
	}
	c.add(keys.DefaultPublishDelay)
	if sk, _ := r.SigningKey(); sk.ID != info.ID || sk.Algorithm != "RS256" {
		t.Errorf("SigningKey = %s/%s, want the new key", sk.ID, sk.Algorithm)
	}
}

// TestConcurrentUse runs readers against Reload and a moving clock; run it
// with -race.
func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	r := open(t, dir, keys.Options{Now: c.now})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				sk, err := r.SigningKey()
				if err != nil {
					t.Error(err)
					return
				}
				// The clock may have moved on far enough to retire sk.
				if _, err := r.VerificationKey(context.Background(), sk.ID); err != nil && !errors.Is(err, jwtverify.ErrUnknownKey) {
					t.Error(err)
					return
				}
				_ = r.JWKS()
				_ = r.Keys()
			}
		})
	}
	for range 6 {
		c.add(10 * time.Minute)
		if _, err := keys.Generate(dir, "EdDSA", c.now()); err != nil {
			t.Fatal(err)
		}
		if err := r.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
