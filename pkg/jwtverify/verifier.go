package jwtverify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
const DefaultLeeway = 30 * time.Second

// MaxLeeway is the largest leeway WithLeeway accepts.
const MaxLeeway = 60 * time.Second

// MaxTokenSize is the largest compact JWS Verify will parse; longer input is
// refused with ErrTooLarge before any decoding.
const MaxTokenSize = 8 << 10

// Algorithm names a Verifier may accept. HMAC and "none" are not among them:
// an access token is always signed with an asymmetric key.
const (
	ES256 = "ES256"
	EdDSA = "EdDSA"
	RS256 = "RS256"
)

// Verifier checks Tessera access tokens offline. It is safe for concurrent use.
type Verifier struct {
	keys      KeySet
	cfg       config
	validator *jwt.Validator
	headers   headerCache
	// watcher is the RevocationWatcher FromIssuer started, closed by Close.
	watcher *RevocationWatcher
}

// RevocationChecker reports whether a session was revoked. Verify calls it
// for every token that passed every other check, so it must be fast and
// safe for concurrent use. *RevocationWatcher implements it.
type RevocationChecker interface {
	Revoked(sid string) bool
}

// NewVerifier returns a Verifier over keys. WithIssuer and WithAudience are
// required; leaving either out is an error, never a silently skipped check.
func NewVerifier(keys KeySet, opts ...Option) (*Verifier, error) {
	cfg := newConfig(opts)
	var errs []error
	if keys == nil {
		errs = append(errs, errors.New("jwtverify: a KeySet is required"))
	}
	if cfg.watch {
		errs = append(errs, errors.New("jwtverify: WithRevocationWatcher needs FromIssuer (use WithRevocations with NewVerifier)"))
	}
	if err := errors.Join(append(errs, cfg.validate())...); err != nil {
		return nil, err
	}
	return newVerifier(keys, cfg), nil
}

// newConfig applies opts over the defaults.
func newConfig(opts []Option) config {
	cfg := config{leeway: DefaultLeeway, now: time.Now, algs: []string{ES256, EdDSA, RS256}}
	for _, o := range opts {
		if o != nil {
			o.applyVerifier(&cfg)
		}
	}
	// A private copy, so the caller's slice cannot widen the list later.
	cfg.algs = append([]string(nil), cfg.algs...)
	return cfg
}

// newVerifier builds a Verifier from a validated cfg.
func newVerifier(keys KeySet, cfg config) *Verifier {
	return &Verifier{
		keys: keys,
		cfg:  cfg,
		validator: jwt.NewValidator(
			jwt.WithIssuer(cfg.issuer),
			jwt.WithAudience(cfg.audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(cfg.leeway),
			jwt.WithTimeFunc(cfg.now),
		),
	}
}

func (c *config) validate() error {
	var errs []error
	if c.issuer == "" {
		errs = append(errs, errors.New("jwtverify: an issuer is required (WithIssuer)"))
	}
	if c.audience == "" {
		errs = append(errs, errors.New("jwtverify: an audience is required (WithAudience)"))
	}
	if c.leeway < 0 || c.leeway > MaxLeeway {
		errs = append(errs, fmt.Errorf("jwtverify: leeway %v outside 0..%v", c.leeway, MaxLeeway))
	}
	if c.now == nil {
		errs = append(errs, errors.New("jwtverify: WithClock(nil)"))
	}
	if w, ok := c.revocations.(*RevocationWatcher); c.revocationsSet && (c.revocations == nil || ok && w == nil) {
		errs = append(errs, errors.New("jwtverify: WithRevocations(nil)"))
	}
	if len(c.algs) == 0 {
		errs = append(errs, errors.New("jwtverify: WithAlgorithms needs at least one algorithm"))
	}
	for _, a := range c.algs {
		if !supportedAlg(a) {
			errs = append(errs, fmt.Errorf("jwtverify: algorithm %q not allowed (allowed: ES256, EdDSA, RS256)", a))
		}
	}
	return errors.Join(errs...)
}

func supportedAlg(a string) bool { return a == ES256 || a == EdDSA || a == RS256 }

// Verify parses raw, checks its signature against the key named by its
// "kid" with that key's algorithm, then checks typ, iss, aud, exp, nbf, iat
// and the presence of sub, client_id, jti and sid, and last, when the
// Verifier has revocations (WithRevocations, WithRevocationWatcher), that
// the sid is not revoked. It returns the claims or an error wrapping one of
// the Err* values, never both.
//
// A token has one accepted spelling: any other (stray base64url bits or
// bytes, header or payload not UTF-8, a date as a string, a high-s ES256
// signature) is refused with an error wrapping ErrMalformed, so a token
// string can key a deny list or a replay cache.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	if len(raw) > MaxTokenSize {
		return nil, ErrTooLarge
	}
	t, err := v.parse(raw)
	if err != nil {
		return nil, err
	}
	key, err := v.keyFor(ctx, t)
	if err != nil {
		return nil, v.classify(t.method, fmt.Errorf("%w: error while executing keyfunc: %w", jwt.ErrTokenUnverifiable, err))
	}
	if err := t.method.Verify(t.signed, t.signature, key); err != nil {
		return nil, v.classify(t.method, fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, err))
	}
	if !t.cached {
		v.headers.put(t.headerSeg, t.header)
	}
	p := t.payload
	if err := v.validator.Validate(p); err != nil {
		return nil, v.classify(t.method, fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, err))
	}
	claims := p.claims()
	if err := requireClaims(claims); err != nil {
		return nil, err
	}
	if v.cfg.revocations != nil && v.cfg.revocations.Revoked(claims.SessionID) {
		return nil, ErrRevoked
	}
	return claims, nil
}

