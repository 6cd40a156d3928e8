package httpapi_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func lcBehindProxy(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1"} }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestPasswordResetHidesAccounts: a known and an unknown address get the
// same status and body, and the same time: medians within 10% over 50
// tries each (the reset request does no password hashing, so the test
// server's hashing parameters play no part).
//
// Tries come in pairs in random order, each try from its own client address
// and for its own account (as a prober's would; it also keeps the request
// limits out of the way). A try is the fastest of three back-to-back
// requests, as a prober filters the noise of a busy machine: that makes the
// comparison more sensitive, not less. The mail queue is drained after each
// try, outside the timed part. A machine shared with other test runs can
// still make one round of 50 pairs noisy, so up to five rounds are run: a
// real difference fails every round.
func TestPasswordResetHidesAccounts(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		const n, rounds = 50, 5
		ls := startLifecycle(t, db, auth.VerificationNone, lcBehindProxy)
		c := ls.NewClient(t)
		for i := range rounds * n {
			register(t, c, fmt.Sprintf("known%d@example.com", i))
		}
		p := &resetProbe{t: t, ls: ls, c: c, bodies: map[string]bool{}}
		p.try("warm-up@example.com", "192.0.2.1")
		for round := range rounds {
			mk, mu := p.round(round, n)
			ratio := float64(mk) / float64(mu)
			t.Logf("round %d: reset request medians over %d tries: known %v, unknown %v (ratio %.3f)", round+1, n, mk, mu, ratio)
			if len(p.bodies) != 1 {
				t.Fatalf("known and unknown addresses got different bodies: %v", p.bodies)
			}
			if ratio >= 1/1.1 && ratio <= 1.1 {
				return
			}
		}
		t.Fatal("in every round the medians differ by more than 10%")
	})
}

// resetProbe times password-reset requests the way a prober would.
type resetProbe struct {
	t      *testing.T
	ls     *lcServer
	c      *servertest.Client
	bodies map[string]bool
	ip     int
}

// try returns the fastest of three requests for email from ip.
func (p *resetProbe) try(email, ip string) time.Duration {
	best := time.Duration(math.MaxInt64)
	for range 3 {
		runtime.GC() // the client shares the server's heap: no collection inside a timed request
		start := time.Now()
		r := p.c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": email}, "X-Forwarded-For: "+ip)
		best = min(best, time.Since(start))
		r.Want(p.t, 202)
		p.bodies[string(r.Body)] = true
	}
	p.ls.FlushMail(p.t)
	return best
}

// round runs n pairs of tries and returns the median of each side.
func (p *resetProbe) round(round, n int) (known, unknown time.Duration) {
	var k, u []time.Duration
	sent := len(p.ls.out.Messages())
	for i := range n {
		id := round*n + i
		pair := []string{fmt.Sprintf("known%d@example.com", id), fmt.Sprintf("unknown%d@example.com", id)}
		order := rand.Perm(2)
		var d [2]time.Duration
		for _, j := range order {
			p.ip++
			d[j] = p.try(pair[j], fmt.Sprintf("10.%d.%d.%d", p.ip>>16&255, p.ip>>8&255, p.ip&255))
		}
		k, u = append(k, d[0]), append(u, d[1])
	}
	if got := len(p.ls.out.Messages()) - sent; got != 3*n {
		p.t.Fatalf("%d reset mails, want three per known address (%d)", got, 3*n)
	}
	return median(k), median(u)
}

// TestLifecycleRateLimits: reset and resend are limited per address and
// per client address, with 429 and Retry-After, the same for known and
// unknown addresses; the limits refill with time.
func TestLifecycleRateLimits(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional, lcBehindProxy)
	c := ls.NewClient(t)
	register(t, c, "lim@example.com")
	for _, email := range []string{"lim@example.com", "ghost@example.com"} {
		for i := range 5 {
			c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": email}, fmt.Sprintf("X-Forwarded-For: 198.51.100.%d", i)).Want(t, 202)
		}
		r := c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": email}, "X-Forwarded-For: 198.51.100.99").
			WantError(t, 429, "rate_limited")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	for i := range 20 {
		c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": fmt.Sprintf("r%d@example.com", i)}, "X-Forwarded-For: 203.0.113.7").Want(t, 202)
	}
	c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "r99@example.com"}, "X-Forwarded-For: 203.0.113.7").WantError(t, 429, "rate_limited")
	c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "r99@example.com"}, "X-Forwarded-For: 203.0.113.8").Want(t, 202)

	ls.Clock.Advance(time.Hour)
	c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": "lim@example.com"}, "X-Forwarded-For: 198.51.100.99").Want(t, 202)
	c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "r99@example.com"}, "X-Forwarded-For: 203.0.113.7").Want(t, 202)
}

// TestMailFailureIsAudited: a message the backend refuses is logged and
// audited as mail_failed, and the request that caused it still succeeds.
func TestMailFailureIsAudited(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional)
	c := ls.NewClient(t)
	register(t, c, "lost@example.com")
	ls.out.FailWith(mail.Permanent(errors.New("550 mailbox unavailable")))
	detail(t, c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": "lost@example.com"}), 202, resetQueued)
	ls.FlushMail(t)
	events := auditEvents(t, ls.TestServer, "lost@example.com")
	if n := slices.Index(events, "mail_failed"); n < 0 {
		t.Fatalf("no mail_failed event: %v", events)
	}
}
