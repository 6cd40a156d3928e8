package httpapi_test

import (
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/auth"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestEmailChange: a new address needs the current password, must be free,
// and takes over only when the key mailed to it is used; the old address
// is told at once and stops working when the change happens.
func TestEmailChange(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, auth.VerificationOptional)
		c := ls.NewClient(t)
		register(t, c, "old@example.com")
		register(t, c, "taken@example.com")
		oldKey := verifyKey(t, ls, "old@example.com")
		a := bearer(login(t, c, "old@example.com", "laptop"))
		patch := func(body map[string]any) *servertest.Response {
			return c.Do("PATCH", "/v1/auth/me", body, a)
		}
		patch(map[string]any{"email": "new@example.com"}).WantError(t, 400, "invalid_request")
		patch(map[string]any{"email": "new@example.com", "current_password": "not the password"}).WantError(t, 400, "invalid_request")
		patch(map[string]any{"email": "TAKEN@example.com", "current_password": testPassword}).WantError(t, 409, "email_taken")
		patch(map[string]any{"email": "not an address", "current_password": testPassword}).WantError(t, 400, "invalid_request")

		r := patch(map[string]any{"email": "New@Example.com", "current_password": testPassword, "username": "olga"}).Want(t, 200)
		if r.Str("email") != "old@example.com" || r.JSON()["username"] != "olga" {
			t.Fatalf("until confirmed the account keeps its address (and takes the other changes): %s", r.Body)
		}
		ls.lastMail(t, "old@example.com", mail.TemplateEmailChangeNotice)
		key := linkQuery(t, ls.lastMail(t, "New@Example.com", mail.TemplateChangeEmail), "/verify-email").Get("key")
		login(t, c, "old@example.com", "phone")

		detail(t, c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}), 200, "e-mail address verified")
		me := c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200)
		if me.Str("email") != "New@Example.com" || me.JSON()["email_verified"] != true {
			t.Fatalf("after the key: %s", me.Body)
		}
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}).WantError(t, 400, "invalid_key")
		c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": oldKey}).WantError(t, 400, "invalid_key")
		c.Do("POST", "/v1/auth/login", map[string]any{"email": "old@example.com", "password": testPassword}).WantError(t, 400, "invalid_credentials")
		login(t, c, "new@example.com", "tablet")
		wantEvents(t, ls.TestServer, "new@example.com", "email_change_requested", "email_changed")
	})
}

// TestEmailChangeRace: an address taken between the request and the key
// is refused when the key is used.
func TestEmailChangeRace(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional)
	c := ls.NewClient(t)
	a := bearer(register(t, c, "first@example.com"))
	c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "wanted@example.com", "current_password": testPassword}, a).Want(t, 200)
	key := linkQuery(t, ls.lastMail(t, "wanted@example.com", mail.TemplateChangeEmail), "/verify-email").Get("key")
	register(t, c, "wanted@example.com")
	c.Do("POST", "/v1/auth/email/verify", map[string]any{"key": key}).WantError(t, 409, "email_taken")
	if me := c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200); me.Str("email") != "first@example.com" {
		t.Fatalf("the account moved to a taken address: %s", me.Body)
	}
}

// TestEmailChangeWithoutVerification: with verification "none" the change
// is immediate and unverified; the old address is still told. A change of
// spelling only needs no password at all.
func TestEmailChangeWithoutVerification(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationNone)
	c := ls.NewClient(t)
	a := bearer(register(t, c, "nina@example.com"))
	r := c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "NINA@example.com"}, a).Want(t, 200)
	if r.Str("email") != "NINA@example.com" || ls.mailCount(t, "nina@example.com") != 0 {
		t.Fatalf("a respelling must apply at once, quietly: %s", r.Body)
	}
	r = c.Do("PATCH", "/v1/auth/me", map[string]any{"email": "nora@example.com", "current_password": testPassword}, a).Want(t, 200)
	if r.Str("email") != "nora@example.com" || r.JSON()["email_verified"] != false {
		t.Fatalf("with verification none the change is immediate and unverified: %s", r.Body)
	}
	ls.lastMail(t, "nina@example.com", mail.TemplateEmailChangeNotice)
	if n := ls.mailCount(t, "nora@example.com"); n != 0 {
		t.Fatalf("%d mails to the new address with verification none", n)
	}
	login(t, c, "nora@example.com", "laptop")
	wantEvents(t, ls.TestServer, "nora@example.com", "email_changed")
}

// TestNames: first and last names are set and cleared through PATCH
// /v1/auth/me, trimmed, and shown by /me and the admin API; a name too long
// or holding a control character is refused with the field named, and
// nothing changes.
func TestNames(t *testing.T) {
	ls := startLifecycle(t, sqltest.NewSQLite(t), auth.VerificationOptional)
	c := ls.NewClient(t)
	a := bearer(register(t, c, "ada@example.com"))
	r := c.Do("PATCH", "/v1/auth/me", map[string]any{"first_name": "  Ada ", "last_name": "Lovelace"}, a).Want(t, 200)
	if r.Str("first_name") != "Ada" || r.Str("last_name") != "Lovelace" {
		t.Fatalf("after PATCH: %s", r.Body)
	}
	for _, bad := range []map[string]any{
		{"first_name": strings.Repeat("é", auth.MaxNameLength+1)},
		{"last_name": "Love\x00lace"},
		{"first_name": "tab\tbed"},
	} {
		r := c.Do("PATCH", "/v1/auth/me", bad, a).WantError(t, 400, "invalid_request")
		for field := range bad {
			if !strings.Contains(string(r.Body), field) {
				t.Errorf("%v: error does not name %s: %s", bad, field, r.Body)
			}
		}
	}
	c.Do("PATCH", "/v1/auth/me", map[string]any{"first_name": ""}, a).Want(t, 200)
	me := c.Do("GET", "/v1/auth/me", nil, a).Want(t, 200)
	if me.Str("first_name") != "" || me.Str("last_name") != "Lovelace" {
		t.Fatalf("after clearing the first name: %s", me.Body)
	}
}
