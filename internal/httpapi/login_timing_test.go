package httpapi_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/password"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestLoginHidesAccounts: a wrong password for a known account and any
// password for an unknown one get the same status, the same body and the
// same time: medians within 10% over 50 tries each. Both paths look the
// account up, hash once (the unknown one against a dummy hash with the same
// parameters), audit and count the failure.
//
// Tries come in pairs in random order, each from its own client address
// and for its own account, so the brute-force limits stay out of the way;
// a try is the fastest of three requests, as a prober would filter noise.
// Up to five rounds absorb a noisy machine: a real difference fails all.
// The code path is the same on both databases; SQLite keeps the noise low.
func TestLoginHidesAccounts(t *testing.T) {
	func(t *testing.T, db *sqlstore.DB) {
		const n = 50
		// A hash that costs milliseconds, so that skipping it for unknown
		// accounts would show; FastHash would hide it in the noise.
		hash := password.Params{Memory: 4096, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
		ts := servertest.StartWith(t, db, servertest.Options{Mutate: behindProxy, HashParams: &hash})
		c := ts.NewClient(t)
		for i := range 5 * n { // every round needs its own known accounts
			register(t, c, fmt.Sprintf("known%d@example.com", i))
		}
		bodies := map[string]bool{}
		ip := 0
		try := func(email string) time.Duration {
			ip++
			best := time.Duration(math.MaxInt64)
			for range 3 {
				runtime.GC()
				start := time.Now()
				r := c.Do("POST", "/v1/auth/login", map[string]any{"email": email, "password": "not the password at all"},
					from(fmt.Sprintf("10.%d.%d.%d", ip>>16&255, ip>>8&255, ip&255)))
				best = min(best, time.Since(start))
				r.WantError(t, 400, "invalid_credentials")
				bodies[string(r.Body)] = true
			}
			return best
		}
		try("warm-up@example.com")
		for round := range 5 {
			var known, unknown []time.Duration
			for i := range n {
				id := round*n + i
				pair := []string{fmt.Sprintf("known%d@example.com", id), fmt.Sprintf("unknown%d@example.com", id)}
				var d [2]time.Duration
				for _, j := range rand.Perm(2) {
					d[j] = try(pair[j])
				}
				known, unknown = append(known, d[0]), append(unknown, d[1])
			}
			slices.Sort(known)
			slices.Sort(unknown)
			mk, mu := known[n/2], unknown[n/2]
			ratio := float64(mk) / float64(mu)
			t.Logf("round %d: failed-login medians over %d tries: known %v, unknown %v (ratio %.3f)", round+1, n, mk, mu, ratio)
			if len(bodies) != 1 {
				t.Fatalf("known and unknown accounts got different bodies: %v", bodies)
			}
			if ratio >= 1/1.1 && ratio <= 1.1 {
				return
			}
		}
		t.Fatal("in every round the medians differ by more than 10%")
	}(t, sqltest.NewSQLite(t))
}
