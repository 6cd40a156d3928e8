package jwtverify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a RemoteKeySet.
const (
	// DefaultRefetchInterval is the least time between two JWKS fetches.
	DefaultRefetchInterval = 10 * time.Second
	// DefaultMinCacheAge is the floor of a JWKS's cache lifetime, and the
	// lifetime of one served without max-age.
	DefaultMinCacheAge = time.Minute
	// DefaultMaxCacheAge is the ceiling of a JWKS's cache lifetime.
	DefaultMaxCacheAge = time.Hour
)

type keySetConfig struct {
	client         *http.Client
	now            func() time.Time
	refetch        time.Duration
	minAge, maxAge time.Duration
}

// RemoteKeySet is a KeySet backed by an issuer's JWKS URL, shaped after
// go-oidc's, with the two things go-oidc's lacks: a refetch rate limit and
// keeping the last good keys when a fetch fails. It is safe for concurrent
// use; lookups of cached keys take no lock.
//
// Its rules:
//   - Keys are fetched on first use, then kept for the response's
//     Cache-Control max-age, bounded by WithCacheBounds (ETag revalidation
//     with If-None-Match when the server sent one).
//   - A kid it does not hold, or a lookup after the cache lifetime, starts
//     one fetch that every concurrent lookup waits for (each only as long
//     as its own ctx allows); the fetch itself runs on the ctx given to
//     NewRemoteKeySet, so a caller giving up does not cancel it for others.
//     While the issuer is failing, lookups of cached keys no longer wait:
//     they get the last good key at once and the refetch runs behind them,
//     so a hanging JWKS endpoint stalls requests for one fetch at most.
//   - At most one fetch starts per refetch interval (WithRefetchInterval),
//     whatever the traffic: a flood of made-up kids costs the issuer one
//     request per interval, and a miss inside the interval fails at once.
//   - A fetch that fails (network, status, over MaxJWKSSize, a JWKS that
//     does not parse or holds no usable key) changes nothing: the last good
//     keys keep verifying. The error is kept for LastError; nothing is
//     logged.
//   - Only jwksURL is ever fetched: never a URL a token or a key names
//     (jku, x5u, x5c).
type RemoteKeySet struct {
	url   string
	ctx   context.Context
	cfg   keySetConfig
	cache atomic.Pointer[keyCache]
	// failing is set while the last fetch failed: lookups of known keys
	// then stop waiting for refetches (see VerificationKey).
	failing atomic.Bool

	mu        sync.Mutex
	inflight  *fetchCall
	lastStart time.Time // start of the last fetch; zero before the first
	lastErr   error
}

var _ KeySet = (*RemoteKeySet)(nil)

// keyCache is one immutable JWKS snapshot.
type keyCache struct {
	keys    map[string]Key
	etag    string
	expires time.Time
}

// fetchCall is one fetch in flight; done closes when err is set.
type fetchCall struct {
	done chan struct{}
	err  error
}

