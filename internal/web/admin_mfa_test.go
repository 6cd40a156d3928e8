package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/auth"
)

// TestConsoleResetsSecondFactors: a user's page offers "Reset second
// factors" only when the user has some; a non-admin is refused (403) and
// a stale sign-in is sent to sign in again, both changing nothing; the
// admin confirms on the confirmation page, and then the user signs in
// with the password alone, was mailed, and the reset is audited. On
// SQLite and Postgres.
func TestConsoleResetsSecondFactors(t *testing.T) {
	for _, db := range stores {
		t.Run(db.name, func(t *testing.T) {
			s := startSiteOn(t, db.open(t))
			rootID := s.makeAdmin(t, "root@example.com")
			s.register(t, "ada@example.com")
			s.register(t, "bob@example.com")
			ada := s.userID(t, "ada@example.com")
			page := "/admin/users/" + ada.String()
			reset := page + "/mfa/reset"

			admin := s.browser(t)
			admin.signIn("root@example.com", "")
			if strings.Contains(string(admin.get(page).Want(t, http.StatusOK).Body), reset) {
				t.Error("reset offered for a user without second factors")
			}
			s.EnrolTOTP(t, "ada@example.com", testPassword)
			s.apiLogin(t, testPassword).WantError(t, http.StatusForbidden, auth.CodeMFARequired)
			p := admin.get(page).Want(t, http.StatusOK)
			wantText(t, p, `action="`+reset+`"`, "Reset second factors")
			tok := token(t, p)

			// A non-admin, even with their own valid form token, is refused.
			bob := s.browser(t)
			bob.signIn("bob@example.com", "")
			bobTok := token(t, bob.get("/account").Want(t, http.StatusOK))
			wantText(t, bob.post(reset, url.Values{"csrf_token": {bobTok}, "confirm": {"yes"}}).Want(t, http.StatusForbidden),
				"This page is for administrators")

			// A stale sign-in asks again and changes nothing.
			s.Clock.Advance(s.Config.ReauthMaxAge + time.Minute)
			r := admin.post(reset, url.Values{"csrf_token": {tok}, "confirm": {"yes"}}).Want(t, http.StatusSeeOther)
			if loc := r.Header.Get("Location"); loc != "/signin?return_to="+url.QueryEscape(page) {
				t.Errorf("stale sign-in sent to %q", loc)
			}
			if st, err := s.Auth.MFAStatusOf(t.Context(), ada); err != nil || st.TOTP != "active" {
				t.Fatalf("refused resets changed the factors: %+v, %v", st, err)
			}
			if len(s.events(t, "admin_mfa_reset")) != 0 {
				t.Fatal("a refused reset is audited as done")
			}

			admin.signIn("root@example.com", page)
			tok = token(t, admin.get(page).Want(t, http.StatusOK))
			confirm := admin.post(reset, url.Values{"csrf_token": {tok}}).Want(t, http.StatusOK)
			wantText(t, confirm, "Reset second factors?", "passkeys of ada@example.com are removed", `name="confirm" value="yes"`)
			if st, _ := s.Auth.MFAStatusOf(t.Context(), ada); st.TOTP != "active" {
				t.Fatal("the confirmation page reset the factors")
			}
			r = admin.post(reset, url.Values{"csrf_token": {tok}, "confirm": {"yes"}}).Want(t, http.StatusSeeOther)
			if loc := r.Header.Get("Location"); loc != page+"?done=mfa" {
				t.Fatalf("after the reset: %q", loc)
			}
			after := admin.get(page+"?done=mfa").Want(t, http.StatusOK)
			wantText(t, after, "The second factors are reset.")
			if strings.Contains(string(after.Body), `action="`+reset+`"`) {
				t.Error("reset still offered after the reset")
			}
			s.apiLogin(t, testPassword).Want(t, http.StatusOK)
			ev := s.events(t, "admin_mfa_reset")
			if len(ev) != 1 || ev[0].ActorID == nil || *ev[0].ActorID != rootID || *ev[0].UserID != ada {
				t.Errorf("audit %+v, want one admin_mfa_reset by root about ada", ev)
			}
			s.FlushMail(t)
			mailed := 0
			for _, m := range s.outbox.To("ada@example.com") {
				if strings.Contains(m.Text, "An administrator removed every second factor") {
					mailed++
				}
			}
			if mailed != 1 {
				t.Errorf("%d mails to ada about the reset, want 1", mailed)
			}
		})
	}
}
