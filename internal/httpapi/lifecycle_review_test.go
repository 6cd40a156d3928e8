package httpapi_test

import (
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/mail"
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

// TestPasswordRecoveryVoidsPendingEmailChange: someone who knew the old
// password asks to move the account to their own address; the owner then
// resets the password (or, signed in, changes it). The key mailed to the
// other address no longer works: it would hand the recovered account
// back.
func TestPasswordRecoveryVoidsPendingEmailChange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "owner@example.com")
		thief := bearer(login(t, c, "owner@example.com", "stolen"))
		c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "thief@example.com", "current_password": testPassword}, thief).Want(t, 200)
		key := linkQuery(t, ls.lastMail(t, "thief@example.com", mail.TemplateChangeEmail), "/verify-email").Get("key")

		confirmReset(c, requestReset(t, ls, c, "owner@example.com"), newPassword).Want(t, 200)
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}).WantError(t, 400, "invalid_key")

		// The same after a change made signed in.
		a := bearer(c.Do("POST", "/v1/auth/login", map[string]any{"email": "owner@example.com", "password": newPassword}).Want(t, 200))
		c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "other@example.com", "current_password": newPassword}, a).Want(t, 200)
		key = linkQuery(t, ls.lastMail(t, "other@example.com", mail.TemplateChangeEmail), "/verify-email").Get("key")
		c.Do("POST", "/v1/auth/password/change", map[string]any{"current_password": newPassword, "new_password": testPassword}, a).Want(t, 200)
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}).WantError(t, 400, "invalid_key")
		if me := c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200); me.Str("email") != "owner@example.com" {
			t.Fatalf("the account moved: %s", me.Body)
		}
	})
}
