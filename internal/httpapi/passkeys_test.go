package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/mail"
	"github.com/tessera-id/tessera/internal/mfa/webauthntest"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// pkOrigin is the page the software authenticator claims to run in.
const pkOrigin = "https://localhost:8443"

func withPasskeys(c *config.Config) {
	c.WebAuthnRPID = "localhost"
	c.WebAuthnOrigins = []string{pkOrigin}
}

// addPasskey registers a passkey named name for the caller authorised by
// auth, made by a.
func addPasskey(t *testing.T, c *servertest.Client, auth string, a *webauthntest.Authenticator, name string) *servertest.Response {
	t.Helper()
	begin := c.Do("POST", "/v1/auth/passkeys/register/begin", nil, auth).Want(t, http.StatusOK)
	cred, err := a.Create(begin.Body)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do("POST", "/v1/auth/passkeys/register/finish",
		map[string]any{"name": name, "credential": json.RawMessage(cred)}, auth)
}

// passkeyLogin begins a sign-in (naming email unless empty), lets a
// answer, and finishes it with extra fields.
func passkeyLogin(t *testing.T, c *servertest.Client, a *webauthntest.Authenticator, email string, extra map[string]any) *servertest.Response {
	t.Helper()
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"email": email}).Want(t, http.StatusOK)
	cred, err := a.Get(begin.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred)}
	for k, v := range extra {
		body[k] = v
	}
	return c.Do("POST", "/v1/auth/passkeys/login/finish", body)
}

// TestPasskeyFlow: add a passkey (mailed), list it, sign in with it
// without a password (amr hwk and user), rename and remove it (mailed),
// and then it signs in no more; on both databases.
func TestPasskeyFlow(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ls := startLifecycle(t, db, "optional", withPasskeys)
		c := ls.NewClient(t)
		auth := bearer(register(t, c, "ada@example.com"))
		a := webauthntest.New(pkOrigin)

		added := addPasskey(t, c, auth, a, "  Work laptop ").Want(t, http.StatusCreated)
		id := added.Str("id")
		if added.Str("name") != "Work laptop" || added.JSON()["synced"] != false || added.JSON()["user_verified"] != true {
			t.Errorf("added: %s", added.Body)
		}
		if m := ls.lastMail(t, "ada@example.com", mail.TemplatePasskeyAdded); !strings.Contains(m.Text, "Work laptop") {
			t.Errorf("added mail: %s", m.Text)
		}
		list := c.Do("GET", "/v1/auth/passkeys", nil, auth).Want(t, http.StatusOK)
		if !strings.Contains(string(list.Body), id) || strings.Contains(string(list.Body), "public") {
			t.Errorf("list: %s", list.Body)
		}

		other := ls.NewClient(t)
		in := passkeyLogin(t, other, a, "", map[string]any{"device_name": "phone"}).Want(t, http.StatusOK)
		if in.Str("access_token") == "" || in.Str("refresh_token") == "" || in.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("passkey login: %s", in.Body)
		}
		sess, err := db.GetSession(context.Background(), uuid.MustParse(in.Str("session_id")))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sess.AMR, []string{"hwk", "user", "mfa"}) || sess.AuthTime == nil || sess.DeviceName != "phone" {
			t.Errorf("session amr %v, auth_time %v, device %q", sess.AMR, sess.AuthTime, sess.DeviceName)
		}
		other.Do("GET", "/v1/auth/me", nil, bearer(in)).Want(t, http.StatusOK)

		renamed := c.Do("PATCH", "/v1/auth/passkeys/"+id, map[string]any{"name": "Old laptop"}, auth).Want(t, http.StatusOK)
		if renamed.Str("name") != "Old laptop" {
			t.Errorf("renamed: %s", renamed.Body)
		}
		c.Do("DELETE", "/v1/auth/passkeys/"+id, nil, auth).Want(t, http.StatusNoContent)
		if m := ls.lastMail(t, "ada@example.com", mail.TemplatePasskeyRemoved); !strings.Contains(m.Text, "Old laptop") {
			t.Errorf("removed mail: %s", m.Text)
		}
		passkeyLogin(t, other, a, "", nil).WantError(t, http.StatusBadRequest, "invalid_credentials")
		c.Do("DELETE", "/v1/auth/passkeys/"+id, nil, auth).WantError(t, http.StatusNotFound, "not_found")

		wantEvents(t, ls.TestServer, "ada@example.com", "passkey_added", "passkey_renamed", "passkey_removed", "login")
	})
}

