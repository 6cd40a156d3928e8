package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// startPasskeySite is startSite over db with passkeys on (relying party
// localhost).
func startPasskeySite(t *testing.T, db *sqlstore.DB) *site {
	t.Helper()
	outbox := mail.NewOutbox()
	ts := servertest.StartWith(t, db, servertest.Options{Mailer: outbox, Mutate: func(c *config.Config) {
		c.CookieSecure = false
		c.WebAuthnRPID = "localhost"
		c.WebAuthnOrigins = []string{"https://localhost:8443"}
	}})
	return &site{TestServer: ts, outbox: outbox}
}

// addStoredPasskey gives user a passkey named name as the store holds
// one, and returns its id.
func (s *site) addStoredPasskey(t *testing.T, user uuid.UUID, name string, synced bool) uuid.UUID {
	t.Helper()
	id := uuid.New()
	err := s.DB.CreatePasskey(t.Context(), &store.Passkey{ID: id, UserID: user, CredentialID: id[:], PublicKey: []byte{1},
		Attestation: "none", BackupEligible: synced, UserVerified: true, Name: name, CreatedAt: s.Clock.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// passkeyNames lists user's passkeys' names, oldest first.
func (s *site) passkeyNames(t *testing.T, user uuid.UUID) []string {
	t.Helper()
	list, err := s.DB.ListPasskeys(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range list {
		out = append(out, k.Name)
	}
	return out
}

// TestAccountPasskeys: the Passkeys section lists each passkey (synced or
// this device only) and, without script, says what adding one needs; its
// CSP lets the page's own script run and talk to Tessera only. Rename
// and remove are refused without the form token or from another site,
// another user's passkey is 404, removal asks first, and each change is
// audited (and the removal mailed) as through the API. On SQLite and
// Postgres.
func TestAccountPasskeys(t *testing.T) {
	for _, db := range stores {
		t.Run(db.name, func(t *testing.T) {
			s := startPasskeySite(t, db.open(t))
			s.register(t, "ada@example.com")
			s.register(t, "bob@example.com")
			b := s.browser(t)
			b.signIn("ada@example.com", "")
			ada, bob := s.userID(t, "ada@example.com"), s.userID(t, "bob@example.com")
			key := s.addStoredPasskey(t, ada, "Laptop", false)
			s.addStoredPasskey(t, ada, "Phone", true)
			bobs := s.addStoredPasskey(t, bob, "Bob's key", true)

			page := b.get("/account").Want(t, http.StatusOK)
			wantText(t, page, "Passkeys", "Laptop", "This device only", "Phone", "Synced",
				"Adding a passkey needs a browser with JavaScript and passkey support.",
				`id="passkey-form"`, `data-begin="/account/passkeys/begin"`, `<script src="/static/passkey.js?v=`)
			if !strings.Contains(string(page.Body), `data-ceremony="create" data-failed="The passkey could not be added. Try again." novalidate hidden>`) {
				t.Error("the add form is not hidden until the script shows it")
			}
			if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
				!strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("account CSP %q", csp)
			}
			if strings.Contains(string(page.Body), "Bob's key") {
				t.Error("another user's passkey is listed")
			}
			tok := token(t, page)
			const ct = "Content-Type: application/x-www-form-urlencoded"
			for _, tt := range []struct {
				name, action, body string
				headers            []string
			}{
				{"rename without token", "/account/passkeys/rename", url.Values{"id": {key.String()}, "name": {"X"}}.Encode(), nil},
				{"remove without token", "/account/passkeys/remove", url.Values{"id": {key.String()}, "confirm": {"yes"}}.Encode(), nil},
				{"rename from another site", "/account/passkeys/rename", url.Values{"csrf_token": {tok}, "id": {key.String()}, "name": {"X"}}.Encode(),
					[]string{"Origin: https://evil.example"}},
				{"remove from another site", "/account/passkeys/remove", url.Values{"csrf_token": {tok}, "id": {key.String()}, "confirm": {"yes"}}.Encode(),
					[]string{"Sec-Fetch-Site: cross-site"}},
				{"begin without token", "/account/passkeys/begin", "", nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					r := b.Do("POST", tt.action, tt.body, append([]string{ct}, tt.headers...)...).Want(t, http.StatusForbidden)
					wantText(t, r, "This request was refused")
				})
			}
			if got := s.passkeyNames(t, ada); len(got) != 2 {
				t.Fatalf("after refused posts: %v", got)
			}

			// Another user's passkey, or no id at all, is not found.
			for _, id := range []string{bobs.String(), "not-an-id"} {
				b.post("/account/passkeys/rename", url.Values{"csrf_token": {tok}, "id": {id}, "name": {"Mine"}}).Want(t, http.StatusNotFound)
				b.post("/account/passkeys/remove", url.Values{"csrf_token": {tok}, "id": {id}}).Want(t, http.StatusNotFound)
				b.post("/account/passkeys/remove", url.Values{"csrf_token": {tok}, "id": {id}, "confirm": {"yes"}}).Want(t, http.StatusNotFound)
			}
			if got := s.passkeyNames(t, bob); len(got) != 1 || got[0] != "Bob's key" {
				t.Fatalf("bob's passkeys: %v", got)
			}

			// Rename: a bad name is shown in the section; a good one is saved.
			bad := b.post("/account/passkeys/rename", url.Values{"csrf_token": {tok}, "id": {key.String()}, "name": {strings.Repeat("x", 65)}}).
				Want(t, http.StatusBadRequest)
			wantText(t, bad, `role="alert"`)
			r := b.post("/account/passkeys/rename", url.Values{"csrf_token": {tok}, "id": {key.String()}, "name": {"Work laptop"}}).
				Want(t, http.StatusSeeOther)
			if loc := r.Header.Get("Location"); loc != "/account?done=passkey_renamed" {
				t.Fatalf("after rename: %q", loc)
			}
			wantText(t, b.get("/account?done=passkey_renamed").Want(t, http.StatusOK), "The passkey is renamed.", "Work laptop")
			if len(s.events(t, "passkey_renamed")) != 1 {
				t.Error("no passkey_renamed event")
			}

			// Remove asks first, naming the passkey, then removes it.
			confirm := b.post("/account/passkeys/remove", url.Values{"csrf_token": {tok}, "id": {key.String()}}).Want(t, http.StatusOK)
			wantText(t, confirm, "Remove this passkey?", "“Work laptop”", `name="confirm" value="yes"`, `href="/account"`)
			if got := s.passkeyNames(t, ada); len(got) != 2 {
				t.Fatalf("the confirmation page removed it: %v", got)
			}
			b.post("/account/passkeys/remove", url.Values{"csrf_token": {tok}, "id": {key.String()}, "confirm": {"yes"}}).Want(t, http.StatusSeeOther)
			if got := s.passkeyNames(t, ada); len(got) != 1 || got[0] != "Phone" {
				t.Fatalf("after removal: %v", got)
			}
			if len(s.events(t, "passkey_removed")) != 1 {
				t.Error("no passkey_removed event")
			}
			s.FlushMail(t)
			if m, ok := s.outbox.LastOf("ada@example.com", mail.TemplatePasskeyRemoved); !ok || !strings.Contains(m.Text, "Work laptop") {
				t.Errorf("removal mail: %+v", m)
			}
		})
	}
}

// TestAccountPasskeyAddChecks: adding a passkey needs a recent sign-in
// (the begin step sends an old one to the sign-in page), and an answer
// that is not a registration begun by this account is refused in the
// section, adding nothing.
func TestAccountPasskeyAddChecks(t *testing.T) {
	s := startPasskeySite(t, sqltest.NewSQLite(t))
	s.register(t, "ada@example.com")
	b := s.browser(t)
	b.signIn("ada@example.com", "")
	ada := s.userID(t, "ada@example.com")
	tok := token(t, b.get("/account").Want(t, http.StatusOK))
	begin := b.post("/account/passkeys/begin", url.Values{"csrf_token": {tok}}).Want(t, http.StatusOK)
	if ct := begin.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("begin answered %s", ct)
	}
	opts := begin.JSON()
	pk, _ := opts["publicKey"].(map[string]any)
	if pk == nil || pk["challenge"] == "" || pk["rp"] == nil {
		t.Fatalf("creation options %v", opts)
	}
	bad := b.post("/account/passkeys", url.Values{"csrf_token": {tok}, "name": {"Forged"},
		"credential": {`{"id":"x","rawId":"x","type":"public-key","response":{}}`}}).Want(t, http.StatusBadRequest)
	wantText(t, bad, "The passkey could not be added. Try again.", `value="Forged"`)
	if got := s.passkeyNames(t, ada); len(got) != 0 {
		t.Fatalf("a forged answer added %v", got)
	}

	s.Clock.Advance(s.Config.ReauthMaxAge + time.Minute)
	for _, action := range []string{"/account/passkeys/begin", "/account/passkeys"} {
		r := b.post(action, url.Values{"csrf_token": {tok}, "credential": {"{}"}}).Want(t, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != "/signin?return_to=%2Faccount" {
			t.Errorf("%s with an old sign-in: Location %q", action, loc)
		}
	}
}
