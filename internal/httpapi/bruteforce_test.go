package httpapi_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func behindProxy(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1"} }

func from(ip string) string { return "X-Forwarded-For: " + ip }

// TestBruteForceLimits: the 11th failure in the window is refused with 429
// and Retry-After even with the right password; another account from
// another IP is unaffected; the lock ends with the window. Counters live in
// the database, so both engines are covered.
func TestBruteForceLimits(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, behindProxy)
		c := ts.NewClient(t)
		register(t, c, "victim@example.com")
		register(t, c, "bystander@example.com")
		wrong := map[string]any{"email": "victim@example.com", "password": "wrong password, again"}
		right := map[string]any{"email": "victim@example.com", "password": testPassword}

		var slowest time.Duration
		for i := 1; i <= 10; i++ {
			start := time.Now()
			c.Do("POST", "/v1/auth/login", wrong, from("203.0.113.10")).WantError(t, 400, "invalid_credentials")
			if i == 10 {
				slowest = time.Since(start)
			}
		}
		// Past half the allowance each failure is slowed by one more step.
		if min := 5 * servertest.LoginSlowdown; slowest < min {
			t.Fatalf("the 10th failure took %v, want at least %v of slowdown", slowest, min)
		}
		r := c.Do("POST", "/v1/auth/login", right, from("203.0.113.10")).WantError(t, 429, "rate_limited")
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 15*60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// The account is locked whatever the address: a correct password
		// from elsewhere is refused too.
		c.Do("POST", "/v1/auth/login", right, from("198.51.100.20")).WantError(t, 429, "rate_limited")
		c.Do("GET", "/v1/auth/me", nil, from("198.51.100.20"), basic("victim@example.com", testPassword)).
			WantError(t, 429, "rate_limited")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "bystander@example.com", "password": testPassword},
			from("198.51.100.30")).Want(t, 200)

		ts.Clock.Advance(15*time.Minute + time.Second)
		c.Do("POST", "/v1/auth/login", right, from("203.0.113.10")).Want(t, 200)
	})
}

// TestBruteForceSuccessClears: a right password clears the account's
// failures, so nine failures, a sign-in and nine more failures leave the
// account open; a sign-in with no failures behind it clears nothing and
// changes nothing.
func TestBruteForceSuccessClears(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, behindProxy)
		c := ts.NewClient(t)
		register(t, c, "forgetful@example.com")
		wrong := map[string]any{"email": "forgetful@example.com", "password": "wrong password, again"}
		right := map[string]any{"email": "forgetful@example.com", "password": testPassword}
		c.Do("POST", "/v1/auth/login", right, from("203.0.113.40")).Want(t, 200)
		for round := range 2 {
			for i := range 9 {
				// A fresh address each time: only the account counts.
				ip := fmt.Sprintf("203.0.113.%d", 50+round*10+i)
				c.Do("POST", "/v1/auth/login", wrong, from(ip)).WantError(t, 400, "invalid_credentials")
			}
			c.Do("POST", "/v1/auth/login", right, from("198.51.100.40")).Want(t, 200)
		}
	})
}

// TestBruteForcePerIP: one address spraying many accounts is refused after
// five times the per-account allowance, and X-Forwarded-For from an
// untrusted peer cannot spread the attempts over made-up addresses.
func TestBruteForcePerIP(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*config.Config)
		spoofed bool
	}{
		{"behind a trusted proxy", behindProxy, false},
		{"forged X-Forwarded-For", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := servertest.Start(t, sqltest.NewSQLite(t), tt.mutate)
			c := ts.NewClient(t)
			register(t, c, "sprayed@example.com")
			for i := 0; i < 50; i++ {
				ip := "203.0.113.50"
				if tt.spoofed {
					ip = fmt.Sprintf("10.0.%d.%d", i/250, i%250)
				}
				body := map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "password": "guess guess guess"}
				c.Do("POST", "/v1/auth/login", body, from(ip)).WantError(t, 400, "invalid_credentials")
			}
			ip := "203.0.113.50"
			if tt.spoofed {
				ip = "10.9.9.9"
			}
			c.Do("POST", "/v1/auth/login", map[string]any{"email": "sprayed@example.com", "password": testPassword}, from(ip)).
				WantError(t, 429, "rate_limited")
			if !tt.spoofed {
				c.Do("POST", "/v1/auth/login", map[string]any{"email": "sprayed@example.com", "password": testPassword},
					from("203.0.113.51")).Want(t, 200)
			}
		})
	}
}

