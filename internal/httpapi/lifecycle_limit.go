package httpapi

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/identifier"
)

// throttle limits how often one key (a client IP, an e-mail address, a
// user) may use an endpoint: a token bucket per key (golang.org/x/time/rate)
// holding n requests, refilled evenly over per. It lives in this process:
// with N replicas behind a balancer a key gets up to N times the limit,
// which is acceptable for mail-sending endpoints (the brute-force limits
// of logins live in the database instead). Like Django REST Framework's
// throttles, it belongs to the view layer. Safe for concurrent use.
type throttle struct {
	n   int
	per time.Duration

	mu        sync.Mutex
	keys      map[string]*throttleEntry
	lastSweep time.Time
}

type throttleEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newThrottle(n int, per time.Duration) *throttle {
	return &throttle{n: n, per: per, keys: map[string]*throttleEntry{}}
}

// take spends one request of key at now. It returns 0 when allowed, or how
// long until the next request would be (nothing is spent then).
func (t *throttle) take(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	e := t.keys[key]
	if e == nil {
		e = &throttleEntry{lim: rate.NewLimiter(rate.Every(t.per/time.Duration(t.n)), t.n)}
		t.keys[key] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// sweep forgets keys unused for a whole period (their bucket is full
// again, exactly as a new one), at most once per period, so memory stays
// bounded by the keys seen in one period.
func (t *throttle) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < t.per {
		return
	}
	t.lastSweep = now
	for k, e := range t.keys {
		if now.Sub(e.seen) >= t.per {
			delete(t.keys, k)
		}
	}
}

// AccountLimits are the request limits of the account flows that send
// mail (password reset, verification resend). One instance serves every
// route of a flow, Tessera's own and the compatible ones alike, so a second
// spelling of a route is not a second allowance. Safe for concurrent use.
type AccountLimits struct {
	resetIP, resetEmail   *throttle
	resendIP, resendEmail *throttle
}

// NewAccountLimits returns the limits per hour. Generous for people (a user
// who asks five times in an hour has another problem), small for scripts
// probing addresses or flooding someone's mailbox.
func NewAccountLimits() *AccountLimits {
	return &AccountLimits{
		resetIP: newThrottle(20, time.Hour), resetEmail: newThrottle(5, time.Hour),
		resendIP: newThrottle(20, time.Hour), resendEmail: newThrottle(3, time.Hour),
	}
}

// AllowReset spends one password-reset request of the client IP and the
// e-mail typed at now, or returns a rate_limited error.
func (l *AccountLimits) AllowReset(now time.Time, ip, email string) error {
	return allow(now, l.resetIP, l.resetEmail, ip, email)
}

// AllowResend spends one verification-resend request of the client IP and
// the e-mail typed at now, or returns a rate_limited error.
func (l *AccountLimits) AllowResend(now time.Time, ip, email string) error {
	return allow(now, l.resendIP, l.resendEmail, ip, email)
}

// allow spends one request of the client IP and then of the e-mail typed
// (normalised, so spellings of one address share a bucket; a malformed one
// is left to validation). The answer does not depend on whether an account
// uses the address.
func allow(now time.Time, byIP, byEmail *throttle, ip, email string) error {
	if d := byIP.take("ip:"+ip, now); d > 0 {
		return rateLimited(d)
	}
	if n, err := identifier.NormalizeEmail(email); err == nil {
		if d := byEmail.take("email:"+n, now); d > 0 {
			return rateLimited(d)
		}
	}
	return nil
}

func rateLimited(d time.Duration) error {
	return &auth.Error{Code: auth.CodeRateLimited, Message: "too many requests; try again later",
		RetryAfterSeconds: max(1, int(math.Ceil(d.Seconds())))}
}