// TestPasskeyCloneRefused: an assertion whose counter is not above the
// stored one (a copy of the key used after the original) is refused and
// audited, and the original keeps working.
func TestPasskeyCloneRefused(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	auth := bearer(register(t, c, "bo@example.com"))
	a := webauthntest.New(pkOrigin)
	addPasskey(t, c, auth, a, "Key").Want(t, http.StatusCreated)
	passkeyLogin(t, c, a, "", nil).Want(t, http.StatusOK) // counter 2 stored

	clone := *a.Credentials()[0]
	clone.Count = 1
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", nil).Want(t, http.StatusOK)
	cred, err := a.Assert(&clone, challengeOf(t, begin))
	if err != nil {
		t.Fatal(err)
	}
	c.Do("POST", "/v1/auth/passkeys/login/finish", map[string]any{
		"challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred),
	}).WantError(t, http.StatusBadRequest, "invalid_credentials")
	if events := auditEvents(t, ts, "bo@example.com"); !slices.Contains(events, "passkey_clone_refused") {
		t.Errorf("clone not audited: %v", events)
	}
	passkeyLogin(t, c, a, "", nil).Want(t, http.StatusOK)
}

func challengeOf(t *testing.T, r *servertest.Response) string {
	t.Helper()
	var o struct{ PublicKey struct{ Challenge string } }
	if err := json.Unmarshal(r.Body, &o); err != nil {
		t.Fatal(err)
	}
	return o.PublicKey.Challenge
}

// TestPasskeyLoginNamingAnAccount: naming an e-mail lists that account's
// passkeys; an unknown address gets the same shape (a made-up credential,
// stable per address) and no ceremony of it can finish; a ceremony named
// for one account refuses another account's passkey.
func TestPasskeyLoginNamingAnAccount(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	a, b := webauthntest.New(pkOrigin), webauthntest.New(pkOrigin)
	addPasskey(t, c, bearer(register(t, c, "cy@example.com")), a, "A").Want(t, http.StatusCreated)
	addPasskey(t, c, bearer(register(t, c, "di@example.com")), b, "B").Want(t, http.StatusCreated)

	allowed := func(email string) []string {
		r := c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"email": email}).Want(t, http.StatusOK)
		var o struct {
			PublicKey struct {
				AllowCredentials []struct{ ID string }
				UserVerification string
			}
		}
		if err := json.Unmarshal(r.Body, &o); err != nil {
			t.Fatal(err)
		}
		if o.PublicKey.UserVerification != "required" {
			t.Errorf("user verification %q, want required", o.PublicKey.UserVerification)
		}
		var ids []string
		for _, k := range o.PublicKey.AllowCredentials {
			ids = append(ids, k.ID)
		}
		return ids
	}
	mine := allowed("CY@example.com")
	if len(mine) != 1 || mine[0] != base64.RawURLEncoding.EncodeToString(a.Credentials()[0].ID) {
		t.Errorf("allowed for cy: %v", mine)
	}
	ghost := allowed("nobody@example.com")
	if len(ghost) != 1 || ghost[0] == mine[0] || !slices.Equal(ghost, allowed("nobody@example.com")) {
		t.Errorf("allowed for an unknown address: %v, then %v", ghost, allowed("nobody@example.com"))
	}
	passkeyLogin(t, c, a, "cy@example.com", nil).Want(t, http.StatusOK)

	// di's authenticator answers a ceremony begun for cy.
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"email": "cy@example.com"}).Want(t, http.StatusOK)
	k := b.Credentials()[0]
	k.Count++
	cred, err := b.Assert(k, challengeOf(t, begin))
	if err != nil {
		t.Fatal(err)
	}
	c.Do("POST", "/v1/auth/passkeys/login/finish", map[string]any{"challenge_id": begin.Str("challenge_id"),
		"credential": json.RawMessage(cred)}).WantError(t, http.StatusBadRequest, "invalid_credentials")
	c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"email": "not an address"}).
		WantError(t, http.StatusBadRequest, "invalid_request")
}

