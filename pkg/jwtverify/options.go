package jwtverify

import (
	"net/http"
	"time"
)

// Option configures a Verifier (NewVerifier, FromIssuer).
type Option interface{ applyVerifier(*config) }

// KeySetOption configures a RemoteKeySet (NewRemoteKeySet).
type KeySetOption interface{ applyKeySet(*keySetConfig) }

// WatcherOption configures a RevocationWatcher (NewRevocationWatcher).
type WatcherOption interface{ applyWatcher(*watcherConfig) }

// SharedOption is accepted by every constructor of this package: it is an
// Option, a KeySetOption and a WatcherOption at once, so one clock or one
// HTTP client can be handed to all of them. Given to FromIssuer, it also
// reaches the key set and the watcher FromIssuer builds.
type SharedOption interface {
	Option
	KeySetOption
	WatcherOption
}

// config is what Options set on a Verifier.
type config struct {
	issuer   string
	audience string
	leeway   time.Duration
	now      func() time.Time
	algs     []string

	revocations    RevocationChecker
	revocationsSet bool // WithRevocations given, even with nil

	// Used by FromIssuer only.
	client       *http.Client
	keySetOpts   []KeySetOption
	watch        bool
	watcherOpts  []WatcherOption
	issuerForced bool // WithIssuer given: FromIssuer checks it matches
}

type verifierOption func(*config)

func (f verifierOption) applyVerifier(c *config) { f(c) }

type keySetOption func(*keySetConfig)

func (f keySetOption) applyKeySet(c *keySetConfig) { f(c) }

type watcherOption func(*watcherConfig)

func (f watcherOption) applyWatcher(c *watcherConfig) { f(c) }

// WithIssuer sets the exact "iss" every token must carry. Required by
// NewVerifier; FromIssuer sets it to its issuerURL and refuses a different one.
func WithIssuer(issuer string) Option {
	return verifierOption(func(c *config) { c.issuer, c.issuerForced = issuer, true })
}

// WithAudience sets the audience that must appear in every token's "aud".
// Required, by FromIssuer too: there is no default audience, since a token
// minted for another API must never pass.
func WithAudience(aud string) Option { return verifierOption(func(c *config) { c.audience = aud }) }

// WithLeeway sets the allowed clock skew (default 30 s). More than MaxLeeway
// makes NewVerifier fail: a long leeway keeps expired tokens alive.
func WithLeeway(d time.Duration) Option { return verifierOption(func(c *config) { c.leeway = d }) }

// WithAlgorithms narrows the accepted algorithms (default ES256, EdDSA,
// RS256). Whatever is allowed, a key only ever verifies its own algorithm,
// and an ES256 signature must be low-s (see SigningMethodES256).
func WithAlgorithms(algs ...string) Option {
	return verifierOption(func(c *config) { c.algs = algs })
}

// WithRevocations makes Verify reject, with an error wrapping ErrRevoked,
// every token whose sid r reports revoked; a *RevocationWatcher is the usual
// r. Verify asks r on every call, so r.Revoked must be fast and safe for
// concurrent use. The caller keeps ownership of r (and closes it).
func WithRevocations(r RevocationChecker) Option {
	return verifierOption(func(c *config) { c.revocations, c.revocationsSet = r, true })
}

// WithRevocationWatcher asks FromIssuer to start a RevocationWatcher on the
// issuer's revocation_feed_endpoint, wait for its first poll, and reject
// revoked sessions (as WithRevocations does). FromIssuer fails when the
// issuer publishes no feed or the first poll fails; Verifier.Close stops the
// watcher. NewVerifier refuses this option: it has no issuer to ask.
func WithRevocationWatcher(opts ...WatcherOption) Option {
	return verifierOption(func(c *config) { c.watch, c.watcherOpts = true, append(c.watcherOpts, opts...) })
}

// WithKeySetOptions passes opts to the RemoteKeySet FromIssuer builds.
// NewVerifier ignores it.
func WithKeySetOptions(opts ...KeySetOption) Option {
	return verifierOption(func(c *config) { c.keySetOpts = append(c.keySetOpts, opts...) })
}

// WithClock replaces time.Now, for tests: in a Verifier for exp, nbf and
// iat; in a RemoteKeySet for cache lifetimes and the refetch rate limit; in
// a RevocationWatcher for forgetting expired revocations. A nil clock makes
// NewVerifier fail and means time.Now elsewhere.
func WithClock(now func() time.Time) SharedOption { return clockOption(now) }

type clockOption func() time.Time

func (o clockOption) applyVerifier(c *config)       { c.now = o }
func (o clockOption) applyKeySet(c *keySetConfig)   { c.now = o }
func (o clockOption) applyWatcher(c *watcherConfig) { c.now = o }

// WithHTTPClient sets the client used for discovery, JWKS and revocation
// feed requests (default: a client with a 10 s timeout and no cookie jar).
// Its timeout bounds how long one fetch may stall the requests waiting for
// it. NewVerifier ignores it.
func WithHTTPClient(hc *http.Client) SharedOption { return clientOption{hc} }

type clientOption struct{ hc *http.Client }

func (o clientOption) applyVerifier(c *config)       { c.client = o.hc }
func (o clientOption) applyKeySet(c *keySetConfig)   { c.client = o.hc }
func (o clientOption) applyWatcher(c *watcherConfig) { c.client = o.hc }

// WithRefetchInterval sets the rate limit of a RemoteKeySet: at most one
// JWKS fetch per d, whatever the traffic and whatever the reason (first
// use, unknown kid, expired cache), failed fetches included (default
// DefaultRefetchInterval). A short d lets a flood of tokens with made-up
// kids hammer the issuer; zero or less means the default.
func WithRefetchInterval(d time.Duration) KeySetOption {
	return keySetOption(func(c *keySetConfig) { c.refetch = d })
}

// WithCacheBounds bounds how long a RemoteKeySet trusts a fetched JWKS
// without asking again: the issuer's Cache-Control max-age, raised to floor
// and lowered to ceiling (defaults DefaultMinCacheAge, DefaultMaxCacheAge).
// A response without max-age, or with no-cache or no-store, is kept for
// floor. The ceiling is how long a key the issuer withdrew (a leaked one)
// may still verify. Zero or less keeps the default.
func WithCacheBounds(floor, ceiling time.Duration) KeySetOption {
	return keySetOption(func(c *keySetConfig) { c.minAge, c.maxAge = floor, ceiling })
}

// WithPollInterval replaces the poll interval the feed announces. Values
// under MinPollOverride are raised to it. Revocations reach Verify within
// one interval, so a long one lets a revoked device in for longer.
func WithPollInterval(d time.Duration) WatcherOption {
	return watcherOption(func(c *watcherConfig) { c.interval = d })
}

// defaultClient is used when no WithHTTPClient is given. Its timeout
// bounds a fetch that other requests may be waiting for.
var defaultClient = &http.Client{Timeout: 10 * time.Second}