// NewRemoteKeySet returns a KeySet that fetches keys from jwksURL when it
// needs them (nothing is fetched before the first lookup). ctx is used for
// every fetch, for the key set's whole life: cancelling it stops fetching
// (the cached keys keep verifying). Out-of-range options fall back to the
// defaults; a floor above the ceiling raises the ceiling to the floor.
func NewRemoteKeySet(ctx context.Context, jwksURL string, opts ...KeySetOption) *RemoteKeySet {
	cfg := keySetConfig{
		client: defaultClient, now: time.Now, refetch: DefaultRefetchInterval,
		minAge: DefaultMinCacheAge, maxAge: DefaultMaxCacheAge,
	}
	for _, o := range opts {
		if o != nil {
			o.applyKeySet(&cfg)
		}
	}
	if cfg.client == nil {
		cfg.client = defaultClient
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.refetch <= 0 {
		cfg.refetch = DefaultRefetchInterval
	}
	if cfg.minAge <= 0 {
		cfg.minAge = DefaultMinCacheAge
	}
	if cfg.maxAge <= 0 {
		cfg.maxAge = DefaultMaxCacheAge
	}
	cfg.maxAge = max(cfg.maxAge, cfg.minAge)
	return &RemoteKeySet{url: jwksURL, ctx: ctx, cfg: cfg}
}

// VerificationKey returns the key named kid. A cached key within its cache
// lifetime is returned at once. Otherwise it waits for the shared fetch
// (starting it if the rate limit allows) and answers from the keys that
// fetch left, which are the last good ones when it failed: a stale key is
// still returned when the issuer cannot be reached, and at once (without
// waiting) while the previous fetch had failed too. A kid the keys do not
// hold is an error wrapping ErrUnknownKey (and the last fetch error, if
// any); the kid never appears in it.
func (r *RemoteKeySet) VerificationKey(ctx context.Context, kid string) (Key, error) {
	c := r.cache.Load()
	if c != nil {
		if k, ok := c.keys[kid]; ok {
			if r.cfg.now().Before(c.expires) {
				return k, nil
			}
			if r.failing.Load() {
				r.start()
				return k, nil
			}
		}
	}
	waitErr := r.refresh(ctx)
	if c = r.cache.Load(); c != nil {
		if k, ok := c.keys[kid]; ok {
			return k, nil
		}
	}
	if waitErr == nil {
		waitErr = r.LastError()
	}
	if waitErr != nil {
		return Key{}, fmt.Errorf("%w (%w)", ErrUnknownKey, waitErr)
	}
	return Key{}, ErrUnknownKey
}

// LastError returns the error of the most recent fetch, or nil when it
// succeeded or none has run. The key set never logs: report this from a
// health check or a metric.
func (r *RemoteKeySet) LastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// refresh joins the fetch in flight, or starts one when the rate limit
// allows, and waits for it within ctx. Inside the rate-limit window with
// nothing in flight it returns nil at once: the caller uses what is cached.
func (r *RemoteKeySet) refresh(ctx context.Context) error {
	call := r.start()
	if call == nil {
		return nil
	}
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start returns the fetch in flight, or starts one if the rate limit
// allows; nil when neither.
func (r *RemoteKeySet) start() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight != nil {
		return r.inflight
	}
	now := r.cfg.now()
	if !r.lastStart.IsZero() && now.Before(r.lastStart.Add(r.cfg.refetch)) {
		return nil
	}
	r.lastStart = now
	r.inflight = &fetchCall{done: make(chan struct{})}
	go r.run(r.inflight)
	return r.inflight
}

func (r *RemoteKeySet) run(call *fetchCall) {
	err := r.fetch()
	r.failing.Store(err != nil)
	r.mu.Lock()
	r.lastErr = err
	r.inflight = nil
	r.mu.Unlock()
	call.err = err
	close(call.done)
}

// fetch GETs the JWKS and, on success only, replaces the cache.
func (r *RemoteKeySet) fetch() error {
	old := r.cache.Load()
	header := http.Header{}
	if old != nil && old.etag != "" {
		header.Set("If-None-Match", old.etag)
	}
	resp, body, err := get(r.ctx, r.cfg.client, r.url, header, MaxJWKSSize)
	if err != nil {
		return fmt.Errorf("jwtverify: fetch jwks: %w", err)
	}
	now := r.cfg.now()
	if resp.StatusCode == http.StatusNotModified && old != nil {
		r.cache.Store(&keyCache{keys: old.keys, etag: old.etag, expires: now.Add(r.lifetime(resp))})
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwtverify: fetch jwks: %w", statusError(r.url, resp))
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return errors.New("jwtverify: fetch jwks: no usable key in the set")
	}
	m := make(map[string]Key, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	r.cache.Store(&keyCache{keys: m, etag: resp.Header.Get("ETag"), expires: now.Add(r.lifetime(resp))})
	return nil
}

// lifetime is how long a response stays fresh: its max-age less its Age
// (time already spent in a shared cache), bounded by floor and ceiling.
func (r *RemoteKeySet) lifetime(resp *http.Response) time.Duration {
	d, ok := maxAge(resp.Header.Get("Cache-Control"))
	if !ok {
		return r.cfg.minAge
	}
	if age, err := strconv.ParseInt(resp.Header.Get("Age"), 10, 64); err == nil && age > 0 {
		d -= time.Duration(min(age, int64(d/time.Second))) * time.Second
	}
	return min(max(d, r.cfg.minAge), r.cfg.maxAge)
}
