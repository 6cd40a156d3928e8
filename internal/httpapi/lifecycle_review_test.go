package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestResetLinkVoidedByImmediateEmailChange: with verification "none" an
// e-mail change takes effect at once, and a reset link mailed to the old
// address must stop working then, as it does when a change key is used:
// whoever reads the old mailbox no longer controls the account, and the
// link must not mark the new, unproven address verified.
func TestResetLinkVoidedByImmediateEmailChange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationNone)
		c := ls.NewClient(t)
		a := bearer(register(t, c, "vera@example.com"))
		q := requestReset(t, ls, c, "vera@example.com")
		r := c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "vesna@example.com", "current_password": testPassword}, a).Want(t, 200)
		if r.Str("email") != "vesna@example.com" {
			t.Fatalf("with verification none the change is immediate: %s", r.Body)
		}
		confirmReset(c, q, newPassword).WantError(t, 400, "invalid_key")
		c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200)
		login(t, c, "vesna@example.com", "laptop")
	})
}