// TestPasskeyChallengeOnceAndShort: a ceremony's answer works once, and
// not after the ceremony expired; the prune job deletes the expired one.
func TestPasskeyChallengeOnceAndShort(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	a := webauthntest.New(pkOrigin)
	addPasskey(t, c, bearer(register(t, c, "ed@example.com")), a, "A").Want(t, http.StatusCreated)

	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", nil).Want(t, http.StatusOK)
	cred, err := a.Get(begin.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred)}
	c.Do("POST", "/v1/auth/passkeys/login/finish", body).Want(t, http.StatusOK)
	c.Do("POST", "/v1/auth/passkeys/login/finish", body).WantError(t, http.StatusBadRequest, "invalid_credentials")

	late := c.Do("POST", "/v1/auth/passkeys/login/begin", nil).Want(t, http.StatusOK)
	cred, err = a.Get(late.Body)
	if err != nil {
		t.Fatal(err)
	}
	ts.Clock.Advance(5*time.Minute + time.Second)
	c.Do("POST", "/v1/auth/passkeys/login/finish", map[string]any{"challenge_id": late.Str("challenge_id"),
		"credential": json.RawMessage(cred)}).WantError(t, http.StatusBadRequest, "invalid_credentials")
	if n, err := ts.Auth.PruneStorage(context.Background()); err != nil || n.WebAuthnChallenges != 1 {
		t.Errorf("prune: %+v, %v; want the expired ceremony pruned", n, err)
	}
}

// TestPasskeyBadInput sends what a broken or hostile client would.
func TestPasskeyBadInput(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	auth := bearer(register(t, c, "fi@example.com"))
	a := webauthntest.New(pkOrigin)
	id := addPasskey(t, c, auth, a, "A").Want(t, http.StatusCreated).Str("id")
	otherAuth := bearer(register(t, c, "gu@example.com"))
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", nil).Want(t, http.StatusOK)

	tests := []struct {
		name, method, path string
		body               any
		auth               string
		status             int
		code               string
	}{
		{"register without credentials", "POST", "/v1/auth/passkeys/register/begin", nil, "", 401, "not_authenticated"},
		{"list without credentials", "GET", "/v1/auth/passkeys", nil, "", 401, "not_authenticated"},
		{"no credential", "POST", "/v1/auth/passkeys/register/finish", map[string]any{"name": "x"}, auth, 400, "invalid_request"},
		{"credential not an object", "POST", "/v1/auth/passkeys/register/finish", map[string]any{"credential": "abc"}, auth, 400, "invalid_request"},
		{"credential garbage", "POST", "/v1/auth/passkeys/register/finish", map[string]any{"credential": map[string]any{"id": "x"}}, auth, 400, "invalid_request"},
		{"name too long", "POST", "/v1/auth/passkeys/register/finish", map[string]any{"name": strings.Repeat("n", 65), "credential": map[string]any{}}, auth, 400, "invalid_request"},
		{"name with a control character", "PATCH", "/v1/auth/passkeys/" + id, map[string]any{"name": "a\u0007b"}, auth, 400, "invalid_request"},
		{"empty name", "PATCH", "/v1/auth/passkeys/" + id, map[string]any{"name": " "}, auth, 400, "invalid_request"},
		{"another user's passkey", "PATCH", "/v1/auth/passkeys/" + id, map[string]any{"name": "mine"}, otherAuth, 404, "not_found"},
		{"remove another user's passkey", "DELETE", "/v1/auth/passkeys/" + id, nil, otherAuth, 404, "not_found"},
		{"not an id", "DELETE", "/v1/auth/passkeys/..%2f", nil, auth, 404, "not_found"},
		{"finish without anything", "POST", "/v1/auth/passkeys/login/finish", map[string]any{}, "", 400, "invalid_request"},
		{"unknown challenge", "POST", "/v1/auth/passkeys/login/finish", map[string]any{"challenge_id": "AAAA", "credential": map[string]any{"id": "x"}}, "", 400, "invalid_credentials"},
		{"garbage credential", "POST", "/v1/auth/passkeys/login/finish", map[string]any{"challenge_id": begin.Str("challenge_id"), "credential": map[string]any{"id": "x", "response": map[string]any{"clientDataJSON": "!!"}}}, "", 400, "invalid_credentials"},
		{"bad delivery", "POST", "/v1/auth/passkeys/login/finish", map[string]any{"delivery": "token", "challenge_id": "x", "credential": map[string]any{}}, "", 400, "invalid_request"},
		{"unknown client", "POST", "/v1/auth/passkeys/login/finish", map[string]any{"client_id": "nope", "challenge_id": "x", "credential": map[string]any{}}, "", 400, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.auth != "" {
				headers = append(headers, tt.auth)
			}
			c.Do(tt.method, tt.path, tt.body, headers...).WantError(t, tt.status, tt.code)
		})
	}
	if list := c.Do("GET", "/v1/auth/passkeys", nil, auth).Want(t, http.StatusOK); !strings.Contains(string(list.Body), `"name":"A"`) {
		t.Errorf("the passkey changed: %s", list.Body)
	}
}