// RevocationWatcher returns the watcher FromIssuer started
// (WithRevocationWatcher), or the one given to WithRevocations, or nil.
// Call its Poll to learn of a revocation at once.
func (v *Verifier) RevocationWatcher() *RevocationWatcher {
	if v.watcher != nil {
		return v.watcher
	}
	w, _ := v.cfg.revocations.(*RevocationWatcher)
	return w
}

// Close stops the RevocationWatcher FromIssuer started, if any, and waits
// for it to finish. It does not close a watcher given to WithRevocations:
// that one is the caller's. A Verifier keeps verifying after Close, with
// the revocations it knew. Close is safe to call more than once.
func (v *Verifier) Close() error {
	if v.watcher != nil {
		return v.watcher.Close()
	}
	return nil
}

// keyFor returns the key t's signature must verify with. parse has
// already checked that the token's alg is in the allow-list. Headers other
// than typ, kid, alg and crit are ignored: jku, x5u and jwk are never
// read, let alone fetched.
func (v *Verifier) keyFor(ctx context.Context, t *token) (any, error) {
	if !isAccessTokenType(t.header.typ) {
		return nil, ErrType
	}
	if t.header.crit {
		// RFC 7515 s4.1.11: we understand no extension, so must refuse.
		return nil, fmt.Errorf("%w: crit header", ErrMalformed)
	}
	if t.method.Alg() == ES256 && highS(t.signature) {
		return nil, errHighS
	}
	kid := t.header.kid
	if kid == "" {
		return nil, fmt.Errorf("%w: no kid", ErrUnknownKey)
	}
	key, err := v.keys.VerificationKey(ctx, kid)
	if err != nil {
		return nil, err
	}
	if alg := t.method.Alg(); key.Algorithm != alg {
		return nil, fmt.Errorf("%w: key is for %s, token says %s", ErrAlgorithm, key.Algorithm, alg)
	}
	if err := key.check(); err != nil {
		return nil, err
	}
	return key.Public, nil
}

// isAccessTokenType accepts "at+jwt" and its full media type, compared
// case-insensitively as RFC 9068 s2.1 and RFC 8725 s3.11 allow.
func isAccessTokenType(typ string) bool {
	return strings.EqualFold(typ, TokenType) || strings.EqualFold(typ, "application/"+TokenType)
}

// requireClaims checks the claims the Validator does not require by itself
// (it already requires iss, aud and exp).
func requireClaims(c *Claims) error {
	switch {
	case c.Subject == "":
		return errMissingSub
	case c.IssuedAt == nil:
		return errMissingIat
	case c.ID == "":
		return errMissingJti
	case c.ClientID == "":
		return errMissingClientID
	case c.SessionID == "":
		return errMissingSid
	}
	return nil
}