// TestBruteForceUnknownNamesBounded: failed logins for made-up names, from
// many addresses, leave no counter per name (only keyed buckets of a fixed
// set), while a made-up name is still refused on the 11th failure exactly
// like an account, with the same status, body and Retry-After.
func TestBruteForceUnknownNamesBounded(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, behindProxy)
		c := ts.NewClient(t)
		register(t, c, "known@example.com")
		for _, name := range []string{"known@example.com", "nobody@example.com"} {
			body := map[string]any{"email": name, "password": "wrong password, again"}
			for i := range 10 {
				c.Do("POST", "/v1/auth/login", body, from(fmt.Sprintf("203.0.113.%d", i))).WantError(t, 400, "invalid_credentials")
			}
			r := c.Do("POST", "/v1/auth/login", body, from("203.0.113.99")).WantError(t, 429, "rate_limited")
			if got := r.Header.Get("Retry-After"); got != strconv.Itoa(15*60) {
				t.Errorf("%s: Retry-After %q, want %d", name, got, 15*60)
			}
		}
		// A made-up name that happens to share nobody's bucket (odds 1 in
		// 65536 each) is refused already: either answer is right here.
		for i := range 40 {
			body := map[string]any{"email": fmt.Sprintf("ghost-%d@example.com", i), "password": "guess guess guess"}
			r := c.Do("POST", "/v1/auth/login", body, from(fmt.Sprintf("198.51.100.%d", i)))
			if r.StatusCode != 400 && r.StatusCode != 429 {
				t.Fatalf("ghost-%d: status %d: %s", i, r.StatusCode, r.Body)
			}
		}
		var keys []string
		if err := ts.DB.SQL().SelectContext(t.Context(), &keys, `SELECT key FROM login_throttle`); err != nil {
			t.Fatal(err)
		}
		names := 0
		for _, k := range keys {
			switch {
			case strings.HasPrefix(k, "ip:"), k == "account:known@example.com":
			case strings.HasPrefix(k, "bucket:"):
				names++
			default:
				t.Errorf("a made-up name left counter %q", k)
			}
		}
		if names == 0 || names > 41 {
			t.Errorf("%d bucket counters for 41 made-up names", names)
		}
	})
}

// TestBruteForcePerIPv6Block: an IPv6 caller is counted per /64, so
// failures spread over many addresses of one block add up, and leave one
// counter, while the next block is untouched.
func TestBruteForcePerIPv6Block(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), behindProxy)
	c := ts.NewClient(t)
	register(t, c, "sprayed@example.com")
	for i := range 50 {
		body := map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "password": "guess guess guess"}
		c.Do("POST", "/v1/auth/login", body, from(fmt.Sprintf("2001:db8:0:1::%x", i+1))).WantError(t, 400, "invalid_credentials")
	}
	right := map[string]any{"email": "sprayed@example.com", "password": testPassword}
	c.Do("POST", "/v1/auth/login", right, from("2001:db8:0:1:ffff::1")).WantError(t, 429, "rate_limited")
	c.Do("POST", "/v1/auth/login", right, from("2001:db8:0:2::1")).Want(t, 200)
	var n int
	if err := ts.DB.SQL().GetContext(t.Context(), &n, `SELECT count(*) FROM login_throttle WHERE key LIKE 'ip:%'`); err != nil || n != 1 {
		t.Errorf("address counters: %d, %v; want 1 for the whole /64", n, err)
	}
}