// TestPasskeysOff: an issuer on an IP address and no relying party id
// leave passkeys off, said plainly.
func TestPasskeysOff(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	auth := bearer(register(t, c, "ha@example.com"))
	c.Do("POST", "/v1/auth/passkeys/register/begin", nil, auth).WantError(t, http.StatusNotFound, "not_found")
	c.Do("POST", "/v1/auth/passkeys/login/begin", nil).WantError(t, http.StatusNotFound, "not_found")
	c.Do("GET", "/v1/auth/passkeys", nil, auth).Want(t, http.StatusOK)
}

// TestPasskeyLoginDeliveries: a passkey sign-in travels like a password
// one: in cookies with a CSRF value, or as a cookie session.
func TestPasskeyLoginDeliveries(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	a := webauthntest.New(pkOrigin)
	addPasskey(t, c, bearer(register(t, c, "io@example.com")), a, "A").Want(t, http.StatusCreated)
	for _, delivery := range []string{"cookie", "session"} {
		t.Run(delivery, func(t *testing.T) {
			dev := ts.NewClient(t)
			r := passkeyLogin(t, dev, a, "", map[string]any{"delivery": delivery}).Want(t, http.StatusOK)
			if r.Str("access_token") != "" || r.Str("csrf_token") == "" || r.Str("delivery") != delivery || len(r.Cookies()) == 0 {
				t.Fatalf("%s delivery: %s %v", delivery, r.Body, r.Cookies())
			}
			dev.Do("GET", "/v1/auth/me", nil).Want(t, http.StatusOK)
			dev.Do("POST", "/v1/auth/passkeys/register/begin", nil).WantError(t, http.StatusForbidden, "csrf_failed")
		})
	}
}

// TestPasskeyAsSecondFactor: once an account has a passkey, its password
// alone opens no session: the mfa_required answer offers webauthn, a
// ceremony begun with the mfa_token completes the login through
// /v1/auth/mfa/verify (amr pwd, hwk, user, mfa), and another account's
// passkey or a replayed answer is a wrong code.
func TestPasskeyAsSecondFactor(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	a, b := webauthntest.New(pkOrigin), webauthntest.New(pkOrigin)
	addPasskey(t, c, bearer(register(t, c, "jo@example.com")), a, "Key").Want(t, http.StatusCreated)
	addPasskey(t, c, bearer(register(t, c, "ka@example.com")), b, "Key").Want(t, http.StatusCreated)

	pending := c.Do("POST", "/v1/auth/login", map[string]any{"email": "jo@example.com", "password": testPassword}).
		WantError(t, http.StatusForbidden, "mfa_required")
	if methods, _ := pending.JSON()["methods"].([]any); len(methods) != 1 || methods[0] != "webauthn" {
		t.Fatalf("methods: %s", pending.Body)
	}
	token := pending.Str("mfa_token")
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": token}).Want(t, http.StatusOK)
	var o struct {
		PublicKey struct{ AllowCredentials []struct{ ID string } }
	}
	if err := json.Unmarshal(begin.Body, &o); err != nil || len(o.PublicKey.AllowCredentials) != 1 {
		t.Fatalf("options for the pending login: %s", begin.Body)
	}

	// ka's passkey answering jo's ceremony is a wrong code.
	k := b.Credentials()[0]
	k.Count++
	wrong, err := b.Assert(k, challengeOf(t, begin))
	if err != nil {
		t.Fatal(err)
	}
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": token, "challenge_id": begin.Str("challenge_id"),
		"credential": json.RawMessage(wrong)}).WantError(t, http.StatusBadRequest, "invalid_mfa_code")

	begin = c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": token}).Want(t, http.StatusOK)
	cred, err := a.Get(begin.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"mfa_token": token, "challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred)}
	in := c.Do("POST", "/v1/auth/mfa/verify", body).Want(t, http.StatusOK)
	sess, err := ts.DB.GetSession(context.Background(), uuid.MustParse(in.Str("session_id")))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"pwd", "hwk", "mfa"} {
		if !slices.Contains(sess.AMR, m) {
			t.Errorf("amr %v lacks %s", sess.AMR, m)
		}
	}
	c.Do("POST", "/v1/auth/mfa/verify", body).WantError(t, http.StatusBadRequest, "invalid_mfa_token")
	c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": token}).WantError(t, http.StatusBadRequest, "invalid_mfa_token")
	c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": "tsm_nope"}).WantError(t, http.StatusBadRequest, "invalid_mfa_token")
}
