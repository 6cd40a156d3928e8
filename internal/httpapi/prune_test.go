package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// churnSession is the test's own model of one device session.
type churnSession struct {
	user             int
	refresh, access  string
	created, lastUse time.Time
	revoked          bool
}

// churn drives a month of traffic through a test server and keeps the
// model every expected row count is computed from.
type churn struct {
	t        *testing.T
	ts       *servertest.TestServer
	c        *servertest.Client
	cfg      config.Config
	start    time.Time
	sessions []*churnSession
	emails   []string
	counts   map[string]int
	pruned   auth.Pruned
	// tombstoned is how many active sessions the last deleteUser ended.
	tombstoned int
}

func (ch *churn) at(d time.Duration) {
	ch.t.Helper()
	if now := ch.ts.Clock.Now(); ch.start.Add(d).Before(now) {
		ch.t.Fatalf("clock would go back from %v to %v", now, ch.start.Add(d))
	}
	ch.ts.Clock.Advance(ch.start.Add(d).Sub(ch.ts.Clock.Now()))
}

// register creates user's account, which logs it in on a first device.
func (ch *churn) register(user int) {
	ch.t.Helper()
	ch.track(user, register(ch.t, ch.c, ch.emails[user]))
	ch.ts.FlushMail(ch.t) // the verification token is written with its mail
}

func (ch *churn) login(user int) *churnSession {
	return ch.track(user, login(ch.t, ch.c, ch.emails[user], "device"))
}

func (ch *churn) track(user int, r *servertest.Response) *churnSession {
	now := ch.ts.Clock.Now()
	s := &churnSession{user: user, refresh: r.Str("refresh_token"), access: r.Str("access_token"), created: now, lastUse: now}
	ch.sessions = append(ch.sessions, s)
	ch.counts["logins"]++
	return s
}

// refresh rotates s, or reports false when its session has ended.
func (ch *churn) refresh(s *churnSession) bool {
	r := ch.c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": s.refresh})
	ch.counts["refreshes"]++
	if r.StatusCode != http.StatusOK {
		r.WantError(ch.t, http.StatusBadRequest, "invalid_grant")
		if s.active(ch, ch.ts.Clock.Now()) {
			ch.t.Fatalf("refresh of an active session refused: %s", r.Body)
		}
		return false
	}
	s.refresh, s.access, s.lastUse = r.Str("refresh_token"), r.Str("access_token"), ch.ts.Clock.Now()
	return true
}

func (ch *churn) logout(s *churnSession) {
	ch.c.Do("POST", "/v1/auth/logout", map[string]any{}, "Authorization: Bearer "+s.access).Want(ch.t, http.StatusNoContent)
	s.revoked = true
	ch.counts["logouts"]++
}

func (s *churnSession) active(ch *churn, now time.Time) bool {
	return !s.revoked && now.Before(s.lastUse.Add(ch.cfg.SessionIdleTTL)) && now.Before(s.created.Add(ch.cfg.SessionMaxTTL))
}

// fail sends a wrong password for email from ip.
func (ch *churn) fail(email, ip string) {
	body := map[string]any{"email": email, "password": "not the password at all"}
	ch.c.Do("POST", "/v1/auth/login", body, from(ip)).WantError(ch.t, http.StatusBadRequest, "invalid_credentials")
	ch.counts["failed logins"]++
}

func (ch *churn) reset(email string) {
	ch.c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": email}).Want(ch.t, http.StatusAccepted)
	ch.ts.FlushMail(ch.t) // the token is written before its mail is sent
	ch.counts["reset requests"]++
}

func (ch *churn) prune() {
	ch.t.Helper()
	p, err := ch.ts.Auth.PruneStorage(ch.t.Context())
	if err != nil {
		ch.t.Fatalf("PruneStorage: %v", err)
	}
	ch.pruned.Sessions += p.Sessions
	ch.pruned.Tombstones += p.Tombstones
	ch.pruned.OneTimeTokens += p.OneTimeTokens
	ch.pruned.LoginThrottles += p.LoginThrottles
}

func (ch *churn) liveSessions(except int) int {
	n, now := 0, ch.ts.Clock.Now()
	for _, s := range ch.sessions {
		if s.user != except && s.active(ch, now) {
			n++
		}
	}
	return n
}

// wantRows checks the exact row count of each table.
func (ch *churn) wantRows(when string, want map[string]int) {
	ch.t.Helper()
	for table, n := range want {
		var got int
		if err := ch.ts.DB.SQL().GetContext(ch.t.Context(), &got, `SELECT count(*) FROM `+table); err != nil {
			ch.t.Fatal(err)
		}
		if got != n {
			ch.t.Errorf("%s: %s has %d rows, want its live size %d", when, table, got, n)
		}
		ch.t.Logf("%s: %s %d rows", when, table, got)
	}
}

