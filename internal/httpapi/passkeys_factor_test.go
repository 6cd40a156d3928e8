package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/tessera-id/tessera/internal/mfa/webauthntest"
	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestPasskeyFactorCeremonyIsNoSignIn: the ceremony begun for a pending
// login only prefers user verification, so an answer to it without
// verification cannot sign in without a password at
// /v1/auth/passkeys/login/finish; it still completes its pending login
// (password and key: two factors, amr without user).
func TestPasskeyFactorCeremonyIsNoSignIn(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	a := webauthntest.New(pkOrigin)
	a.UV = false
	addPasskey(t, c, bearer(register(t, c, "nouv@example.com")), a, "Key").Want(t, http.StatusCreated)

	tok := mfaLogin(t, c, map[string]any{"email": "nouv@example.com"})
	begin := c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": tok}).Want(t, http.StatusOK)
	cred, err := a.Get(begin.Body)
	if err != nil {
		t.Fatal(err)
	}
	c.Do("POST", "/v1/auth/passkeys/login/finish", map[string]any{
		"challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred),
	}).WantError(t, http.StatusBadRequest, "invalid_credentials")

	in := c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok,
		"challenge_id": begin.Str("challenge_id"), "credential": json.RawMessage(cred)}).Want(t, http.StatusOK)
	sess, err := ts.DB.GetSession(context.Background(), uuid.MustParse(in.Str("session_id")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sess.AMR, []string{"pwd", "hwk", "mfa"}) {
		t.Errorf("amr %v, want [pwd hwk mfa]", sess.AMR)
	}
}

// TestPasskeyFactorSpentToken: an mfa_token out of attempts begins no
// passkey ceremony, like one used or expired.
func TestPasskeyFactorSpentToken(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	addPasskey(t, c, bearer(register(t, c, "spent@example.com")), webauthntest.New(pkOrigin), "Key").Want(t, http.StatusCreated)
	tok := mfaLogin(t, c, map[string]any{"email": "spent@example.com"})
	for range 5 {
		c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "code": "000000"}).
			WantError(t, http.StatusBadRequest, "invalid_mfa_code")
	}
	c.Do("POST", "/v1/auth/passkeys/login/begin", map[string]any{"mfa_token": tok}).
		WantError(t, http.StatusBadRequest, "invalid_mfa_token")
}

// TestPasskeyRemovalDropsOrphanRecoveryCodes: recovery codes stand in for
// a factor; once the last one (here a passkey, after the authenticator
// app) is removed they go too, and do not come back with the next passkey.
func TestPasskeyRemovalDropsOrphanRecoveryCodes(t *testing.T) {
	ts := servertest.Start(t, sqltest.NewSQLite(t), withPasskeys)
	c := ts.NewClient(t)
	authz := bearer(register(t, c, "orphan@example.com"))
	id := addPasskey(t, c, authz, webauthntest.New(pkOrigin), "Key").Want(t, http.StatusCreated).Str("id")
	secret, codes := enrolTOTP(t, ts, c, authz)
	c.Do("DELETE", "/v1/auth/mfa/totp", map[string]any{"password": testPassword, "code": totpCode(t, ts, secret, 0)}, authz).
		Want(t, http.StatusNoContent)
	c.Do("DELETE", "/v1/auth/passkeys/"+id, nil, authz).Want(t, http.StatusNoContent)
	st := c.Do("GET", "/v1/auth/mfa", nil, authz).Want(t, http.StatusOK).JSON()
	if st["recovery_codes_remaining"].(float64) != 0 || len(st["methods"].([]any)) != 0 {
		t.Fatalf("status after removing every factor %v", st)
	}

	addPasskey(t, c, authz, webauthntest.New(pkOrigin), "New key").Want(t, http.StatusCreated)
	tok := mfaLogin(t, c, map[string]any{"email": "orphan@example.com"})
	c.Do("POST", "/v1/auth/mfa/verify", map[string]any{"mfa_token": tok, "recovery_code": codes[0]}).
		WantError(t, http.StatusBadRequest, "invalid_mfa_code")
}
