package jwtverify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Poll intervals of a RevocationWatcher.
const (
	// DefaultPollInterval is used until the feed announces its own.
	DefaultPollInterval = 30 * time.Second
	// MinPollInterval and MaxPollInterval bound the interval a feed
	// announces, so a misconfigured issuer can neither make every verifier
	// poll it in a loop nor leave revoked devices in for hours.
	MinPollInterval = 5 * time.Second
	MaxPollInterval = 5 * time.Minute
	// MinPollOverride is the least interval WithPollInterval sets.
	MinPollOverride = time.Second
)

const (
	// maxBackoff bounds the wait after repeated failures (unless the poll
	// interval itself is longer).
	maxBackoff = 5 * time.Minute
	// maxFeedPages bounds the pages one Poll follows.
	maxFeedPages = 100
	// maxCatchUpPolls bounds the polls run back to back while the feed
	// has more than one poll reads (ErrBehind): FromIssuer's first
	// catching up, and the background loop's, each up to 10,000 pages.
	maxCatchUpPolls = 100
	// maxSIDLen bounds a session id kept in memory; longer ones are junk.
	maxSIDLen = 256
	// unknownExpiry is how long a revocation without expires_at is kept.
	unknownExpiry = 24 * time.Hour
)

// pollFloor is MinPollOverride; a variable only so the package's own tests
// can watch the polling loop without waiting seconds.
var pollFloor = MinPollOverride

type watcherConfig struct {
	client   *http.Client
	now      func() time.Time
	interval time.Duration // WithPollInterval; zero: the feed's
	// polledByCaller: the constructor's caller polls first (FromIssuer),
	// so the background loop starts by waiting an interval.
	polledByCaller bool
}

// RevocationWatcher keeps the set of revoked session ids an issuer's
// revocation feed (Tessera's GET /v1/revocations) publishes, so that Verify
// can reject the access tokens of a revoked device before they expire. It
// is safe for concurrent use; Revoked takes no lock.
//
// Its rules:
//   - It polls the feed at the interval the feed announces (poll_interval,
//     bounded by MinPollInterval and MaxPollInterval) or WithPollInterval's,
//     following the feed's cursor (since=) from one poll to the next, and
//     within one poll while pages keep coming (at most 100 pages a poll).
//   - A cursor the feed refuses (400) restarts the feed without since, in
//     the same poll: the answer then lists every revocation whose tokens
//     may still be alive, so nothing is missed.
//   - It keeps sid -> expires_at and forgets a sid once expires_at has
//     passed (by then every token of that session has expired).
//   - A failed poll changes nothing: the known revocations stay, and the
//     next polls back off (doubling the interval, up to 5 minutes). The
//     error is kept for LastError; nothing is logged.
//   - It stops when the ctx given to NewRevocationWatcher ends or Close is
//     called. Revoked keeps answering from the last set after that.
type RevocationWatcher struct {
	url    string
	cfg    watcherConfig
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	set    atomic.Pointer[revokedSet]

	poll   sync.Mutex // one poll at a time; guards cursor
	cursor string

	mu       sync.Mutex // guards lastErr and announced
	lastErr  error
	announce time.Duration // the feed's poll_interval, bounded; zero before any
}

var _ RevocationChecker = (*RevocationWatcher)(nil)

// revokedSet is one immutable sid -> expires_at map, with the earliest
// expires_at in it (zero when empty), so a poll with nothing new need not
// walk a large map to learn that nothing expired either.
type revokedSet struct {
	m        map[string]time.Time
	earliest time.Time
}

