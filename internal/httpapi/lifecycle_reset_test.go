package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

const (
	resetQueued = "if an account uses this address, a password reset link has been sent"
	newPassword = "a brand new passphrase"
)

// requestReset asks for a reset of email and returns the uid and token of
// the link mailed to it.
func requestReset(t *testing.T, ls *lcServer, c *servertest.Client, email string, headers ...string) url.Values {
	t.Helper()
	detail(t, c.Do("POST", "/v1/auth/password/reset", map[string]any{"email": email}, headers...), 202, resetQueued)
	m := ls.lastMail(t, email, mail.TemplateResetPassword)
	q := linkQuery(t, m, "/reset-password")
	if want := lcFrontend + "/reset-password?uid=" + q.Get("uid") + "&token="; !strings.Contains(m.Text, want) {
		t.Fatalf("the link is not %s...:\n%s", want, m.Text)
	}
	if q.Get("uid") == "" || len(q.Get("token")) < 22 {
		t.Fatalf("reset link query %v", q)
	}
	return q
}

func confirmReset(c *servertest.Client, q url.Values, pw string) *servertest.Response {
	return c.Do("POST", "/v1/auth/password/reset/confirm", map[string]any{
		"uid": q.Get("uid"), "token": q.Get("token"), "new_password": pw,
	})
}

// TestPasswordReset: the reset ends every session, refresh tokens, the
// classic token and the old password; it does not log in; the token works
// once.
func TestPasswordReset(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "rosa@example.com")
		a, b := login(t, c, "rosa@example.com", "laptop"), login(t, c, "rosa@example.com", "phone")
		cookie := c.Do("POST", "/v1/auth/login", map[string]any{"email": "rosa@example.com", "password": testPassword, "delivery": "session"}).Want(t, 200)
		classic := classicToken(t, c, "rosa@example.com", testPassword)

		q := requestReset(t, ls, c, "rosa@example.com")
		lcNoPlainSecret(t, db, q.Get("token"))
		confirmReset(c, q, "password1234").WantError(t, 400, "invalid_request") // policy first; the token survives
		r := confirmReset(c, q, newPassword)
		detail(t, r, 200, "password reset; log in with the new password")
		if len(r.Cookies()) != 0 {
			t.Fatalf("a reset must not log in: %v", r.Cookies())
		}
		confirmReset(c, q, "yet another passphrase").WantError(t, 400, "invalid_key")

		for _, s := range []*servertest.Response{a, b} {
			c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": s.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
			c.Do("GET", "/v1/auth/me", nil, bearer(s)).WantError(t, 401, "invalid_token")
		}
		if len(sessionsOf(t, ls, "rosa@example.com")) != 0 {
			t.Fatal("a session survived the reset")
		}
		_ = cookie
		c.Do("GET", "/v1/auth/me", nil, classic).WantError(t, 401, "invalid_token")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "rosa@example.com", "password": testPassword}).WantError(t, 400, "invalid_credentials")
		fresh := c.Do("POST", "/v1/auth/login", map[string]any{"email": "rosa@example.com", "password": newPassword}).Want(t, 200)
		if !emailVerified(t, c, bearer(fresh)) {
			t.Fatal("a completed reset proves the address")
		}
		ls.lastMail(t, "rosa@example.com", mail.TemplatePasswordChanged)
		wantEvents(t, ls.TestServer, "rosa@example.com", "password_reset_requested", "password_reset")
	})
}

// sessionsOf lists the user's active sessions straight from the store.
func sessionsOf(t *testing.T, ls *lcServer, email string) []string {
	t.Helper()
	list, err := ls.DB.ListUserSessions(t.Context(), userID(t, ls.TestServer, email), ls.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.ID.String())
	}
	return ids
}

