package auth

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/store"
)

// ipFailureFactor: a client IP may fail this many times more than one
// account before it is refused, since many people can share one address
// (an office, a carrier NAT).
const ipFailureFactor = 5

// throttleKeys names the counters a password check for this account from
// this device is held to. The account key is derived from the name typed,
// known account or not, so the limiter reveals nothing about existence.
func throttleKeys(email, username, ip string) (account, addr string) {
	name := email
	if name == "" {
		name = username
	}
	n, err := identifier.NormalizeEmail(name)
	if err != nil {
		if n, err = identifier.NormalizeUsername(name); err != nil {
			n = strings.ToLower(strings.TrimSpace(name))
		}
	}
	if len(n) > 256 {
		n = n[:256]
	}
	return "account:" + n, "ip:" + ip
}

// throttled returns a rate_limited error when the account or the IP has
// used up its failures in the current window. A correct password during
// the lock is refused all the same.
func (s *Service) throttled(ctx context.Context, keys [2]string, now time.Time) error {
	window := s.settings.LoginFailureWindow
	list, err := s.store.LoginThrottles(ctx, keys[:], now.Add(-window))
	if err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	for _, t := range list {
		limit := s.settings.LoginMaxFailures
		if strings.HasPrefix(t.Key, "ip:") {
			limit *= ipFailureFactor
		}
		if t.Failures >= limit {
			retry := int(math.Ceil(t.WindowStart.Add(window).Sub(now).Seconds()))
			return &Error{Code: CodeRateLimited, Message: "too many failed logins; try again later",
				RetryAfterSeconds: max(retry, 1)}
		}
	}
	return nil
}

// recordFailure counts a failed check against both keys and then slows
// the answer down once the account is past half its allowance, so that
// guessing gets slower long before it is refused.
func (s *Service) recordFailure(ctx context.Context, keys [2]string, now time.Time) error {
	window := s.settings.LoginFailureWindow
	var accountFailures int
	for i, k := range keys {
		t, err := s.store.RecordLoginFailure(ctx, k, now, now.Add(-window))
		if err != nil {
			return fmt.Errorf("login throttle: %w", err)
		}
		if i == 0 {
			accountFailures = t.Failures
		}
	}
	over := accountFailures - s.settings.LoginMaxFailures/2
	if over <= 0 || s.settings.LoginSlowdown <= 0 {
		return nil
	}
	delay := min(time.Duration(over)*s.settings.LoginSlowdown, 2*time.Second)
	select {
	case <-time.After(delay):
	case <-ctx.Done():
	}
	return nil
}

// clearAccountThrottle forgets the failed logins counted against u's
// e-mail and username: after a password reset or change the owner has
// proved themselves, and the guesses were against a password that is gone.
func (s *Service) clearAccountThrottle(ctx context.Context, u *store.User) error {
	names := []string{u.EmailNormalized}
	if u.UsernameNormalized != nil {
		names = append(names, *u.UsernameNormalized)
	}
	for _, n := range names {
		if err := s.store.ClearLoginFailures(ctx, "account:"+n); err != nil {
			return fmt.Errorf("clear login throttle: %w", err)
		}
	}
	return nil
}
