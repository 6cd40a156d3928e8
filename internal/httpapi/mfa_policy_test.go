package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/config"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestAdminMFARequired: under TESSERA_ADMIN_MFA=required an admin without
// a second factor is refused by the admin API with a message saying how
// to enrol; enrolling (which proves the factor on this session) lets the
// same session in; a password-only session of an enrolled admin must
// step up first. Both engines.
func TestAdminMFARequired(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, func(c *config.Config) { c.AdminMFA = "required" })
		c := ts.NewClient(t)
		authz := newAdmin(t, ts, "root@example.com")
		r := c.Do("GET", "/v1/admin/users", nil, authz).WantError(t, http.StatusForbidden, "mfa_enrollment_required")
		if d := r.Str("error_description"); !strings.Contains(d, "POST /v1/auth/mfa/totp") {
			t.Fatalf("description %q does not say how to enrol", d)
		}
		secret, _ := enrolTOTP(t, ts, c, authz)
		c.Do("GET", "/v1/admin/users", nil, authz).Want(t, http.StatusOK)

		// A later sign-in asks for the code; a session made another way
		// without it (none exists: the password alone no longer opens
		// one) is what step-up covers.
		tok := mfaLogin(t, c, map[string]any{"email": "root@example.com"})
		fresh := c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": totpCode(t, ts, secret, 0)}).
			Want(t, http.StatusOK)
		c.Do("GET", "/v1/admin/users", nil, bearer(fresh)).Want(t, http.StatusOK)
	})
}

// TestAdminStepUp: an admin with a second factor may read at any time,
// but a change (PATCH, DELETE, POST) needs the factor proven on this
// session in the last five minutes: step_up_required, then
// POST /v1/auth/mfa/step-up with a code, then allowed. A wrong code does
// not step up.
func TestAdminStepUp(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	authz := newAdmin(t, ts, "boss@example.com")
	secret, _ := enrolTOTP(t, ts, c, authz)
	register(t, c, "someone@example.com")
	users := c.Do("GET", "/v1/admin/users?email_prefix=someone", nil, authz).Want(t, http.StatusOK).JSON()
	id := users["users"].([]any)[0].(map[string]any)["id"].(string)
	patch := map[string]any{"email_verified": true}
	c.Do("PATCH", "/v1/admin/users/"+id, patch, authz).Want(t, http.StatusOK) // enrolment proved it just now
	ts.Clock.Advance(6 * time.Minute)
	c.Do("GET", "/v1/admin/users/"+id, nil, authz).Want(t, http.StatusOK)
	r := c.Do("PATCH", "/v1/admin/users/"+id, patch, authz).WantError(t, http.StatusForbidden, "step_up_required")
	if !strings.Contains(r.Str("error_description"), "/v1/auth/mfa/step-up") {
		t.Fatalf("description %q does not say how to step up", r.Str("error_description"))
	}
	c.Do("POST", "/v1/auth/mfa/step-up", map[string]any{"code": wrongCode(t, ts, secret)}, authz).
		WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	c.Do("POST", "/v1/auth/mfa/step-up", map[string]any{}, authz).WantError(t, http.StatusBadRequest, "invalid_request")
	c.Do("PATCH", "/v1/admin/users/"+id, patch, authz).WantError(t, http.StatusForbidden, "step_up_required")
	c.Do("POST", "/v1/auth/mfa/step-up", map[string]any{"code": totpCode(t, ts, secret, 0)}, authz).Want(t, http.StatusNoContent)
	c.Do("PATCH", "/v1/admin/users/"+id, patch, authz).Want(t, http.StatusOK)
}

// TestAdminResetMFA: an admin removes a user's second factors; the user
// then signs in with the password alone, is mailed, and the action is in
// the audit log.
func TestAdminResetMFA(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	authz := newAdmin(t, ts, "helpdesk@example.com")
	mfaUser(t, ts, "lost-phone@example.com")
	mfaLogin(t, c, map[string]any{"email": "lost-phone@example.com"})
	users := c.Do("GET", "/v1/admin/users?email_prefix=lost-phone", nil, authz).Want(t, http.StatusOK).JSON()
	id := users["users"].([]any)[0].(map[string]any)["id"].(string)
	// A passkey is a second factor too: the reset removes it.
	uid := uuid.MustParse(id)
	if err := ts.DB.CreatePasskey(t.Context(), &store.Passkey{ID: uuid.New(), UserID: uid, CredentialID: []byte("lost-key"),
		PublicKey: []byte("pk"), Attestation: "none", Name: "Lost laptop", CreatedAt: ts.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	c.Do("DELETE", "/v1/admin/users/"+id+"/mfa", nil, authz).Want(t, http.StatusNoContent)
	if keys, err := ts.DB.ListPasskeys(t.Context(), uid); err != nil || len(keys) != 0 {
		t.Fatalf("passkeys after the reset: %v, %v", keys, err)
	}
	c.Do("DELETE", "/v1/admin/users/0190f5a2-7b8c-7d9e-8f01-23456789abcd/mfa", nil, authz).
		WantError(t, http.StatusNotFound, "not_found")
	login(t, c, "lost-phone@example.com", "new phone")
	audit := c.Do("GET", "/v1/admin/audit?user_id="+id, nil, authz).Want(t, http.StatusOK).JSON()
	found := false
	for _, e := range audit["events"].([]any) {
		if e.(map[string]any)["event"] == "admin_mfa_reset" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no admin_mfa_reset event in %v", audit)
	}
}

// TestClientRequiresMFA: a client with require_mfa refuses sessions to a
// user without a second factor (mfa_enrollment_required) and asks one
// who has it for the code.
func TestClientRequiresMFA(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), nil)
	c := ts.NewClient(t)
	authz := newAdmin(t, ts, "ops@example.com")
	r := c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "bank", "name": "Bank", "require_mfa": true}, authz).
		Want(t, http.StatusCreated)
	if r.JSON()["require_mfa"] != true {
		t.Fatalf("client %s", r.Body)
	}
	register(t, c, "plain@example.com")
	c.Do("POST", "/v1/auth/login", map[string]any{"email": "plain@example.com", "password": testPassword, "client_id": "bank"}).
		WantError(t, http.StatusForbidden, "mfa_enrollment_required")
	login(t, c, "plain@example.com", "default client still fine")
	mfaUser(t, ts, "strong@example.com")
	mfaLogin(t, c, map[string]any{"email": "strong@example.com", "client_id": "bank"})
}
