package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestMandatoryVerificationCoversClassicModes: with mandatory verification
// an unverified account gets no classic token and no Basic access either.
func TestMandatoryVerificationCoversClassicModes(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationMandatory)
	c := ls.NewClient(t)
	c.Do("POST", "/v1/auth/register", map[string]any{"email": "slow@example.com", "password": testPassword}).Want(t, 201)
	c.Do("GET", "/v1/auth/me", nil, basic("slow@example.com", testPassword)).WantError(t, 403, "email_not_verified")
	c.Do("POST", "/v1/auth/token", map[string]any{"email": "slow@example.com", "password": testPassword}).
		WantError(t, 403, "email_not_verified")
}

// TestResetLiftsTheLoginLock: a password reset still works while the
// account is locked by failed logins, and lifts the lock: the guesses were
// against a password that no longer exists.
func TestResetLiftsTheLoginLock(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional)
	c := ls.NewClient(t)
	register(t, c, "locked@example.com")
	for i := 0; i < 10; i++ {
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "locked@example.com", "password": "guess number " + string(rune('a'+i))}).
			WantError(t, 400, "invalid_credentials")
	}
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "locked@example.com", "password": testPassword}).WantError(t, 429, "rate_limited")
	q := requestReset(t, ls, c, "locked@example.com")
	confirmReset(c, q, newPassword).Want(t, 200)
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "locked@example.com", "password": newPassword}).Want(t, 200)
}