// TestPasswordResetRefusals: every token that is not the newest, unused,
// unexpired token of this user and this password is 400 invalid_key.
func TestPasswordResetRefusals(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "ida@example.com")
		register(t, c, "other@example.com")

		t.Run("expired", func(t *testing.T) {
			q := requestReset(t, ls, c, "ida@example.com")
			ls.Clock.Advance(time.Hour + time.Second)
			confirmReset(c, q, newPassword).WantError(t, 400, "invalid_key")
		})
		t.Run("superseded", func(t *testing.T) {
			old := requestReset(t, ls, c, "ida@example.com")
			newer := requestReset(t, ls, c, "ida@example.com")
			confirmReset(c, old, newPassword).WantError(t, 400, "invalid_key")
			confirmReset(c, newer, newPassword).Want(t, 200)
		})
		t.Run("other user's uid", func(t *testing.T) {
			q := requestReset(t, ls, c, "ida@example.com")
			theirs := requestReset(t, ls, c, "other@example.com")
			q.Set("uid", theirs.Get("uid"))
			confirmReset(c, q, newPassword).WantError(t, 400, "invalid_key")
		})
		t.Run("password changed since", func(t *testing.T) {
			q := requestReset(t, ls, c, "other@example.com")
			s := login(t, c, "other@example.com", "laptop")
			c.Do("POST", "/v1/auth/password/change", map[string]any{"current_password": testPassword, "new_password": newPassword}, bearer(s)).Want(t, 200)
			confirmReset(c, q, "the attacker's passphrase").WantError(t, 400, "invalid_key")
		})
		t.Run("malformed", func(t *testing.T) {
			q := requestReset(t, ls, c, "ida@example.com")
			bad := url.Values{"uid": {"not-a-uuid"}, "token": {q.Get("token")}}
			confirmReset(c, bad, newPassword).WantError(t, 400, "invalid_key")
			bad = url.Values{"uid": {q.Get("uid")}, "token": {"made-up-token-made-up-token-made-up-token"}}
			confirmReset(c, bad, newPassword).WantError(t, 400, "invalid_key")
			c.Do("POST", "/v1/auth/password/reset/confirm", map[string]any{"uid": q.Get("uid")}).WantError(t, 400, "invalid_request")
		})
		t.Run("concurrent use", func(t *testing.T) {
			register(t, c, "june@example.com")
			q := requestReset(t, ls, c, "june@example.com")
			var wg sync.WaitGroup
			codes := make([]int, 6)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i] = confirmReset(ls.NewClient(t), q, newPassword).StatusCode
				}()
			}
			wg.Wait()
			ok := 0
			for _, code := range codes {
				if code == 200 {
					ok++
				} else if code != 400 {
					t.Errorf("a loser got %d, want 400", code)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent uses succeeded, want 1: %v", ok, len(codes), codes)
			}
		})
	})
}

// TestResetLinksIgnoreHost: links are built on TESSERA_FRONTEND_URL even
// when the request claims another Host (dj-rest-auth #152).
func TestResetLinksIgnoreHost(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional)
	c := ls.NewClient(t)
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "hal@example.com", "password": testPassword},
		"Host: evil.example", "X-Forwarded-Host: evil.example").Want(t, 201)
	verifyKey(t, ls, "hal@example.com") // checks the link is on lcFrontend
	requestReset(t, ls, c, "hal@example.com", "Host: evil.example", "X-Forwarded-Host: evil.example", "Origin: https://evil.example")
}

// TestPasswordChange: the current password is required; the calling
// session stays, every other one ends, and so does the classic token.
func TestPasswordChange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "carl@example.com")
		a, b := login(t, c, "carl@example.com", "laptop"), login(t, c, "carl@example.com", "phone")
		classic := classicToken(t, c, "carl@example.com", testPassword)
		change := func(cur, next string) *servertest.Response {
			return c.Do("POST", "/v1/auth/password/change", map[string]any{"current_password": cur, "new_password": next}, bearer(a))
		}
		r := change("not my password at all", newPassword).WantError(t, 400, "invalid_request")
		if _, ok := r.JSON()["fields"].(map[string]any)["current_password"]; !ok {
			t.Fatalf("a wrong current password must be reported on its field: %s", r.Body)
		}
		change(testPassword, "password1234").WantError(t, 400, "invalid_request")
		change("", newPassword).WantError(t, 400, "invalid_request")
		c.Do("POST", "/v1/auth/password/change", map[string]any{"current_password": testPassword, "new_password": newPassword}).
			WantError(t, 401, "not_authenticated")
		detail(t, change(testPassword, newPassword), 200, "password changed; your other devices were logged out")

		c.Do("GET", "/v1/auth/me", nil, bearer(a)).Want(t, 200)
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": a.Str("refresh_token")}).Want(t, 200)
		c.Do("GET", "/v1/auth/me", nil, bearer(b)).WantError(t, 401, "invalid_token")
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": b.Str("refresh_token")}).WantError(t, 400, "invalid_grant")
		c.Do("GET", "/v1/auth/me", nil, classic).WantError(t, 401, "invalid_token")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "carl@example.com", "password": testPassword}).WantError(t, 400, "invalid_credentials")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "carl@example.com", "password": newPassword}).Want(t, http.StatusOK)
		ls.lastMail(t, "carl@example.com", mail.TemplatePasswordChanged)
		wantEvents(t, ls.TestServer, "carl@example.com", "login_failed", "password_changed")
	})
}