// TestMonthOfChurn: a month of logins, refreshes, logouts, idle and
// absolute expiries, failed logins for real and made-up names, password
// resets and a deleted account, on the injected clock with the hourly
// prune run once a simulated day, leaves sessions, session tombstones,
// one-time tokens and throttle counters at exactly their live size.
func TestMonthOfChurn(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ch := &churn{t: t, counts: map[string]int{}}
		ch.ts = servertest.Start(t, db, func(c *config.Config) {
			behindProxy(c)
			c.SessionIdleTTL, c.SessionMaxTTL = 48*time.Hour, 7*24*time.Hour
			ch.cfg = *c
		})
		ch.c = ch.ts.NewClient(t)
		ch.start = ch.ts.Clock.Now()
		const users, longLived = 12, 4
		for i := range users {
			ch.emails = append(ch.emails, fmt.Sprintf("user%d@example.com", i))
			ch.register(i)
		}
		devices := make([]*churnSession, longLived)
		for i := range devices {
			devices[i] = ch.login(i)
		}
		const day = 24 * time.Hour
		for d := range 30 {
			D := time.Duration(d) * day
			ch.at(D)
			today := make([]*churnSession, users)
			for u := range users {
				today[u] = ch.login(u)
			}
			ch.at(D + time.Hour)
			for i, s := range devices {
				if !ch.refresh(s) { // past its absolute lifetime: log in again
					devices[i] = ch.login(i)
				}
			}
			for _, s := range today {
				ch.refresh(s)
			}
			ch.at(D + 2*time.Hour)
			for u, s := range today {
				ch.refresh(s)
				if u%2 == 0 {
					ch.logout(s)
				}
			}
			ch.at(D + 3*time.Hour)
			ch.reset(ch.emails[d%users])
			ch.reset(fmt.Sprintf("nobody-%d@example.com", d))
			ch.at(D + 4*time.Hour)
			ch.fail(ch.emails[(d+1)%users], "203.0.113.1")
			for i := range 6 {
				ch.fail(fmt.Sprintf("made-up-%d-%d@example.com", d, i), fmt.Sprintf("198.51.%d.%d", d, i))
			}
			if d == 10 { // an account is deleted and its address registered again
				ch.at(D + 5*time.Hour)
				ch.deleteUser(users - 1)
				ch.register(users - 1)
			}
			ch.at(D + 23*time.Hour + 30*time.Minute)
			ch.prune()
		}

		end := 30*day + 30*time.Minute
		ch.at(end - 5*time.Minute)
		ch.reset(ch.emails[2])
		ch.fail("made-up-at-the-end@example.com", "198.51.200.1")
		ch.at(end)
		ch.prune()
		ch.wantRows("after a month", map[string]int{"sessions": ch.liveSessions(-1), "session_tombstones": 0,
			"one_time_tokens": 1, "login_throttle": 2})
		if n, err := ch.ts.DB.CountActiveSessions(t.Context(), ch.ts.Clock.Now()); err != nil || int(n) != ch.liveSessions(-1) {
			t.Errorf("CountActiveSessions = %d, %v; want %d", n, err, ch.liveSessions(-1))
		}

		// A deletion leaves one tombstone per session it removes, for as
		// long as the feed needs them, and no longer.
		ch.deleteUser(1)
		ch.at(end + time.Minute)
		ch.prune()
		ch.wantRows("after a deletion", map[string]int{"sessions": ch.liveSessions(1), "session_tombstones": ch.tombstoned})
		ch.at(end + day + 2*time.Minute)
		ch.prune()
		ch.wantRows("a day after the deletion", map[string]int{"sessions": ch.liveSessions(1), "session_tombstones": 0,
			"one_time_tokens": 0, "login_throttle": 0})
		t.Logf("traffic: %v; pruned %+v", ch.counts, ch.pruned)
	})
}

// deleteUser deletes user u as an admin would; its sessions end.
func (ch *churn) deleteUser(u int) {
	ch.t.Helper()
	admin := auth.Actor{Operator: "churn test"}
	found, err := ch.ts.Auth.AdminFindUser(ch.t.Context(), ch.emails[u])
	if err != nil {
		ch.t.Fatal(err)
	}
	if err := ch.ts.Auth.AdminDeleteUser(ch.t.Context(), admin, found.ID); err != nil {
		ch.t.Fatal(err)
	}
	ch.tombstoned = 0
	for _, s := range ch.sessions {
		if s.user == u && s.active(ch, ch.ts.Clock.Now()) {
			ch.tombstoned++
		}
		if s.user == u {
			s.revoked = true
		}
	}
	ch.counts["deleted users"]++
}
