package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestConsoleUserPageBadCursor: a user's page whose devices or events
// cursor is not one of its listings (a hand-edited or stale link) is the
// user's page again with a 400 and the problem said, not the error page.
func TestConsoleUserPageBadCursor(t *testing.T) {
	s := startSite(t, nil)
	s.makeAdmin(t, "root@example.com")
	s.register(t, "bob@example.com")
	bob := s.userID(t, "bob@example.com")
	admin := s.browser(t)
	admin.signIn("root@example.com", "")
	for _, q := range []string{"devices=nope", "events=nope"} {
		r := admin.get("/admin/users/"+bob.String()+"?"+q).Want(t, http.StatusBadRequest)
		wantText(t, r, "bob@example.com", `role="alert"`)
		if strings.Contains(string(r.Body), "Something went wrong") {
			t.Errorf("?%s answers the error page:\n%s", q, r.Body)
		}
	}
}

// TestAccountPasskeyRenameKeepsTyped: a rename refused by its use case
// shows the field's message under the row's name field, which keeps what
// was typed.
func TestAccountPasskeyRenameKeepsTyped(t *testing.T) {
	s := startPasskeySite(t, sqltest.NewSQLite(t))
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	key := s.addStoredPasskey(t, s.userID(t, "ada@example.com"), "Laptop", false)
	typed := strings.Repeat("x", 65)
	r := b.act("/account/passkeys/rename", url.Values{"id": {key.String()}, "name": {typed}}).Want(t, http.StatusBadRequest)
	wantText(t, r, `value="`+typed+`"`, "Must be at most 64 printable characters",
		`aria-describedby="passkey-name-`+key.String()+`-error"`)
	if got := s.passkeyNames(t, s.userID(t, "ada@example.com")); len(got) != 1 || got[0] != "Laptop" {
		t.Fatalf("after a refused rename: %v", got)
	}
}

// TestConsoleSearchOddBytes: the users search box takes bytes that are not
// UTF-8, a NUL, and a query cut at its length limit in the middle of a
// character, on both databases (Postgres's text refuses all three, which
// was a 500).
func TestConsoleSearchOddBytes(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSiteOn(t, db)
		s.makeAdmin(t, "root@example.com")
		admin := s.browser(t)
		admin.signIn("root@example.com", "")
		for _, q := range []string{"%FF", "%C3", "ro%00ot", strings.Repeat("a", 255) + "%C3%A9"} {
			admin.get("/admin/users?q="+q).Want(t, http.StatusOK)
		}
	})
}

// TestConsoleAuditBadEvent: an event filter no event can be named (bytes
// that are not UTF-8, a NUL, capitals) is the audit page with the field's
// message, listing nothing, on both databases (Postgres refused the
// bytes with a 500; a long name was silently dropped and the whole log
// listed); the export refuses it too.
func TestConsoleAuditBadEvent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSiteOn(t, db)
		s.makeAdmin(t, "root@example.com")
		admin := s.browser(t)
		admin.signIn("root@example.com", "")
		for _, q := range []string{"%FF", "login%00", "Login", strings.Repeat("e", 65)} {
			r := admin.get("/admin/audit?event="+q).Want(t, http.StatusBadRequest)
			wantText(t, r, "Enter an event name such as login_failed", `aria-describedby="event-error"`, "No event matches.")
			admin.get("/admin/audit/export?event="+q).Want(t, http.StatusBadRequest)
		}
		wantText(t, admin.get("/admin/audit?event=login").Want(t, http.StatusOK), "root@example.com")
	})
}

// TestConsoleRevokeNamesTheUser: revoking a device from a user's console
// page with the id of another user's device is not found and ends
// nothing (it revoked the other user's device and said "done" on the
// wrong page).
func TestConsoleRevokeNamesTheUser(t *testing.T) {
	s := startSite(t, nil)
	s.makeAdmin(t, "root@example.com")
	s.register(t, "ada@example.com")
	s.register(t, "bob@example.com")
	ada := s.userID(t, "ada@example.com")
	api := s.NewClient(t)
	bob := api.Do("POST", "/v1/auth/login", map[string]any{"email": "bob@example.com", "password": testPassword}).Want(t, http.StatusOK)

	admin := s.browser(t)
	admin.signIn("root@example.com", "")
	page := "/admin/users/" + ada.String()
	tok := token(t, admin.get(page).Want(t, http.StatusOK))
	for _, confirm := range []string{"", "yes"} { // the confirmation page, and the revocation
		admin.post(page+"/sessions/"+bob.Str("session_id")+"/revoke", url.Values{"csrf_token": {tok}, "confirm": {confirm}}).
			Want(t, http.StatusNotFound)
	}
	api.Do("GET", "/v1/auth/me", nil, "Authorization: Bearer "+bob.Str("access_token")).Want(t, http.StatusOK)
	if ev := s.events(t, "admin_session_revoked"); len(ev) != 0 {
		t.Errorf("audited %+v", ev)
	}
}

// TestAccountWithdrawOddClientID: withdrawing access of an app named by
// bytes no client id can have (not UTF-8, a NUL) is "not found" on both
// databases, asked or confirmed (Postgres refused the text: a 500).
func TestAccountWithdrawOddClientID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSiteOn(t, db)
		s.register(t, "ada@example.com")
		b := s.browser(t)
		b.signIn("ada@example.com", "")
		for _, id := range []string{"tool\xff", "tool\x00"} {
			for _, confirm := range []string{"", "yes"} {
				b.act("/account/apps/withdraw", url.Values{"client_id": {id}, "confirm": {confirm}}).Want(t, http.StatusNotFound)
			}
		}
		if ev := s.events(t, "consent_withdrawn"); len(ev) != 0 {
			t.Errorf("audited %+v", ev)
		}
	})
}
