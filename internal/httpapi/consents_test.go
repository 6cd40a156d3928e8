package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tessera-id/tessera/internal/server/servertest"
	"github.com/tessera-id/tessera/internal/store"
	"github.com/tessera-id/tessera/internal/store/sqlstore"
	"github.com/tessera-id/tessera/internal/store/sqlstore/sqltest"
)

// TestWithdrawConsent: a user lists the apps they consented to and
// withdraws one; the consent is gone, every session that app held for the
// user ends (refresh refused), other apps' sessions are untouched, and a
// second withdrawal, or one for an app never allowed, is 404.
func TestWithdrawConsent(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ts := servertest.Start(t, db, nil)
		admin := newAdmin(t, ts, "root@example.com")
		c := ts.NewClient(t)
		c.Do("POST", "/v1/admin/clients", map[string]any{"client_id": "tool", "name": "Tool"}, admin).Want(t, http.StatusCreated)
		reg := register(t, c, "ada@example.com")
		me := bearer(reg)
		tool := c.Do("POST", "/v1/auth/login", map[string]any{"email": "ada@example.com", "password": testPassword, "client_id": "tool"}).Want(t, http.StatusOK)

		c.Do("GET", "/v1/auth/consents", nil, me).Want(t, http.StatusOK)
		u, err := db.GetUserByEmail(t.Context(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		granted := time.Now().UTC().Truncate(time.Second)
		if err := db.UpsertConsent(t.Context(), &store.Consent{UserID: u.ID, ClientID: "tool", Scopes: []string{"openid", "email"}, GrantedAt: granted}); err != nil {
			t.Fatal(err)
		}
		list := c.Do("GET", "/v1/auth/consents", nil, me).Want(t, http.StatusOK).JSON()["consents"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["client_id"] != "tool" || len(list[0].(map[string]any)["scopes"].([]any)) != 2 {
			t.Fatalf("consents = %v", list)
		}

		c.Do("DELETE", "/v1/auth/consents/tool", nil, me).Want(t, http.StatusNoContent)
		if got := c.Do("GET", "/v1/auth/consents", nil, me).Want(t, http.StatusOK).JSON()["consents"].([]any); len(got) != 0 {
			t.Fatalf("consent still listed: %v", got)
		}
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": tool.Str("refresh_token")}).WantError(t, http.StatusBadRequest, "invalid_grant")
		c.Do("GET", "/v1/auth/me", nil, bearer(tool)).WantError(t, http.StatusUnauthorized, "invalid_token")
		c.Do("POST", "/v1/auth/refresh", map[string]any{"refresh_token": reg.Str("refresh_token")}).Want(t, http.StatusOK)

		c.Do("DELETE", "/v1/auth/consents/tool", nil, me).WantError(t, http.StatusNotFound, "not_found")
		c.Do("DELETE", "/v1/auth/consents/never", nil, me).WantError(t, http.StatusNotFound, "not_found")
		c.Do("DELETE", "/v1/auth/consents/tool", nil).WantError(t, http.StatusUnauthorized, "not_authenticated")

		events, err := db.QueryAuditEvents(t.Context(), store.AuditQuery{Event: "consent_withdrawn", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Details["client_id"] != "tool" || events[0].Details["sessions_ended"] != "1" {
			t.Fatalf("audit: %+v", events)
		}
	})
}
