package jwtverify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/pkg/jwtverify"
)

// pagedFeed plays Tessera's revocation feed as it pages: an answer scans
// at most pageSize entries after the cursor, lists only those whose
// expires_at has not passed, and moves the cursor past every entry it
// scanned, listed or not. Caught up, it hands the same cursor back.
type pagedFeed struct {
	*httptest.Server
	clock    *fakeClock
	pageSize int

	mu      sync.Mutex
	entries []feedEntry
}

func newPagedFeed(t *testing.T, clock *fakeClock, pageSize int) *pagedFeed {
	t.Helper()
	f := &pagedFeed{clock: clock, pageSize: pageSize}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *pagedFeed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	from := 0
	if since := r.URL.Query().Get("since"); since != "" {
		n, err := strconv.Atoi(since)
		if err != nil || n < 0 || n > len(f.entries) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		from = n
	}
	to := min(len(f.entries), from+f.pageSize)
	out := []feedEntry{}
	for _, e := range f.entries[from:to] {
		if e.ExpiresAt.After(f.clock.Now()) {
			out = append(out, e)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"revocations": out, "cursor": strconv.Itoa(to), "poll_interval": 30})
}

func (f *pagedFeed) revoke(sid string, at, exp time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, feedEntry{SID: sid, RevokedAt: at, ExpiresAt: exp})
}

// TestWatcherStartSkipsPagesOfExpiredRevocations: Tessera's feed starts a
// new verifier a day back, so its first pages may hold only revocations
// whose tokens have all expired: those pages come back empty with a moved
// cursor. The first poll must read on past them to the live revocations,
// or a verifier fresh from FromIssuer lets revoked sessions in.
func TestWatcherStartSkipsPagesOfExpiredRevocations(t *testing.T) {
	es := testSigners(t)["ES256"]
	iss := newFakeIssuer(t, es)
	clock := newFakeClock()
	feed := newPagedFeed(t, clock, 2)
	for i := range 6 {
		feed.revoke(fmt.Sprintf("old-%d", i), clock.Now().Add(-time.Hour), clock.Now().Add(-44*time.Minute))
	}
	feed.revoke(sidA, clock.Now(), clock.Now().Add(16*time.Minute))
	iss.meta["revocation_feed_endpoint"] = feed.URL

	v, err := jwtverify.FromIssuer(context.Background(), iss.URL, jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(clock.Now), jwtverify.WithRevocationWatcher(jwtverify.WithPollInterval(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c := validClaims()
	c["iss"], c["sid"] = iss.URL, sidA
	if _, err := v.Verify(context.Background(), sign(t, es, validHeader(es), c)); !errors.Is(err, jwtverify.ErrRevoked) {
		t.Fatalf("session revoked before start, behind pages of expired revocations: %v, want ErrRevoked", err)
	}
}

// TestVerifyRefusesDatesBeyondInt64: a date too large for int64 seconds
// cannot be turned into a time; read as one anyway it lands wherever the
// platform's float conversion puts it (far in the past on amd64), so an
// nbf or iat centuries ahead would pass. It is refused as out of range.
func TestVerifyRefusesDatesBeyondInt64(t *testing.T) {
	s := testSigners(t)["ES256"]
	v := newTestVerifier(t)
	for _, claim := range []string{"nbf", "iat", "exp"} {
		for _, value := range []float64{1e19, -1e19} {
			c := validClaims()
			c[claim] = value
			got, err := v.Verify(context.Background(), sign(t, s, validHeader(s), c))
			if err == nil || got != nil {
				t.Errorf("%s %g: Verify = %+v, %v; want a refusal", claim, value, got, err)
			}
		}
	}
}

// TestWatcherCatchesUpPastOnePoll: a feed holding more pages than one poll
// reads makes Poll return ErrBehind, keeping what it read, until a poll
// reaches the end; FromIssuer polls until then, so the verifier it returns
// already refuses the session revoked last.
func TestWatcherCatchesUpPastOnePoll(t *testing.T) {
	es := testSigners(t)["ES256"]
	iss := newFakeIssuer(t, es)
	clock := newFakeClock()
	feed := newPagedFeed(t, clock, 1)
	for i := range 250 {
		feed.revoke(fmt.Sprintf("sid-%d", i), clock.Now(), clock.Now().Add(time.Hour))
	}
	feed.revoke(sidA, clock.Now(), clock.Now().Add(time.Hour))
	iss.meta["revocation_feed_endpoint"] = feed.URL

	w := drivenWatcher(t, feed.URL, jwtverify.WithClock(clock.Now), jwtverify.WithPollInterval(time.Hour))
	var errs []error
	for range 4 {
		errs = append(errs, w.Poll(context.Background()))
	}
	if !errors.Is(errs[0], jwtverify.ErrBehind) || !errors.Is(errs[1], jwtverify.ErrBehind) || errs[2] != nil || errs[3] != nil {
		t.Fatalf("polls of a 251-page feed: %v; want ErrBehind twice, then nil", errs)
	}
	if !w.Revoked("sid-0") || !w.Revoked(sidA) {
		t.Error("the watcher forgot what its first poll read, or missed the last page")
	}

	v, err := jwtverify.FromIssuer(context.Background(), iss.URL, jwtverify.WithAudience(testAudience),
		jwtverify.WithClock(clock.Now), jwtverify.WithRevocationWatcher(jwtverify.WithPollInterval(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c := validClaims()
	c["iss"], c["sid"] = iss.URL, sidA
	if _, err := v.Verify(context.Background(), sign(t, es, validHeader(es), c)); !errors.Is(err, jwtverify.ErrRevoked) {
		t.Fatalf("the session revoked on the feed's last page: %v, want ErrRevoked", err)
	}
}
