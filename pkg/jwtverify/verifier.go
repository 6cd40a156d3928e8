package jwtverify

import (
	"context"
	"time"
)

// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
const DefaultLeeway = 30 * time.Second

// MaxLeeway is the largest leeway WithLeeway accepts.
const MaxLeeway = 60 * time.Second

// MaxTokenSize is the largest compact JWS Verify will parse; longer input is
// refused with ErrTooLarge before any decoding.
const MaxTokenSize = 8 << 10

// Option configures a Verifier.
type Option func(*config)

type config struct {
	issuer   string
	audience string
	leeway   time.Duration
	now      func() time.Time
	algs     []string
}

// WithIssuer sets the exact "iss" every token must carry. Required.
func WithIssuer(issuer string) Option { return func(c *config) { c.issuer = issuer } }

// WithAudience sets the audience that must appear in every token's "aud".
// Required.
func WithAudience(aud string) Option { return func(c *config) { c.audience = aud } }

// WithLeeway sets the allowed clock skew (default 30 s). More than MaxLeeway
// makes NewVerifier fail: a long leeway keeps expired tokens alive.
func WithLeeway(d time.Duration) Option { return func(c *config) { c.leeway = d } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithAlgorithms narrows the accepted algorithms (default ES256, EdDSA,
// RS256). Whatever is allowed, a key only ever verifies its own algorithm.
func WithAlgorithms(algs ...string) Option { return func(c *config) { c.algs = algs } }

// Verifier checks Tessera access tokens offline. It is safe for concurrent use.
type Verifier struct {
	keys KeySet
	cfg  config
}

// NewVerifier returns a Verifier over keys. WithIssuer and WithAudience are
// required; leaving either out is an error, never a silently skipped check.
func NewVerifier(keys KeySet, opts ...Option) (*Verifier, error) {
	panic("unimplemented")
}

// Verify parses raw, checks its signature against the key named by its
// "kid" with that key's algorithm, then checks typ, iss, aud, exp, nbf, iat
// and the presence of sub, client_id, jti and sid. It returns the claims or
// an error wrapping one of the Err* values.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	panic("unimplemented")
}
