package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// burst sends n copies of the request at once from c and counts the
// answers by status.
func burst(t *testing.T, c *servertest.Client, n int, method, path string, body any) map[int]int {
	t.Helper()
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Try(method, path, body)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			counts[r.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}

// TestPasswordGuessesSentAtOnce: wrong passwords sent all at once are
// held to the account's limit (ten) like passwords sent one after another:
// at most ten are checked, every other one is refused with 429, and then
// even the right password is refused. A right password clears what it
// counted: a burst of right ones all sign in.
func TestPasswordGuessesSentAtOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		c := ts.NewClient(t)
		register(t, c, "burst@example.com")
		register(t, c, "many@example.com")

		right := map[string]any{"email": "many@example.com", "password": testPassword}
		if counts := burst(t, c, 8, "POST", "/v1/auth/login", right); counts[http.StatusOK] != 8 {
			t.Fatalf("right passwords at once, answers by status %v: want 8 sign-ins", counts)
		}
		c.Do("POST", "/v1/auth/login", right).Want(t, http.StatusOK)

		wrong := map[string]any{"email": "burst@example.com", "password": "wrong password, again"}
		counts := burst(t, c, 40, "POST", "/v1/auth/login", wrong)
		if counts[http.StatusBadRequest] > 10 || counts[http.StatusBadRequest]+counts[http.StatusTooManyRequests] != 40 {
			t.Fatalf("answers by status %v: want at most 10 passwords checked, the rest 429", counts)
		}
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "burst@example.com", "password": testPassword}).
			WantError(t, http.StatusTooManyRequests, "rate_limited")
	})
}

// TestMFAGuessesSentAtOnce: wrong codes sent all at once, over many
// mfa_tokens, are held to the account's limit (ten) like codes sent one
// after another: at most ten are checked, every other one is refused with
// 429, and then even a right code is refused.
func TestMFAGuessesSentAtOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		secret, _ := mfaUser(t, ts, "burst@example.com")
		c := ts.NewClient(t)
		var tokens []string
		for range 20 {
			tokens = append(tokens, mfaLogin(t, c, map[string]any{"email": "burst@example.com"}))
		}
		wrong := wrongCode(t, ts, secret)
		var (
			mu     sync.Mutex
			counts = map[int]int{}
			wg     sync.WaitGroup
		)
		for _, tok := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for status, n := range burst(t, c, 5, "POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": wrong}) {
					mu.Lock()
					counts[status] += n
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if counts[http.StatusBadRequest] > 10 || counts[http.StatusBadRequest]+counts[http.StatusTooManyRequests] != 100 {
			t.Fatalf("answers by status %v: want at most 10 codes checked, the rest 429", counts)
		}
		tok := mfaLogin(t, c, map[string]any{"email": "burst@example.com"})
		c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
			WantError(t, http.StatusTooManyRequests, "rate_limited")
	})
}
