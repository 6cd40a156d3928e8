package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

func verifyKey(t *testing.T, ls *lcServer, email string) string {
	t.Helper()
	key := linkQuery(t, ls.lastMail(t, email, mail.TemplateVerifyEmail), "/verify-email").Get("key")
	if len(key) < 22 { // 128 bits of base64url
		t.Fatalf("key %q is too short", key)
	}
	return key
}

func emailVerified(t *testing.T, c *servertest.Client, auth string) bool {
	t.Helper()
	v, _ := c.Do("GET", "/v1/auth/me", nil, auth).Want(t, http.StatusOK).JSON()["email_verified"].(bool)
	return v
}

// TestEmailVerificationOptional: registration logs in and mails a key;
// the key verifies the address once; login never waits for it.
func TestEmailVerificationOptional(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		reg := register(t, c, "Opal@Example.com")
		if reg.Str("access_token") == "" {
			t.Fatalf("optional verification must log in at once: %s", reg.Body)
		}
		key := verifyKey(t, ls, "opal@example.com")
		lcNoPlainSecret(t, db, key)
		a := login(t, c, "opal@example.com", "laptop")
		if emailVerified(t, c, bearer(a)) {
			t.Fatal("verified before the key was used")
		}
		detail(t, c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}), 200, "e-mail address verified")
		if !emailVerified(t, c, bearer(a)) {
			t.Fatal("not verified after the key was used")
		}
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}).WantError(t, 400, "invalid_key")
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": "x" + key}).WantError(t, 400, "invalid_key")
		c.Do("POST", "/v1/auth/email/verify", map[string]any{}).WantError(t, 400, "invalid_request")
		wantEvents(t, ls.TestServer, "opal@example.com", "verification_sent", "email_verified")
	})
}

// TestEmailVerificationMandatory: registration opens no session and says
// the same for a taken address (whose owner gets a notice); login and
// refresh are refused until the key is used; an expired key is refused.
func TestEmailVerificationMandatory(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationMandatory)
		c := ls.NewClient(t)
		body := map[string]any{"email": "mona@example.com", "password": testPassword, "delivery": "cookie"}
		first := c.Do("POST", "/v1/auth/register", body)
		detail(t, first, 201, "verification e-mail sent")
		if len(first.Cookies()) != 0 {
			t.Fatalf("a pending registration set cookies: %v", first.Cookies())
		}
		expiredKey := verifyKey(t, ls, "mona@example.com")

		again := c.Do("POST", "/v1/auth/register", map[string]any{"email": "MONA@example.com", "password": "another long passphrase"})
		detail(t, again, 201, "verification e-mail sent")
		ls.lastMail(t, "mona@example.com", mail.TemplateAccountExists)
		wantEvents(t, ls.TestServer, "mona@example.com", "register_existing_email")

		creds := map[string]any{"email": "mona@example.com", "password": testPassword}
		c.Do("POST", "/v1/auth/login", creds).WantError(t, 403, "email_not_verified")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "mona@example.com", "password": "wrong password here"}).
			WantError(t, 400, "invalid_credentials")

		ls.Clock.Advance(72*time.Hour + time.Second)
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": expiredKey}).WantError(t, 400, "invalid_key")
		detail(t, c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "mona@example.com"}), 202,
			"if this address has an account that needs verification, a new link has been sent")
		key := verifyKey(t, ls, "mona@example.com")
		detail(t, c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}), 200, "e-mail address verified")
		l := c.Do("POST", "/v1/auth/login", creds).Want(t, 200)
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": l.Str("refresh_token")}).Want(t, 200)
	})
}

// TestMandatoryRefusesRefresh: a user who registered while verification
// was optional, and has a session, cannot refresh it once it is mandatory.
func TestMandatoryRefusesRefresh(t *testing.T) {
	db := sqltest.NewSQLite(t)
	keys := t.TempDir() + "/keys"
	shared := func(c *config.Config) { c.KeysDir = keys }
	before := startLifecycle(t, db, auth.VerificationOptional, shared)
	reg := register(t, before.NewClient(t), "early@example.com")
	after := startLifecycle(t, db, auth.VerificationMandatory, shared)
	c := after.NewClient(t)
	c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": reg.Str("refresh_token")}).WantError(t, 403, "email_not_verified")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "early@example.com", "password": testPassword}).
		WantError(t, 403, "email_not_verified")
}

// TestEmailVerificationNone: no mail at all, and nothing waits for one.
func TestEmailVerificationNone(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationNone)
		c := ls.NewClient(t)
		reg := register(t, c, "nell@example.com")
		if reg.Str("access_token") == "" {
			t.Fatalf("registration must log in: %s", reg.Body)
		}
		detail(t, c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "nell@example.com"}), 202,
			"if this address has an account that needs verification, a new link has been sent")
		if n := ls.mailCount(t, "nell@example.com"); n != 0 {
			t.Fatalf("%d mails sent with verification none", n)
		}
		login(t, c, "nell@example.com", "laptop")
	})
}

// TestResendVerification: the answer is the same for unknown, verified and
// unverified addresses; only the last gets a key, which supersedes the
// previous one.
func TestResendVerification(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "rita@example.com")
		register(t, c, "vera@example.com")
		first := verifyKey(t, ls, "rita@example.com")
		detail(t, c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": verifyKey(t, ls, "vera@example.com")}), 200, "e-mail address verified")

		var bodies []string
		for _, email := range []string{"rita@example.com", "vera@example.com", "nobody@example.com"} {
			r := c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": email}).Want(t, 202)
			bodies = append(bodies, string(r.Body))
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Fatalf("answers differ: %q", bodies)
		}
		second := verifyKey(t, ls, "rita@example.com")
		if second == first || ls.mailCount(t, "vera@example.com") != 1 || ls.mailCount(t, "nobody@example.com") != 0 {
			t.Fatalf("only the unverified address may get a new key: %+v", ls.out.Messages())
		}
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": first}).WantError(t, 400, "invalid_key")
		detail(t, c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": second}), 200, "e-mail address verified")
		c.Do("POST", "/v1/auth/email/resend", map[string]any{"email": "not an address"}).WantError(t, 400, "invalid_request")
	})
}