// feedPage is one answer of the revocation feed.
type feedPage struct {
	Revocations []struct {
		SID       string    `json:"sid"`
		RevokedAt time.Time `json:"revoked_at"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"revocations"`
	Cursor       string   `json:"cursor"`
	PollInterval *float64 `json:"poll_interval"`
}

// errBadCursor is a 400 answer to a request with since=.
var errBadCursor = errors.New("the feed refused the cursor")

// NewRevocationWatcher starts watching the revocation feed at feedURL and
// returns at once; the first poll runs in the background. Call Poll to wait
// for a fresh set (at start-up, before serving), and Close, or end ctx, to
// stop. ctx is used for every background request.
func NewRevocationWatcher(ctx context.Context, feedURL string, opts ...WatcherOption) *RevocationWatcher {
	cfg := watcherConfig{client: defaultClient, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o.applyWatcher(&cfg)
		}
	}
	if cfg.client == nil {
		cfg.client = defaultClient
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.interval != 0 {
		cfg.interval = max(cfg.interval, pollFloor)
	}
	w := &RevocationWatcher{url: feedURL, cfg: cfg, done: make(chan struct{})}
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.set.Store(&revokedSet{})
	go w.loop()
	return w
}

// Revoked reports whether the session sid is among the revocations the
// watcher knows. It is one atomic load and one map lookup.
func (w *RevocationWatcher) Revoked(sid string) bool {
	s := w.set.Load()
	if len(s.m) == 0 {
		return false
	}
	_, ok := s.m[sid]
	return ok
}

// ErrBehind is returned by Poll when the feed held more than one poll
// reads (100 pages): what it read is kept, and Poll should be called again
// to read the rest. The watcher's own loop, and FromIssuer before it
// returns, do so at once.
var ErrBehind = errors.New("jwtverify: the revocation feed has more to read")

// Poll asks the feed now, waiting for a poll already running to end first,
// so a revocation made before Poll was called is known when it returns nil.
// It returns the poll's error (also kept for LastError); revocations read
// before a failure are kept. It does not move the background schedule.
func (w *RevocationWatcher) Poll(ctx context.Context) error {
	w.poll.Lock()
	defer w.poll.Unlock()
	err := w.pollLocked(ctx)
	w.mu.Lock()
	w.lastErr = err
	w.mu.Unlock()
	return err
}

// LastError returns the error of the most recent poll, or nil when it
// succeeded or none has ended yet.
func (w *RevocationWatcher) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// PollInterval is the interval the watcher polls at when the feed answers:
// WithPollInterval's, else the feed's announced one (bounded), else
// DefaultPollInterval.
func (w *RevocationWatcher) PollInterval() time.Duration {
	if w.cfg.interval > 0 {
		return w.cfg.interval
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.announce > 0 {
		return w.announce
	}
	return DefaultPollInterval
}

// Close stops the background polling and waits for it to end. It is safe
// to call more than once and always returns nil.
func (w *RevocationWatcher) Close() error {
	w.cancel()
	<-w.done
	return nil
}

func (w *RevocationWatcher) loop() {
	defer close(w.done)
	failures, behind := 0, 0
	var delay time.Duration
	if w.cfg.polledByCaller {
		delay = w.PollInterval()
	}
	for {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-w.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		err := w.Poll(w.ctx)
		if w.ctx.Err() != nil {
			return
		}
		delay = w.PollInterval()
		switch {
		case errors.Is(err, ErrBehind) && behind < maxCatchUpPolls:
			// More to read: read it now, not one poll interval later
			// (a feed that never settles falls back to the interval).
			behind, delay = behind+1, 0
		case err != nil:
			failures++
			delay = backoff(delay, failures)
		default:
			failures, behind = 0, 0
		}
	}
}

// backoff doubles interval per failure after the first, up to maxBackoff
// (or interval when that is longer), with 10% jitter so a fleet of
// verifiers does not poll a recovering issuer in step.
func backoff(interval time.Duration, failures int) time.Duration {
	d := interval << min(failures-1, 8)
	d = min(d, max(maxBackoff, interval))
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

// pollLocked follows the feed from the cursor until it has caught up, then
// merges what it read into the set. w.poll is held.
func (w *RevocationWatcher) pollLocked(ctx context.Context) error {
	added := map[string]time.Time{}
	var err error
	caughtUp := false
	for range maxFeedPages {
		var page *feedPage
		page, err = w.fetch(ctx, w.cursor)
		if errors.Is(err, errBadCursor) {
			w.cursor = ""
			page, err = w.fetch(ctx, "")
		}
		if err != nil {
			break
		}
		w.read(page, added)
		// Caught up when the cursor stays put. An empty page with a moved
		// cursor is not the end: the feed leaves out revocations whose
		// tokens have expired but still moves past them, so live ones
		// may follow (maxFeedPages bounds a feed that never settles).
		more := page.Cursor != w.cursor && page.Cursor != ""
		w.cursor = page.Cursor
		if !more {
			caughtUp = true
			break
		}
	}
	w.merge(added)
	if err == nil && !caughtUp {
		err = ErrBehind
	}
	return err
}

// read adds page's revocations to added and records its poll interval.
func (w *RevocationWatcher) read(page *feedPage, added map[string]time.Time) {
	now := w.cfg.now()
	for _, r := range page.Revocations {
		if r.SID == "" || len(r.SID) > maxSIDLen {
			continue
		}
		exp := r.ExpiresAt
		if exp.IsZero() {
			exp = now.Add(unknownExpiry)
		}
		if exp.After(added[r.SID]) {
			added[r.SID] = exp
		}
	}
	if page.PollInterval != nil && *page.PollInterval > 0 {
		secs := min(*page.PollInterval, MaxPollInterval.Seconds())
		d := min(max(time.Duration(secs*float64(time.Second)), MinPollInterval), MaxPollInterval)
		w.mu.Lock()
		w.announce = d
		w.mu.Unlock()
	}
}

// merge publishes a new set: the old one without the sids whose
// expires_at has passed, plus added. Nothing changes, nothing is copied.
func (w *RevocationWatcher) merge(added map[string]time.Time) {
	now := w.cfg.now()
	cur := w.set.Load()
	old := cur.m
	changed := len(old) > 0 && !now.Before(cur.earliest)
	for sid, exp := range added {
		if prev, ok := old[sid]; now.Before(exp) && (!ok || exp.After(prev)) {
			changed = true
			break
		}
	}
	if !changed {
		return
	}
	m := make(map[string]time.Time, len(old)+len(added))
	for sid, exp := range old {
		if now.Before(exp) {
			m[sid] = exp
		}
	}
	for sid, exp := range added {
		if now.Before(exp) && exp.After(m[sid]) {
			m[sid] = exp
		}
	}
	var earliest time.Time
	for _, exp := range m {
		if earliest.IsZero() || exp.Before(earliest) {
			earliest = exp
		}
	}
	w.set.Store(&revokedSet{m: m, earliest: earliest})
}

// fetch GETs one page of the feed after cursor ("" for the start).
func (w *RevocationWatcher) fetch(ctx context.Context, cursor string) (*feedPage, error) {
	u := w.url
	if cursor != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "since=" + url.QueryEscape(cursor)
	}
	resp, body, err := get(ctx, w.cfg.client, u, nil, MaxFeedSize)
	if err != nil {
		return nil, fmt.Errorf("jwtverify: poll revocations: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusBadRequest && cursor != "":
		return nil, errBadCursor
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("jwtverify: poll revocations: %w", statusError(w.url, resp))
	}
	var page feedPage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("jwtverify: poll revocations: %w", err)
	}
	if page.Revocations == nil {
		return nil, errors.New("jwtverify: poll revocations: no \"revocations\" member")
	}
	return &page, nil
}
