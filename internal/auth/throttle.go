package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/tessera-id/tessera/internal/identifier"
	"github.com/tessera-id/tessera/internal/store"
)

// ipFailureFactor: a client IP may fail this many times more than one
// account before it is refused, since many people can share one address
// (an office, a carrier NAT).
const ipFailureFactor = 5

// unknownNameBuckets is how many counters the names that are not accounts
// share. A made-up name is counted in one of them, chosen by a keyed hash,
// so an anonymous caller trying any number of names from any number of
// addresses adds at most this many rows to the throttle table. A name
// alone in its bucket is refused after as many failures as an account;
// sharing one could only refuse it sooner, and nobody can pick names that
// share one without the server secret.
const unknownNameBuckets = 1 << 16

// throttleKeys names the counters a password check for this name from this
// device is held to: the account's own counter when the name is an
// account (known), otherwise its bucket among unknownNameBuckets. Either
// way the limit is the same, so the limiter tells nothing about which
// names exist.
func (s *Service) throttleKeys(email, username string, known bool, ip string) (account, addr string) {
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
	addr = "ip:" + addressKey(ip)
	if !known {
		return "bucket:" + strconv.FormatUint(s.nameBucket(n), 10), addr
	}
	if len(n) > 256 {
		n = n[:256]
	}
	return "account:" + n, addr
}

// addressKey is the part of a client address one counter covers: the
// address itself for IPv4, its /64 for IPv6. One IPv6 subscriber usually
// holds a whole /64, so counting single addresses would let one caller
// spread its failures, and its rows, over 2^64 counters.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// nameBucket is HMAC-SHA256 of the normalised name under a key derived
// from the server secret, reduced to one of unknownNameBuckets.
func (s *Service) nameBucket(normalized string) uint64 {
	key := hmac.New(sha256.New, s.secret)
	key.Write([]byte("tessera login throttle buckets"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write([]byte(normalized))
	return binary.BigEndian.Uint64(mac.Sum(nil)) % unknownNameBuckets
}

// throttled returns a rate_limited error when the account or the IP has
// used up its failures in the current window. A correct password during
// the lock is refused all the same.
func (s *Service) throttled(ctx context.Context, keys [2]string, now time.Time) error {
	list, err := s.store.LoginThrottles(ctx, keys[:], now.Add(-s.settings.LoginFailureWindow))
	if err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	for _, t := range list {
		limit := s.settings.LoginMaxFailures
		if strings.HasPrefix(t.Key, "ip:") {
			limit *= ipFailureFactor
		}
		if t.Failures >= limit {
			return s.rateLimited(t.WindowStart, now)
		}
	}
	return nil
}

// admitAttempt lets a check of account's secret from addr go ahead, or
// refuses it (rate_limited) when either is over its limit. The account's
// counter takes the check before it is made (countAttempt), so that
// guesses sent at once are held to the limit like guesses sent one after
// another. It returns the account's failures, this check included.
func (s *Service) admitAttempt(ctx context.Context, account, addr string, now time.Time) (int, error) {
	if err := s.throttled(ctx, [2]string{account, addr}, now); err != nil {
		return 0, err
	}
	return s.countAttempt(ctx, account, now)
}

// rateLimited is the refusal of a key whose failure window opened at
// start: rate_limited, with the seconds until the window closes.
func (s *Service) rateLimited(start, now time.Time) error {
	retry := int(math.Ceil(start.Add(s.settings.LoginFailureWindow).Sub(now).Seconds()))
	return &Error{Code: CodeRateLimited, Message: "too many failed logins; try again later",
		RetryAfterSeconds: max(retry, 1)}
}

// countAttempt counts a check as a failure of account before it is made,
// in one atomic statement, and refuses it (rate_limited) when that takes
// the account past its limit: checks sent at once cannot all be made
// before any of them is counted. A success clears the counter. It returns
// the account's failures in the window, this one included.
func (s *Service) countAttempt(ctx context.Context, account string, now time.Time) (int, error) {
	t, err := s.store.RecordLoginFailure(ctx, account, now, now.Add(-s.settings.LoginFailureWindow))
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	if t.Failures > s.settings.LoginMaxFailures {
		return 0, s.rateLimited(t.WindowStart, now)
	}
	return t.Failures, nil
}

// attemptFailed counts a failed check against the address (countAttempt
// counted it against the account already), then slows the answer down.
func (s *Service) attemptFailed(ctx context.Context, addr string, accountFailures int, now time.Time) error {
	if _, err := s.store.RecordLoginFailure(ctx, addr, now, now.Add(-s.settings.LoginFailureWindow)); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	s.slowDown(ctx, accountFailures)
	return nil
}

// slowDown holds a refused answer back once the account's failures are
// past half its allowance, longer with each one (at most two seconds), so
// that guessing gets slower long before it is refused.
func (s *Service) slowDown(ctx context.Context, accountFailures int) {
	over := accountFailures - s.settings.LoginMaxFailures/2
	if over <= 0 || s.settings.LoginSlowdown <= 0 {
		return
	}
	select {
	case <-time.After(min(time.Duration(over)*s.settings.LoginSlowdown, 2*time.Second)):
	case <-ctx.Done():
	}
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
