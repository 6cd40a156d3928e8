package jwtverify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// verifyBurst verifies raws concurrently and returns how many passed.
func verifyBurst(t *testing.T, v *jwtverify.Verifier, raws []string) (ok int) {
	t.Helper()
	var passed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, raw := range raws {
		wg.Go(func() {
			<-start
			_, err := v.Verify(context.Background(), raw)
			switch {
			case err == nil:
				passed.Add(1)
			case !errors.Is(err, jwtverify.ErrUnknownKey):
				t.Errorf("Verify = %v, want nil or ErrUnknownKey", err)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(passed.Load())
}

// TestRemoteKeySetBurstOfUnknownKids: 1,000 concurrent verifications of
// tokens with made-up kids cost the issuer one JWKS request per rate-limit
// window, and the valid tokens among them wait for that one fetch.
func TestRemoteKeySetBurstOfUnknownKids(t *testing.T) {
	es := testSigners(t)["ES256"]
	srv := newJWKSServer(t, es)
	srv.set(func(s *jwksServer) { s.delay = 50 * time.Millisecond }) // so the burst overlaps the fetch
	clock := newFakeClock()
	v, _ := newRemoteVerifier(t, srv.URL, clock)

	const n = 1000
	raws := make([]string, n)
	for i := range raws {
		raws[i] = unknownKidToken(t, es, i)
	}
	valid := sign(t, es, validHeader(es), validClaims())
	for i := 0; i < n; i += 100 {
		raws[i] = valid
	}

	windows := []struct {
		name     string
		advance  time.Duration
		wantHits int64
	}{
		{"cold cache: one fetch shared by all", 0, 1},
		{"same window: no fetch at all", jwtverify.DefaultRefetchInterval - time.Second, 1},
		{"next window: one more fetch", time.Second, 2},
		{"third window", jwtverify.DefaultRefetchInterval, 3},
	}
	for _, w := range windows {
		clock.Advance(w.advance)
		if ok := verifyBurst(t, v, raws); ok != n/100 {
			t.Errorf("%s: %d valid tokens passed, want %d", w.name, ok, n/100)
		}
		if got := srv.hits.Load(); got != w.wantHits {
			t.Fatalf("%s: %d JWKS requests in total, want %d", w.name, got, w.wantHits)
		}
	}
}

// TestRemoteKeySetServerDown: whatever way the JWKS server fails, the
// cached keys keep verifying, unknown kids fail, and LastError says why.
func TestRemoteKeySetServerDown(t *testing.T) {
	es := testSigners(t)["ES256"]
	tests := []struct {
		name string
		fail func(s *jwksServer)
	}{
		{"500", func(s *jwksServer) { s.setStatus(http.StatusInternalServerError) }},
		{"closed", func(s *jwksServer) { s.Close() }},
		{"not JSON", func(s *jwksServer) { s.setBody([]byte("<html>maintenance</html>")) }},
		{"no usable key", func(s *jwksServer) { s.setBody([]byte(`{"keys":[]}`)) }},
		{"over 1 MiB", func(s *jwksServer) {
			s.setBody([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", jwtverify.MaxJWKSSize) + `"}`))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, es)
			clock := newFakeClock()
			v, ks := newRemoteVerifier(t, srv.URL, clock)
			raw := tokenAt(t, es, clock.Now(), "")
			if _, err := v.Verify(context.Background(), raw); err != nil {
				t.Fatalf("Verify while up: %v", err)
			}
			tt.fail(srv)
			clock.Advance(5*time.Minute + time.Second) // past max-age: the next lookup refetches
			raw = tokenAt(t, es, clock.Now(), "")
			if _, err := v.Verify(context.Background(), raw); err != nil {
				t.Fatalf("Verify with the JWKS server down: %v", err)
			}
			if ks.LastError() == nil {
				t.Fatal("LastError = nil after a failed fetch")
			}
			clock.Advance(jwtverify.DefaultRefetchInterval)
			_, err := v.Verify(context.Background(), unknownKidToken(t, es, 1))
			if !errors.Is(err, jwtverify.ErrUnknownKey) || !strings.Contains(err.Error(), "jwks") {
				t.Fatalf("unknown kid while down = %v, want ErrUnknownKey with the fetch error", err)
			}
			if _, err := v.Verify(context.Background(), raw); err != nil {
				t.Fatalf("Verify after another failed fetch: %v", err)
			}
		})
	}
}

// TestRemoteKeySetHangingServer: a JWKS endpoint that hangs stalls
// lookups of cached keys for one fetch (bounded by the client's timeout);
// while it keeps failing, they are answered at once from the last keys.
func TestRemoteKeySetHangingServer(t *testing.T) {
	es := testSigners(t)["ES256"]
	srv := newJWKSServer(t, es)
	clock := newFakeClock()
	// Wide margins on a loaded machine: a hang is 2 s, a timeout 200 ms.
	client := &http.Client{Timeout: 200 * time.Millisecond}
	v, ks := newRemoteVerifier(t, srv.URL, clock, jwtverify.WithHTTPClient(client))
	if _, err := v.Verify(context.Background(), tokenAt(t, es, clock.Now(), "")); err != nil {
		t.Fatal(err)
	}
	srv.set(func(s *jwksServer) { s.delay = 2 * time.Second })

	clock.Advance(5 * time.Minute) // the cache is stale: this lookup waits for the refetch
	start := time.Now()
	if _, err := v.Verify(context.Background(), tokenAt(t, es, clock.Now(), "")); err != nil {
		t.Fatalf("Verify while the server hangs: %v", err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Fatalf("the first stale lookup took %v, want about the client timeout, not the hang", d)
	}
	if !errors.Is(ks.LastError(), context.DeadlineExceeded) && !strings.Contains(fmt.Sprint(ks.LastError()), "Timeout") {
		t.Fatalf("LastError = %v, want a timeout", ks.LastError())
	}
	clock.Advance(jwtverify.DefaultRefetchInterval) // a new fetch is due: it runs behind the lookups
	start = time.Now()
	for range 20 {
		if _, err := ks.VerificationKey(context.Background(), es.key.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Waiting for the hanging fetch would cost the 200 ms timeout each time.
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("20 lookups of a cached key took %v while the issuer hangs", d)
	}
	waitFor(t, "the background refetch", func() bool { return srv.hits.Load() == 3 })
}

// TestRemoteKeySetRecovers: after a failure, the first fetch that works
// clears LastError and brings in the server's current keys.
func TestRemoteKeySetRecovers(t *testing.T) {
	s := testSigners(t)
	srv := newJWKSServer(t, s["ES256"])
	srv.setStatus(http.StatusBadGateway)
	clock := newFakeClock()
	v, ks := newRemoteVerifier(t, srv.URL, clock)
	raw := tokenAt(t, s["ES256"], clock.Now(), "")
	if _, err := v.Verify(context.Background(), raw); !errors.Is(err, jwtverify.ErrUnknownKey) {
		t.Fatalf("Verify with no key ever fetched = %v, want ErrUnknownKey", err)
	}
	srv.setStatus(0)
	clock.Advance(jwtverify.DefaultRefetchInterval)
	if _, err := v.Verify(context.Background(), raw); err != nil {
		t.Fatalf("Verify after recovery: %v", err)
	}
	if err := ks.LastError(); err != nil {
		t.Fatalf("LastError after recovery = %v", err)
	}
}

// TestRemoteKeySetPicksUpNewKid: a key the issuer adds verifies from the
// first token that names it once the rate-limit window allows a fetch.
func TestRemoteKeySetPicksUpNewKid(t *testing.T) {
	s := testSigners(t)
	srv := newJWKSServer(t, s["ES256"])
	clock := newFakeClock()
	v, _ := newRemoteVerifier(t, srv.URL, clock)
	if _, err := v.Verify(context.Background(), tokenAt(t, s["ES256"], clock.Now(), "")); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, s["ES256"], s["EdDSA"]) // the issuer rotates in an EdDSA key

	clock.Advance(time.Second) // inside the window: no fetch, the kid is unknown
	raw := tokenAt(t, s["EdDSA"], clock.Now(), "")
	if _, err := v.Verify(context.Background(), raw); !errors.Is(err, jwtverify.ErrUnknownKey) {
		t.Fatalf("new kid inside the window = %v, want ErrUnknownKey", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("%d JWKS requests inside the window, want 1", got)
	}

	clock.Advance(jwtverify.DefaultRefetchInterval)
	if _, err := v.Verify(context.Background(), raw); err != nil {
		t.Fatalf("new kid after the window: %v", err)
	}
	if _, err := v.Verify(context.Background(), tokenAt(t, s["ES256"], clock.Now(), "")); err != nil {
		t.Fatalf("old kid after the refetch: %v", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("%d JWKS requests, want 2", got)
	}
}

// TestRemoteKeySetDropsWithdrawnKey: once the cache lifetime has passed, a
// key the issuer no longer publishes stops verifying.
func TestRemoteKeySetDropsWithdrawnKey(t *testing.T) {
	s := testSigners(t)
	srv := newJWKSServer(t, s["ES256"], s["EdDSA"])
	clock := newFakeClock()
	v, _ := newRemoteVerifier(t, srv.URL, clock)
	if _, err := v.Verify(context.Background(), tokenAt(t, s["EdDSA"], clock.Now(), "")); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, s["ES256"])
	clock.Advance(5 * time.Minute)
	if _, err := v.Verify(context.Background(), tokenAt(t, s["EdDSA"], clock.Now(), "")); !errors.Is(err, jwtverify.ErrUnknownKey) {
		t.Fatalf("withdrawn key after max-age = %v, want ErrUnknownKey", err)
	}
}

// TestRemoteKeySetCacheControl: the cache lifetime is the response's
// max-age (less its Age), raised to the floor and lowered to the ceiling.
func TestRemoteKeySetCacheControl(t *testing.T) {
	tests := []struct {
		name   string
		cc     string
		age    string
		bounds []time.Duration // floor, ceiling; nil: the defaults
		want   time.Duration
	}{
		{"max-age", "public, max-age=300", "", nil, 300 * time.Second},
		{"max-age with Age", "public, max-age=300", "100", nil, 200 * time.Second},
		{"max-age zero: floor", "max-age=0", "", nil, jwtverify.DefaultMinCacheAge},
		{"no-cache: floor", "no-cache, max-age=300", "", nil, jwtverify.DefaultMinCacheAge},
		{"no-store: floor", "no-store", "", nil, jwtverify.DefaultMinCacheAge},
		{"none: floor", "", "", nil, jwtverify.DefaultMinCacheAge},
		{"garbage: floor", "max-age=soon", "", nil, jwtverify.DefaultMinCacheAge},
		{"a year: ceiling", "max-age=31536000", "", nil, jwtverify.DefaultMaxCacheAge},
		{"overflowing: ceiling", "max-age=99999999999999999", "", nil, jwtverify.DefaultMaxCacheAge},
		{"custom floor", "max-age=30", "", []time.Duration{2 * time.Minute, 10 * time.Minute}, 2 * time.Minute},
		{"custom ceiling", "max-age=3600", "", []time.Duration{time.Minute, 10 * time.Minute}, 10 * time.Minute},
		{"floor above ceiling", "max-age=60", "", []time.Duration{5 * time.Minute, time.Minute}, 5 * time.Minute},
	}
	es := testSigners(t)["ES256"]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, es)
			srv.set(func(s *jwksServer) { s.cacheControl, s.age = tt.cc, tt.age })
			clock := newFakeClock()
			var opts []jwtverify.KeySetOption
			if tt.bounds != nil {
				opts = append(opts, jwtverify.WithCacheBounds(tt.bounds[0], tt.bounds[1]))
			}
			_, ks := newRemoteVerifier(t, srv.URL, clock, opts...)
			lookup := func() {
				t.Helper()
				if _, err := ks.VerificationKey(context.Background(), es.key.ID); err != nil {
					t.Fatal(err)
				}
			}
			lookup()
			clock.Advance(tt.want - time.Second)
			lookup()
			if got := srv.hits.Load(); got != 1 {
				t.Fatalf("%d fetches within the lifetime, want 1", got)
			}
			clock.Advance(time.Second)
			lookup()
			if got := srv.hits.Load(); got != 2 {
				t.Fatalf("%d fetches once the lifetime ended, want 2", got)
			}
		})
	}
}

// TestRemoteKeySetRevalidates: with an ETag, an expired cache is
// revalidated with If-None-Match and a 304 renews it.
func TestRemoteKeySetRevalidates(t *testing.T) {
	es := testSigners(t)["ES256"]
	srv := newJWKSServer(t, es)
	srv.set(func(s *jwksServer) { s.etag = `"v1"` })
	clock := newFakeClock()
	v, ks := newRemoteVerifier(t, srv.URL, clock)
	for i := range 3 {
		if _, err := v.Verify(context.Background(), tokenAt(t, es, clock.Now(), "")); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		clock.Advance(5 * time.Minute)
	}
	srv.mu.Lock()
	inm := srv.inm
	srv.mu.Unlock()
	if len(inm) != 3 || inm[0] != "" || inm[1] != `"v1"` || inm[2] != `"v1"` {
		t.Fatalf("If-None-Match sent: %q, want none then the ETag", inm)
	}
	if err := ks.LastError(); err != nil {
		t.Fatalf("LastError after a 304: %v", err)
	}
}

// TestRemoteKeySetWaiterGivesUp: a lookup waits for a slow fetch only as
// long as its own ctx allows; the fetch goes on for the others.
func TestRemoteKeySetWaiterGivesUp(t *testing.T) {
	es := testSigners(t)["ES256"]
	srv := newJWKSServer(t, es)
	srv.set(func(s *jwksServer) { s.delay = 2 * time.Second })
	_, ks := newRemoteVerifier(t, srv.URL, newFakeClock())

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := ks.VerificationKey(ctx, es.key.ID)
	if !errors.Is(err, jwtverify.ErrUnknownKey) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("VerificationKey = %v, want ErrUnknownKey and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the waiter gave up after %v, want its own 20 ms deadline, not the 2 s fetch", d)
	}
	if _, err := ks.VerificationKey(context.Background(), es.key.ID); err != nil {
		t.Fatalf("a patient lookup joining the same fetch: %v", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("%d fetches, want 1", got)
	}
}

// TestRemoteKeySetContextEnds: once the key set's ctx ends it fetches no
// more, and the cached keys keep verifying.
func TestRemoteKeySetContextEnds(t *testing.T) {
	es := testSigners(t)["ES256"]
	srv := newJWKSServer(t, es)
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	ks := jwtverify.NewRemoteKeySet(ctx, srv.URL, jwtverify.WithClock(clock.Now))
	if _, err := ks.VerificationKey(context.Background(), es.key.ID); err != nil {
		t.Fatal(err)
	}
	cancel()
	clock.Advance(time.Hour)
	if _, err := ks.VerificationKey(context.Background(), es.key.ID); err != nil {
		t.Fatalf("cached key after the ctx ended: %v", err)
	}
	if got := srv.hits.Load(); got != 1 || !errors.Is(ks.LastError(), context.Canceled) {
		t.Fatalf("hits %d, LastError %v; want 1 and context.Canceled", got, ks.LastError())
	}
}

// TestRemoteKeySetIgnoresKeyURLs: a token naming a JWKS (jku), a
// certificate (x5u) or embedding a key makes the set fetch nothing but its
// own URL.
func TestRemoteKeySetIgnoresKeyURLs(t *testing.T) {
	es := testSigners(t)["ES256"]
	evil := newJWKSServer(t, es)
	srv := newJWKSServer(t, es)
	v, _ := newRemoteVerifier(t, srv.URL, newFakeClock())
	for i, kid := range []string{es.key.ID, "attacker"} {
		h := validHeader(es)
		h["kid"] = kid
		h["jku"] = evil.URL + "/jwks.json"
		h["x5u"] = evil.URL + "/cert.pem"
		h["x5c"] = []string{"MIIB"}
		_, err := v.Verify(context.Background(), sign(t, es, h, validClaims()))
		if (i == 0) != (err == nil) {
			t.Fatalf("kid %q: Verify = %v", kid, err)
		}
	}
	if n := evil.hits.Load(); n != 0 {
		t.Fatalf("the key set fetched a URL named by a token %d times", n)
	}
}
